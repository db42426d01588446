//! Which model turns texts into vectors: the distilled static table (the
//! default: fast enough to embed a repository in seconds) or the
//! transformer itself.

use crate::{
    DIMENSIONS, EmbedError, Embedder, MODEL_ID, ModelFiles, STATIC_DIMENSIONS, STATIC_MODEL_ID,
    StaticModel,
};

/// A kind of encoder; its vectors never mix with another kind's. As a
/// setting (`[embed] vectors`), `"static"` or `"transformer"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EncoderKind {
    /// The static table distilled from the transformer: seconds for a
    /// repository.
    #[default]
    Static,
    /// all-MiniLM-L6-v2 through ONNX Runtime: minutes for a repository,
    /// better vectors.
    Transformer,
}

impl EncoderKind {
    /// The kind whose vectors carry this model id.
    #[must_use]
    pub fn of_model_id(id: &str) -> Option<Self> {
        [EncoderKind::Static, EncoderKind::Transformer]
            .into_iter()
            .find(|k| k.model_id() == id)
    }

    /// In words: `static` or `transformer` (as `[embed] vectors` says it).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            EncoderKind::Static => "static",
            EncoderKind::Transformer => "transformer",
        }
    }

    /// Stored with each vector.
    #[must_use]
    pub fn model_id(self) -> &'static str {
        match self {
            EncoderKind::Static => STATIC_MODEL_ID,
            EncoderKind::Transformer => MODEL_ID,
        }
    }

    /// Length of each vector.
    #[must_use]
    pub fn dimensions(self) -> usize {
        match self {
            EncoderKind::Static => STATIC_DIMENSIONS,
            EncoderKind::Transformer => DIMENSIONS,
        }
    }
}

/// A loaded encoder.
#[derive(Debug)]
pub enum Encoder {
    Static(Box<StaticModel>),
    Transformer(Box<Embedder>),
}

impl Encoder {
    /// Loads an encoder of `kind`; `threads` is what the transformer may use.
    pub fn load(kind: EncoderKind, files: &ModelFiles, threads: usize) -> Result<Self, EmbedError> {
        Ok(match kind {
            EncoderKind::Static => Encoder::Static(Box::new(StaticModel::load(files)?)),
            EncoderKind::Transformer => {
                Encoder::Transformer(Box::new(Embedder::load(files, threads)?))
            }
        })
    }

    /// Loads an encoder of `kind` for a few texts (queries): the static
    /// table is read row by row as tokens need it, the transformer on one
    /// thread.
    pub fn for_queries(kind: EncoderKind, files: &ModelFiles) -> Result<Self, EmbedError> {
        Ok(match kind {
            EncoderKind::Static => Encoder::Static(Box::new(StaticModel::open_for_queries(files)?)),
            EncoderKind::Transformer => Encoder::Transformer(Box::new(Embedder::load(files, 1)?)),
        })
    }

    /// One unit vector per text, in order.
    pub fn embed(&mut self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        match self {
            Encoder::Static(model) => model.embed(texts),
            Encoder::Transformer(model) => model.embed(texts),
        }
    }
}
