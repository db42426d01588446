//! The HEAD tree stage, checked against git's own listing, and its
//! incrementality checked against fresh builds.

mod common;
use common::{dump, fresh_dump, open, run};

use std::path::Path;

use homer_fixtures::{assert_same_dump, commit_all, copy, git, git_stdout};
use homer_update::{StoredCounts, UpdateReport};

/// The log entries of the tree stage.
fn tree_log(report: &UpdateReport) -> Vec<String> {
    report
        .log
        .iter()
        .filter(|e| e.kind == "tree")
        .map(ToString::to_string)
        .collect()
}

/// `(name, blob id)` of every file node owned at HEAD, sorted.
fn stored_files(repo: &Path) -> Vec<(String, String)> {
    let dump = dump(repo);
    let mut files: Vec<(String, String)> = dump
        .lines()
        .filter(|l| l.starts_with("node file ") && !l.contains(" owner=-"))
        .map(|l| {
            let name_start = "node file ".len();
            let rest = &l[name_start..];
            let (name, rest) = rest.split_once(" hash=").expect("hash field");
            let hash = rest
                .split(' ')
                .next()
                .expect("hash value")
                .to_ascii_lowercase();
            (
                serde_json::from_str::<String>(name).expect("quoted name"),
                hash,
            )
        })
        .collect();
    files.sort();
    files
}

