//! Inputs that change while HEAD does not: git's rename settings, a
//! shallow clone deepened, blobs a partial clone fetches later, an edited
//! `.mailmap`. Each is changed at an unchanged HEAD, the index updated
//! incrementally, and the result compared with `homer update --rebuild` by
//! canonical dump (and, where git can say it, with git).

mod common;
use common::{commit_records, dump, missing_blobs, open, run, stored_records};

use std::fmt::Write as _;
use std::path::Path;

use homer_fixtures::{
    assert_same_dump, commit_all, copy, git, git_numstat, git_numstat_with, git_stdout,
};
use homer_update::{NoProgress, UpdateOptions, UpdateReport, update};

fn rebuild_dump(repo: &Path) -> String {
    let options = UpdateOptions {
        rebuild: true,
        no_embed: true,
        ..UpdateOptions::default()
    };
    update(repo, &options, &NoProgress).expect("rebuild");
    dump(repo)
}

/// An update in verification mode: every reused task computed again must
/// write what it wrote, and every stage its signature skips must change
/// nothing.
fn verify(repo: &Path) -> UpdateReport {
    let options = UpdateOptions {
        no_embed: true,
        verify: true,
        ..UpdateOptions::default()
    };
    update(repo, &options, &NoProgress).expect("verification passes")
}

/// The incremental index after a change equals a rebuild's, and
/// verification finds nothing reused that should not be.
fn assert_incremental_equals_rebuild(repo: &Path) {
    run(repo);
    verify(repo);
    let incremental = dump(repo);
    assert_same_dump(&incremental, &rebuild_dump(repo));
}

/// A repository whose last commit renames two files with small edits, so
/// that rename detection (and its limit) decides what the records are.
fn two_renames(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main", "."]);
    let body = |name: &str| -> String {
        let mut text = String::new();
        for i in 0..30 {
            let _ = writeln!(text, "line {i} of {name}");
        }
        text
    };
    std::fs::write(dir.join("a.txt"), body("a")).expect("write");
    std::fs::write(dir.join("b.txt"), body("b")).expect("write");
    commit_all(dir, "Two files");
    std::fs::remove_file(dir.join("a.txt")).expect("rm");
    std::fs::remove_file(dir.join("b.txt")).expect("rm");
    std::fs::write(dir.join("a2.txt"), body("a") + "one more\n").expect("write");
    std::fs::write(dir.join("b2.txt"), body("b") + "one more\n").expect("write");
    commit_all(dir, "Rename both, with an edit");
}

#[test]
fn rename_settings_changed_at_an_unchanged_head() {
    let dir = tempfile::tempdir().expect("tempdir");
    two_renames(dir.path());
    let repo = dir.path();
    run(repo);
    let renamed = git_numstat(repo);
    assert_eq!(stored_records(&open(repo)), renamed);

    // diff.renames = false: git's numstat lists a delete and an add.
    git(repo, &["config", "diff.renames", "false"]);
    assert_incremental_equals_rebuild(repo);
    assert_eq!(
        stored_records(&open(repo)),
        git_numstat_with(repo, &["--no-renames"])
    );

    // Renames again, but a limit below the candidates: only exact renames
    // count, and these are not exact.
    git(repo, &["config", "diff.renames", "true"]);
    git(repo, &["config", "diff.renameLimit", "1"]);
    assert_incremental_equals_rebuild(repo);
    assert_eq!(
        stored_records(&open(repo)),
        git_numstat_with(repo, &["-M", "-l1"])
    );
    assert_ne!(
        stored_records(&open(repo)),
        renamed,
        "the limit changed the records"
    );

    git(repo, &["config", "--unset", "diff.renameLimit"]);
    assert_incremental_equals_rebuild(repo);
    assert_eq!(stored_records(&open(repo)), git_numstat(repo));
}

#[test]
fn a_shallow_clone_deepened_at_an_unchanged_head() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = copy("small");
    let url = format!("file://{}", source.path().display());
    git(
        dir.path(),
        &["clone", "-q", "--depth", "4", &url, "shallow"],
    );
    let repo = dir.path().join("shallow");
    let report = run(&repo);
    assert!(report.notes.iter().any(|n| n.contains("shallow clone")));
    let head = git_stdout(&repo, &["rev-parse", "HEAD"]);

    let shallow = |repo: &std::path::Path| {
        <homer_vocab::ShallowHistory as homer_vocab::JsonCheckpoint>::read(&open(repo))
            .expect("checkpoint")
    };
    assert_eq!(shallow(&repo).map(|s| s.counted()), Some(3));

    // The boundary moves back: the commit that was at it is counted now.
    git(&repo, &["fetch", "-q", "--deepen", "5"]);
    assert_incremental_equals_rebuild(&repo);
    assert_eq!(stored_records(&open(&repo)), git_numstat(&repo));
    assert_eq!(shallow(&repo).map(|s| s.counted()), Some(8));

    git(&repo, &["fetch", "-q", "--unshallow"]);
    assert_eq!(git_stdout(&repo, &["rev-parse", "HEAD"]), head);
    assert_incremental_equals_rebuild(&repo);
    assert_eq!(stored_records(&open(&repo)), git_numstat(&repo));
    assert_eq!(shallow(&repo), None);
    assert!(
        !run(&repo).notes.iter().any(|n| n.contains("shallow clone")),
        "no longer shallow"
    );
}

