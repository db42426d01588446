//! The text forms of the read side's answers, shared by the terminal
//! (homer-cli) and the MCP server (homer-serve), so that a person and an
//! agent read the same words.

mod query;
mod search;
mod status;

pub use query::query;
pub use search::search;
pub use status::{code_line, count, plural, status};
