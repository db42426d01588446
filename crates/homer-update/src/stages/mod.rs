//! The stages of `homer update`, in the order they run.

pub(crate) mod behavior;
pub(crate) mod code;
pub(crate) mod embed;
pub(crate) mod graph;
pub(crate) mod history;
pub(crate) mod tree;
