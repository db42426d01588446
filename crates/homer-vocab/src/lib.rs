//! Homer's shared vocabulary: what the stages write and the commands read,
//! typed once. Value names with the type of their values ([`values`]),
//! the attributes of nodes and edges as serde structs ([`attrs`]), file
//! roles, salience classes and skip reasons ([`role`]), each commit's
//! stored record ([`history`]), checkpoint names,
//! the words of the text index ([`text`]), a file's lines as a chunk
//! quotes them and a stored chunk made whole again ([`quote`]), what the index holds
//! ([`StoredCounts`]) and where an index lives ([`Workspace`]).
//!
//! Both sides of the house build on it: homer-update writes through these
//! types and homer-read decodes with them, so a name or a shape cannot
//! drift between the two. It knows no memo engine, parser, graph
//! algorithm, embedding model or command.

pub mod attrs;
mod checkpoint;
mod counts;
mod error;
pub mod history;
pub mod quote;
pub mod role;
pub mod salience;
pub mod text;
pub mod values;
mod workspace;

pub use checkpoint::{
    BoundedHistory, Checkpoint, HistoryCounts, JsonCheckpoint, People, ShallowHistory,
    TaskVersions, parse_revision, stored_revision,
};
pub use counts::{CodeCounts, StoredCounts};
pub use error::VocabError;
pub use role::{
    FileRole, NAMED_BY, SalienceClass, SkipReason, community_key_files, is_test, is_test_support,
    outside_production, role_of_name, tested_name,
};
pub use values::{Json, Key, ValueName, Values, keys};

/// How many of a file's last commits its history keeps (`recent_commits`).
pub const RECENT_KEPT: usize = 5;
pub use workspace::{UpdateLock, Workspace};
