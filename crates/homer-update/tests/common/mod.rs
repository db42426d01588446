//! Helpers shared by the integration tests of homer-update and homer-read: each test file
//! includes this module (`mod common;`) and uses a part of it.

#![allow(dead_code, reason = "each test binary uses a part of the helpers")]

use std::path::Path;

use homer_fixtures::git;
use homer_store::{DumpOptions, OpenMode, Store};
use homer_update::{NoProgress, UpdateOptions, UpdateReport, update};

/// `homer update` without embeddings: they have their own tests
/// (search.rs), and would only add minutes everywhere else.
pub fn run(repo: &Path) -> UpdateReport {
    let options = UpdateOptions {
        no_embed: true,
        ..UpdateOptions::default()
    };
    update(repo, &options, &NoProgress).expect("update succeeds")
}

/// `homer update` as a user runs it (embedding when the model is there).
pub fn run_with_embeddings(repo: &Path) -> UpdateReport {
    update(repo, &UpdateOptions::default(), &NoProgress).expect("update succeeds")
}

/// The index of `repo`, read-only.
pub fn open(repo: &Path) -> Store {
    Store::open(&repo.join(".homer/homer.db"), OpenMode::ReadOnly).expect("open")
}

/// The canonical dump of `repo`'s index, after checking its integrity.
pub fn dump(repo: &Path) -> String {
    // Read-write: FTS5's integrity check is a write command.
    let store = Store::open(&repo.join(".homer/homer.db"), OpenMode::ReadWrite).expect("open");
    assert_eq!(
        store.check_integrity().expect("integrity"),
        Vec::<String>::new()
    );
    store.dump(DumpOptions::default()).expect("dump")
}

/// The dump of a fresh build (by `build`) of the same commit, in a clean
/// clone of the repository.
pub fn fresh_dump(repo: &Path, build: fn(&Path) -> UpdateReport) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = repo.display().to_string();
    git(dir.path(), &["clone", "-q", "--no-local", &source, "fresh"]);
    let fresh = dir.path().join("fresh");
    build(&fresh);
    dump(&fresh)
}
