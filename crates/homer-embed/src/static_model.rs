//! A static embedding model distilled from the transformer: one vector per
//! vocabulary token, so that embedding a text is tokenizing it, looking
//! its tokens up and averaging — thousands of texts a second on one core,
//! with no ONNX Runtime session at all.
//!
//! The recipe is the one model2vec published: pass every vocabulary token
//! through the transformer on its own (`[CLS] token [SEP]`, mean-pooled as
//! the transformer pools a text), centre the table and rotate it onto its
//! principal components, keep the first [`STATIC_DIMENSIONS`], and weight
//! each token by the logarithm of its rank in the vocabulary (the
//! vocabulary lists common words first, so rare, telling tokens weigh
//! more). It is made once, by `homer model fetch`, from the files that
//! command installs, and kept beside them as `static.bin`: rows of int8
//! with one scale each.

use std::io::Write;
use std::path::{Path, PathBuf};

use tokenizers::Tokenizer;

use crate::{EmbedError, Embedder, ModelFiles};

/// Identifies the vectors of this model (stored with each vector).
pub const STATIC_MODEL_ID: &str = "all-MiniLM-L6-v2-int8/static-pca256-logrank-int8-v1";
/// Length of a static vector.
pub const STATIC_DIMENSIONS: usize = 256;
/// The same, as the file stores it.
const STATIC_DIMENSIONS_U32: u32 = 256;
const _: () = assert!(STATIC_DIMENSIONS_U32 as usize == STATIC_DIMENSIONS);
/// Tokens of a text that count; the rest is cut (a table lookup is cheap,
/// so this is far more than the transformer reads).
const STATIC_MAX_TOKENS: usize = 2048;
/// The table's file in the model directory.
pub(crate) const STATIC_FILE: &str = "static.bin";
/// First bytes of the file, with the format's version.
const MAGIC: &[u8; 8] = b"HOMERST1";
/// Tokens per transformer call while distilling.
const DISTILL_BATCH: usize = 512;

/// A distilled model, loaded.
pub struct StaticModel {
    tokenizer: Tokenizer,
    rows: Rows,
    vocab: usize,
}

/// Where the rows are read from.
enum Rows {
    /// The whole file as written (see [`encode`]), checked: for embedding
    /// many texts.
    Loaded(Vec<u8>),
    /// The open file, a row read when a token needs it: a query has a
    /// dozen tokens, and reading 8 MB for them would cost more than the
    /// rest of a search.
    Lazy(std::fs::File),
}

impl std::fmt::Debug for StaticModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticModel")
            .field("vocab", &self.vocab)
            .finish_non_exhaustive()
    }
}

/// The parts of `tokenizer.json` that [`load_tokenizer`] reads itself.
#[derive(serde::Deserialize)]
struct TokenizerFile {
    normalizer: serde_json::Value,
    pre_tokenizer: serde_json::Value,
    model: WordPieceFile,
    added_tokens: Vec<AddedTokenFile>,
}

#[derive(serde::Deserialize)]
struct WordPieceFile {
    #[serde(rename = "type")]
    kind: String,
    unk_token: String,
    continuing_subword_prefix: String,
    max_input_chars_per_word: usize,
    vocab: std::collections::HashMap<String, u32>,
}

#[derive(serde::Deserialize)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "the file's own fields, read as they are"
)]
struct AddedTokenFile {
    content: String,
    special: bool,
    single_word: bool,
    lstrip: bool,
    rstrip: bool,
    normalized: bool,
}

