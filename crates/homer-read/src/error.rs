//! The error type of the read side, and the check that tells a damaged
//! index from other failures.

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Git(#[from] homer_git::GitError),
    #[error(transparent)]
    Store(#[from] homer_store::StoreError),
    #[error(transparent)]
    Vocab(#[from] homer_vocab::VocabError),
    /// A query target with nothing in it (read as a path, it would name
    /// the root, which `.` names when meant).
    #[error(
        "the query target is empty: name a path (`.` for the root), a place `path:LINE` or a symbol"
    )]
    EmptyTarget,
}

impl ReadError {
    /// Whether the error says the index is damaged: the way out is
    /// `homer update --rebuild`.
    #[must_use]
    pub fn is_damage(&self) -> bool {
        match self {
            ReadError::Store(e) => e.is_damage(),
            ReadError::Vocab(v) => v.is_damage(),
            ReadError::Git(_) | ReadError::EmptyTarget => false,
        }
    }

    /// Whether the error says the index has an older schema than this
    /// build reads: `homer update` upgrades it.
    #[must_use]
    pub fn is_older_schema(&self) -> bool {
        let older =
            |e: &homer_store::StoreError| matches!(e, homer_store::StoreError::OlderSchema { .. });
        match self {
            ReadError::Store(e) | ReadError::Vocab(homer_vocab::VocabError::Store(e)) => older(e),
            _ => false,
        }
    }

    /// Whether the error says there is no index yet (`homer update` has
    /// not published one).
    #[must_use]
    pub fn is_not_indexed(&self) -> bool {
        matches!(
            self,
            ReadError::Vocab(homer_vocab::VocabError::NotIndexed { .. })
        )
    }
}

/// Whether `error` (one link of a cause chain) says that the index is
/// damaged. `transparent` variants hide the store error from the chain,
/// so each wrapper of this crate and below is looked into.
#[must_use]
pub fn is_damaged_index(error: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(store) = error.downcast_ref::<homer_store::StoreError>() {
        return store.is_damage();
    }
    if let Some(vocab) = error.downcast_ref::<homer_vocab::VocabError>() {
        return vocab.is_damage();
    }
    error
        .downcast_ref::<ReadError>()
        .is_some_and(ReadError::is_damage)
}