#[test]
fn blobs_a_partial_clone_fetches_later() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = copy("small");
    git(source.path(), &["config", "uploadpack.allowFilter", "true"]);
    git(
        source.path(),
        &["config", "uploadpack.allowAnySHA1InWant", "true"],
    );
    let url = format!("file://{}", source.path().display());
    git(
        dir.path(),
        &["clone", "-q", "--filter=blob:none", &url, "partial"],
    );
    let repo = dir.path().join("partial");
    let report = run(&repo);
    assert!(
        report.notes.iter().any(|n| n.contains("could not be read")),
        "{:?}",
        report.notes
    );
    assert_ne!(stored_records(&open(&repo)), git_numstat(source.path()));

    // Fetch every missing blob; HEAD does not move.
    let missing = missing_blobs(&repo);
    assert!(!missing.is_empty(), "the clone lacks historical blobs");
    let mut fetch = vec!["fetch", "-q", "origin"];
    fetch.extend(missing.iter().map(String::as_str));
    git(&repo, &fetch);

    let after = run(&repo);
    assert!(
        !after.notes.iter().any(|n| n.contains("could not be read")),
        "{:?}",
        after.notes
    );
    assert!(
        after.executed > 0,
        "the commits that lacked blobs ran again"
    );
    verify(&repo);
    assert_eq!(stored_records(&open(&repo)), git_numstat(source.path()));
    let incremental = dump(&repo);
    assert_same_dump(&incremental, &rebuild_dump(&repo));
}

#[test]
fn a_mailmap_edited_in_the_working_tree() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let authors = || -> Vec<String> {
        let mut names: Vec<String> = commit_records(&open(root))
            .into_values()
            .map(|r| r.author)
            .collect();
        names.sort();
        names.dedup();
        names
    };
    let before = authors();
    // git log reads the working tree's .mailmap: an edit not yet committed
    // changes the canonical authors at once.
    let mut mailmap = std::fs::read_to_string(root.join(".mailmap")).unwrap_or_default();
    mailmap.push_str("Carol Chen <carol@new.example.com> <carol@example.com>\n");
    std::fs::write(root.join(".mailmap"), mailmap).expect("write");
    assert_incremental_equals_rebuild(root);
    let after = authors();
    assert_ne!(before, after);
    assert!(
        after.contains(&"carol@new.example.com".to_owned()),
        "{after:?}"
    );
    let shown = String::from_utf8(git_stdout(root, &["log", "--format=%aE"])).expect("utf-8");
    assert!(shown.lines().any(|e| e == "carol@new.example.com"));
}

#[test]
fn a_setting_changed_reaches_every_stage_below_it() {
    let repo = copy("small");
    let root = repo.path();
    run(root);
    let skipped = |report: &UpdateReport| -> Vec<&str> {
        report
            .stages
            .iter()
            .filter(|s| s.skipped)
            .map(|s| s.stage)
            .collect()
    };
    std::fs::write(
        root.join(".homer/config.toml"),
        "[coupling]\nmin_shared = 2\n",
    )
    .expect("write config");
    let report = run(root);
    // History and code stay; the metrics and everything ranked from them
    // move.
    assert_eq!(skipped(&report), ["tree", "code", "history"]);
    verify(root);
    assert_same_dump(&dump(root), &rebuild_dump(root));

    std::fs::write(
        root.join(".homer/config.toml"),
        "[coupling]\nmin_shared = 2\n[code]\nmax_file_bytes = 100\n",
    )
    .expect("write config");
    let report = run(root);
    assert_eq!(skipped(&report), ["tree", "history", "behavior"]);
    assert!(
        report.notes.iter().any(|n| n.contains("max_file_bytes")),
        "{:?}",
        report.notes
    );
    verify(root);
    assert_same_dump(&dump(root), &rebuild_dump(root));
}
