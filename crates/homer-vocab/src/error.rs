//! The errors of the vocabulary: a stored value or attribute that does not
//! fit it, and what can go wrong finding or preparing an index.

use std::path::PathBuf;

/// The hint every error about a damaged index ends with.
const REBUILD: &str = "`homer update --rebuild` builds it again";

#[derive(Debug, thiserror::Error)]
pub enum VocabError {
    #[error(transparent)]
    Git(#[from] homer_git::GitError),
    #[error(transparent)]
    Store(#[from] homer_store::StoreError),
    #[error(
        "value '{name}' of '{node}' is not one Homer writes: the index is damaged or was written by another Homer; {REBUILD}"
    )]
    UnknownValue { node: String, name: String },
    #[error(
        "value '{name}' of '{node}' is not {expected}: the index is damaged or was written by another Homer; {REBUILD}"
    )]
    WrongValue {
        node: String,
        name: &'static str,
        expected: &'static str,
    },
    #[error(
        "value '{name}' of '{node}' is missing beside '{beside}', which is written with it: the index is damaged; {REBUILD}"
    )]
    MissingValue {
        node: String,
        name: &'static str,
        beside: &'static str,
    },
    #[error(
        "the attributes of {what} do not decode ({message}): the index is damaged or was written by another Homer; {REBUILD}"
    )]
    BadAttrs { what: String, message: String },
    #[error(
        "the stored record of {what} does not decode ({message}): the index is damaged or was written by another Homer; {REBUILD}"
    )]
    BadRecord { what: String, message: String },
    #[error("cannot create '{path}'")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("'{path}' is not a directory Homer can write its index into")]
    NotADirectory { path: PathBuf },
    #[error("refusing to write '{path}': {reason}")]
    UnsafePath { path: PathBuf, reason: String },
    #[error("cannot lock '{path}' for the update")]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("'{repo}' has no index yet; {}", if *building { "a running `homer update` is building it" } else { "run `homer update` first" })]
    NotIndexed { repo: PathBuf, building: bool },
}

impl VocabError {
    /// Whether the error says the index is damaged (or was written by
    /// another Homer): the way out is `homer update --rebuild`.
    #[must_use]
    pub fn is_damage(&self) -> bool {
        match self {
            VocabError::UnknownValue { .. }
            | VocabError::WrongValue { .. }
            | VocabError::MissingValue { .. }
            | VocabError::BadAttrs { .. }
            | VocabError::BadRecord { .. } => true,
            VocabError::Store(e) => e.is_damage(),
            _ => false,
        }
    }

    /// The store error inside, when there is one (for the damage check).
    #[must_use]
    pub fn store(&self) -> Option<&homer_store::StoreError> {
        match self {
            VocabError::Store(e) => Some(e),
            _ => None,
        }
    }
}
