//! Graph algorithms over plain adjacency: PageRank (weighted, personalized,
//! warm-started), degrees, betweenness, Louvain communities and percentile
//! ranks.
//!
//! Pure and deterministic: nodes are dense indices chosen by the caller,
//! every loop runs in index order, and the only randomness (betweenness
//! sampling, the order Louvain visits nodes in) comes from a seeded
//! generator. The same graph and options give bit-identical results on
//! every run. Knows no store, git or source code: callers map their names
//! to indices and back.

mod betweenness;
mod graph;
mod louvain;
mod pagerank;
mod random;
mod rank;

pub use betweenness::{BetweennessOptions, betweenness};
pub use graph::Graph;
pub use louvain::{LouvainOptions, louvain};
pub use pagerank::{PageRank, PageRankOptions, pagerank, personalized_pagerank};
pub use rank::percentile_ranks;
