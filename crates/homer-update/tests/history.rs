//! History mining and behavioral metrics, checked against git: stored file
//! changes against `git log --numstat -M --no-merges`, per-file metrics
//! against `git log --follow`, coupling against a count made here from
//! git's numstat, and incremental builds against fresh ones.

#![allow(
    clippy::print_stderr,
    reason = "tests say when they skip, and print corpus figures"
)]

mod common;
use common::{dump, fresh_dump, open, run};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use homer_fixtures::{
    NumstatRecord, assert_same_dump, commit_all, copy, git, git_numstat, git_stdout,
};
use homer_store::{EdgeKind, NodeKind, Store};
use homer_update::{LogEvent, MineAhead, NoProgress, UpdateOptions, update};

/// Homer's stored file changes as numstat records.
fn stored_records(repo: &Path) -> BTreeSet<NumstatRecord> {
    common::stored_records(&open(repo))
}

fn assert_same_records(repo: &Path) -> usize {
    let ours = stored_records(repo);
    let theirs = git_numstat(repo);
    let show = |r: &NumstatRecord| {
        format!(
            "{} {} {} {}",
            &r.0[..10],
            String::from_utf8_lossy(&r.1),
            r.2,
            r.3
        )
    };
    let only_ours: Vec<String> = ours.difference(&theirs).take(10).map(show).collect();
    let only_git: Vec<String> = theirs.difference(&ours).take(10).map(show).collect();
    assert!(
        only_ours.is_empty() && only_git.is_empty(),
        "{}: stored changes differ from git\nonly Homer: {only_ours:#?}\nonly git: {only_git:#?}",
        repo.display()
    );
    ours.len()
}

/// What status says of the history, against git: the distinct author
/// e-mails (after the mailmap, merges' authors too) and the changed paths
/// HEAD no longer has. Returns them.
fn assert_history_counts(repo: &Path) -> (u64, u64) {
    // As status counts them (the model only matters to the vectors'
    // coverage).
    let stored = homer_vocab::StoredCounts::read(&open(repo), "").expect("counts");
    let ours = (
        stored.current.get("author").copied().unwrap_or(0),
        stored.history_only.get("file").copied().unwrap_or(0),
    );
    let emails: BTreeSet<String> = git_lines(repo, &["log", "--format=%aE"])
        .into_iter()
        .map(|e| e.to_lowercase())
        .collect();
    let at_head: BTreeSet<Vec<u8>> = git_stdout(repo, &["ls-files", "-z"])
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    let gone: BTreeSet<Vec<u8>> = git_numstat(repo)
        .into_iter()
        .map(|r| r.1)
        .filter(|p| !at_head.contains(p))
        .collect();
    let theirs = (emails.len() as u64, gone.len() as u64);
    assert_eq!(ours, theirs);
    theirs
}

#[test]
fn stored_changes_equal_git_numstat_on_the_fixture() {
    let repo = copy("small");
    run(repo.path());
    let n = assert_same_records(repo.path());
    assert!(n > 30, "{n} records");
    let (authors, gone) = assert_history_counts(repo.path());
    assert!(
        authors > 1 && gone > 0,
        "{authors} authors, {gone} files gone"
    );
}

#[test]
fn stored_changes_equal_git_numstat_on_the_corpus() {
    let Some(dirs) = homer_fixtures::corpus_clones() else {
        return;
    };
    for dir in dirs {
        let work = tempfile::tempdir().expect("tempdir");
        git(
            work.path(),
            &[
                "clone",
                "-q",
                "--no-local",
                &dir.display().to_string(),
                "repo",
            ],
        );
        let repo = work.path().join("repo");
        let report = run(&repo);
        let n = assert_same_records(&repo);
        let (authors, gone) = assert_history_counts(&repo);
        eprintln!(
            "{}: {n} stored file changes identical to git; {} commits, {authors} author e-mails, {gone} files no longer at HEAD",
            dir.display(),
            report.stored.current.get("commit").copied().unwrap_or(0)
        );
    }
}

