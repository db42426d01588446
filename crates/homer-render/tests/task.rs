//! The task context `homer render --task` plans from what the task reaches
//! in the database against the one planned from the full snapshot that
//! `homer serve` keeps.

use homer_read::Index;
use homer_render::{Snapshot, task_context, task_context_in};
use homer_update::{NoProgress, UpdateOptions, update};

/// The repository at `root` indexed without vectors, and its index.
fn indexed(root: &std::path::Path) -> Index {
    let options = UpdateOptions {
        no_embed: true,
        ..UpdateOptions::default()
    };
    update(root, &options, &NoProgress).expect("update");
    Index::open(root).expect("open the index")
}

/// A copy of the small fixture, indexed without vectors, and its index.
fn indexed_small() -> (tempfile::TempDir, Index) {
    let repo = homer_fixtures::copy("small");
    let index = indexed(repo.path());
    (repo, index)
}

#[test]
fn a_task_reads_the_same_from_the_database_as_from_the_snapshot() {
    let (_repo, index) = indexed_small();
    let full = Snapshot::load(&index).expect("full snapshot");
    let mut compared = 0;
    for (text, budget, focus) in [
        ("add two numbers", 4_000, &[][..]),
        ("change how subtraction works", 300, &[][..]),
        ("fix the parser", 1_000, &["src".to_owned()][..]),
        ("tests for the calculator", 2_000, &[][..]),
        // Tasks that name files by their paths' words (the file order
        // takes in such files: read from each file's language).
        ("change the mathx package", 4_000, &[][..]),
        ("update the api server and its ops", 4_000, &[][..]),
        ("fix the web page", 4_000, &[][..]),
        ("rename things in main", 4_000, &[][..]),
        // Tasks that spell files out.
        ("tidy up ops.py", 4_000, &[][..]),
        ("Fix `API.ts` and py/calc/__init__.py.", 300, &[][..]),
        // A file the search finds that defines nothing.
        ("describe the tiny calculator package", 4_000, &[][..]),
        // Nothing matches: the most called definitions overall.
        ("zebra", 4_000, &[][..]),
        ("zebra", 4_000, &["src/".to_owned()][..]),
    ] {
        let a = task_context_in(&index, &full, text, budget, focus).expect("full");
        let b = task_context(&index, text, budget, focus).expect("task");
        assert_eq!(a.text, b.text, "{text}");
        assert_eq!(a.files, b.files, "{text}");
        assert_eq!(a.why, b.why, "{text}");
        let why: Vec<&String> = b.why.iter().map(|w| &w.file).collect();
        assert_eq!(why, b.files.iter().collect::<Vec<_>>(), "{text}");
        compared += usize::from(!a.files.is_empty());
    }
    assert!(compared >= 3, "{compared} tasks found files");
}

/// A file the task spells out comes first, whatever the case it is
/// written in, and is shown even when nothing of it is.
#[test]
fn a_file_the_task_spells_out_comes_first() {
    let (_repo, index) = indexed_small();
    let context = task_context(&index, "tidy up ops.py", 4_000, &[]).expect("task");
    assert_eq!(
        context.files.first().map(String::as_str),
        Some("py/calc/ops.py")
    );
    let context =
        task_context(&index, "Fix `API.ts` and py/calc/__init__.py.", 300, &[]).expect("task");
    assert_eq!(
        context.files[..2],
        ["ts/src/api.ts".to_owned(), "py/calc/__init__.py".to_owned()]
    );
    assert!(
        context
            .text
            .contains("## py/calc/__init__.py\n\n(named in the task"),
        "{}",
        context.text
    );
}

