//! `homer serve`: Homer's read side as a Model Context Protocol server over
//! stdio, built on the official Rust SDK (rmcp).
//!
//! Every answer names the commit the index describes, how many commits
//! HEAD is ahead of it, and which of the files it mentions differ in the
//! working tree ([`Stamp`]). When the index is behind HEAD the server runs
//! an incremental update first (one at a time, waiting for it a bounded
//! time; readers go on reading the published index meanwhile).
//!
//! The index stays open in a small pool of read handles, each checked
//! against the database file before use, so a rebuild that puts a new file
//! in place is picked up at the next call. This crate knows the read side
//! (homer-read, homer-render) and, for the update before an answer,
//! homer-update's entry point; nothing below them.

mod fit;
mod state;
mod tools;
mod wire;

use std::path::PathBuf;
use std::time::Duration;

pub use fit::Stamp;
pub use tools::HomerServer;

/// How `homer serve` runs.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Any path inside the repository.
    pub repo: PathBuf,
    /// Run `homer update` before answering when the index is behind HEAD.
    pub auto_update: bool,
    /// How long an answer waits for that update before it answers from the
    /// index as it is (saying so).
    pub update_wait: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot start the server's runtime")]
    Runtime(#[source] std::io::Error),
    #[error("the MCP session failed: {0}")]
    Session(String),
}

/// Serves MCP on stdin and stdout until the client closes stdin.
pub fn serve_stdio(options: ServeOptions) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async move {
        use rmcp::ServiceExt;
        let server = HomerServer::new(options);
        let running = server
            .serve(wire::checked(tokio::io::stdin(), tokio::io::stdout()))
            .await
            .map_err(|e| ServeError::Session(e.to_string()))?;
        running
            .waiting()
            .await
            .map_err(|e| ServeError::Session(e.to_string()))?;
        Ok(())
    })
}