/// An update mining history ahead as `ahead` says.
fn run_mining(repo: &Path, ahead: MineAhead, verify: bool) -> homer_update::UpdateReport {
    let options = UpdateOptions {
        no_embed: true,
        ahead,
        verify,
        ..UpdateOptions::default()
    };
    update(repo, &options, &NoProgress).expect("update succeeds")
}

/// History mined ahead of its stage (while the code stage runs) is stored
/// as history mined in its stage: a first build and an update after three
/// commits that mined every commit ahead equal ones that mined none, both
/// equal git's numstat, and a verifying update, which mines every commit
/// again in its stage, finds nothing different.
#[test]
fn history_mined_ahead_equals_history_mined_in_its_stage() {
    let ahead = copy("small");
    let never = copy("small");
    for (dir, mining) in [(&never, MineAhead::Never), (&ahead, MineAhead::Before)] {
        // Past the commit that adds the mailmap: the three after it are
        // all that is mined.
        git(dir.path(), &["reset", "-q", "--hard", "HEAD~3"]);
        run_mining(dir.path(), mining, false);
        git(dir.path(), &["reset", "-q", "--hard", "ORIG_HEAD"]);
        let report = run_mining(dir.path(), mining, false);
        let new = git_lines(dir.path(), &["rev-list", "HEAD", "^HEAD~3"]).len();
        assert_eq!(
            report
                .log
                .iter()
                .filter(|e| e.kind == "commit" && e.event == LogEvent::Executed)
                .count(),
            new
        );
    }
    assert_same_dump(&dump(ahead.path()), &dump(never.path()));
    assert_same_records(ahead.path());
    run_mining(ahead.path(), MineAhead::Never, true);
    let first_ahead = copy("small");
    run_mining(first_ahead.path(), MineAhead::Before, false);
    assert_same_dump(&dump(first_ahead.path()), &dump(never.path()));
}

/// git's output, a line each.
fn git_lines(repo: &Path, args: &[&str]) -> Vec<String> {
    String::from_utf8(git_stdout(repo, args))
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

fn head(repo: &Path) -> String {
    git_lines(repo, &["rev-parse", "HEAD"]).remove(0)
}

#[test]
fn mining_forward_from_an_older_head_equals_a_fresh_build() {
    let repo = copy("small");
    let root = repo.path();
    let tip = head(root);
    git(root, &["reset", "-q", "--hard", "HEAD~10"]);
    run(root);
    assert_same_dump(&dump(root), &fresh_dump(root, run));
    git(root, &["reset", "-q", "--hard", &tip]);
    let report = run(root);
    let mined: BTreeSet<String> = report
        .log
        .iter()
        .filter(|e| e.kind == "commit" && e.event == LogEvent::Executed)
        .map(|e| e.key.clone())
        .collect();
    // The new commits (the merge brings its branch's commits too)...
    let mut expected: BTreeSet<String> =
        String::from_utf8(git_stdout(root, &["rev-list", "HEAD", "^HEAD~10"]))
            .expect("hex")
            .lines()
            .map(str::to_owned)
            .collect();
    // ...and one old commit: the new commits add the .mailmap that maps
    // Bob's old address, so his commit under it is attributed anew.
    let raw_authors =
        String::from_utf8(git_stdout(root, &["log", "--format=%H %ae"])).expect("utf-8");
    let old_bob = raw_authors
        .lines()
        .find_map(|l| l.strip_suffix(" bob@old.example.org"))
        .expect("a commit under the old address")
        .to_owned();
    expected.insert(old_bob);
    assert_eq!(mined, expected);
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

#[test]
fn a_rewritten_history_equals_a_fresh_build() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    git(root, &["reset", "-q", "--hard", "HEAD~5"]);
    std::fs::write(
        root.join("src/calc.rs"),
        "pub fn add(a: i64, b: i64) -> i64 { a + b }\n",
    )
    .expect("write");
    commit_all(root, "Rewrite calc");
    std::fs::write(root.join("NEWS.md"), "# News\n").expect("write");
    commit_all(root, "Add news");
    let report = run(root);
    assert!(
        report
            .log
            .iter()
            .any(|e| e.kind == "commit" && e.event == LogEvent::Deleted),
        "{:#?}",
        report.log
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));
    assert_same_records(root);
}

