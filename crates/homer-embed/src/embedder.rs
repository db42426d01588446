//! The model at work: tokenize a batch, run it, mean-pool, normalize.

use std::sync::OnceLock;

use ort::environment::Environment;
use ort::session::Session;
use ort::value::Tensor;
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::{DIMENSIONS, EmbedError, MAX_TOKENS, ModelFiles};

/// A loaded model; keep one per thread.
pub struct Embedder {
    session: Session,
    tokenizer: Tokenizer,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder").finish_non_exhaustive()
    }
}

impl Embedder {
    /// Loads the runtime library (once per process), the model and the
    /// tokenizer. `threads` is ONNX Runtime's intra-op thread count.
    pub fn load(files: &ModelFiles, threads: usize) -> Result<Self, EmbedError> {
        files.check()?;
        let environment = environment(files)?;
        let model_error = |e: &dyn std::fmt::Display| EmbedError::Model {
            path: files.model.clone(),
            message: e.to_string(),
        };
        let session = Session::builder(&environment)
            .map_err(|e| model_error(&e))?
            .with_intra_threads(threads.max(1))
            .map_err(|e| model_error(&e))?
            .commit_from_file(&files.model)
            .map_err(|e| model_error(&e))?;
        let tokenizer_error = |message: String| EmbedError::Tokenizer {
            path: files.tokenizer.clone(),
            message,
        };
        let mut tokenizer =
            Tokenizer::from_file(&files.tokenizer).map_err(|e| tokenizer_error(e.to_string()))?;
        // The file pads every text to 128 tokens and cuts there: pad a
        // batch only to its longest text, and keep up to MAX_TOKENS.
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..PaddingParams::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| tokenizer_error(e.to_string()))?;
        Ok(Embedder { session, tokenizer })
    }

    /// One unit vector of `DIMENSIONS` values per text, in order.
    pub fn embed(&mut self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EmbedError::Inference(e.to_string()))?;
        let width = encodings
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0);
        let mut ids = Vec::with_capacity(encodings.len() * width);
        let mut mask = Vec::with_capacity(encodings.len() * width);
        let mut types = Vec::with_capacity(encodings.len() * width);
        for e in &encodings {
            ids.extend(e.get_ids().iter().map(|&v| i64::from(v)));
            mask.extend(e.get_attention_mask().iter().map(|&v| i64::from(v)));
            types.extend(e.get_type_ids().iter().map(|&v| i64::from(v)));
        }
        let hidden = self.hidden_states(width, ids, mask.clone(), types)?;
        Ok(hidden
            .chunks(width * DIMENSIONS)
            .zip(mask.chunks(width))
            .map(|(h, m)| normalized(mean(h, m)))
            .collect())
    }

    /// Tokens in the vocabulary, special ones included.
    pub(crate) fn vocab_size(&self) -> usize {
        self.tokenizer.get_vocab_size(true)
    }

    /// For each token id, the mean-pooled (not normalized) output of the
    /// text that is that token alone, `[CLS] token [SEP]`: `DIMENSIONS`
    /// values per id, one after another.
    pub(crate) fn token_vectors(&mut self, ids: &[u32]) -> Result<Vec<f32>, EmbedError> {
        let special = |name: &str| {
            self.tokenizer
                .token_to_id(name)
                .ok_or_else(|| EmbedError::Inference(format!("the tokenizer has no {name} token")))
        };
        let (cls, sep) = (i64::from(special("[CLS]")?), i64::from(special("[SEP]")?));
        let width = 3;
        let input: Vec<i64> = ids
            .iter()
            .flat_map(|&id| [cls, i64::from(id), sep])
            .collect();
        let n = ids.len() * width;
        let hidden = self.hidden_states(width, input, vec![1; n], vec![0; n])?;
        // Each token's share added up (the tables made so far were made
        // this way: summing first rounds differently).
        let mut out = vec![0.0f32; ids.len() * DIMENSIONS];
        for (row, h) in out
            .chunks_mut(DIMENSIONS)
            .zip(hidden.chunks(width * DIMENSIONS))
        {
            for token in h.chunks(DIMENSIONS) {
                for (o, x) in row.iter_mut().zip(token) {
                    *o += x / width as f32;
                }
            }
        }
        Ok(out)
    }

    /// Runs the model on rows of `width` tokens (ids, attention mask, token
    /// types, row after row) and returns its last hidden state: `width` ×
    /// `DIMENSIONS` values per row, checked against the shape asked for.
    fn hidden_states(
        &mut self,
        width: usize,
        ids: Vec<i64>,
        mask: Vec<i64>,
        types: Vec<i64>,
    ) -> Result<Vec<f32>, EmbedError> {
        let failed = |e: &dyn std::fmt::Display| EmbedError::Inference(e.to_string());
        let batch = ids.len() / width.max(1);
        let shape = [batch, width];
        let tensor = |data: Vec<i64>| Tensor::from_array((shape, data)).map_err(|e| failed(&e));
        let outputs = self
            .session
            .run(ort::inputs![
                "input_ids" => tensor(ids)?,
                "attention_mask" => tensor(mask)?,
                "token_type_ids" => tensor(types)?,
            ])
            .map_err(|e| failed(&e))?;
        let (out_shape, hidden) = outputs["last_hidden_state"]
            .try_extract_tensor::<f32>()
            .map_err(|e| failed(&e))?;
        if out_shape[..] != [batch as i64, width as i64, DIMENSIONS as i64] {
            return Err(EmbedError::Inference(format!(
                "the model answered with shape {out_shape:?}, not [{batch}, {width}, {DIMENSIONS}]"
            )));
        }
        Ok(hidden.to_vec())
    }
}

/// ONNX Runtime's environment: one per process, made from the library the
/// first load named.
fn environment(files: &ModelFiles) -> Result<Environment, EmbedError> {
    static ENVIRONMENT: OnceLock<Result<Environment, String>> = OnceLock::new();
    ENVIRONMENT
        .get_or_init(|| {
            ort::init_from(&files.runtime)
                .map_err(|e| e.to_string())?
                .with_name("homer")
                .build()
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|message| EmbedError::Runtime {
            path: files.runtime.clone(),
            message,
        })
}

/// The mean of the token vectors (`DIMENSIONS` values each) the mask keeps.
fn mean(hidden: &[f32], mask: &[i64]) -> Vec<f32> {
    let mut sum = vec![0.0f32; DIMENSIONS];
    let mut count = 0.0f32;
    for (token, _) in hidden
        .chunks(DIMENSIONS)
        .zip(mask)
        .filter(|(_, m)| **m != 0)
    {
        count += 1.0;
        for (s, h) in sum.iter_mut().zip(token) {
            *s += h;
        }
    }
    let count = count.max(1.0);
    for s in &mut sum {
        *s /= count;
    }
    sum
}

/// A vector scaled to unit length.
fn normalized(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    for x in &mut v {
        *x /= norm;
    }
    v
}
