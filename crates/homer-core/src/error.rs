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
    #[error("'{path}' is not a directory Homer can write its index into")]
    NotADirectory { path: PathBuf },
}
