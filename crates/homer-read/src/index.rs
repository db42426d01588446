//! An open index: the repository, its database opened read-only, and what
//! every answer stands on (the indexed commit and how far HEAD has moved).

use std::path::Path;

use homer_git::{Head, ObjectId};
use homer_store::{NodeKind, Store};
use homer_vocab::attrs::{self, CommitAttrs};
use homer_vocab::values::ValueType;
use homer_vocab::{Checkpoint, Key, Values, Workspace};
use serde::de::DeserializeOwned;

use crate::ReadError;
use crate::status::Freshness;

/// How many commits freshness counts before it says "at least".
const BEHIND_LIMIT: usize = 10_000;

/// The index of one repository, open for reading.
#[derive(Debug)]
pub struct Index {
    workspace: Workspace,
    store: Store,
}

impl Index {
    /// Opens the index of the repository containing `path`: an error that
    /// says to run `homer update` when there is none yet.
    pub fn open(path: &Path) -> Result<Index, ReadError> {
        let workspace = Workspace::locate(path)?;
        let store = workspace.open_index()?;
        Ok(Index { workspace, store })
    }

    #[must_use]
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The working tree root (or the git directory of a bare repository).
    #[must_use]
    pub fn root(&self) -> &Path {
        self.workspace.root()
    }

    /// The database, for the readers of this crate and homer-render.
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The commit the index describes, `None` before the first commit.
    pub fn indexed_head(&self) -> Result<Option<String>, ReadError> {
        Ok(self.store.checkpoint(&Checkpoint::Head.name())?)
    }

    /// The commit HEAD points to now, `None` before the first commit.
    pub fn head(&self) -> Result<Option<String>, ReadError> {
        Ok(match self.workspace.repository().head()? {
            Head::Commit { id, .. } => Some(id.to_hex()),
            Head::Unborn { .. } => None,
        })
    }

    /// The store's revision counter: it moves with every update that
    /// changed something; 0 before the first.
    pub fn revision(&self) -> Result<u64, ReadError> {
        crate::status::revision(&self.store)
    }

    /// How far the index is from HEAD.
    pub fn freshness(&self) -> Result<Freshness, ReadError> {
        let repo = self.workspace.repository();
        let head = match repo.head()? {
            Head::Commit { id, .. } => Some(id),
            Head::Unborn { .. } => None,
        };
        Ok(freshness_of(repo, head, self.indexed_head()?.as_deref()))
    }

    /// What a reader should hear about how far the index is from HEAD:
    /// nothing when it describes HEAD, else one sentence saying what to do.
    pub fn freshness_warning(&self) -> Result<Option<String>, ReadError> {
        Ok(match self.freshness()? {
            Freshness::UpToDate => None,
            Freshness::Behind { commits, .. } => Some(format!(
                "the index is {commits} commit{} behind HEAD; run `homer update`",
                if commits == 1 { "" } else { "s" }
            )),
            other => Some(format!(
                "the index does not describe HEAD ({}); run `homer update`",
                other.describe()
            )),
        })
    }

    /// Whether the working tree's copy of `path` differs from the indexed
    /// blob (or is gone). False without a working tree (a bare repository).
    pub fn changed_in_worktree(&self, path: &str) -> Result<bool, ReadError> {
        let repo = self.workspace.repository();
        let indexed = self.store.content_hash(NodeKind::File, path)?;
        Ok(match (indexed, repo.worktree_blob(path)) {
            (Some(indexed), Some(now)) => indexed != now.as_bytes(),
            (Some(_), None) => repo.has_worktree(),
            _ => false,
        })
    }

    /// The values stored on one node, typed.
    pub fn values(&self, kind: NodeKind, name: &str) -> Result<Values, ReadError> {
        Ok(Values::decode(name, self.store.values_of(kind, name)?)?)
    }

    /// One typed value of one node.
    pub fn value<T: ValueType>(
        &self,
        kind: NodeKind,
        name: &str,
        key: Key<T>,
    ) -> Result<Option<T>, ReadError> {
        match self.store.value_of(kind, name, key.name().name())? {
            None => Ok(None),
            Some(value) => {
                Ok(Values::decode(name, [(key.name().name().to_owned(), value)])?.get(key)?)
            }
        }
    }

    /// The attributes of one node, `None` when there is no such node.
    pub fn attrs<T: DeserializeOwned>(
        &self,
        kind: NodeKind,
        name: &str,
    ) -> Result<Option<T>, ReadError> {
        let Some(node) = self.store.node(kind, name)? else {
            return Ok(None);
        };
        let what = format!("{} '{name}'", kind.name());
        Ok(Some(attrs::decode(&what, node.attrs.as_deref())?))
    }

    /// The attributes of a commit node.
    pub fn commit(&self, id: &str) -> Result<Option<CommitAttrs>, ReadError> {
        self.attrs(NodeKind::Commit, id)
    }
}

/// Where the index of the repository containing `path` lives (whether or
/// not it exists yet).
pub fn database_path(path: &Path) -> Result<std::path::PathBuf, ReadError> {
    Ok(Workspace::locate(path)?.database().to_path_buf())
}

/// Freshness from HEAD and the indexed commit.
pub(crate) fn freshness_of(
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
            Some(true) => match repo.count_between(indexed, head, BEHIND_LIMIT) {
                Some(n) => Freshness::Behind {
                    commits: n as u64,
                    at_least: n >= BEHIND_LIMIT,
                },
                // The walk failed halfway (a missing object): the commits
                // are at least one, since HEAD moved.
                None => Freshness::Behind {
                    commits: 1,
                    at_least: true,
                },
            },
        },
    }
}
