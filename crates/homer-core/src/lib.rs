//! Homer's core: the stages of `homer update` as memoized tasks, and the
//! read API behind `status` (and, as they land, `query`, `search`, `render`).
//!
//! It ties the lower crates together (git in, store out, the memo engine in
//! between) and returns plain types: no rusqlite, git2 or tree-sitter type
//! crosses its public API. It never prints; progress goes through the
//! [`Progress`] trait, which the CLI implements.

mod error;
mod stages;
mod status;
mod workspace;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use error::CoreError;
pub use homer_dag::KindStats;
pub use status::{Freshness, Status, StoredCounts, status};
pub use workspace::Workspace;

use homer_dag::Engine;
use homer_git::Head;
use homer_store::{OpenMode, Store};

/// Receives progress from long stages. Implementations must be cheap: they
/// are called from worker threads.
pub trait Progress: Sync {
    /// A stage starts; `total` is the number of steps when known.
    fn start(&self, stage: &str, total: Option<u64>);
    /// `n` more steps are done.
    fn advance(&self, n: u64);
    /// The current stage is done.
    fn finish(&self);
    /// A note for the person running Homer (a degraded result, a skipped
    /// input), to show once.
    fn note(&self, message: &str);
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
    fn note(&self, _: &str) {}
}

/// Options of `homer update`.
#[derive(Clone, Debug, Default)]
pub struct UpdateOptions {}

/// What `homer update` did. Everything except `kinds[*].millis` depends only
/// on the repository and the database state.
#[derive(Clone, Debug, serde::Serialize)]
pub struct UpdateReport {
    pub repository: PathBuf,
    pub database: PathBuf,
    /// The commit indexed, `None` when the repository has no commits.
    pub head: Option<String>,
    /// The store's revision after the update (it moves only when something
    /// changed).
    pub revision: u64,
    pub changed: bool,
    pub executed: u64,
    pub reused: u64,
    pub deleted: u64,
    /// Counters per task kind, sorted by kind.
    pub kinds: BTreeMap<String, KindStats>,
    /// Every task that executed or was deleted, as `executed kind(key)`,
    /// `backdated kind(key)` or `deleted kind(key)`: kinds in the order they
    /// ran, each kind's entries sorted by key.
    pub log: Vec<String>,
    /// Notes for the user (degraded results, skipped inputs).
    pub notes: Vec<String>,
    /// What the index holds after the update.
    pub stored: StoredCounts,
}

/// Builds or refreshes the index of the repository containing `path`.
pub fn update(
    path: &Path,
    _options: &UpdateOptions,
    progress: &dyn Progress,
) -> Result<UpdateReport, CoreError> {
    let workspace = Workspace::locate(path)?;
    workspace.prepare()?;
    let repo = workspace.repository();
    let head = repo.head()?;
    let mut store = Store::open(workspace.database(), OpenMode::ReadWrite)?;
    let mut notes = Vec::new();

    let engine = {
        let (commit, tree) = match &head {
            Head::Commit { id, tree, .. } => (Some(*id), Some(*tree)),
            Head::Unborn { .. } => {
                let note = "the repository has no commits yet: nothing to index".to_owned();
                progress.note(&note);
                notes.push(note);
                (None, None)
            }
        };
        let tx = store.begin_write()?;
        let mut engine = Engine::start(&tx)?;
        stages::tree::run(&mut engine, &tx, repo, tree, progress)?;
        match commit {
            Some(id) => tx.set_checkpoint(stages::HEAD_CHECKPOINT, &id.to_hex())?,
            None => tx.clear_checkpoint(stages::HEAD_CHECKPOINT)?,
        }
        engine.end_stage(&tx)?;
        tx.commit()?;
        engine
    };

    let revision = store
        .checkpoint(stages::REVISION_CHECKPOINT)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let kinds: BTreeMap<String, KindStats> = engine
        .stats()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    Ok(UpdateReport {
        repository: workspace.root().to_path_buf(),
        database: workspace.database().to_path_buf(),
        head: store.checkpoint(stages::HEAD_CHECKPOINT)?,
        revision,
        changed: engine.changed(),
        executed: kinds.values().map(|k| k.executed).sum(),
        reused: kinds.values().map(|k| k.reused).sum(),
        deleted: kinds.values().map(|k| k.deleted).sum(),
        kinds,
        log: engine.log().iter().map(ToString::to_string).collect(),
        notes,
        stored: status::counts(&store.summary()?),
    })
}
