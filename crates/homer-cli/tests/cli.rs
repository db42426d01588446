//! The `homer` binary as a user meets it: exit code, stdout and stderr of
//! each run, snapshotted together.

use std::path::Path;
use std::process::Command;

use homer_fixtures::{copy, git};

mod common;
use common::{Run, homer};

trait Transcript {
    fn transcript(&self, root: &Path) -> String;
}

impl Transcript for Run {
    /// Exit code, stdout and stderr in one text, with `root` shown as
    /// `[REPO]` so snapshots do not depend on the temporary directory.
    fn transcript(&self, root: &Path) -> String {
        let root = root.display().to_string();
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code,
            self.stdout.replace(&root, "[REPO]"),
            self.stderr.replace(&root, "[REPO]")
        )
    }
}

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            filters => vec![(r"\d+\.\d\d s", "[TIME] s")],
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

#[test]
fn update_twice_executes_nothing_the_second_time() {
    let repo = copy("small");
    let first = homer(repo.path(), &["update"]);
    snapshot!("update_first", first.transcript(repo.path()));
    let second = homer(repo.path(), &["update", "--json"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let report: serde_json::Value = serde_json::from_str(&second.stdout).expect("json report");
    assert_eq!(report["executed"], 0);
    assert_eq!(report["deleted"], 0);
    assert_eq!(report["changed"], false);
    assert_eq!(report["log"], serde_json::json!([]));
    // Every memoized stage is skipped on its signature.
    let stages = report["stages"].as_array().expect("stages");
    assert!(
        stages
            .iter()
            .filter(|s| !matches!(s["stage"].as_str(), Some("embed" | "publish")))
            .all(|s| s["skipped"] == true),
        "{stages:?}"
    );
    let third = homer(repo.path(), &["update"]);
    snapshot!("update_noop", third.transcript(repo.path()));
}

#[test]
fn status_before_and_after_update() {
    let repo = copy("small");
    let before = homer(repo.path(), &["status"]);
    snapshot!("status_before_update", before.transcript(repo.path()));
    assert_eq!(homer(repo.path(), &["update"]).code, 0);
    let after = homer(repo.path(), &["status"]);
    snapshot!("status_up_to_date", after.transcript(repo.path()));

    std::fs::write(repo.path().join("NEWS"), "news\n").expect("write");
    homer_fixtures::commit_all(repo.path(), "One more");
    homer_fixtures::commit_all(repo.path(), "And another");
    let behind = homer(repo.path(), &["status"]);
    snapshot!("status_behind", behind.transcript(repo.path()));

    git(repo.path(), &["reset", "-q", "--hard", "HEAD~5"]);
    homer_fixtures::commit_all(repo.path(), "Rewritten");
    let diverged = homer(repo.path(), &["status", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&diverged.stdout).expect("json");
    assert_eq!(json["freshness"]["state"], "diverged");
}

/// An index made by another version of Homer (a task kind's version
/// moved since) says so: status names the kinds the next update redoes,
/// in text and JSON, and after that update names none.
#[test]
fn status_names_the_tasks_another_version_made() {
    let repo = copy("small");
    let root = repo.path();
    assert_eq!(homer(root, &["update"]).code, 0);
    let json =
        |run: &Run| -> serde_json::Value { serde_json::from_str(&run.stdout).expect("json") };
    let fresh = json(&homer(root, &["status", "--json"]));
    assert_eq!(fresh["outdated_tasks"], serde_json::json!([]));
    let versions = &fresh["task_versions"];
    assert!(
        versions["symbols"].as_u64().is_some_and(|v| v > 1),
        "{versions}"
    );
    // As an older Homer left it: its symbols one version behind.
    let mut older = versions.clone();
    older["symbols"] = serde_json::json!(versions["symbols"].as_u64().expect("version") - 1);
    let conn = rusqlite::Connection::open(root.join(".homer/homer.db")).expect("open");
    let set = conn
        .execute(
            "UPDATE checkpoints SET value = ?1 WHERE name = 'task_versions'",
            [older.to_string()],
        )
        .expect("set");
    assert_eq!(set, 1);
    drop(conn);
    let text = homer(root, &["status"]).stdout;
    assert!(
        text.contains(
            "made by another version of Homer: the next `homer update` redoes every symbols task"
        ),
        "{text}"
    );
    assert_eq!(
        json(&homer(root, &["status", "--json"]))["outdated_tasks"],
        serde_json::json!(["symbols"])
    );
    assert_eq!(homer(root, &["update"]).code, 0);
    let after = json(&homer(root, &["status", "--json"]));
    assert_eq!(after["outdated_tasks"], serde_json::json!([]));
    assert_eq!(&after["task_versions"], versions);
}

#[test]
fn a_path_outside_any_repository_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = homer(dir.path(), &["update"]);
    snapshot!("not_a_repository", run.transcript(dir.path()));
    let missing = homer(dir.path(), &["status", "--repo", "no/such/dir"]);
    snapshot!("no_such_path", missing.transcript(dir.path()));
}

#[test]
fn a_database_from_a_newer_homer_is_refused_and_left_untouched() {
    let repo = copy("small");
    assert_eq!(homer(repo.path(), &["update"]).code, 0);
    let db = repo.path().join(".homer/homer.db");
    set_schema_version(&db, 99);
    let before = std::fs::read(&db).expect("read db");
    for args in [&["update"][..], &["status"][..], &["update", "--json"][..]] {
        let run = homer(repo.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("was written by a newer Homer (schema 99; this build knows up to"),
            "{}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
    }
    snapshot!(
        "newer_schema",
        homer(repo.path(), &["status"]).transcript(repo.path())
    );
    assert_eq!(
        std::fs::read(&db).expect("read db"),
        before,
        "the database changed"
    );
    assert!(!repo.path().join(".homer/homer.db-wal").exists());
    assert!(!repo.path().join(".homer/homer.db-shm").exists());
}

/// Makes `db` look like what a future Homer leaves behind. Homer has no
/// API to write a version it does not know (on purpose), so this patches the
/// header field where SQLite keeps `user_version`: 4 big-endian bytes at
/// offset 60. The update before this closed its connection, so the WAL was
/// checkpointed into the main file and removed.
fn set_schema_version(db: &Path, version: u32) {
    assert!(
        !db.with_extension("db-wal").exists(),
        "the WAL must be checkpointed"
    );
    let mut bytes = std::fs::read(db).expect("read db");
    bytes[60..64].copy_from_slice(&version.to_be_bytes());
    std::fs::write(db, &bytes).expect("write db");
}

#[test]
fn help_documents_the_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = homer(dir.path(), &["--help"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("Exit status: 0 on success, 1 when a command ran fine but found nothing")
    );
    let bad = homer(dir.path(), &["frobnicate"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("unrecognized subcommand"));
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let repo = copy("small");
    assert_eq!(homer(repo.path(), &["update"]).code, 0);
    // `homer status --json | true`: the reader is gone before homer writes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_homer"))
        .args(["status", "--json"])
        .current_dir(repo.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn export_writes_each_format() {
    let repo = copy("small");
    let none = homer(repo.path(), &["export"]);
    assert_eq!(none.code, 2, "no index yet: {}", none.stderr);
    assert!(
        none.stderr.contains("run `homer update` first"),
        "{}",
        none.stderr
    );
    assert_eq!(homer(repo.path(), &["update"]).code, 0);

    let dot = homer(
        repo.path(),
        &["export", "--graph", "files", "--format", "dot"],
    );
    snapshot!("export_files_dot", dot.transcript(repo.path()));

    let jsonl = homer(repo.path(), &["export", "--graph", "symbols"]);
    assert_eq!(jsonl.code, 0, "{}", jsonl.stderr);
    let lines: Vec<serde_json::Value> = jsonl
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    assert_eq!(lines[0]["type"], "graph");
    let nodes = lines.iter().filter(|l| l["type"] == "node").count();
    let edges = lines.iter().filter(|l| l["type"] == "edge").count();
    assert_eq!(lines[0]["nodes"], nodes);
    assert_eq!(lines[0]["edges"], edges);
    assert!(
        lines
            .iter()
            .any(|l| l["id"] == "src/calc.rs::add" && l["attrs"]["call_pagerank"].is_f64())
    );

    let out = repo.path().join("files.graphml");
    let graphml = homer(
        repo.path(),
        &[
            "export",
            "--format",
            "graphml",
            "--output",
            out.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(graphml.code, 0, "{}", graphml.stderr);
    assert_eq!(graphml.stdout, "");
    let text = std::fs::read_to_string(&out).expect("written");
    assert!(text.starts_with("<?xml") && text.trim_end().ends_with("</graphml>"));
    assert_eq!(text.matches("<node id=").count(), 16);
}

/// The symbol graph's degrees and betweenness, computed by the export
/// (the index keeps them for files only), on a call graph worked by hand:
/// `a` calls `b` and `d`, `b` calls `c`, `d` calls `c` and `e`. Between `a`
/// and `c` two shortest paths, one through `b` and one through `d`;
/// between `a` and `e` one, through `d`; no other pair has a node between.
#[test]
fn the_exported_call_graph_has_each_symbols_degrees_and_betweenness() {
    let repo = homer_fixtures::repo_with(&[(
        "calls.py",
        "def c():\n    return 1\n\n\ndef e():\n    return 2\n\n\n\
         def b():\n    return c()\n\n\ndef d():\n    return c() + e()\n\n\n\
         def a():\n    return b() + d()\n",
    )]);
    assert_eq!(homer(repo.path(), &["update"]).code, 0);
    let jsonl = homer(repo.path(), &["export", "--graph", "symbols"]);
    assert_eq!(jsonl.code, 0, "{}", jsonl.stderr);
    let mut got = std::collections::BTreeMap::new();
    for line in jsonl.stdout.lines() {
        let item: serde_json::Value = serde_json::from_str(line).expect("JSON");
        if item["type"] == "node" {
            let a = &item["attrs"];
            got.insert(
                item["id"].as_str().expect("an id").to_owned(),
                (
                    a["in_degree"].as_u64(),
                    a["out_degree"].as_u64(),
                    a["betweenness"].as_f64(),
                ),
            );
        }
    }
    let expected = [
        ("a", 0, 2, 0.0),
        ("b", 1, 1, 0.5),
        ("c", 2, 0, 0.0),
        ("d", 1, 2, 1.5),
        ("e", 1, 0, 0.0),
    ];
    for (name, ins, outs, between) in expected {
        assert_eq!(
            got.remove(&format!("calls.py::{name}")),
            Some((Some(ins), Some(outs), Some(between))),
            "{name}"
        );
    }
    assert!(got.is_empty(), "no other node: {got:?}");
}

/// The symbol graph's export reads `[graph]` (it computes betweenness);
/// a broken setting there is an error naming the file, and does not stop
/// the file graph's export, which reads the index alone.
#[test]
fn only_the_symbol_graphs_export_reads_the_graph_settings() {
    let repo = copy("small");
    assert_eq!(homer(repo.path(), &["update"]).code, 0);
    std::fs::write(
        repo.path().join(".homer/config.toml"),
        "[graph]\nbetweenness_samples = 'many'\n",
    )
    .expect("write");
    let files = homer(repo.path(), &["export", "--graph", "files"]);
    assert_eq!(files.code, 0, "{}", files.stderr);
    let symbols = homer(repo.path(), &["export", "--graph", "symbols"]);
    assert_eq!(symbols.code, 2);
    assert!(
        symbols.stderr.contains("config.toml") && symbols.stderr.contains("line 2"),
        "{}",
        symbols.stderr
    );
}

#[test]
fn rebuild_starts_over_and_keeps_the_configuration() {
    let repo = copy("small");
    assert_eq!(homer(repo.path(), &["update"]).code, 0);
    let config = repo.path().join(".homer/config.toml");
    std::fs::write(&config, "[coupling]\nmin_shared = 2\n").expect("write");
    let rebuilt = homer(repo.path(), &["update", "--rebuild", "--json"]);
    assert_eq!(rebuilt.code, 0, "{}", rebuilt.stderr);
    let report: serde_json::Value = serde_json::from_str(&rebuilt.stdout).expect("json");
    assert_eq!(report["reused"], 0, "everything is built again");
    assert_eq!(report["revision"], 1, "a new index starts at revision 1");
    assert!(config.exists());
}

#[test]
fn search_without_a_model_finds_text_and_says_so_once() {
    let repo = copy("small");
    let none = homer(repo.path(), &["search", "add"]);
    assert_eq!(none.code, 2, "no index yet: {}", none.stderr);
    assert_eq!(homer(repo.path(), &["update"]).code, 0);

    let text = homer(
        repo.path(),
        &["search", "--mode", "text", "-n", "3", "subtract", "numbers"],
    );
    snapshot!("search_text", text.transcript(repo.path()));

    // Hybrid falls back to text, with one note.
    let hybrid = homer(repo.path(), &["search", "-n", "3", "subtract numbers"]);
    assert_eq!(hybrid.code, 0, "{}", hybrid.stderr);
    assert_eq!(hybrid.stdout, text.stdout);
    assert_eq!(hybrid.stderr.matches("semantic search is off").count(), 1);

    let commits = homer(
        repo.path(),
        &[
            "search",
            "--commits",
            "--json",
            "--mode",
            "text",
            "subtraction",
        ],
    );
    let results: serde_json::Value = serde_json::from_str(&commits.stdout).expect("json");
    let subjects: Vec<&str> = results["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter(|h| h["kind"] == "commit")
        .map(|h| h["snippet"].as_str().expect("snippet"))
        .collect();
    assert_eq!(
        subjects,
        [
            "Add subtraction",
            "Wrap on subtraction",
            "Python: subtraction"
        ]
    );
    // Without --commits the messages are not ranked at all (the text
    // index's negative ids), while the code that matches still is.
    let code = homer(
        repo.path(),
        &["search", "--json", "--mode", "text", "subtraction"],
    );
    let results: serde_json::Value = serde_json::from_str(&code.stdout).expect("json");
    let kinds: Vec<&str> = results["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["kind"].as_str().expect("kind"))
        .collect();
    assert!(!kinds.is_empty(), "code matches: {}", code.stdout);
    assert!(!kinds.contains(&"commit"), "{kinds:?}");

    let nothing = homer(repo.path(), &["search", "--mode", "text", "zebra"]);
    assert_eq!(nothing.code, 1, "nothing found is exit 1");
    // Nothing found says at which commit, as an answer with hits does.
    assert_eq!(
        nothing.stdout,
        "nothing found\n\nindex at commit 7e0057ecddda\n"
    );
}

#[test]
fn an_empty_query_target_or_a_limit_of_none_is_an_error_and_dot_is_the_root() {
    let repo = copy("small");
    assert_eq!(homer(repo.path(), &["update"]).code, 0);
    for blank in ["", "  "] {
        let run = homer(repo.path(), &["query", blank]);
        assert_eq!(run.code, 2, "{blank:?}: {}", run.stdout);
        assert!(run.stderr.contains("`.` for the root"), "{}", run.stderr);
    }
    // `-n 0` asks for nothing: an error, not "nothing found".
    for command in ["query", "search"] {
        let run = homer(repo.path(), &[command, "add", "-n", "0"]);
        assert_eq!(run.code, 2, "{command}: {}", run.stdout);
        assert!(run.stderr.contains("at least 1"), "{}", run.stderr);
    }
    let root = homer(repo.path(), &["query", "."]);
    assert_eq!(root.code, 0, "{}", root.stderr);
    assert!(root.stdout.starts_with("./  [directory"), "{}", root.stdout);
}

/// `fmt::format` in fmt, whose namespace is opened by a macro the parser
/// does not expand: its functions are indexed without `fmt::`.
#[test]
fn a_namespace_the_parser_did_not_see_is_read_from_the_path() {
    let repo = copy("small");
    let dir = repo.path().join("include/fmt");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("format.h"),
        "FMT_BEGIN_NAMESPACE\nint format(const char* s) { return 0; }\nint vformat(int x) { return x; }\nFMT_END_NAMESPACE\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("color.h"),
        "FMT_BEGIN_NAMESPACE\nint format(int color) { return color; }\nFMT_END_NAMESPACE\n",
    )
    .expect("write");
    // PHP names a class from its namespace with backslashes.
    let php = repo.path().join("Slim");
    std::fs::create_dir_all(&php).expect("dir");
    std::fs::write(
        php.join("App.php"),
        "<?php\nnamespace Slim;\n\nclass App\n{\n    public function handle($request)\n    {\n        return $request;\n    }\n}\n",
    )
    .expect("write");
    homer_fixtures::commit_all(repo.path(), "Add fmt headers");
    assert_eq!(homer(repo.path(), &["update"]).code, 0);
    let one = homer(repo.path(), &["query", "fmt::vformat"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert!(
        one.stdout.starts_with("vformat  [function]"),
        "{}",
        one.stdout
    );
    let two = homer(repo.path(), &["query", "fmt::format"]);
    assert!(
        two.stdout.starts_with("'fmt::format' names 2 symbols:"),
        "{}",
        two.stdout
    );
    for fully in ["Slim\\App::handle", "\\Slim\\App::handle"] {
        let php = homer(repo.path(), &["query", fully]);
        assert!(
            php.stdout.starts_with("App::handle  [method]"),
            "{fully}: {}",
            php.stdout
        );
    }
    // A qualifier no path names still finds nothing.
    let none = homer(repo.path(), &["query", "other::format"]);
    assert_eq!(none.code, 1, "{}", none.stdout);
}

#[test]
fn query_views_of_a_file_a_directory_a_symbol_and_ambiguous_names() {
    let repo = copy("small");
    assert_eq!(homer(repo.path(), &["update"]).code, 0);
    for (name, args) in [
        ("query_file", &["query", "src/calc.rs"][..]),
        ("query_directory", &["query", "py"][..]),
        (
            "query_symbol",
            &["query", "src/calc.rs::mul", "--depth", "2"][..],
        ),
        // More callers than `--limit` shows: how many more is said.
        (
            "query_symbol_limited",
            &["query", "src/calc.rs::add", "--limit", "1"][..],
        ),
        ("query_ambiguous", &["query", "add"][..]),
        ("query_unknown", &["query", "src/clac.rs"][..]),
        ("query_file_json", &["query", "--json", "src/calc.rs"][..]),
        ("query_directory_json", &["query", "--json", "py"][..]),
        ("query_symbol_json", &["query", "--json", "Simple.add"][..]),
        ("query_ambiguous_json", &["query", "--json", "add"][..]),
    ] {
        let run = homer(repo.path(), args);
        snapshot!(name, run.transcript(repo.path()));
        let wanted = i32::from(name.starts_with("query_ambiguous") || name == "query_unknown");
        assert_eq!(run.code, wanted, "{name}: {}", run.stderr);
        assert!(
            run.stdout.lines().all(|l| l.chars().count() <= 80) || name.ends_with("json"),
            "{name}: a line over 80 columns"
        );
    }
    // Each candidate of an ambiguous name is listed as `homer query` takes
    // it back (its name whole, the line apart), even past 80 columns.
    let listed = homer(repo.path(), &["query", "add"]);
    let names: Vec<&str> = listed
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.split_whitespace().next())
        .collect();
    assert_eq!(names.len(), 8, "{}", listed.stdout);
    for name in names {
        let again = homer(repo.path(), &["query", name]);
        assert_eq!(again.code, 0, "{name}: {}", again.stdout);
    }
    // A place as compilers write it: the definition holding the line, or
    // the file where none does.
    let place = homer(repo.path(), &["query", "src/main.rs:8"]);
    assert!(
        place.stdout.starts_with("main  [function]"),
        "{}",
        place.stdout
    );
    let place = homer(repo.path(), &["query", "src/main.rs:99"]);
    assert!(
        place.stdout.starts_with("src/main.rs  [file, Rust]"),
        "{}",
        place.stdout
    );
    // Relative to the current directory, inside the repository.
    let inside = homer(&repo.path().join("py/calc"), &["query", "ops.py"]);
    assert_eq!(inside.code, 0, "{}", inside.stderr);
    assert!(inside.stdout.starts_with("py/calc/ops.py  [file, Python]"));
    // An edit in the working tree is flagged at the top, and so is a HEAD
    // that moved past the index.
    std::fs::write(repo.path().join("src/calc.rs"), "// changed\n").expect("write");
    let stale = homer(repo.path(), &["query", "src/calc.rs"]);
    assert!(
        stale
            .stdout
            .starts_with("! src/calc.rs differs in the working tree"),
        "{}",
        stale.stdout
    );
    homer_fixtures::commit_all(repo.path(), "Change calc");
    let behind = homer(repo.path(), &["query", "src/calc.rs"]);
    assert!(
        behind.stdout.starts_with(
            "! the index is 1 commit behind HEAD; run `homer update`\n\
             ! src/calc.rs differs in the working tree"
        ),
        "{}",
        behind.stdout
    );
}

#[test]
fn a_task_without_a_word_is_an_error_unless_a_focus_says_what_it_is_about() {
    let repo = copy("small");
    assert_eq!(homer(repo.path(), &["update"]).code, 0);
    // A task without a word is an error, not a context of whatever ranks
    // first; with a focus, the focus is what it is about.
    for empty in ["", "  ", "?!"] {
        let none = homer(repo.path(), &["render", "--task", empty]);
        assert_eq!(none.code, 2, "{empty:?}: {}", none.stdout);
        assert!(
            none.stderr.contains("the task has no word to go on"),
            "{}",
            none.stderr
        );
        assert!(none.stdout.is_empty());
    }
    let focused = homer(
        repo.path(),
        &[
            "render",
            "--task",
            "?",
            "--focus",
            "src/calc.rs",
            "--budget",
            "300",
        ],
    );
    assert_eq!(focused.code, 0, "{}", focused.stderr);
    assert!(
        focused.stdout.contains("## src/calc.rs"),
        "{}",
        focused.stdout
    );
}

#[test]
fn render_writes_agents_md_keeps_a_person_s_text_and_fits_a_task_in_its_budget() {
    let repo = copy("small");
    assert_eq!(homer(repo.path(), &["update"]).code, 0);
    let agents = repo.path().join("AGENTS.md");

    let first = homer(repo.path(), &["render"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let text = std::fs::read_to_string(&agents).expect("written");
    snapshot!("render_agents_md", text);
    // The same index renders the same bytes, and says it changed nothing.
    let again = homer(repo.path(), &["render"]);
    assert_eq!(again.stdout, format!("unchanged {}\n", agents.display()));
    assert_eq!(std::fs::read_to_string(&agents).expect("read"), text);

    // A person's file: every byte outside the region stays.
    let before = "# Notes for agents\n\nRun `make check` first.\r\n\n";
    let after = "\n## Local rules\n\nNo unsafe code. ✓\n";
    std::fs::write(
        &agents,
        format!("{before}<!-- homer:begin -->\nstale\n<!-- homer:end -->{after}"),
    )
    .expect("write");
    assert_eq!(homer(repo.path(), &["render"]).code, 0);
    let merged = std::fs::read_to_string(&agents).expect("read");
    assert!(merged.starts_with(before), "{merged}");
    assert!(merged.ends_with(after), "{merged}");
    assert_eq!(
        &merged[before.len()..merged.len() - after.len()],
        text.strip_suffix('\n').expect("ends with a newline")
    );
    // Without a region, Homer's goes after the person's text.
    std::fs::write(&agents, "# Mine\n").expect("write");
    assert_eq!(homer(repo.path(), &["render"]).code, 0);
    assert_eq!(
        std::fs::read_to_string(&agents).expect("read"),
        format!("# Mine\n\n{text}")
    );

    let task = homer(
        repo.path(),
        &[
            "render",
            "--task",
            "multiply numbers faster",
            "--budget",
            "300",
        ],
    );
    snapshot!("render_task", task.transcript(repo.path()));
    let json = homer(
        repo.path(),
        &[
            "render",
            "--task",
            "multiply numbers faster",
            "--budget",
            "300",
            "--json",
        ],
    );
    let context: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert!(context["tokens"].as_u64().expect("tokens") <= 300);
    assert_eq!(context["text"].as_str(), Some(task.stdout.as_str()));
    let tiny = homer(repo.path(), &["render", "--task", "x", "--budget", "5"]);
    assert_eq!(tiny.code, 2, "{}", tiny.stderr);
    let risk = homer(repo.path(), &["render", "--format", "json"]);
    snapshot!("render_risk", risk.transcript(repo.path()));

    // What the context stands on: a shown file edited since the update,
    // then a HEAD that moved past the index, are said first.
    assert_eq!(context["warnings"], serde_json::json!([]));
    let first = context["files"][0].as_str().expect("a file").to_owned();
    std::fs::write(repo.path().join(&first), "// changed\n").expect("write");
    let args = [
        "render",
        "--task",
        "multiply numbers faster",
        "--budget",
        "300",
    ];
    let edited = homer(repo.path(), &args);
    assert!(
        edited.stdout.starts_with(&format!(
            "! {first} differs in the working tree from the indexed version\n# Context for:"
        )),
        "{}",
        edited.stdout
    );
    homer_fixtures::commit_all(repo.path(), "Change a shown file");
    let behind = homer(repo.path(), &[&args[..], &["--json"]].concat());
    let behind: serde_json::Value = serde_json::from_str(&behind.stdout).expect("json");
    assert_eq!(
        behind["warnings"][0],
        "the index is 1 commit behind HEAD; run `homer update`"
    );
    // AGENTS.md names the commit it describes; the run says HEAD moved.
    let stale = homer(repo.path(), &["render"]);
    assert!(
        stale
            .stdout
            .starts_with("! the index is 1 commit behind HEAD; run `homer update`\n"),
        "{}",
        stale.stdout
    );
}

/// The risk map a CI gate reads and the exported graphs say when HEAD
/// moved past the index: in the JSON, and on stderr for whoever watches.
#[test]
fn the_risk_map_and_the_exports_say_when_the_index_is_behind() {
    let repo = copy("small");
    assert_eq!(homer(repo.path(), &["update"]).code, 0);
    std::fs::write(repo.path().join("NOTES.md"), "notes\n").expect("write");
    homer_fixtures::commit_all(repo.path(), "Add notes");
    let behind_warning = "the index is 1 commit behind HEAD; run `homer update`";
    let risk = homer(repo.path(), &["render", "--format", "json"]);
    let risk: serde_json::Value = serde_json::from_str(&risk.stdout).expect("json");
    assert_eq!(risk["warnings"], serde_json::json!([behind_warning]));
    let export = homer(
        repo.path(),
        &["export", "--graph", "files", "--format", "jsonl"],
    );
    let header: serde_json::Value =
        serde_json::from_str(export.stdout.lines().next().expect("a header")).expect("json");
    assert_eq!(header["warnings"], serde_json::json!([behind_warning]));
    let graphml = homer(
        repo.path(),
        &["export", "--graph", "files", "--format", "graphml"],
    );
    assert!(
        graphml.stderr.contains(&format!("! {behind_warning}")),
        "{}",
        graphml.stderr
    );
}
