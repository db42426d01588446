//! The error type of `homer update`.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(transparent)]
    Git(#[from] homer_git::GitError),
    #[error(transparent)]
    Store(#[from] homer_store::StoreError),
    #[error(transparent)]
    Dag(#[from] homer_dag::DagError),
    #[error(transparent)]
    Vocab(#[from] homer_vocab::VocabError),
    #[error("a worker thread cannot open the repository: {0}")]
    Worker(String),
    #[error("cannot read '{path}'")]
    ReadConfig {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("'{path}': {message}")]
    Config { path: PathBuf, message: String },
    #[error("{what} is damaged: {message}; `homer update --rebuild` rebuilds the index from git")]
    Corrupt { what: String, message: String },
    #[error("embedding failed: {0}")]
    Embed(String),
}

impl UpdateError {
    /// Whether the error says the index is damaged: the way out is
    /// `homer update --rebuild`.
    #[must_use]
    pub fn is_damage(&self) -> bool {
        match self {
            UpdateError::Store(e) | UpdateError::Dag(homer_dag::DagError::Store(e)) => {
                e.is_damage()
            }
            UpdateError::Vocab(v) => v.is_damage(),
            UpdateError::Corrupt { .. } => true,
            _ => false,
        }
    }
}