/// The tokenizer of `path`. tokenizers' own loader reads the file as
/// untyped JSON and then again into its types, about half of a `homer
/// search` process; for the BERT `WordPiece` tokenizer `homer model fetch`
/// installs (lowercasing BERT normalizer, BERT pre-tokenizer, `WordPiece`),
/// the vocabulary is read straight into a map and the same parts are put
/// together here (no post-processor, padding or cut: the static model
/// encodes without them). Any other file goes through the loader. A test
/// holds the two tokenizers' ids equal.
fn load_tokenizer(path: &Path) -> Result<Tokenizer, String> {
    use tokenizers::AddedToken;
    use tokenizers::models::wordpiece::WordPiece;
    use tokenizers::normalizers::bert::BertNormalizer;
    use tokenizers::pre_tokenizers::bert::BertPreTokenizer;

    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let file: TokenizerFile = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let bert_normalizer = serde_json::json!({
        "type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
        "strip_accents": null, "lowercase": true
    });
    let bert_pre_tokenizer = serde_json::json!({ "type": "BertPreTokenizer" });
    if file.model.kind != "WordPiece"
        || file.normalizer != bert_normalizer
        || file.pre_tokenizer != bert_pre_tokenizer
    {
        return Tokenizer::from_file(path).map_err(|e| e.to_string());
    }
    let model = WordPiece::builder()
        .vocab(
            file.model
                .vocab
                .into_iter()
                // The map type the builder takes (tokenizers names it here).
                .collect::<tokenizers::models::bpe::Vocab>(),
        )
        .unk_token(file.model.unk_token)
        .continuing_subword_prefix(file.model.continuing_subword_prefix)
        .max_input_chars_per_word(file.model.max_input_chars_per_word)
        .build()
        .map_err(|e| e.to_string())?;
    let mut tokenizer = Tokenizer::new(model);
    tokenizer
        .with_normalizer(Some(BertNormalizer::new(true, true, None, true)))
        .map_err(|e| e.to_string())?;
    tokenizer.with_pre_tokenizer(Some(BertPreTokenizer));
    let (special, ordinary): (Vec<AddedToken>, Vec<AddedToken>) = file
        .added_tokens
        .into_iter()
        .map(|a| {
            AddedToken::from(a.content, a.special)
                .single_word(a.single_word)
                .lstrip(a.lstrip)
                .rstrip(a.rstrip)
                .normalized(a.normalized)
        })
        .partition(|t| t.special);
    tokenizer
        .add_special_tokens(special)
        .map_err(|e| e.to_string())?;
    tokenizer.add_tokens(ordinary).map_err(|e| e.to_string())?;
    Ok(tokenizer)
}

impl StaticModel {
    /// Loads the table made by [`distill`] and the tokenizer.
    pub fn load(files: &ModelFiles) -> Result<Self, EmbedError> {
        Self::open(files, false)
    }

    /// Opens the table for a few texts (queries): rows are read as their
    /// tokens come up, each checked as it is read.
    pub fn open_for_queries(files: &ModelFiles) -> Result<Self, EmbedError> {
        Self::open(files, true)
    }

    fn open(files: &ModelFiles, lazy: bool) -> Result<Self, EmbedError> {
        let path = files.static_table();
        let io = |e: std::io::Error| {
            if e.kind() == std::io::ErrorKind::NotFound {
                EmbedError::Missing { path: path.clone() }
            } else {
                EmbedError::Io {
                    what: "cannot read the static model",
                    path: path.clone(),
                    source: e,
                }
            }
        };
        let damaged = || EmbedError::Model {
            path: path.clone(),
            message: "not a static model of this version of Homer; run `homer model fetch`"
                .to_owned(),
        };
        let (rows, vocab) = if lazy {
            let file = std::fs::File::open(&path).map_err(io)?;
            let mut header = [0u8; HEADER];
            read_at(&file, &mut header, 0).map_err(io)?;
            let length = file.metadata().map_err(io)?.len();
            let vocab = check_header(&header, length).ok_or_else(damaged)?;
            (Rows::Lazy(file), vocab)
        } else {
            let bytes = std::fs::read(&path).map_err(io)?;
            let vocab = check(&bytes).ok_or_else(damaged)?;
            (Rows::Loaded(bytes), vocab)
        };
        let tokenizer_error = |message: String| EmbedError::Tokenizer {
            path: files.tokenizer.clone(),
            message,
        };
        let mut tokenizer = load_tokenizer(&files.tokenizer).map_err(tokenizer_error)?;
        // The file pads and cuts every text at 128 tokens, for the
        // transformer: a table lookup wants every token and no padding.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| tokenizer_error(e.to_string()))?;
        if tokenizer.get_vocab_size(true) != vocab {
            return Err(EmbedError::Model {
                path,
                message: format!(
                    "{} rows for a vocabulary of {} tokens; run `homer model fetch`",
                    vocab,
                    tokenizer.get_vocab_size(true)
                ),
            });
        }
        Ok(StaticModel {
            tokenizer,
            rows,
            vocab,
        })
    }

