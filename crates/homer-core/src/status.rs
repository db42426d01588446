//! `homer status`: what is stored, and how stale it is against HEAD.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use homer_git::{Head, ObjectId};
use homer_store::{KindCount, NodeKind, OpenMode, Store};

use crate::stages::{HEAD_CHECKPOINT, REVISION_CHECKPOINT};
use crate::{CoreError, Workspace};

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
    /// The index describes a commit but the repository has none now.
    HeadGone,
}

/// Counts of stored rows, by kind (sorted).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoredCounts {
    /// Nodes that exist at HEAD (files, directories, symbols), and the
    /// mined commits and their authors.
    pub current: BTreeMap<String, u64>,
    /// Nodes kept only because history references them (files deleted since).
    pub history_only: BTreeMap<String, u64>,
    pub edges: BTreeMap<String, u64>,
    pub tasks: BTreeMap<String, u64>,
    pub chunks: u64,
    pub embeddings: u64,
    /// Distinct chunk texts meant to have a vector for the current model,
    /// and how many have one (semantic search sees only those).
    pub texts_to_embed: u64,
    pub texts_embedded: u64,
    pub code: CodeCounts,
    /// Parsed files by salience class.
    pub classes: BTreeMap<String, u64>,
}

/// The name people write for a stored language name (`cpp` is C++).
#[must_use]
pub fn language_label(name: &str) -> &str {
    match homer_syntax::Language::from_name(name) {
        Some(language) => language.label(),
        None => name,
    }
}

/// What the code stage found at HEAD.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CodeCounts {
    /// Parsed files by language.
    pub languages: BTreeMap<String, u64>,
    /// Files that look like code but were not parsed, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Calls resolved to one definition.
    pub calls_certain: u64,
    /// Calls resolved by name alone, to the most likely definition.
    pub calls_guessed: u64,
    /// Calls to nothing the repository defines (the standard library,
    /// dependencies, dynamic dispatch Homer cannot follow).
    pub calls_unresolved: u64,
    /// Syntax errors the parser recovered from.
    pub parse_errors: u64,
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
}

/// How many commits `status` counts before it says "at least".
const BEHIND_LIMIT: usize = 10_000;

/// Reads the status of the repository containing `path`. Never writes.
pub fn status(path: &Path) -> Result<Status, CoreError> {
    let workspace = Workspace::locate(path)?;
    let repo = workspace.repository();
    let (head, branch) = match repo.head()? {
        Head::Commit { id, branch, .. } => (Some(id), branch),
        Head::Unborn { branch } => (None, branch),
    };
    let mut status = Status {
        repository: workspace.root().to_path_buf(),
        database: workspace.database().to_path_buf(),
        head: head.map(|id| id.to_hex()),
        branch,
        indexed_head: None,
        schema: None,
        revision: 0,
        freshness: Freshness::NotIndexed,
        stored: None,
    };
    if !workspace.database().exists() {
        return Ok(status);
    }
    let store = Store::open(workspace.database(), OpenMode::ReadOnly)?;
    let indexed = store.checkpoint(HEAD_CHECKPOINT)?;
    status.schema = Some(store.schema_version()?);
    status.revision = store
        .checkpoint(REVISION_CHECKPOINT)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    status.stored = Some(stored_counts(&store)?);
    status.freshness = freshness_of(repo, head, indexed.as_deref());
    status.indexed_head = indexed;
    Ok(status)
}

/// How far the index in `store` is from HEAD.
pub(crate) fn freshness(workspace: &Workspace, store: &Store) -> Result<Freshness, CoreError> {
    let repo = workspace.repository();
    let head = match repo.head()? {
        Head::Commit { id, .. } => Some(id),
        Head::Unborn { .. } => None,
    };
    let indexed = store.checkpoint(HEAD_CHECKPOINT)?;
    Ok(freshness_of(repo, head, indexed.as_deref()))
}

fn freshness_of(
    repo: &homer_git::Repository,
    head: Option<ObjectId>,
    indexed: Option<&str>,
) -> Freshness {
    match (head, indexed.and_then(ObjectId::from_hex)) {
        (None, None) => Freshness::NoCommits,
        (None, Some(_)) => Freshness::HeadGone,
        (Some(_), None) => Freshness::NotIndexed,
        (Some(head), Some(indexed)) if head == indexed => Freshness::UpToDate,
        (Some(head), Some(indexed)) => match repo.is_ancestor(indexed, head) {
            None => Freshness::IndexedCommitMissing,
            Some(false) => Freshness::Diverged,
            Some(true) => {
                let n = repo.count_between(indexed, head, BEHIND_LIMIT).unwrap_or(0);
                Freshness::Behind {
                    commits: n as u64,
                    at_least: n >= BEHIND_LIMIT,
                }
            }
        },
    }
}

/// What `store` holds, for `status` and the update report.
pub(crate) fn stored_counts(store: &Store) -> Result<StoredCounts, CoreError> {
    let mut stored = counts(&store.summary()?);
    (stored.texts_to_embed, stored.texts_embedded) =
        store.embedding_coverage(homer_embed::MODEL_ID)?;
    Ok(stored)
}

fn counts(summary: &homer_store::Summary) -> StoredCounts {
    let map = |list: &[KindCount]| -> BTreeMap<String, u64> {
        list.iter().map(|k| (k.kind.clone(), k.count)).collect()
    };
    let mut current = map(&summary.current_nodes);
    let mut history_only = map(&summary.historical_nodes);
    // Authors have no owner (commits refer to them); they are all current.
    if let Some(authors) = history_only.remove(NodeKind::Author.name()) {
        *current
            .entry(NodeKind::Author.name().to_owned())
            .or_default() += authors;
    }
    StoredCounts {
        current,
        history_only,
        edges: map(&summary.edges),
        tasks: map(&summary.tasks),
        chunks: summary.chunks,
        embeddings: summary.embeddings,
        texts_to_embed: 0,
        texts_embedded: 0,
        classes: map(&summary.classes),
        code: {
            let totals = map(&summary.code_totals);
            let total = |name: &str| totals.get(name).copied().unwrap_or(0);
            CodeCounts {
                languages: map(&summary.languages),
                skipped: map(&summary.skipped),
                calls_certain: total("calls_certain"),
                calls_guessed: total("calls_guessed"),
                calls_unresolved: total("calls_unresolved"),
                parse_errors: total("parse_errors"),
            }
        },
    }
}
