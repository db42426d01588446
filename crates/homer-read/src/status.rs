//! `homer status`: what is stored, and how stale it is against HEAD.

use std::path::{Path, PathBuf};

use homer_git::{Head, ObjectId};
use homer_store::{OpenMode, Store};
use homer_vocab::{
    BoundedHistory, Checkpoint, JsonCheckpoint, People, ShallowHistory, StoredCounts, TaskVersions,
    Workspace,
};

use crate::index::freshness_in;
use crate::{Index, ReadError};

/// How far the index is from HEAD.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Freshness {
    /// No index yet.
    NotIndexed,
    /// The repository has no commits (and the index is empty).
    NoCommits,
    /// The index describes HEAD.
    UpToDate,
    /// HEAD has `commits` commits the index has not seen (`at_least` when the
    /// count stopped at its limit).
    Behind { commits: u64, at_least: bool },
    /// The indexed commit is no longer an ancestor of HEAD (a rebase, a
    /// reset, a force-push, or another branch).
    Diverged,
    /// The indexed commit is not in the repository any more.
    IndexedCommitMissing,
    /// An update to commit `to` has written part of the index and not
    /// finished: some answers describe `to`, others the indexed commit.
    /// `running` says whether it is still at work (else it was stopped,
    /// and the next `homer update` finishes it).
    Partial { to: String, running: bool },
    /// The index describes a commit but the repository has none now.
    HeadGone,
}

impl Freshness {
    /// The state in a few words, for warnings.
    #[must_use]
    pub fn describe(&self) -> &'static str {
        match self {
            Freshness::NotIndexed => "not indexed",
            Freshness::NoCommits => "no commits",
            Freshness::UpToDate => "up to date",
            Freshness::Behind { .. } => "behind",
            Freshness::Diverged => "diverged",
            Freshness::IndexedCommitMissing => "indexed commit missing",
            Freshness::HeadGone => "head gone",
            Freshness::Partial { .. } => "partly updated",
        }
    }
}

/// The state of the index of one repository.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    pub repository: PathBuf,
    pub database: PathBuf,
    /// The commit HEAD points to, `None` without commits.
    pub head: Option<String>,
    /// The branch HEAD is on, `None` when detached.
    pub branch: Option<String>,
    /// The commit the index describes.
    pub indexed_head: Option<String>,
    pub schema: Option<u32>,
    pub revision: u64,
    pub freshness: Freshness,
    pub stored: Option<StoredCounts>,
    /// How `[history]` bounds the mined history; null when every commit
    /// reachable from HEAD is mined.
    pub history_bound: Option<BoundedHistory>,
    /// The boundary of a shallow clone the mined history starts at; null
    /// when the clone is not shallow.
    pub shallow: Option<ShallowHistory>,
    /// How many people authored the mined commits (identities that share
    /// an e-mail or a full name count once); null before the history's
    /// metrics were computed.
    pub people: Option<u64>,
    /// The vectors semantic search uses: `static` or `transformer`, as
    /// the index holds them (null before the first update).
    pub vectors: Option<&'static str>,
    /// A `homer update` is running: building the first index, or changing
    /// (or rebuilding beside) the one this status describes.
    pub update_running: bool,
    /// The versions of the task kinds the index was made by; null for an
    /// index written before Homer recorded them.
    pub task_versions: Option<TaskVersions>,
    /// The task kinds this Homer runs at another version than the index
    /// was made by ([`Status::against`]): the next `homer update` redoes
    /// every task of them, whether HEAD moved or not. Empty when the
    /// versions are the same or not known.
    pub outdated_tasks: Vec<String>,
}

impl Status {
    /// The status with [`Status::outdated_tasks`] found against the
    /// versions `current` of the Homer asking (`homer_update::task_versions`).
    #[must_use]
    pub fn against(mut self, current: &TaskVersions) -> Status {
        if let Some(stored) = &self.task_versions {
            self.outdated_tasks = stored.differing(current);
        }
        self
    }
}

/// Reads the status of the repository containing `path`. Never writes.
pub fn status(path: &Path) -> Result<Status, ReadError> {
    let workspace = Workspace::locate(path)?;
    let mut status = unindexed(&workspace)?;
    if !workspace.database().exists() {
        return Ok(status);
    }
    let store = Store::open(workspace.database(), OpenMode::ReadOnly)?;
    // One committed state: an update committing meanwhile is not half seen.
    let state = store.read_snapshot()?;
    fill(&mut status, &workspace, &store)?;
    drop(state);
    Ok(status)
}

/// [`status`] through an index already open (a long-lived reader's).
pub fn status_of(index: &Index) -> Result<Status, ReadError> {
    let mut status = unindexed(index.workspace())?;
    fill(&mut status, index.workspace(), index.store())?;
    Ok(status)
}

/// What status says before it reads the index.
fn unindexed(workspace: &Workspace) -> Result<Status, ReadError> {
    let repo = workspace.repository();
    let (head, branch) = match repo.head()? {
        Head::Commit { id, branch, .. } => (Some(id), branch),
        Head::Unborn { branch } => (None, branch),
    };
    Ok(Status {
        repository: workspace.root().to_path_buf(),
        database: workspace.database().to_path_buf(),
        head: head.map(|id| id.to_hex()),
        branch,
        indexed_head: None,
        schema: None,
        revision: 0,
        freshness: Freshness::NotIndexed,
        stored: None,
        history_bound: None,
        shallow: None,
        people: None,
        vectors: None,
        update_running: workspace.update_running(),
        task_versions: None,
        outdated_tasks: Vec::new(),
    })
}

/// What status reads from the index.
fn fill(status: &mut Status, workspace: &Workspace, store: &Store) -> Result<(), ReadError> {
    let indexed = store.checkpoint(&Checkpoint::Head.name())?;
    status.schema = Some(store.schema_version()?);
    status.revision = revision(store)?;
    let vectors = crate::vectors_in(store)?;
    status.vectors = Some(vectors.name());
    status.stored = Some(StoredCounts::read_kept(store, vectors.model_id())?);
    status.history_bound = BoundedHistory::read(store)?;
    status.shallow = ShallowHistory::read(store)?;
    status.people = People::read(store)?.map(|p| p.people);
    status.task_versions = TaskVersions::read(store)?;
    let head = status.head.as_deref().and_then(ObjectId::from_hex);
    status.freshness = freshness_in(workspace, store, head)?;
    status.indexed_head = indexed;
    Ok(())
}

/// The store's revision counter; 0 before the first update stored one.
pub(crate) fn revision(store: &Store) -> Result<u64, ReadError> {
    Ok(homer_vocab::stored_revision(store)?)
}
