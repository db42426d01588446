//! Homer's read side: an open index ([`Index`]) and every question the
//! commands ask of it — how fresh it is and what it holds ([`status`]),
//! words to definitions and files ([`search()`]), the neighbourhood of a
//! file, directory or symbol ([`query()`]) and a whole graph
//! ([`export_graph`]).
//!
//! Every read goes through the typed vocabulary of homer-vocab: a stored
//! value or attribute that does not decode is an error naming its node,
//! never a default. This crate never writes, and knows nothing of the memo
//! engine, the parsers or the stages (homer-dag, homer-syntax,
//! homer-update): it reads what they stored.

mod error;
mod export;
mod index;
mod phrase;
mod query;
mod search;
mod status;
mod vectors;

pub use error::{ReadError, is_damaged_index};
pub use export::{ExportEdge, ExportNode, GraphChoice, GraphExport, export_graph};
/// The betweenness settings `export_graph` takes for the symbol graph.
pub use homer_graph::BetweennessOptions;
pub use index::{Index, WorktreeCache, database_path};
pub use query::{
    Call, Candidate, CoChange, CommitBrief, DirView, FileBrief, FileView, HistoryView, Link, Owner,
    QueryOptions, QueryOutcome, Salience, Similar, SymbolBrief, SymbolView, View, query, utc_date,
};
pub use search::{
    NO_WORD_FOUND, SearchHit, SearchMode, SearchOptions, SearchResults, asked_roles,
    asked_roles_in, asks_outside_production, search, vectors_in,
};
pub use status::{Freshness, Status, status, status_of};
pub use vectors::nearest;