/// The commits an update mined and those it deleted.
fn commit_events(report: &homer_update::UpdateReport) -> (BTreeSet<String>, BTreeSet<String>) {
    let of = |event: LogEvent| -> BTreeSet<String> {
        report
            .log
            .iter()
            .filter(|e| e.kind == "commit" && e.event == event)
            .map(|e| e.key.clone())
            .collect()
    };
    (of(LogEvent::Executed), of(LogEvent::Deleted))
}

#[test]
fn moving_head_back_or_across_branches_mines_and_deletes_only_what_moved() {
    let repo = copy("small");
    let root = repo.path();
    let tip = head(root);
    run(root);
    let set = |args: &[&str]| -> BTreeSet<String> { rev_list(root, args).into_iter().collect() };

    // Back four commits (the mailmap is the same there, so is the base):
    // nothing is mined, the four are deleted, no other commit is read.
    git(root, &["reset", "-q", "--hard", "HEAD~4"]);
    let older = head(root);
    let report = run(root);
    assert_eq!(
        commit_events(&report),
        (BTreeSet::new(), set(&[&tip, &format!("^{older}")]))
    );
    let commits = &report.kinds["commit"];
    assert_eq!((commits.reused, commits.deleted), (0, 4), "{commits:?}");
    assert_same_dump(&dump(root), &fresh_dump(root, run));

    // Forward on a new branch off the older commit: its two commits are
    // mined, and nothing else is read.
    std::fs::write(root.join("NEWS.md"), "# News\n").expect("write");
    commit_all(root, "Add news");
    std::fs::write(
        root.join("src/calc.rs"),
        "pub fn add(a: i64, b: i64) -> i64 { a + b }\n",
    )
    .expect("write");
    commit_all(root, "Only addition");
    let branch = head(root);
    let report = run(root);
    assert_eq!(
        commit_events(&report),
        (set(&[&branch, &format!("^{older}")]), BTreeSet::new())
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));

    // Across to the first branch's tip: its four commits are mined
    // again, the new branch's two are deleted, the shared history stays.
    git(root, &["reset", "-q", "--hard", &tip]);
    let report = run(root);
    assert_eq!(
        commit_events(&report),
        (
            set(&[&tip, &format!("^{older}")]),
            set(&[&branch, &format!("^{older}")])
        )
    );
    assert_eq!(report.kinds["commit"].reused, 0);
    assert_same_dump(&dump(root), &fresh_dump(root, run));
    assert_same_records(root);
}