    /// One unit vector of [`STATIC_DIMENSIONS`] values per text, in order
    /// (a text with no known token gets the zero vector).
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        texts.iter().map(|t| self.embed_one(t)).collect()
    }

    fn embed_one(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let encoding = self
            .tokenizer
            .encode_fast(text, false)
            .map_err(|e| EmbedError::Inference(e.to_string()))?;
        let mut sum = vec![0.0f32; STATIC_DIMENSIONS];
        let mut buffer = [0u8; ROW];
        for &id in encoding.get_ids().iter().take(STATIC_MAX_TOKENS) {
            let id = id as usize;
            if id >= self.vocab {
                continue;
            }
            let found = match &self.rows {
                Rows::Loaded(bytes) => row(bytes, self.vocab, id),
                Rows::Lazy(file) => {
                    read_at(file, &mut buffer, (HEADER + id * ROW) as u64).map_err(|e| {
                        EmbedError::Inference(format!("cannot read the static model: {e}"))
                    })?;
                    split_row(&buffer)
                }
            };
            // A loaded table was checked whole; a row read now is checked
            // as it comes.
            let (scale, values) = found.ok_or_else(|| {
                EmbedError::Inference(
                    "the static model is damaged; run `homer model fetch`".to_owned(),
                )
            })?;
            for (s, &v) in sum.iter_mut().zip(values) {
                *s += f32::from(v as i8) * scale;
            }
        }
        // The zero vector (no known token) stays zero.
        let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for s in &mut sum {
                *s /= norm;
            }
        }
        Ok(sum)
    }
}

impl ModelFiles {
    /// Where the distilled static model is kept.
    #[must_use]
    pub fn static_table(&self) -> PathBuf {
        self.model.with_file_name(STATIC_FILE)
    }
}

/// Makes the static model from the installed transformer and writes it
/// beside the model. `progress` is told how many of the vocabulary's
/// tokens are done, out of how many.
pub fn distill(
    files: &ModelFiles,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PathBuf, EmbedError> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut embedder = Embedder::load(files, threads)?;
    let vocab = embedder.vocab_size();
    let vocab_u32 = u32::try_from(vocab)
        .map_err(|_| EmbedError::Inference(format!("a vocabulary of {vocab} tokens")))?;
    let mut table = vec![0.0f32; vocab * crate::DIMENSIONS];
    let ids: Vec<u32> = (0..vocab_u32).collect();
    for (n, group) in ids.chunks(DISTILL_BATCH).enumerate() {
        let vectors = embedder.token_vectors(group)?;
        let start = n * DISTILL_BATCH * crate::DIMENSIONS;
        table[start..start + vectors.len()].copy_from_slice(&vectors);
        progress((n * DISTILL_BATCH + group.len()).min(vocab), vocab);
    }
    let reduced = principal_components(&table, vocab, crate::DIMENSIONS, STATIC_DIMENSIONS);
    let mut weighted = reduced;
    for (id, row) in weighted.chunks_mut(STATIC_DIMENSIONS).enumerate() {
        // Rank 1 is the most common token: log(1 + rank) grows with rarity.
        let weight = ((id + 2) as f32).ln();
        for v in row {
            *v *= weight;
        }
    }
    let bytes = encode(&weighted, vocab_u32);
    let path = files.static_table();
    let io = |source| EmbedError::Io {
        what: "cannot write the static model",
        path: path.clone(),
        source,
    };
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    file.write_all(&bytes).map_err(io)?;
    file.persist(&path).map_err(|e| io(e.error))?;
    Ok(path)
}

/// Centres `rows × dims` values, and projects them onto the `keep`
/// directions of largest variance (eigenvectors of the covariance, found
/// by cyclic Jacobi rotations), each direction's sign fixed so that its
/// largest component is positive (the table is then the same whatever
/// order the rotations found it in).
fn principal_components(data: &[f32], rows: usize, dims: usize, keep: usize) -> Vec<f32> {
    let mut mean = vec![0.0f64; dims];
    for row in data.chunks(dims) {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += f64::from(v);
        }
    }
    for m in &mut mean {
        *m /= rows.max(1) as f64;
    }
    let mut cov = vec![0.0f64; dims * dims];
    let mut centred = vec![0.0f64; dims];
    for row in data.chunks(dims) {
        for ((c, &v), m) in centred.iter_mut().zip(row).zip(&mean) {
            *c = f64::from(v) - m;
        }
        for i in 0..dims {
            let ci = centred[i];
            let line = &mut cov[i * dims..(i + 1) * dims];
            for (j, cj) in centred.iter().enumerate().skip(i) {
                line[j] += ci * cj;
            }
        }
    }
    for i in 0..dims {
        for j in 0..i {
            cov[i * dims + j] = cov[j * dims + i];
        }
    }
    let (values, vectors) = jacobi_eigen(cov, dims);
    let mut order: Vec<usize> = (0..dims).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    // Column k of `vectors` is the eigenvector of values[k].
    let mut basis = vec![0.0f64; keep * dims];
    for (out, &k) in order.iter().take(keep).enumerate() {
        let column: Vec<f64> = (0..dims).map(|i| vectors[i * dims + k]).collect();
        let largest = column
            .iter()
            .copied()
            .max_by(|a, b| a.abs().total_cmp(&b.abs()))
            .unwrap_or(1.0);
        let sign = if largest < 0.0 { -1.0 } else { 1.0 };
        for (i, v) in column.iter().enumerate() {
            basis[out * dims + i] = v * sign;
        }
    }
    let mut out = vec![0.0f32; rows * keep];
    for (r, row) in data.chunks(dims).enumerate() {
        for ((c, &v), m) in centred.iter_mut().zip(row).zip(&mean) {
            *c = f64::from(v) - m;
        }
        for k in 0..keep {
            let b = &basis[k * dims..(k + 1) * dims];
            let projected: f64 = b.iter().zip(&centred).map(|(x, y)| x * y).sum();
            // Accumulated in f64, stored in f32 like every vector.
            #[allow(clippy::cast_possible_truncation)]
            let projected = projected as f32;
            out[r * keep + k] = projected;
        }
    }
    out
}

