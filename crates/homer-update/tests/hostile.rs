//! Repositories that break naive miners: each ends in a clear outcome and a
//! consistent database, and what can be compared with git is.

mod common;
use common::{commit_records, run, stored_records};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use homer_fixtures::{cached, copy, git, git_numstat, git_stdout};
use homer_read::{Freshness, status};
use homer_store::{DumpOptions, OpenMode, Store};

fn open(db: &Path) -> Store {
    let store = Store::open(db, OpenMode::ReadWrite).expect("open");
    assert_eq!(
        store.check_integrity().expect("integrity"),
        Vec::<String>::new()
    );
    store
}

fn current_files(store: &Store) -> BTreeSet<String> {
    store
        .dump(DumpOptions::default())
        .expect("dump")
        .lines()
        .filter(|l| l.starts_with("node file ") && !l.contains(" owner=-"))
        .map(|l| {
            let rest = &l["node file ".len()..];
            serde_json::from_str(rest.split_once(" hash=").expect("hash").0).expect("name")
        })
        .collect()
}

#[test]
fn symlinks_submodules_odd_names_and_a_huge_commit_match_git() {
    let repo = copy("edge_cases");
    let report = run(repo.path());
    let store = open(&repo.path().join(".homer/homer.db"));
    assert_eq!(stored_records(&store), git_numstat(repo.path()));

    let files = current_files(&store);
    // Symlinks are files; the submodule never was one; the Latin-1 name is
    // git's quoted form; the 10,000 generated files are all there.
    assert!(files.contains("link-to-hello"));
    assert!(files.contains("hello.txt"));
    assert!(files.contains("\"caf\\351.txt\""));
    assert!(!files.iter().any(|f| f.starts_with("vendor")));
    assert_eq!(
        files.iter().filter(|f| f.starts_with("gen/")).count(),
        10_000
    );
    let widest = commit_records(&store)
        .values()
        .map(|r| r.changes.len())
        .max()
        .expect("commits");
    assert_eq!(widest, 10_000, "one commit's record: 10,000 files");
    let notes: Vec<&String> = report
        .notes
        .iter()
        .filter(|n| !n.starts_with("semantic search is off"))
        .collect();
    assert_eq!(notes, Vec::<&String>::new());
}

#[test]
fn a_bare_repository_is_indexed_from_its_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = cached("small");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &source.display().to_string(),
            "bare.git",
        ],
    );
    let bare = dir.path().join("bare.git");
    let report = run(&bare);
    assert!(report.head.is_some());
    // The index lives inside the git directory, and info/exclude is left alone.
    let store = open(&bare.join("homer/homer.db"));
    assert_eq!(stored_records(&store), git_numstat(&bare));
    assert!(!current_files(&store).is_empty());
    assert_eq!(
        status(&bare).expect("status").freshness,
        Freshness::UpToDate
    );
}

#[test]
fn a_shallow_clone_mines_what_exists_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = format!("file://{}", cached("small").display());
    git(
        dir.path(),
        &["clone", "-q", "--depth", "5", &source, "shallow"],
    );
    let shallow = dir.path().join("shallow");
    let report = run(&shallow);
    assert!(
        report.notes.iter().any(|n| n.contains("shallow clone")),
        "{:?}",
        report.notes
    );
    let store = open(&shallow.join(".homer/homer.db"));
    // git treats the boundary commit as a root; so does Homer.
    assert_eq!(stored_records(&store), git_numstat(&shallow));
    assert_eq!(commit_records(&store).len(), 5);
    assert_eq!(report.stored.current.get("commit"), Some(&5));
    // But what the boundary commit changed is unknown (it seems to add
    // every file): the metrics count the four commits after it, as git
    // lists them from the boundary on.
    let boundary = std::fs::read_to_string(shallow.join(".git/shallow")).expect("shallow file");
    let boundary = boundary.trim().to_owned();
    assert_eq!(
        <homer_vocab::ShallowHistory as homer_vocab::JsonCheckpoint>::read(&store)
            .expect("checkpoint"),
        Some(homer_vocab::ShallowHistory {
            boundary: vec![boundary.clone()],
            mined: 5,
        })
    );
    let log = String::from_utf8(git_stdout(
        &shallow,
        &[
            "log",
            "--no-merges",
            "-M",
            "--format=tformat:@",
            "--name-status",
            &format!("{boundary}..HEAD"),
        ],
    ))
    .expect("utf-8");
    let mut touched: BTreeMap<String, i64> = BTreeMap::new();
    let mut renamed = BTreeSet::new();
    for line in log.lines().filter(|l| l.contains('\t')) {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields[0].starts_with('R') {
            renamed.extend(fields[1..].iter().map(|p| (*p).to_owned()));
        }
        *touched
            .entry(fields[fields.len() - 1].to_owned())
            .or_default() += 1;
    }
    let counted: BTreeMap<String, i64> = store
        .node_values(homer_store::NodeKind::File)
        .expect("values")
        .into_iter()
        .filter(|(_, name, _)| name == "history")
        .map(|(file, _, value)| {
            let figures = homer_vocab::keys::HISTORY
                .decode(&file, &value)
                .expect("history figures");
            (file, figures.commits)
        })
        .collect();
    let files = current_files(&store);
    assert!(
        files.len() > touched.len(),
        "most files only at the boundary"
    );
    for file in files.iter().filter(|f| !renamed.contains(*f)) {
        assert_eq!(
            counted.get(file).copied().unwrap_or(0),
            touched.get(file).copied().unwrap_or(0),
            "{file}"
        );
    }
    assert!(!touched.is_empty());
    // Readers say what the history stands on.
    let status = status(&shallow).expect("status");
    assert_eq!(status.shallow.map(|s| s.counted()), Some(4));
}