#[test]
fn a_new_commit_recomputes_metrics_only_where_it_landed() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    std::fs::write(root.join("py/app.py"), "print('hello')\n").expect("write");
    let sha = commit_all(root, "Simplify the app");
    let report = run(root);
    let executed = |kind: &str| -> Vec<String> {
        report
            .log
            .iter()
            .filter(|e| {
                e.kind == kind && matches!(e.event, LogEvent::Executed | LogEvent::Backdated)
            })
            .map(ToString::to_string)
            .collect()
    };
    assert_eq!(executed("commit"), [format!("executed commit({sha})")]);
    assert_eq!(
        executed("file_history"),
        ["executed file_history(py/app.py)"]
    );
    assert_eq!(
        executed("dir_history"),
        ["executed dir_history()", "executed dir_history(py)"]
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

/// `git log --follow --no-merges --numstat` for one file: (commits, lines
/// added, lines deleted).
fn git_follow(repo: &Path, path: &str) -> (u32, u64, u64) {
    let out = String::from_utf8(git_stdout(
        repo,
        &[
            "log",
            "--follow",
            "-M",
            "--no-merges",
            "--numstat",
            "--format=%x01",
            "--",
            path,
        ],
    ))
    .expect("utf-8");
    let (mut commits, mut added, mut deleted) = (0, 0, 0);
    for block in out.split('\u{1}').skip(1) {
        commits += 1;
        for line in block.lines().filter(|l| !l.is_empty()) {
            let mut parts = line.split('\t');
            added += parts
                .next()
                .and_then(|a| a.parse::<u64>().ok())
                .unwrap_or(0);
            deleted += parts
                .next()
                .and_then(|d| d.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    (commits, added, deleted)
}

/// Every node's values of `kind` as a reader sees them (the history
/// figures each under its own name), numbers as text.
fn values(store: &Store, kind: NodeKind) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut rows: BTreeMap<String, Vec<(String, homer_store::Value)>> = BTreeMap::new();
    for (node, name, value) in store.node_values(kind).expect("values") {
        rows.entry(node).or_default().push((name, value));
    }
    rows.into_iter()
        .map(|(node, rows)| {
            let values = homer_vocab::Values::decode(&node, rows).expect("decodes");
            let shown = values
                .iter()
                .map(|(name, value)| {
                    let text = match value {
                        homer_store::Value::Int(i) => i.to_string(),
                        homer_store::Value::Real(r) => r.to_string(),
                        homer_store::Value::Text(t) => t.clone(),
                        homer_store::Value::Bytes(b) => format!("{b:?}"),
                    };
                    (name.name().to_owned(), text)
                })
                .collect();
            (node, shown)
        })
        .collect()
}

#[test]
fn file_metrics_follow_renames_as_git_log_follow_does() {
    let repo = copy("small");
    run(repo.path());
    let store = open(repo.path());
    let files = values(&store, NodeKind::File);
    let current = String::from_utf8(git_stdout(repo.path(), &["ls-files"])).expect("utf-8");
    let mut checked = 0;
    for path in current.lines() {
        let (commits, added, deleted) = git_follow(repo.path(), path);
        let ours = &files[path];
        assert_eq!(ours["commits"], commits.to_string(), "{path}");
        assert_eq!(ours["lines_added"], added.to_string(), "{path}");
        assert_eq!(ours["lines_deleted"], deleted.to_string(), "{path}");
        let times = String::from_utf8(git_stdout(
            repo.path(),
            &[
                "log",
                "--follow",
                "-M",
                "--no-merges",
                "--format=%at",
                "--",
                path,
            ],
        ))
        .expect("utf-8");
        let times: Vec<&str> = times.lines().collect();
        assert_eq!(ours["last_change"], times[0], "{path}");
        assert_eq!(ours["first_change"], times[times.len() - 1], "{path}");
        checked += 1;
    }
    assert!(checked > 20);
    // src/calc.rs was src/lib.rs: its history includes the commits before.
    assert!(
        files["src/calc.rs"]["commits"]
            .parse::<u32>()
            .expect("number")
            > 5
    );
}

#[test]
fn coupling_equals_a_count_from_git_numstat() {
    let repo = copy("small");
    std::fs::create_dir_all(repo.path().join(".homer")).expect("mkdir");
    std::fs::write(
        repo.path().join(".homer/config.toml"),
        "[coupling]\nmin_revisions = 2\nmin_shared = 2\nmin_degree = 30\n",
    )
    .expect("config");
    run(repo.path());
    // The reference: commits of at most 30 files from git's numstat, with
    // the fixture's one rename mapped to the current name by hand.
    let renames: BTreeMap<&str, &str> = [("src/lib.rs", "src/calc.rs")].into_iter().collect();
    let current: BTreeSet<String> = String::from_utf8(git_stdout(repo.path(), &["ls-files"]))
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect();
    let mut per_commit: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (sha, path, _, _) in git_numstat(repo.path()) {
        let path = String::from_utf8(path).expect("utf-8");
        per_commit.entry(sha).or_default().insert(path);
    }
    let mut revs: BTreeMap<String, u32> = BTreeMap::new();
    let mut shared: BTreeMap<(String, String), u32> = BTreeMap::new();
    for files in per_commit.values().filter(|f| f.len() <= 30) {
        let files: BTreeSet<String> = files
            .iter()
            .map(|f| {
                renames
                    .get(f.as_str())
                    .map_or_else(|| f.clone(), |r| (*r).to_owned())
            })
            .filter(|f| current.contains(f))
            .collect();
        for a in &files {
            *revs.entry(a.clone()).or_default() += 1;
            for b in files.range::<String, _>((
                std::ops::Bound::Excluded(a.clone()),
                std::ops::Bound::Unbounded,
            )) {
                *shared.entry((a.clone(), b.clone())).or_default() += 1;
            }
        }
    }
    let mut expected = BTreeSet::new();
    for ((a, b), n) in &shared {
        let mean = f64::from(revs[a] + revs[b]) / 2.0;
        let degree = f64::from(*n) / mean * 100.0;
        if mean >= 2.0 && *n >= 2 && degree >= 30.0 {
            expected.insert((a.clone(), b.clone(), *n, format!("{degree:.6}")));
        }
    }
    let mut ours = BTreeSet::new();
    for edge in open(repo.path()).edges(EdgeKind::CoChange).expect("edges") {
        let attrs: serde_json::Value =
            serde_json::from_str(edge.attrs.as_deref().expect("attrs")).expect("json");
        ours.insert((
            edge.members[0].name.clone(),
            edge.members[1].name.clone(),
            u32::try_from(attrs["shared"].as_u64().expect("shared")).expect("small"),
            format!("{:.6}", edge.weight.expect("degree")),
        ));
    }
    assert!(!expected.is_empty());
    assert_eq!(ours, expected);
}

/// `[history] max_commits = 5`, written into the index directory, then
/// an update.
fn run_bounded(repo: &Path) -> homer_update::UpdateReport {
    std::fs::create_dir_all(repo.join(".homer")).expect("mkdir");
    std::fs::write(
        repo.join(".homer/config.toml"),
        "[history]\nmax_commits = 5\n",
    )
    .expect("write");
    run(repo)
}

fn stored_commits(repo: &Path) -> BTreeSet<String> {
    common::commit_records(&open(repo)).into_keys().collect()
}

fn rev_list(repo: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["rev-list"];
    all.extend_from_slice(args);
    git_lines(repo, &all)
}

#[test]
fn a_bounded_history_keeps_the_newest_commits_and_slides_with_head() {
    let repo = copy("small");
    let root = repo.path();
    let tip = head(root);
    git(root, &["reset", "-q", "--hard", "HEAD~3"]);
    let report = run_bounded(root);
    let reachable = rev_list(root, &["HEAD"]).len();
    assert!(reachable > 10, "{reachable} commits");
    let kept = stored_commits(root);
    assert_eq!(kept.len(), 5);
    assert!(kept.contains(&head(root)));
    let all: BTreeSet<String> = rev_list(root, &["HEAD"]).into_iter().collect();
    assert!(kept.is_subset(&all));
    // What is mined of each kept commit is what git says of it.
    let git_records: BTreeSet<NumstatRecord> = git_numstat(root)
        .into_iter()
        .filter(|r| kept.contains(&r.0))
        .collect();
    assert_eq!(stored_records(root), git_records);
    let note = format!(
        "history bounded by [history] max_commits = 5: churn, ownership and coupling count only the 5 of {reachable} commits mined"
    );
    assert!(
        report.notes.iter().any(|n| n.starts_with(&note)),
        "{:?}",
        report.notes
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run_bounded));

    // HEAD moves: the window slides, what fell out of it is gone, and
    // the index equals a bounded build of the new HEAD.
    git(root, &["reset", "-q", "--hard", &tip]);
    run_bounded(root);
    let slid = stored_commits(root);
    assert_eq!(slid.len(), 5);
    assert!(slid.contains(&tip));
    assert_ne!(slid, kept);
    assert_same_dump(&dump(root), &fresh_dump(root, run_bounded));
    let status = homer_read::status(root).expect("status");
    let bound = status
        .history_bound
        .expect("status says the history is bounded");
    assert_eq!(
        (bound.mined, bound.reachable),
        (5, rev_list(root, &["HEAD"]).len() as u64)
    );
    assert!(bound.partial());
    // Every answer resting on the history says so.
    let index = homer_read::Index::open(root).expect("index");
    assert_eq!(
        index.history_warnings().expect("warnings"),
        [format!(
            "history bounded by [history] max_commits = 5: churn, ownership and coupling count only the 5 of {} commits mined",
            bound.reachable
        )]
    );
    drop(index);

    // A first day: the commits git lists since its midnight (UTC).
    std::fs::write(
        root.join(".homer/config.toml"),
        "[history]\nsince = \"2024-01-20\"\n",
    )
    .expect("write");
    run(root);
    let since: BTreeSet<String> = rev_list(root, &["HEAD", "--since=2024-01-20T00:00:00Z"])
        .into_iter()
        .collect();
    assert!(
        since.len() > 3 && since.len() < all.len(),
        "{}",
        since.len()
    );
    assert_eq!(stored_commits(root), since);

    // A bound that leaves nothing out, then none: every commit, as an
    // unbounded build has them.
    std::fs::write(
        root.join(".homer/config.toml"),
        "[history]\nsince = \"1971-01-01\"\n",
    )
    .expect("write");
    let report = run(root);
    assert!(
        !report.notes.iter().any(|n| n.contains("bounded")),
        "{:?}",
        report.notes
    );
    assert_eq!(stored_commits(root).len(), rev_list(root, &["HEAD"]).len());
    assert!(
        !homer_read::status(root)
            .expect("status")
            .history_bound
            .expect("bound")
            .partial()
    );
    std::fs::remove_file(root.join(".homer/config.toml")).expect("remove");
    run(root);
    assert_eq!(
        homer_read::status(root).expect("status").history_bound,
        None
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}

/// Commits of one person under two e-mails (the same full name) count as
/// one owner, under the e-mail with more commits, as `git shortlog`
/// groups them by name; a nickname shared by two e-mails joins nothing.
/// An update that joins them equals a fresh build.
#[test]
fn one_person_under_two_emails_is_one_owner() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let commit_as = |name: &str, email: &str, path: &str, text: &str| {
        std::fs::write(root.join(path), text).expect("write");
        git(root, &["add", "-A"]);
        let name_config = format!("user.name={name}");
        let email_config = format!("user.email={email}");
        git(
            root,
            &[
                "-c",
                &name_config,
                "-c",
                &email_config,
                "commit",
                "-q",
                "-m",
                "work",
            ],
        );
    };
    let mut manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("read");
    for (name, email) in [
        ("Alice Archer", "alice@work.example.net"),
        ("ali", "ali@one.example.net"),
        ("ali", "ali@two.example.net"),
    ] {
        manifest.push_str("# ");
        manifest.push_str(email);
        manifest.push('\n');
        commit_as(name, email, "Cargo.toml", &manifest);
    }
    let report = run(root);
    let store = open(root);
    let people = <homer_vocab::People as homer_vocab::JsonCheckpoint>::read(&store)
        .expect("checkpoint")
        .expect("people");
    assert_eq!(
        people.aliases,
        [(
            "alice@work.example.net".to_owned(),
            "alice@example.com".to_owned()
        )]
        .into_iter()
        .collect::<BTreeMap<String, String>>()
    );
    // Status still counts every e-mail git lists, the alias included.
    let (emails, _) = assert_history_counts(root);
    assert_eq!(emails, people.people + 1);
    // The update's summary counts people, as status does, not e-mails.
    assert_eq!(report.people, Some(people.people));
    // git groups the file's commits by name: Alice Archer's are one
    // owner's.
    let by_name = git_lines(
        root,
        &[
            "log",
            "--follow",
            "--no-merges",
            "--format=%aN",
            "--",
            "Cargo.toml",
        ],
    );
    let alice = u32::try_from(by_name.iter().filter(|n| *n == "Alice Archer").count())
        .expect("a few commits");
    assert!(alice >= 2, "{by_name:?}");
    let owners: Vec<(String, u64, u32)> =
        serde_json::from_str(&values(&store, NodeKind::File)["Cargo.toml"]["owners"])
            .expect("owners");
    let of = |who: &str| owners.iter().find(|o| o.0 == who).map(|o| o.2);
    assert_eq!(of("alice@example.com"), Some(alice), "{owners:?}");
    assert_eq!(of("alice@work.example.net"), None, "{owners:?}");
    assert_eq!(of("ali@one.example.net"), Some(1), "{owners:?}");
    assert_eq!(of("ali@two.example.net"), Some(1), "{owners:?}");
    drop(store);
    assert_same_dump(&dump(root), &fresh_dump(root, run));
}
