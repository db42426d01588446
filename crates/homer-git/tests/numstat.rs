//! Homer's file changes against git's own: `git log --numstat -M
//! --no-merges` is the reference, record for record.
//!
//! The fixture always runs. The corpus runs when `HOMER_CORPUS` names a
//! directory of full clones (see ../shared/corpus/README.md); otherwise the
//! test says it skipped.

#![allow(
    clippy::print_stderr,
    reason = "tests say when they skip, and print corpus figures"
)]

use std::collections::BTreeSet;
use std::path::Path;

use homer_fixtures::{NumstatRecord as Record, cached, git_numstat};
use homer_git::{Head, Lines, RepoPath, Repository};

fn homer_records(path: &Path) -> BTreeSet<Record> {
    let repo = Repository::discover(path).expect("open");
    let Head::Commit { id, .. } = repo.head().expect("head") else {
        return BTreeSet::new();
    };
    let renames = repo.rename_settings().expect("rename settings");
    let mut records = BTreeSet::new();
    for commit in repo.walk(id, None).expect("walk") {
        let info = repo.commit_info(commit).expect("commit");
        if info.is_merge() {
            continue;
        }
        let diff = repo
            .diff_commit(&info, repo.first_parent_tree(&info), renames)
            .expect("diff");
        for change in diff.changes {
            let (added, deleted) = match change.lines {
                Lines::Counted { added, deleted } => (added.to_string(), deleted.to_string()),
                Lines::Binary => ("-".to_owned(), "-".to_owned()),
                Lines::Unreadable => ("?".to_owned(), "?".to_owned()),
            };
            records.insert((
                commit.to_hex(),
                RepoPath::as_bytes(&change.path).to_vec(),
                added,
                deleted,
            ));
        }
    }
    records
}

fn compare(repo: &Path) -> usize {
    let ours = homer_records(repo);
    let theirs = git_numstat(repo);
    let show = |r: &Record| {
        format!(
            "{} {} {} {}",
            &r.0[..10],
            String::from_utf8_lossy(&r.1),
            r.2,
            r.3
        )
    };
    let only_ours: Vec<String> = ours.difference(&theirs).take(20).map(show).collect();
    let only_git: Vec<String> = theirs.difference(&ours).take(20).map(show).collect();
    assert!(
        only_ours.is_empty() && only_git.is_empty(),
        "{}: records differ from git log --numstat -M\nonly Homer:\n  {}\nonly git:\n  {}",
        repo.display(),
        only_ours.join("\n  "),
        only_git.join("\n  ")
    );
    ours.len()
}

#[test]
fn the_fixture_matches_git_numstat() {
    let n = compare(&cached("small"));
    assert!(n > 30, "{n} records");
}

#[test]
fn the_corpus_matches_git_numstat() {
    let Some(dirs) = homer_fixtures::corpus_clones() else {
        return;
    };
    for dir in dirs {
        let n = compare(&dir);
        eprintln!("{}: {n} records identical to git", dir.display());
    }
}
