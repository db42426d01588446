//! Homer's documents for coding agents, built on homer-read: AGENTS.md and
//! the per-directory context ([`render`]), the token-budgeted context for
//! one task ([`task_context`]), the per-file risk map ([`risk_map`]), the
//! review of a change ([`review`]) and the text forms of the read side's
//! answers ([`text`]).
//!
//! Everything comes from an open [`homer_read::Index`] and from blobs at
//! the indexed HEAD. It writes only the files it is asked to, through
//! [`homer_vocab::Workspace::writable`], and knows nothing of the memo
//! engine, the parsers or the stages.

mod agents;
mod around;
mod context;
mod o200k_slot;
mod readme;
mod report;
mod review;
mod risk;
mod snapshot;
pub mod text;
mod tokens;
mod usage;

use std::path::PathBuf;

pub use agents::{AGENTS_BUDGET, BUILD_TOOLS, RenderOptions, Rendered, render};
pub use context::{
    FileWhy, TASK_BUDGET, TaskContext, TaskPlan, count_tokens, task_context, task_context_in,
    task_plan, task_plan_reading,
};
pub use report::{review_markdown, review_sarif, review_text};
pub use review::{
    Basis, Change, ChangedDefinition, ChangedFile, Forgotten, Impact, Level, Person, Review,
    ReviewTarget, TestToRun, change_of, file_risk, review,
};
pub use risk::{FileRisk, RiskMap, risk_map, risk_map_of};
pub use snapshot::Snapshot;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Read(#[from] homer_read::ReadError),
    #[error(transparent)]
    Store(#[from] homer_store::StoreError),
    #[error(transparent)]
    Vocab(#[from] homer_vocab::VocabError),
    #[error(transparent)]
    Git(#[from] homer_git::GitError),
    #[error("the index describes no commit yet; commit something and run `homer update`")]
    NoCommit,
    #[error(
        "the task has no word to go on: say in words what the change is, or give the paths it is about"
    )]
    NoTask,
    #[error("a budget of {budget} tokens cannot hold even the heading ({needed} tokens)")]
    Budget { budget: usize, needed: usize },
    #[error("cannot read '{path}'")]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write '{path}'")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl RenderError {
    /// Whether the error says the index is damaged: the way out is
    /// `homer update --rebuild`.
    #[must_use]
    pub fn is_damage(&self) -> bool {
        match self {
            RenderError::Read(e) => e.is_damage(),
            RenderError::Store(e) => e.is_damage(),
            RenderError::Vocab(v) => v.is_damage(),
            _ => false,
        }
    }
}
