//! The embedding table: vectors keyed by the hash of the embedded text and
//! the model, filled after the stages that write chunks, read whole by
//! search.

use rusqlite::OptionalExtension;
use rusqlite::{Connection, params};

use crate::{Embed, Result, StoreError};

/// A chunk text that has no vector yet for a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingEmbedding {
    pub embed_hash: i64,
    pub embed: Embed,
    pub title: String,
    /// The stored body, as `StoredChunk::body` (lines of the file may
    /// follow it).
    pub body: String,
    pub file_lines: bool,
    pub lines: Option<(u32, u32)>,
    pub text_hash: i64,
    /// The name of the node the chunk is about (for the log, and its file).
    pub node: String,
    pub node_kind: Option<crate::NodeKind>,
}

/// Chunk texts without a vector for `model`, one per text (its first
/// chunk by key), in hash order.
pub(crate) fn pending(conn: &Connection, model: &str) -> Result<Vec<PendingEmbedding>> {
    conn.prepare(
        "SELECT c.embed_hash, c.embed_kind, c.title, c.body, COALESCE(n.name, ''),
                c.file_lines, c.start_line, c.end_line, c.text_hash, n.kind
         FROM chunks c LEFT JOIN nodes n ON n.id = c.node
         WHERE c.id IN (
             SELECT id FROM (SELECT id, min(key) FROM chunks
             WHERE embed_hash IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM embeddings e
                               WHERE e.text_hash = chunks.embed_hash AND e.model = ?1)
             GROUP BY embed_hash))
         ORDER BY c.embed_hash",
    )
    .and_then(|mut s| {
        s.query_map([model], |r| {
            Ok(PendingEmbedding {
                embed_hash: r.get(0)?,
                embed: Embed::from_code(r.get(1)?),
                title: r.get(2)?,
                body: r.get::<_, crate::packed::Unpacked>(3)?.0,
                node: r.get(4)?,
                file_lines: r.get(5)?,
                lines: r.get::<_, Option<u32>>(6)?.zip(r.get::<_, Option<u32>>(7)?),
                text_hash: r.get(8)?,
                node_kind: r
                    .get::<_, Option<i64>>(9)?
                    .and_then(crate::NodeKind::from_code),
            })
        })?
        .collect()
    })
    .map_err(StoreError::sqlite("read chunks to embed"))
}

/// Stores one vector, quantized: its scale (little-endian f32), then one
/// signed byte per number (value = byte × scale). A quarter of the f32
/// bytes, so that a 256- or 384-number vector fits in its table row
/// instead of spilling to an overflow page, and reading every vector for
/// a query costs a quarter as much; the error per number is at most half
/// a step (the largest number / 254), far below what moves a ranking.
pub(crate) fn put(conn: &Connection, embed_hash: i64, model: &str, vector: &[f32]) -> Result<()> {
    let blob = quantize(vector);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO embeddings (text_hash, model, dim, vector) VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut s| s.execute(params![embed_hash, model, vector.len() as i64, blob]))
    .map(|_| ())
    .map_err(StoreError::sqlite("write an embedding"))
}

/// Deletes vectors of other models and of texts no chunk has any more;
/// returns how many went.
pub(crate) fn prune(conn: &Connection, model: &str) -> Result<usize> {
    conn.execute(
        "DELETE FROM embeddings WHERE model <> ?1
            OR text_hash NOT IN (SELECT embed_hash FROM chunks WHERE embed_hash IS NOT NULL)",
        [model],
    )
    .map_err(StoreError::sqlite("prune embeddings"))
}

/// The model of the stored vectors (one row read: see `prune`).
pub(crate) fn model(conn: &Connection) -> Result<Option<String>> {
    conn.prepare_cached("SELECT model FROM embeddings LIMIT 1")
        .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
        .map_err(StoreError::sqlite("read the embedding model"))
}

/// How many chunk texts there are to embed, and how many have a vector
/// for `model`.
pub(crate) fn coverage(conn: &Connection, model: &str) -> Result<(u64, u64)> {
    conn.query_row(
        "SELECT count(DISTINCT c.embed_hash),
                count(DISTINCT e.text_hash)
         FROM chunks c LEFT JOIN embeddings e ON e.text_hash = c.embed_hash AND e.model = ?1
         WHERE c.embed_hash IS NOT NULL",
        [model],
        |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
    )
    .map_err(StoreError::sqlite("count embeddings"))
}

/// The vector of the first embedded chunk of a node, if any.
pub(crate) fn vector_of(
    conn: &Connection,
    model: &str,
    dim: usize,
    kind: crate::NodeKind,
    name: &str,
) -> Result<Option<Vec<f32>>> {
    let blob: Option<Vec<u8>> = conn
        .prepare_cached(
            "SELECT e.vector FROM nodes n
             JOIN chunks c ON c.node = n.id
             JOIN embeddings e ON e.text_hash = c.embed_hash AND e.model = ?1
             WHERE n.kind = ?2 AND n.name = ?3 AND e.dim = ?4
             ORDER BY c.key LIMIT 1",
        )
        .and_then(|mut s| {
            s.query_row(params![model, kind.code(), name, dim as i64], |r| r.get(0))
                .optional()
        })
        .map_err(StoreError::sqlite("read a vector"))?;
    Ok(blob.and_then(|b| decode(&b, dim)))
}

