//! Helpers shared by the integration tests of homer-update and homer-read: each test file
//! includes this module (`mod common;`) and uses a part of it.

#![allow(dead_code, reason = "each test binary uses a part of the helpers")]

use std::path::Path;

use std::collections::{BTreeMap, BTreeSet};

use homer_fixtures::{NumstatRecord, git, git_stdout};
use homer_store::{DumpOptions, OpenMode, Store};
use homer_update::{NoProgress, UpdateOptions, UpdateReport, update};
use homer_vocab::history::{COMMIT_TASK, CommitRecord, StoredRecord};

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

/// What a fresh build (by `build`) of the same commit dumps and answers
/// (`answers`), in a clean clone of the repository.
pub fn fresh_dump_and_answers(repo: &Path, build: fn(&Path) -> UpdateReport) -> (String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = repo.display().to_string();
    git(dir.path(), &["clone", "-q", "--no-local", &source, "fresh"]);
    let fresh = dir.path().join("fresh");
    build(&fresh);
    (dump(&fresh), answers(&fresh))
}

/// Words that most repositories have, and the small fixture's.
const QUESTIONS: &[&str] = &[
    "error",
    "test",
    "parse",
    "value",
    "config",
    "read file",
    "add",
    "request",
    "fix",
];

/// What text searches answer from `repo`'s index, with commit messages
/// and without: the text index's BM25 scores by chunk key, and the
/// results a user sees. The dump lists what is stored, this what a reader
/// makes of it (BM25 divides by totals no row lists; a result's score is
/// its rank's, so the scores of the index are compared too).
pub fn answers(repo: &Path) -> String {
    use std::fmt::Write as _;
    let store = open(repo);
    let index = homer_read::Index::open(repo).expect("open");
    let mut out = String::new();
    for question in QUESTIONS {
        for searched in [
            homer_store::Searched::Code,
            homer_store::Searched::CodeAndCommits,
            homer_store::Searched::Commits,
        ] {
            let found = store
                .text_search(question, [4.0, 1.0, 2.0], 20, searched)
                .expect("text search");
            let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
            let chunks = store.chunks(&ids).expect("chunks");
            for ((_, bm25), chunk) in found.iter().zip(&chunks) {
                writeln!(
                    out,
                    "{question:?} {searched:?} chunk {:016x} bm25={bm25:e}",
                    chunk.key
                )
                .expect("a string takes it");
            }
        }
    }
    for question in QUESTIONS {
        for commits in [false, true] {
            let options = homer_read::SearchOptions {
                limit: 20,
                mode: homer_read::SearchMode::Text,
                commits,
            };
            let found = homer_read::search(&index, question, &options).expect("search");
            for hit in found.hits {
                writeln!(
                    out,
                    "{question:?} commits={commits} {:?} {:?} {:?} {:?} score={:e}",
                    hit.path, hit.symbol, hit.commit, hit.lines, hit.score
                )
                .expect("a string takes it");
            }
        }
    }
    out
}

/// Every stored commit record, by commit id.
pub fn commit_records(store: &Store) -> BTreeMap<String, CommitRecord> {
    store
        .memo_values(COMMIT_TASK)
        .expect("commit records")
        .iter()
        .map(|(id, bytes)| {
            let stored = StoredRecord::decode(id, bytes).expect("a commit record");
            let ids: Vec<i64> = stored.text_ids().collect();
            let texts = store.record_texts(&ids).expect("its texts");
            let record = stored.resolve(id, &texts).expect("texts held");
            (id.to_owned(), record.to_owned_record())
        })
        .collect()
}

/// Homer's stored file changes as numstat records.
pub fn stored_records(store: &Store) -> BTreeSet<NumstatRecord> {
    let mut records = BTreeSet::new();
    for (commit, record) in commit_records(store) {
        for change in record.changes {
            let (added, deleted) = match (change.added, change.deleted) {
                (Some(a), Some(d)) => (a.to_string(), d.to_string()),
                _ => ("-".to_owned(), "-".to_owned()),
            };
            let path = homer_git::RepoPath::from_name(&change.path)
                .expect("a path name")
                .as_bytes()
                .to_vec();
            records.insert((commit.clone(), path, added, deleted));
        }
    }
    records
}

/// `homer update` without embeddings, stopped when its graph stage starts
/// ranking: the code, history and behaviour stages have committed.
pub fn run_stopped_before_ranking(repo: &Path) {
    let options = UpdateOptions {
        no_embed: true,
        ..UpdateOptions::default()
    };
    let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        update(repo, &options, &StopAt("ranking"))
    }));
    assert!(stopped.is_err(), "the update ran past its graph stage");
}

/// Stops an update when the stage named starts (a panic the caller
/// catches): the stages before it have committed.
pub struct StopAt(pub &'static str);

impl homer_update::Progress for StopAt {
    fn start(&self, stage: &str, _: Option<u64>) {
        assert_ne!(stage, self.0, "stopped when {stage} started");
    }
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
    fn note(&self, _: &str) {}
}

/// Commits a longer body for the small fixture's `add` in `src/calc.rs`:
/// the same functions, every line after it moved, so the file's facts
/// change and what it exports does not.
pub fn lengthen_add(repo: &Path, message: &str) {
    let path = repo.join("src/calc.rs");
    let text = std::fs::read_to_string(&path).expect("read");
    let edited = text.replacen("    a + b\n", "    let sum = a + b;\n    sum\n", 1);
    assert_ne!(edited, text, "the fixture's add is `a + b`");
    std::fs::write(&path, edited).expect("write");
    homer_fixtures::commit_all(repo, message);
}

/// The rows the stage named read in an update (0 when it did not run).
pub fn rows_read(report: &UpdateReport, stage: &str) -> u64 {
    report
        .stages
        .iter()
        .find(|s| s.stage == stage)
        .map_or(0, |s| s.rows_read)
}
