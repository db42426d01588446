//! The stages of `homer update`, in the order they run.

pub(crate) mod behavior;
pub(crate) mod code;
pub(crate) mod embed;
pub(crate) mod graph;
pub(crate) mod history;
pub(crate) mod tree;

/// The commit the index describes; moves with the stages that index it.
pub(crate) const HEAD_CHECKPOINT: &str = "head";
/// The memo engine's revision counter (written by homer-dag).
pub(crate) const REVISION_CHECKPOINT: &str = "revision";