/// Every vector of one model as stored: int8 numbers with one scale each
/// (a vector is `scale × numbers`), in one array, 1 byte a number where
/// decoding to f32 took 4 (a 40,000-text index: 10 MB, not 41).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredVectors {
    pub dim: usize,
    /// The hash of each vector's text.
    pub keys: Vec<i64>,
    pub scales: Vec<f32>,
    /// `keys.len()` runs of `dim` numbers.
    pub numbers: Vec<i8>,
}

impl StoredVectors {
    /// Each vector: its key, scale and numbers.
    pub fn iter(&self) -> impl Iterator<Item = (i64, f32, &[i8])> {
        self.keys
            .iter()
            .zip(&self.scales)
            .zip(self.numbers.chunks_exact(self.dim.max(1)))
            .map(|((&key, &scale), numbers)| (key, scale, numbers))
    }

    /// The `i`-th vector decoded.
    #[must_use]
    pub fn decoded(&self, i: usize) -> Vec<f32> {
        let numbers = &self.numbers[i * self.dim..(i + 1) * self.dim];
        numbers
            .iter()
            .map(|&n| f32::from(n) * self.scales[i])
            .collect()
    }
}

/// Every vector of `model` and `dim`, keyed by the hash of its text.
pub(crate) fn text_vectors(conn: &Connection, model: &str, dim: usize) -> Result<StoredVectors> {
    let mut stmt = conn
        .prepare_cached("SELECT text_hash, vector FROM embeddings WHERE model = ?1 AND dim = ?2")
        .map_err(StoreError::sqlite("read embeddings"))?;
    let mut rows = stmt
        .query(params![model, dim as i64])
        .map_err(StoreError::sqlite("read embeddings"))?;
    let mut out = StoredVectors {
        dim,
        ..StoredVectors::default()
    };
    while let Some(row) = rows.next().map_err(StoreError::sqlite("read embeddings"))? {
        let blob = row
            .get_ref(1)
            .and_then(|v| Ok(v.as_blob()?))
            .map_err(StoreError::sqlite("read embeddings"))?;
        let Some(scale) = stored_into(blob, dim, &mut out.numbers) else {
            continue;
        };
        out.scales.push(scale);
        out.keys
            .push(row.get(0).map_err(StoreError::sqlite("read embeddings"))?);
    }
    Ok(out)
}

/// The chunks that embed the text with this hash: (chunk id, the name of
/// the node it describes), by key.
pub(crate) fn chunks_with_text(
    conn: &Connection,
    text_hash: i64,
) -> Result<Vec<(i64, Option<String>)>> {
    conn.prepare_cached(
        "SELECT c.id, n.name FROM chunks c LEFT JOIN nodes n ON n.id = c.node
         WHERE c.embed_hash = ?1 ORDER BY c.key",
    )
    .and_then(|mut s| {
        s.query_map([text_hash], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
    })
    .map_err(StoreError::sqlite("read the chunks of a text"))
}

/// A vector as `put` stores it.
fn quantize(vector: &[f32]) -> Vec<u8> {
    let largest = vector.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
    let mut blob = Vec::with_capacity(4 + vector.len());
    blob.extend_from_slice(&scale.to_le_bytes());
    // Rounded and clamped to the int8 range first: the cast is exact.
    #[allow(clippy::cast_possible_truncation)]
    blob.extend(
        vector
            .iter()
            .map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8 as u8),
    );
    blob
}

/// Appends a stored vector's `dim` int8 numbers to `out` and returns its
/// scale: the quantized form `put` writes as it is, the plain
/// little-endian f32 of indexes written before it quantized as `put`
/// would. `None` (and nothing appended) for a blob of neither length.
fn stored_into(blob: &[u8], dim: usize, out: &mut Vec<i8>) -> Option<f32> {
    if blob.len() == 4 + dim {
        let scale = f32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]);
        if !scale.is_finite() {
            return None;
        }
        out.extend(blob[4..].iter().map(|&b| b as i8));
        Some(scale)
    } else if blob.len() == dim * 4 {
        let vector: Vec<f32> = blob
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        stored_into(&quantize(&vector), dim, out)
    } else {
        None
    }
}

/// A stored vector's numbers, as [`StoredVectors::decoded`] gives them.
fn decode(blob: &[u8], dim: usize) -> Option<Vec<f32>> {
    let mut numbers = Vec::with_capacity(dim);
    let scale = stored_into(blob, dim, &mut numbers)?;
    Some(numbers.iter().map(|&n| f32::from(n) * scale).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_within_half_a_step_and_old_blobs_still_read() {
        let vector: Vec<f32> = (0..256).map(|i| ((i as f32) * 0.37).sin() / 16.0).collect();
        let blob = quantize(&vector);
        assert_eq!(blob.len(), 4 + 256);
        let back = decode(&blob, 256).expect("a quantized blob");
        let step = vector.iter().fold(0.0f32, |m, v| m.max(v.abs())) / 127.0;
        for (a, b) in vector.iter().zip(&back) {
            assert!((a - b).abs() <= step / 2.0 + 1e-7, "{a} vs {b}");
        }
        // An f32 blob of an older index reads as its quantized form.
        let old: Vec<u8> = vector.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(decode(&old, 256), Some(back));
        let mut none = Vec::new();
        assert_eq!(stored_into(&blob[..100], 256, &mut none), None);
        assert!(none.is_empty());
        // The zero vector stays zero.
        assert_eq!(decode(&quantize(&[0.0; 8]), 8), Some(vec![0.0; 8]));
    }
}