#[test]
fn a_partial_clone_skips_missing_blobs_counts_them_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = copy("small");
    git(source.path(), &["config", "uploadpack.allowFilter", "true"]);
    let url = format!("file://{}", source.path().display());
    git(
        dir.path(),
        &["clone", "-q", "--filter=blob:none", &url, "partial"],
    );
    let partial = dir.path().join("partial");
    let report = run(&partial);
    let note = report
        .notes
        .iter()
        .find(|n| n.contains("could not be read"))
        .expect("a note about missing blobs");
    assert!(note.contains("partial clone"), "{note}");
    let store = open(&partial.join(".homer/homer.db"));
    // Every change git reports is there. Without blob contents a rename
    // with edits cannot be recognized, so its old path shows up as deleted:
    // that, and nothing else, is extra.
    let ours: BTreeSet<(String, Vec<u8>)> = stored_records(&store)
        .into_iter()
        .map(|r| (r.0, r.1))
        .collect();
    let theirs: BTreeSet<(String, Vec<u8>)> = git_numstat(source.path())
        .into_iter()
        .map(|r| (r.0, r.1))
        .collect();
    assert!(ours.is_superset(&theirs));
    let renamed_from: BTreeSet<(String, Vec<u8>)> = String::from_utf8(git_stdout(
        source.path(),
        &[
            "log",
            "--no-merges",
            "-M",
            "--diff-filter=R",
            "--name-status",
            "--format=%x01%H",
        ],
    ))
    .expect("utf-8")
    .split('\u{1}')
    .skip(1)
    .flat_map(|block| {
        let mut lines = block.lines();
        let sha = lines.next().unwrap_or_default().to_owned();
        lines
            .filter_map(|l| {
                l.split('\t')
                    .nth(1)
                    .map(|old| (sha.clone(), old.as_bytes().to_vec()))
            })
            .collect::<Vec<_>>()
    })
    .collect();
    assert!(ours.difference(&theirs).all(|r| renamed_from.contains(r)));
    // A second run has nothing to do and stays quiet about it.
    let again = run(&partial);
    assert_eq!(again.executed, 0);
}

#[test]
fn a_detached_head_is_indexed_where_it_points() {
    let repo = copy("small");
    git(repo.path(), &["checkout", "-q", "--detach", "HEAD~3"]);
    let report = run(repo.path());
    let expected = String::from_utf8(git_stdout(repo.path(), &["rev-parse", "HEAD"])).expect("hex");
    assert_eq!(report.head.as_deref(), Some(expected.trim()));
    let st = status(repo.path()).expect("status");
    assert_eq!(st.branch, None);
    assert_eq!(st.freshness, Freshness::UpToDate);
}

#[test]
fn a_repository_without_commits_then_with_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    let first = run(dir.path());
    assert_eq!(first.head, None);
    std::fs::write(dir.path().join("a.txt"), "a\n").expect("write");
    homer_fixtures::commit_all(dir.path(), "First");
    let second = run(dir.path());
    assert!(second.head.is_some());
    let store = open(&dir.path().join(".homer/homer.db"));
    assert_eq!(stored_records(&store), git_numstat(dir.path()));
}