/// What git says is at HEAD: files and symlinks, never trees or submodules.
fn git_files(repo: &Path) -> Vec<(String, String)> {
    let out = git_stdout(
        repo,
        &["-c", "core.quotePath=false", "ls-tree", "-r", "HEAD"],
    );
    let mut files: Vec<(String, String)> = String::from_utf8(out)
        .expect("utf-8 listing")
        .lines()
        .filter_map(|l| {
            let (meta, path) = l.split_once('\t')?;
            let mut parts = meta.split(' ');
            let (_mode, kind, id) = (parts.next()?, parts.next()?, parts.next()?);
            (kind == "blob").then(|| (path.to_owned(), id.to_owned()))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn files_at_head_are_what_git_lists() {
    let repo = copy("small");
    run(repo.path());
    let ours = stored_files(repo.path());
    assert_eq!(ours, git_files(repo.path()));
    assert!(ours.len() > 20, "the fixture has {} files", ours.len());
}

#[test]
fn a_second_update_executes_nothing() {
    let repo = copy("small");
    let first = run(repo.path());
    assert!(first.executed > 0);
    assert!(first.changed);
    let before = dump(repo.path());
    let second = run(repo.path());
    assert_eq!(second.executed, 0);
    assert_eq!(second.deleted, 0);
    assert_eq!(second.log, Vec::new());
    assert!(!second.changed);
    // Every stage is skipped on its signature: no task is even declared.
    assert_eq!(second.reused, 0);
    assert_eq!(second.revision, first.revision);
    assert_eq!(dump(repo.path()), before);
}

#[test]
fn the_counts_kept_for_readers_are_the_counts_of_the_index() {
    let repo = copy("small");
    let first = run(repo.path());
    let counted = |repo: &Path| {
        let store = open(repo);
        let model = homer_update::EncoderKind::default().model_id();
        (
            StoredCounts::read(&store, model).expect("count"),
            StoredCounts::kept(&store, model).expect("read the kept copy"),
        )
    };
    let (now, kept) = counted(repo.path());
    assert_eq!(kept.as_ref(), Some(&now));
    assert_eq!(first.stored, now);
    // A no-op reads nothing of the index but its checkpoints (the kept
    // counts among them) and writes nothing.
    let second = run(repo.path());
    assert_eq!(second.stored, now);
    for stage in &second.stages {
        assert_eq!(stage.rows_written, 0, "{stage:?}");
        assert!(stage.rows_read < 10, "{stage:?}");
    }
    // A change moves the revision: the kept copy is counted again, and
    // what changed is what the stages say they wrote.
    std::fs::remove_file(repo.path().join("py/calc/ops.py")).expect("remove");
    commit_all(repo.path(), "No ops");
    let third = run(repo.path());
    let (now, kept) = counted(repo.path());
    assert_ne!(third.stored, second.stored);
    assert_eq!(kept.as_ref(), Some(&now));
    assert_eq!(third.stored, now);
    assert!(third.stages.iter().any(|s| s.rows_written > 0));
    // Counts kept for another model are not taken for this one's.
    let store = open(repo.path());
    let model = homer_update::EncoderKind::default().model_id();
    assert!(
        StoredCounts::kept(&store, "another-model")
            .expect("read")
            .is_none()
    );
    assert_eq!(StoredCounts::read_kept(&store, model).expect("read"), now);
}

#[test]
fn homer_dir_is_excluded_once_and_the_worktree_stays_clean() {
    let repo = copy("small");
    run(repo.path());
    run(repo.path());
    let exclude = std::fs::read_to_string(repo.path().join(".git/info/exclude")).expect("exclude");
    assert_eq!(
        exclude.lines().filter(|l| *l == ".homer/").count(),
        1,
        "{exclude}"
    );
    let status = git_stdout(repo.path(), &["status", "--porcelain", "--ignored=no"]);
    assert_eq!(String::from_utf8_lossy(&status), "");
}

#[test]
fn changing_one_file_executes_only_the_directories_above_it() {
    let repo = copy("small");
    run(repo.path());
    std::fs::write(
        repo.path().join("py/calc/ops.py"),
        "def add(a, b):\n    return a + b\n",
    )
    .expect("write");
    commit_all(repo.path(), "Shorter ops");
    let report = run(repo.path());
    // py/calc holds the changed blob; py and the root only hold a changed
    // subtree, so their own output (names and direct files) is the same.
    assert_eq!(
        tree_log(&report),
        [
            "backdated tree()",
            "backdated tree(py)",
            "executed tree(py/calc)"
        ]
    );
    assert_eq!(dump(repo.path()), fresh_dump(repo.path(), run));
    assert_eq!(stored_files(repo.path()), git_files(repo.path()));
}

#[test]
fn adding_removing_and_renaming_directories_matches_a_fresh_build() {
    let repo = copy("small");
    let root = repo.path();
    run(root);

    // A new nested directory, and a sibling that sorts between a directory
    // and its children (`src-old` < `src/`).
    std::fs::create_dir_all(root.join("src/deep/er")).expect("mkdir");
    std::fs::write(root.join("src/deep/er/x.rs"), "fn x() {}\n").expect("write");
    std::fs::create_dir_all(root.join("src-old")).expect("mkdir");
    std::fs::write(root.join("src-old/y.rs"), "fn y() {}\n").expect("write");
    commit_all(root, "Add nested directories");
    let report = run(root);
    assert_eq!(
        tree_log(&report),
        [
            "executed tree()",
            "executed tree(src)",
            "executed tree(src-old)",
            "executed tree(src/deep)",
            "executed tree(src/deep/er)",
        ]
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));

    // Remove a whole directory, rename another.
    git(root, &["rm", "-q", "-r", "go"]);
    git(root, &["mv", "src/deep", "src/shallow"]);
    commit_all(root, "Remove go, rename deep");
    let report = run(root);
    assert_eq!(
        tree_log(&report),
        [
            "executed tree()",
            "deleted tree(go)",
            "deleted tree(go/mathx)",
            "executed tree(src)",
            "deleted tree(src/deep)",
            "deleted tree(src/deep/er)",
            "executed tree(src/shallow)",
            "executed tree(src/shallow/er)",
        ]
    );
    assert_same_dump(&dump(root), &fresh_dump(root, run));
    assert_eq!(stored_files(root), git_files(root));
}

#[test]
fn a_repository_without_commits_indexes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q"]);
    let report = run(dir.path());
    assert_eq!(report.head, None);
    assert_eq!(report.executed, 0);
    assert_eq!(
        report.notes,
        ["the repository has no commits yet: nothing to index"]
    );
}

#[test]
fn a_new_index_is_published_packed() {
    // A build writes rows in the order the stages produce them, which
    // leaves pages part empty; the build packs its file before publishing
    // it, so SQLite's own packed copy is no smaller, and the text index is
    // one segment.
    let repo = copy("small");
    run(repo.path());
    let db = repo.path().join(".homer/homer.db");
    let packed = repo.path().join(".homer/packed.db");
    let conn = rusqlite::Connection::open(&db).expect("open the index");
    let pages = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("PRAGMA page_count", [], |r| r.get(0))
            .expect("page count")
    };
    let segments: i64 = conn
        .query_row(
            "SELECT count(DISTINCT segid) FROM chunk_text_idx",
            [],
            |r| r.get(0),
        )
        .expect("segments");
    assert_eq!(segments, 1);
    conn.execute("VACUUM INTO ?1", [packed.to_str().expect("utf-8 path")])
        .expect("a packed copy");
    let copy = rusqlite::Connection::open(&packed).expect("open the copy");
    assert!(
        pages(&copy) > 50,
        "the fixture's index has {} pages",
        pages(&copy)
    );
    assert_eq!(pages(&conn), pages(&copy));
}