/// A code file near the top of the order that defines nothing (a package's
/// `__init__.py` with a doc line and an import) is shown by name, with how
/// to read it; a file that is not code (the README) is not.
#[test]
fn a_code_file_that_defines_nothing_is_shown_by_name() {
    let (_repo, index) = indexed_small();
    let context =
        task_context(&index, "describe the tiny calculator package", 4_000, &[]).expect("task");
    // The call graph cannot rank a file without definitions: it stands
    // in the walk's list where the search put it (its chunk is the first
    // hit; `api.ts`'s three definitions follow), not behind every file
    // both ranked; the latest commits' files (`mathx.go`) may pass it.
    let why = context
        .why
        .iter()
        .find(|w| w.file == "py/calc/__init__.py")
        .expect("shown");
    assert_eq!((why.search, why.walk), (Some(2), Some(2)), "{why:?}");
    assert!(
        context.files[..3].contains(&"py/calc/__init__.py".to_owned()),
        "{:?}",
        context.files
    );
    assert!(
        context.files.iter().any(|f| f == "py/calc/__init__.py"),
        "{:?}",
        context.files
    );
    // After the lines of it the search found (its doc line names the
    // task's words).
    assert!(
        context.text.contains(
            "## py/calc/__init__.py\n\n1-2: code between definitions that the task's words match:\n      \
             1: \"\"\"A tiny calculator package.\"\"\"\n\n\
             (no definition in it to show: `homer query py/calc/__init__.py`)"
        ),
        "{}",
        context.text
    );
    assert!(
        !context.files.iter().any(|f| f == "README.md"),
        "{:?}",
        context.files
    );
}

/// A task like a past commit (its message's words) is told where that
/// commit worked, though no word of the task is in the code: the files it
/// changed come first.
#[test]
fn files_that_like_past_commits_changed_come_first() {
    use homer_fixtures::{commit_all, git};
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    let files = [
        ("alpha.py", "def alpha(x):\n    return x + 1\n"),
        ("beta.py", "def beta(x):\n    return x * 2\n"),
        ("gamma.py", "def gamma(x):\n    return x - 3\n"),
        (
            "delta.py",
            "def delta(x):\n    return alpha(x) + beta(x) + gamma(x)\n",
        ),
    ];
    for (path, text) in files {
        std::fs::write(root.join(path), text).expect("write");
    }
    commit_all(root, "Start the project");
    std::fs::write(root.join("gamma.py"), "def gamma(x):\n    return x - 4\n").expect("write");
    commit_all(root, "Loosen the retry backoff for flaky uploads");
    std::fs::write(root.join("alpha.py"), "def alpha(x):\n    return x + 2\n").expect("write");
    commit_all(root, "Count from two");
    let index = indexed(root);
    let context =
        task_context(&index, "retry backoff is too slow for uploads", 4_000, &[]).expect("task");
    assert_eq!(
        context.files.first().map(String::as_str),
        Some("gamma.py"),
        "{:?}",
        context.files
    );
    // And says so: first by what like commits changed, not by the search.
    let why = &context.why[0];
    assert_eq!(
        (why.file.as_str(), why.history),
        ("gamma.py", Some(1)),
        "{why:?}"
    );
    assert!(why.search.is_none_or(|p| p > 1), "{why:?}");
    // A task that no message is like keeps the order the code gives.
    let context = task_context(&index, "sum of everything", 4_000, &[]).expect("task");
    assert_ne!(
        context.files.first().map(String::as_str),
        Some("gamma.py"),
        "{:?}",
        context.files
    );
}

