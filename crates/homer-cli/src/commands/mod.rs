//! One module per command: call homer-update, homer-read or homer-render, print the result.

pub(crate) mod export;
pub(crate) mod hooks;
pub(crate) mod model;
pub(crate) mod query;
pub(crate) mod render;
pub(crate) mod review;
pub(crate) mod search;
pub(crate) mod status;
pub(crate) mod update;
