//! Helpers shared by the integration tests of homer-update and homer-read: each test file
//! includes this module (`mod common;`) and uses a part of it.

#![allow(dead_code, reason = "each test binary uses a part of the helpers")]

use std::path::Path;

use std::collections::BTreeSet;

use homer_fixtures::{NumstatRecord, git, git_stdout};
use homer_store::{DumpOptions, EdgeKind, NodeKind, OpenMode, Role, Store};
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

/// The objects a partial clone lacks (git's `--missing=print` list).
pub fn missing_blobs(repo: &Path) -> Vec<String> {
    let listing = git_stdout(repo, &["rev-list", "--objects", "--all", "--missing=print"]);
    String::from_utf8(listing)
        .expect("utf-8")
        .lines()
        .filter_map(|l| l.strip_prefix('?'))
        .map(str::to_owned)
        .collect()
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

/// Homer's stored file changes as numstat records.
pub fn stored_records(store: &Store) -> BTreeSet<NumstatRecord> {
    let mut records = BTreeSet::new();
    for edge in store.edges(EdgeKind::Commit).expect("edges") {
        let commit = edge
            .members
            .iter()
            .find(|m| m.role == Role::Commit)
            .expect("a commit member")
            .name
            .clone();
        for m in edge.members.iter().filter(|m| m.kind == NodeKind::File) {
            let attrs: serde_json::Value =
                serde_json::from_str(m.attrs.as_deref().expect("change attributes")).expect("json");
            let (added, deleted) = if attrs["binary"] == true {
                ("-".to_owned(), "-".to_owned())
            } else {
                (attrs["added"].to_string(), attrs["deleted"].to_string())
            };
            let path = homer_git::RepoPath::from_name(&m.name)
                .expect("a path name")
                .as_bytes()
                .to_vec();
            records.insert((commit.clone(), path, added, deleted));
        }
    }
    records
}