/// The definitions most likely edited show all their doc lines and where
/// production code calls them, the lines around each call quoted from the
/// indexed file; a test's call comes after production code's.
#[test]
fn the_leading_definitions_show_where_they_are_called() {
    use homer_fixtures::{commit_all, git};
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    std::fs::create_dir_all(root.join("tests")).expect("mkdir");
    let files = [
        (
            "shapes.py",
            "def area(w, h):\n    \"\"\"Area of a rectangle.\n\n    Width times height, both positive.\n    \"\"\"\n    return w * h\n",
        ),
        (
            "report.py",
            "from shapes import area\n\n\ndef summary(rooms):\n    total = 0\n    for w, h in rooms:\n        total += area(w, h)\n    return total\n",
        ),
        (
            "tests/test_shapes.py",
            "from shapes import area\n\n\ndef test_area():\n    \"\"\"The area of a two by three rectangle.\n\n    Checked against the product the shapes module computes, with the\n    width first and the height second, as every caller passes them,\n    so that a change of the order shows up here before anywhere else.\n    \"\"\"\n    assert area(2, 3) == 6\n",
        ),
    ];
    for (path, text) in files {
        std::fs::write(root.join(path), text).expect("write");
    }
    commit_all(root, "Start");
    let index = indexed(root);
    let context =
        task_context(&index, "make area reject negative sizes", 4_000, &[]).expect("task");
    let text = &context.text;
    assert!(
        text.contains("    Width times height, both positive.\n"),
        "{text}"
    );
    let called = "    called by `summary` in report.py:\n      6: for w, h in rooms:\n      7:     total += area(w, h)\n      8: return total\n";
    assert!(text.contains(called), "{text}");
    let by_test = text.find("called by `test_area` in tests/test_shapes.py:");
    assert!(
        by_test.is_some_and(|t| t > text.find(called).unwrap_or(usize::MAX)),
        "{text}"
    );
    // The files it quotes are named; one edited since the index was built
    // is said to differ even when the context does not show it (a budget
    // that shows the file of `area` but not the test calling it).
    assert_eq!(context.quoted, ["report.py", "tests/test_shapes.py"]);
    let test_file = "tests/test_shapes.py";
    let budget = (100..1_000)
        .step_by(5)
        .find(|&b| {
            task_context(&index, "make area reject negative sizes", b, &[]).is_ok_and(|c| {
                !c.files.iter().any(|f| f == test_file) && c.quoted.iter().any(|f| f == test_file)
            })
        })
        .expect("a budget quoting the test without showing it");
    std::fs::write(root.join(test_file), "# edited\n").expect("write");
    let edited =
        task_context(&index, "make area reject negative sizes", budget, &[]).expect("task");
    let warning = format!("{test_file} differs in the working tree from the indexed version");
    assert!(edited.warnings.contains(&warning), "{:?}", edited.warnings);
    std::fs::write(root.join(test_file), files[2].1).expect("write");
    // The snapshot `homer serve` keeps plans the same context.
    let full = Snapshot::load(&index).expect("full snapshot");
    let again = task_context_in(&index, &full, "make area reject negative sizes", 4_000, &[])
        .expect("full");
    assert_eq!(again.text, context.text);
}

/// What the search finds between definitions (a Ruby class's settings,
/// outside any method) is quoted under its file's heading: the lines that
/// name the most of the task's words, where no definition's line would
/// show them.
#[test]
fn lines_between_definitions_that_the_task_names_are_quoted() {
    let dir = homer_fixtures::repo_with(&[(
        "app.rb",
        "class App\n  def call(env)\n    route(env)\n  end\n\n  def route(env)\n    env\n  end\n\n\
         \x20 set :logging, false\n  set :sessions, false\n  set :session_store, CookieStore\n\
         \x20 set :views, 'views'\nend\n",
    )]);
    let index = indexed(dir.path());
    let context =
        task_context(&index, "turn on cookie sessions by default", 4_000, &[]).expect("task");
    assert!(
        context.text.contains(
            "## app.rb\n\n10-14: code between definitions that the task's words match:\n      \
             11: set :sessions, false\n      12: set :session_store, CookieStore\n\n"
        ),
        "{}",
        context.text
    );
}

