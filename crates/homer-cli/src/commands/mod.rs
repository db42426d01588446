//! One module per command: call homer-core, print the result.

pub(crate) mod export;
pub(crate) mod status;
pub(crate) mod update;