/// Eigenvalues and eigenvectors (as columns, row-major `n × n`) of a
/// symmetric matrix, by cyclic Jacobi rotations until the off-diagonal
/// part is negligible.
// The textbook names: a the matrix, v the rotations, p and q the pivot,
// c, s and t the rotation's cosine, sine and tangent.
#[allow(clippy::many_single_char_names)]
fn jacobi_eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let total: f64 = a.iter().map(|x| x * x).sum();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        if off <= total * 1e-22 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let app = a[p * n + p];
                let aqq = a[q * n + q];
                let theta = (aqq - app) / (2.0 * apq);
                let sign = if theta >= 0.0 { 1.0 } else { -1.0 };
                let t = sign / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

/// The file: magic, vocabulary size and dimensions (u32 LE), then per row
/// its scale (f32 LE) and its int8 values.
fn encode(table: &[f32], vocab: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + vocab as usize * ROW);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&vocab.to_le_bytes());
    out.extend_from_slice(&STATIC_DIMENSIONS_U32.to_le_bytes());
    for row in table.chunks(STATIC_DIMENSIONS) {
        let largest = row.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
        out.extend_from_slice(&scale.to_le_bytes());
        // Rounded and clamped to the int8 range first: the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        out.extend(
            row.iter()
                .map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8 as u8),
        );
    }
    out
}

/// Size of the header: magic, vocabulary size, dimensions.
const HEADER: usize = MAGIC.len() + 8;
/// Size of one row: its scale and its values.
const ROW: usize = 4 + STATIC_DIMENSIONS;

/// The vocabulary size of a well-formed file of this version, with every
/// scale finite; `None` for anything else.
fn check(bytes: &[u8]) -> Option<usize> {
    let vocab = check_header(bytes.get(..HEADER)?, bytes.len() as u64)?;
    (0..vocab)
        .all(|id| row(bytes, vocab, id).is_some())
        .then_some(vocab)
}

/// The vocabulary size a header announces, when it is this version's
/// and the file's length fits it.
fn check_header(header: &[u8], length: u64) -> Option<usize> {
    let rest = header.strip_prefix(MAGIC)?;
    let vocab = u32::from_le_bytes(rest.get(0..4)?.try_into().ok()?) as usize;
    let dims = u32::from_le_bytes(rest.get(4..8)?.try_into().ok()?) as usize;
    let expected = HEADER.checked_add(vocab.checked_mul(ROW)?)?;
    (dims == STATIC_DIMENSIONS && length == expected as u64).then_some(vocab)
}

/// Fills `buffer` from `offset` of `file`, without moving a shared
/// position (so that one open table may serve several threads).
fn read_at(file: &std::fs::File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = file.try_clone()?;
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(buffer)
    }
}

/// Row `id` of a file: its scale and its int8 values (as bytes).
fn row(bytes: &[u8], vocab: usize, id: usize) -> Option<(f32, &[u8])> {
    if id >= vocab {
        return None;
    }
    let start = HEADER + id * ROW;
    split_row(bytes.get(start..start + ROW)?)
}