/// The files the latest commits changed are a ranking of their own (work
/// in progress is where the next change is likely made): the most
/// recently changed first, a commit's share divided among its files, and
/// `why` gives each file's place in it.
#[test]
fn the_latest_commits_rank_the_files_they_changed() {
    use homer_fixtures::commit_all;
    let dir = homer_fixtures::repo_with(&[
        ("alpha.py", "def retry_count():\n    return 3\n"),
        ("beta.py", "def retry_limit():\n    return 3\n"),
        ("gamma.py", "def retry_delay():\n    return 3\n"),
    ]);
    let root = dir.path();
    let write = |path: &str, text: &str| std::fs::write(root.join(path), text).expect("write");
    write("gamma.py", "def retry_delay():\n    return 4\n");
    commit_all(root, "Wait longer");
    write("beta.py", "def retry_limit():\n    return 4\n");
    commit_all(root, "Try once more");
    let index = indexed(root);
    let context = task_context(&index, "retry settings", 4_000, &[]).expect("task");
    let latest = |file: &str| {
        context
            .why
            .iter()
            .find(|w| w.file == file)
            .map(|w| w.latest)
            .expect("shown")
    };
    assert_eq!(
        (latest("beta.py"), latest("gamma.py"), latest("alpha.py")),
        (Some(1), Some(2), Some(3)),
        "{:?}",
        context.why
    );
}

/// The words of production paths are weighed alike whether each path is
/// split when the task is read (the snapshot `homer serve` keeps, an index
/// written before the stored counts) or only those whose letters may hold
/// a task's word are, the rest counted from what the update stored: paths
/// with capitals outside ASCII (which SQLite does not fold) and files
/// outside production among them.
#[test]
fn path_words_weigh_the_same_counted_or_split() {
    let dir = homer_fixtures::repo_with(&[
        ("src/Über/Straße.py", "def gehen():\n    return 1\n"),
        ("src/ÜBERSICHT.py", "def zeigen():\n    return gehen()\n"),
        ("src/uber_rides.py", "def ride():\n    return 2\n"),
        ("src/RideShare.py", "def share():\n    return ride()\n"),
        ("tests/test_über.py", "def test_gehen():\n    assert True\n"),
        ("docs/conf.py", "project = 'x'\n"),
    ]);
    let index = indexed(dir.path());
    let tasks = [
        "fix über and straße handling",
        "change the übersicht",
        "make ride sharing faster",
        "tidy up Straße.py and rideshare.py",
    ];
    let full = Snapshot::load(&index).expect("full snapshot");
    let mut read = Vec::new();
    for task in tasks {
        let a = task_context_in(&index, &full, task, 4_000, &[]).expect("full");
        let b = task_context(&index, task, 4_000, &[]).expect("task");
        assert_eq!(a.text, b.text, "{task}");
        assert_eq!(a.why, b.why, "{task}");
        read.push(b.text);
    }
    assert!(
        read[0].contains("src/Über/Straße.py") && read[1].contains("src/ÜBERSICHT.py"),
        "{read:?}"
    );
    // The counts gone, as in an index written before them: every path is
    // read and split, to the same contexts.
    drop(index);
    let db = dir.path().join(".homer/homer.db");
    let conn = rusqlite::Connection::open(&db).expect("open");
    let removed = conn
        .execute(
            "DELETE FROM node_values
             WHERE name = (SELECT code FROM value_names WHERE name = 'path_words')",
            [],
        )
        .expect("delete");
    assert_eq!(removed, 4, "production code files");
    drop(conn);
    let index = Index::open(dir.path()).expect("open");
    for (task, before) in tasks.iter().zip(&read) {
        let again = task_context(&index, task, 4_000, &[]).expect("task");
        assert_eq!(&again.text, before, "{task}");
    }
}

/// A task none of whose words any indexed text holds still gets the
/// definitions a walk ranks without a seed (or, with vectors, those
/// nearest in meaning), and its heading says that nothing matched; a task
/// whose words are found does not.
#[test]
fn a_task_of_words_found_nowhere_says_so() {
    let (_repo, index) = indexed_small();
    let line = "No indexed text holds a word of the task";
    let unfound = task_context(&index, "quokka xylophone sturdier", 4_000, &[]).expect("task");
    assert!(unfound.text.contains(line), "{}", unfound.text);
    assert!(!unfound.files.is_empty(), "{}", unfound.text);
    let found = task_context(&index, "add two numbers", 4_000, &[]).expect("task");
    assert!(!found.text.contains(line), "{}", found.text);
    // A focus says what the task is about.
    let focus = ["src/calc.rs".to_owned()];
    let focused = task_context(&index, "quokka xylophone sturdier", 4_000, &focus).expect("task");
    assert!(!focused.text.contains(line), "{}", focused.text);
}

