//! The latest commits, as `git log --date-order` lists them, read one by
//! one from the head however long the history behind them.

use homer_fixtures::{cached, git, git_lines};
use homer_git::{Head, Repository};

fn latest(path: &std::path::Path, limit: usize) -> Vec<String> {
    let repo = Repository::discover(path).expect("open");
    let Head::Commit { id, .. } = repo.head().expect("head") else {
        return Vec::new();
    };
    repo.latest(id, limit)
        .expect("latest")
        .iter()
        .map(homer_git::ObjectId::to_hex)
        .collect()
}

fn git_log(path: &std::path::Path, limit: usize) -> Vec<String> {
    git_lines(
        path,
        &["log", "--date-order", "--format=%H", &format!("-{limit}")],
    )
}

/// The fixture's history has a branch and a merge: every prefix is the
/// one git lists.
#[test]
fn the_latest_commits_are_those_git_log_lists_first() {
    let repo = cached("small");
    for limit in [0, 1, 5, 12, 100] {
        assert_eq!(latest(&repo, limit), git_log(&repo, limit), "{limit}");
    }
}

/// A shallow clone's history stops at its boundary: the walk stops there
/// too, without an error.
#[test]
fn a_shallow_clone_ends_at_its_boundary() {
    let source = cached("small");
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", source.display());
    git(
        dir.path(),
        &["clone", "-q", "--depth", "3", &url, "shallow"],
    );
    let shallow = dir.path().join("shallow");
    let found = latest(&shallow, 100);
    assert_eq!(found, git_log(&shallow, 100));
    assert!(found.len() < 10, "{found:?}");
}