/// One row's scale and values; `None` when the scale is not a number.
fn split_row(row: &[u8]) -> Option<(f32, &[u8])> {
    let scale = f32::from_le_bytes(row.get(0..4)?.try_into().ok()?);
    scale.is_finite().then(|| (scale, &row[4..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_finds_the_eigenvalues_of_a_known_matrix() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors (1, 1) and (1, -1).
        let (values, vectors) = jacobi_eigen(vec![2.0, 1.0, 1.0, 2.0], 2);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        assert!((sorted[0] - 1.0).abs() < 1e-12 && (sorted[1] - 3.0).abs() < 1e-12);
        let k = usize::from(values[0] <= values[1]);
        let (x, y) = (vectors[k], vectors[2 + k]);
        assert!((x.abs() - y.abs()).abs() < 1e-12 && x * y > 0.0);
    }

    #[test]
    fn principal_components_keep_the_direction_of_largest_spread() {
        // Points along (3, 4)/5 with a little noise across it: the first
        // component carries the spread, the second almost nothing.
        let mut data = Vec::new();
        for i in 0..100u8 {
            let t = f32::from(i) - 50.0;
            let noise = if i % 2 == 0 { 0.01 } else { -0.01 };
            data.push(t * 0.6 - noise * 0.8);
            data.push(t * 0.8 + noise * 0.6);
        }
        let out = principal_components(&data, 100, 2, 2);
        let first: f64 = out.chunks(2).map(|r| f64::from(r[0]).powi(2)).sum();
        let second: f64 = out.chunks(2).map(|r| f64::from(r[1]).powi(2)).sum();
        assert!(first > 1e6 * second, "{first} vs {second}");
        // The last point, t = 49, lies 49.5 from the mean (t = -0.5) along
        // the first direction.
        assert!(
            (f64::from(out[99 * 2]) - 49.5).abs() < 0.05,
            "{}",
            out[99 * 2]
        );
    }

    #[test]
    fn the_file_round_trips_and_refuses_what_it_did_not_write() {
        let table: Vec<f32> = (0..3 * STATIC_DIMENSIONS)
            .map(|i| (i as f32).sin())
            .collect();
        let bytes = encode(&table, 3);
        assert_eq!(check(&bytes), Some(3));
        for (i, &v) in table.iter().enumerate() {
            let (scale, values) = row(&bytes, 3, i / STATIC_DIMENSIONS).expect("a row");
            let back = f32::from(values[i % STATIC_DIMENSIONS] as i8) * scale;
            assert!((back - v).abs() <= scale * 0.5 + 1e-6);
        }
        assert!(row(&bytes, 3, 3).is_none());
        assert!(check(&bytes[..bytes.len() - 1]).is_none());
        assert!(check(b"HOMERST0").is_none());
        assert!(check(&[]).is_none());
    }

    /// The tokenizer put together from the file's parts gives tokenizers'
    /// own loader's ids, special tokens and all, on code, prose, every
    /// case the BERT normalizer treats apart, and long words.
    #[test]
    fn the_tokenizer_put_together_equals_tokenizers_own() {
        let Some(model) = homer_fixtures::embedding_model() else {
            return;
        };
        let ours = load_tokenizer(&model.tokenizer).expect("ours");
        let mut theirs = Tokenizer::from_file(&model.tokenizer).expect("theirs");
        // As the static model uses it: no padding, no cut.
        theirs.with_padding(None);
        theirs.with_truncation(None).expect("no truncation");
        let mut texts: Vec<String> = [
            "",
            "Signs a cookie value with the secret key.",
            "fn parse_args(argv: &[String]) -> Args { argv.iter().map(|a| a.len()) }",
            "getSigningSerializer HTTPAdapter XMLHttpRequest __init__ _cache",
            "[CLS] hello [SEP] [PAD][MASK] [UNK] [cls]",
            "Éclair naïve façade Ünïcödé résumé ÅNGSTRÖM",
            "日本語のテキスト 中文字符 한국어 русский текст עברית العربية",
            "emoji 😀🎉 and zero\u{200b}width and tabs\tand\r\nnewlines",
            "control \u{0}\u{7}\u{1b} chars and \u{fffd} replacement",
            "3.14159 0x7fff_ffff 1e-9 v2.0.0-rc.15 #1997 @user",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        texts.push("a".repeat(99));
        texts.push("b".repeat(100));
        texts.push("c".repeat(101));
        texts.push(format!("word {} word", "supercalifragilistic".repeat(6)));
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        for entry in std::fs::read_dir(root).expect("src").flatten() {
            let text = std::fs::read_to_string(entry.path()).expect("a source file");
            texts.extend(text.lines().map(str::to_owned));
            texts.push(text);
        }
        for text in &texts {
            let a = ours
                .encode_fast(text.as_str(), false)
                .expect("ours encodes");
            let b = theirs
                .encode_fast(text.as_str(), false)
                .expect("theirs encodes");
            assert_eq!(a.get_ids(), b.get_ids(), "{text:?}");
        }
        assert_eq!(ours.get_vocab_size(true), theirs.get_vocab_size(true));
    }
}