/// A commit that changed more than a hundred files (a sweep across the
/// tree, an import) says nothing of where a task's change is: its files
/// are not ranked by it, and it keeps its place among the latest.
#[test]
fn a_sweep_across_the_tree_ranks_none_of_its_files() {
    use homer_fixtures::commit_all;
    let files: Vec<(String, String)> = (0..101)
        .map(|i| {
            (
                format!("m{i:03}.py"),
                format!("def retry_{i}():\n    return 3\n"),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = homer_fixtures::repo_with(&borrowed);
    let root = dir.path();
    for (path, text) in &files {
        std::fs::write(root.join(path), text.replace('3', "4")).expect("write");
    }
    commit_all(root, "Retry more everywhere");
    std::fs::write(root.join("m007.py"), "def retry_7():\n    return 5\n").expect("write");
    commit_all(root, "Retry once more");
    let index = indexed(root);
    let context = task_context(&index, "retry settings", 4_000, &[]).expect("task");
    let latest: Vec<(&str, Option<usize>)> = context
        .why
        .iter()
        .map(|w| (w.file.as_str(), w.latest))
        .collect();
    assert!(latest.contains(&("m007.py", Some(1))), "{latest:?}");
    assert!(latest.len() > 1, "{latest:?}");
    assert!(
        latest
            .iter()
            .all(|&(file, rank)| file == "m007.py" || rank.is_none()),
        "{latest:?}"
    );
}

/// A budget too small for the files shown only by name (a code file
/// without definitions) drops them, and the lines between definitions,
/// before it refuses: the least budget is what is left.
#[test]
fn files_shown_by_name_yield_to_a_small_budget() {
    let (_repo, index) = indexed_small();
    let task = "add a subtract function";
    let wide = task_context(&index, task, 4_000, &[]).expect("task");
    assert!(
        wide.text
            .contains("## py/app.py\n\n(no definition in it to show"),
        "{}",
        wide.text
    );
    let plan = homer_render::task_plan_reading(&index, task, &[]).expect("plan");
    let least = plan.least_budget();
    let narrow = plan.fit(least).expect("the least budget fits");
    assert!(!narrow.text.contains("## py/app.py"), "{}", narrow.text);
    assert!(plan.fit(least - 1).is_err());
}

/// In a file's section its detailed definition (the one most likely
/// edited, with where it is called) comes first, then the others in file
/// order: in a large file it is read before its neighbours.
#[test]
fn a_files_detailed_definition_comes_first_in_its_section() {
    let mut utils = String::new();
    for name in ["alpha", "beta", "gamma"] {
        utils.push_str("def ");
        utils.push_str(name);
        utils.push_str("(x):\n    return parse_header(x)\n\n\n");
    }
    utils.push_str("def parse_header(line):\n    \"\"\"Parse one header line.\"\"\"\n    return line.split(':')\n");
    let dir = homer_fixtures::repo_with(&[
        ("utils.py", &utils),
        (
            "main.py",
            "from utils import parse_header\n\n\ndef run(line):\n    return parse_header(line)\n",
        ),
    ]);
    let index = indexed(dir.path());
    let context = task_context(&index, "parse the header strictly", 4_000, &[]).expect("task");
    let text = &context.text;
    let section = text
        .split("## utils.py\n\n")
        .nth(1)
        .expect("utils.py is shown");
    assert!(
        section
            .starts_with("13: def parse_header(line) …\n    Parse one header line.\n    called by"),
        "{text}"
    );
    assert!(section.find("1: def alpha(x)").is_some(), "{text}");
}
