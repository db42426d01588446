//! The error type of the core API.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Git(#[from] homer_git::GitError),
    #[error(transparent)]
    Store(#[from] homer_store::StoreError),
    #[error(transparent)]
    Dag(#[from] homer_dag::DagError),
    #[error("cannot create '{path}'")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
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
    #[error("'{path}' is not a directory Homer can write its index into")]
    NotADirectory { path: PathBuf },
    #[error("cannot remove '{path}'")]
    RemoveIndex {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("embedding failed: {0}")]
    Embed(String),
    #[error("{0}")]
    Render(String),
    #[error("refusing to write '{path}': {reason}")]
    UnsafePath { path: PathBuf, reason: String },
    #[error("cannot lock '{path}' for the update")]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the index of '{repo}' is being built by a running `homer update`; try again when it finishes"
    )]
    Building { repo: PathBuf },
    #[error("'{repo}' has no index yet; run `homer update` first")]
    NotIndexed { repo: PathBuf },
}

/// Whether `error` says that the index database is damaged (the caller
/// walks the cause chain): the way out is `homer update --rebuild`.
#[must_use]
pub fn is_damaged_index(error: &(dyn std::error::Error + 'static)) -> bool {
    match (
        error.downcast_ref::<homer_store::StoreError>(),
        error.downcast_ref::<CoreError>(),
    ) {
        (Some(store), _) | (_, Some(CoreError::Store(store))) => store.is_damage(),
        _ => false,
    }
}
