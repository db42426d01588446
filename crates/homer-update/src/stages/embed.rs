//! Embeddings (stage `embed`, last): a vector for every chunk text that
//! has none for the current model. Vectors are keyed by the hash of the
//! text, so an unchanged or moved chunk is never embedded again and a new
//! model re-embeds everything. The slow stage: it commits every few
//! hundred vectors, so an interrupted update resumes where it stopped, and
//! it never blocks the rest: without the model, or with `--no-embed`, the
//! index is complete but for the vectors, and one note says how to get
//! semantic search.

use homer_embed::{Encoder, EncoderKind, ModelFiles};
use homer_store::{PendingEmbedding, Store, WriteTx, embedded_text};
use homer_vocab::quote::{ChunkTexts, StoredText, file_of};
use homer_vocab::{Checkpoint, StoredCounts};

use crate::{Progress, UpdateError};

/// Texts per model call. One: for the transformer, padding a batch to its
/// longest text wastes more than batching saves on two cores (ripgrep's
/// chunks, 2 threads: 32.6 texts/s at batch 1, 16-18/s at batch 4-8; see
/// `benches/src/bin/embed_throughput.rs`), and memory grows with the
/// batch; the static table embeds a text at a time anyway.
const BATCH: usize = 1;
/// Vectors per transaction: an interrupted run loses at most this many
/// (about a second of the transformer's work, a few milliseconds of the
/// static table's; a commit in WAL mode costs far less).
fn commit_every(kind: EncoderKind) -> usize {
    match kind {
        EncoderKind::Static => 1024,
        EncoderKind::Transformer => 32,
    }
}

/// What the stage did.
#[derive(Debug, Default)]
pub(crate) struct EmbedOutcome {
    /// The node of every text embedded, sorted.
    pub log: Vec<String>,
    pub embedded: u64,
    /// Texts still without a vector (semantic search skips them).
    pub missing: u64,
    /// Why semantic search is off, when it is.
    pub off: Option<String>,
    /// Texts to embed and texts embedded, when counted here (as the index
    /// stands after the stage).
    pub coverage: Option<(u64, u64)>,
}

/// Whether to embed, and with what.
pub(crate) enum Model<'a> {
    Files(&'a ModelFiles),
    /// Not installed.
    Missing,
    /// `--no-embed`.
    Skipped,
}

pub(crate) fn run(
    store: &mut Store,
    repo: &homer_git::Repository,
    model: &Model<'_>,
    kind: EncoderKind,
    progress: &dyn Progress,
) -> Result<EmbedOutcome, UpdateError> {
    let model_id = kind.model_id();
    // Nothing changed since the last update counted the index for this
    // model: that update's embed stage pruned already, and what is
    // missing is counted. An update with nothing to do reads no chunk.
    if let Some(kept) = StoredCounts::kept(store, model_id)? {
        let missing = kept.texts_to_embed.saturating_sub(kept.texts_embedded);
        if missing == 0 || !matches!(model, Model::Files(_)) {
            return Ok(idle(model, missing));
        }
    }
    let tx = store.begin_write()?;
    if tx.prune_embeddings(model_id)? > 0 {
        next_revision(&tx)?;
    }
    // The texts are read only when they will be embedded: counting them
    // reads the index alone, so a `--no-embed` update stays cheap.
    let (pending, missing, coverage) = match model {
        Model::Files(_) => {
            let pending = tx.pending_embeddings(model_id)?;
            let n = pending.len() as u64;
            (pending, n, None)
        }
        Model::Missing | Model::Skipped => {
            let (texts, embedded) = tx.embedding_coverage(model_id)?;
            (Vec::new(), texts - embedded, Some((texts, embedded)))
        }
    };
    tx.commit()?;
    let files = match model {
        Model::Files(files) if missing > 0 => *files,
        _ => {
            return Ok(EmbedOutcome {
                coverage,
                ..idle(model, missing)
            });
        }
    };
    let mut outcome = EmbedOutcome {
        missing,
        ..EmbedOutcome::default()
    };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut embedder = match Encoder::load(kind, files, threads) {
        Ok(embedder) => embedder,
        Err(e) => {
            outcome.off = Some(format!("semantic search is off: {e}"));
            return Ok(outcome);
        }
    };
    progress.start("embedding", Some(pending.len() as u64));
    let mut chunk_texts = ChunkTexts::new(repo);
    for group in pending.chunks(commit_every(kind)) {
        // The group's texts first: quoting reads the store, which the
        // transaction holds.
        let group_texts: Vec<String> = group
            .iter()
            .map(|item| text_of(store, &mut chunk_texts, item))
            .collect::<Result<_, _>>()?;
        let tx = store.begin_write()?;
        for (batch, texts) in group.chunks(BATCH).zip(group_texts.chunks(BATCH)) {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let vectors = embedder
                .embed(&refs)
                .map_err(|e| UpdateError::Embed(e.to_string()))?;
            for (item, vector) in batch.iter().zip(&vectors) {
                tx.put_embedding(item.embed_hash, model_id, vector)?;
                outcome.log.push(item.node.clone());
            }
            progress.advance(batch.len() as u64);
        }
        next_revision(&tx)?;
        tx.commit()?;
        outcome.embedded += group.len() as u64;
        outcome.missing -= group.len() as u64;
    }
    progress.finish();
    outcome.log.sort();
    Ok(outcome)
}

/// The outcome when nothing is embedded: `missing` texts stay without a
/// vector, and a note says why when there are any.
fn idle(model: &Model<'_>, missing: u64) -> EmbedOutcome {
    let off = match model {
        _ if missing == 0 => None,
        Model::Files(_) => None,
        Model::Missing => Some(format!(
            "semantic search is off: the embedding model is not installed ({missing} chunks without vectors); run `homer model fetch`, then `homer update`"
        )),
        Model::Skipped => Some(format!(
            "semantic search is off for {missing} chunks not embedded (--no-embed); `homer update` embeds them"
        )),
    };
    EmbedOutcome {
        missing,
        off,
        ..EmbedOutcome::default()
    }
}

/// Moves the index's revision: vectors are part of what a reader may keep
/// per revision (`homer serve` keeps them in memory).
fn next_revision(tx: &WriteTx<'_>) -> Result<(), UpdateError> {
    let name = Checkpoint::Revision.name();
    let last = homer_vocab::parse_revision(tx.checkpoint(&name)?.as_deref())?;
    tx.set_checkpoint(&name, &(last + 1).to_string())?;
    Ok(())
}

/// The text a pending embedding stands for: a chunk with an embed hash
/// always embeds something, and the lines it quotes are its file's at the
/// commit the code stage just indexed, or the store is damaged.
fn text_of(
    store: &Store,
    texts: &mut ChunkTexts<'_>,
    item: &PendingEmbedding,
) -> Result<String, UpdateError> {
    let corrupt = |message: &str| UpdateError::Corrupt {
        what: format!("the chunk of '{}'", item.node),
        message: message.to_owned(),
    };
    let path = item
        .node_kind
        .and_then(|kind| file_of(kind, &item.node))
        .unwrap_or_default();
    let stored = StoredText {
        path,
        title: &item.title,
        body: &item.body,
        file_lines: item.file_lines,
        lines: item.lines,
        text_hash: item.text_hash,
    };
    let body = texts
        .whole(store, &stored)?
        .ok_or_else(|| corrupt("its lines are not its file's at the indexed commit"))?;
    embedded_text(item.embed, &item.title, &body)
        .ok_or_else(|| corrupt("it waits for a vector but embeds no text"))
}
