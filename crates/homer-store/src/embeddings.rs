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
    pub body: String,
    /// The name of the node the chunk is about (for the log).
    pub node: String,
}

/// Chunk texts without a vector for `model`, one per text (its first
/// chunk by id), in hash order.
pub(crate) fn pending(conn: &Connection, model: &str) -> Result<Vec<PendingEmbedding>> {
    conn.prepare(
        "SELECT c.embed_hash, c.embed_kind, c.title, c.body, COALESCE(n.name, '')
         FROM chunks c LEFT JOIN nodes n ON n.id = c.node
         WHERE c.id IN (
             SELECT min(id) FROM chunks
             WHERE embed_hash IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM embeddings e
                               WHERE e.text_hash = chunks.embed_hash AND e.model = ?1)
             GROUP BY embed_hash)
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
            })
        })?
        .collect()
    })
    .map_err(StoreError::sqlite("read chunks to embed"))
}

/// How many distinct texts `pending` would return, from the index on
/// `embed_hash` alone: no chunk text is read.
pub(crate) fn pending_count(conn: &Connection, model: &str) -> Result<u64> {
    conn.query_row(
        "SELECT count(DISTINCT embed_hash) FROM chunks
         WHERE embed_hash IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM embeddings e
                           WHERE e.text_hash = chunks.embed_hash AND e.model = ?1)",
        [model],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| u64::try_from(n).unwrap_or(0))
    .map_err(StoreError::sqlite("count chunks to embed"))
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
             ORDER BY c.id LIMIT 1",
        )
        .and_then(|mut s| {
            s.query_row(params![model, kind.code(), name, dim as i64], |r| r.get(0))
                .optional()
        })
        .map_err(StoreError::sqlite("read a vector"))?;
    Ok(blob.and_then(|b| {
        let mut out = Vec::with_capacity(dim);
        decode_into(&b, dim, &mut out).then_some(out)
    }))
}

/// Every vector of `model` with the hash of its text, read straight from
/// the table (no join: one pass over its pages).
pub(crate) fn text_vectors(
    conn: &Connection,
    model: &str,
    dim: usize,
) -> Result<(Vec<i64>, Vec<f32>)> {
    let mut stmt = conn
        .prepare_cached("SELECT text_hash, vector FROM embeddings WHERE model = ?1 AND dim = ?2")
        .map_err(StoreError::sqlite("read embeddings"))?;
    let mut rows = stmt
        .query(params![model, dim as i64])
        .map_err(StoreError::sqlite("read embeddings"))?;
    let mut hashes = Vec::new();
    let mut flat = Vec::new();
    while let Some(row) = rows.next().map_err(StoreError::sqlite("read embeddings"))? {
        let blob = row
            .get_ref(1)
            .and_then(|v| Ok(v.as_blob()?))
            .map_err(StoreError::sqlite("read embeddings"))?;
        if !decode_into(blob, dim, &mut flat) {
            continue;
        }
        hashes.push(row.get(0).map_err(StoreError::sqlite("read embeddings"))?);
    }
    Ok((hashes, flat))
}

/// The chunks that embed the text with this hash: (chunk id, the name of
/// the node it describes), by id.
pub(crate) fn chunks_with_text(
    conn: &Connection,
    text_hash: i64,
) -> Result<Vec<(i64, Option<String>)>> {
    conn.prepare_cached(
        "SELECT c.id, n.name FROM chunks c LEFT JOIN nodes n ON n.id = c.node
         WHERE c.embed_hash = ?1 ORDER BY c.id",
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

/// Appends a stored vector's `dim` numbers to `out`: the quantized form
/// `put` writes, or the plain little-endian f32 of indexes written before
/// it. False (and nothing appended) for a blob of neither length.
fn decode_into(blob: &[u8], dim: usize, out: &mut Vec<f32>) -> bool {
    if blob.len() == 4 + dim {
        let scale = f32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]);
        if !scale.is_finite() {
            return false;
        }
        out.extend(blob[4..].iter().map(|&b| f32::from(b as i8) * scale));
        true
    } else if blob.len() == dim * 4 {
        out.extend(
            blob.chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_within_half_a_step_and_old_blobs_still_read() {
        let vector: Vec<f32> = (0..256).map(|i| ((i as f32) * 0.37).sin() / 16.0).collect();
        let blob = quantize(&vector);
        assert_eq!(blob.len(), 4 + 256);
        let mut back = Vec::new();
        assert!(decode_into(&blob, 256, &mut back));
        let step = vector.iter().fold(0.0f32, |m, v| m.max(v.abs())) / 127.0;
        for (a, b) in vector.iter().zip(&back) {
            assert!((a - b).abs() <= step / 2.0 + 1e-7, "{a} vs {b}");
        }
        let old: Vec<u8> = vector.iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut plain = Vec::new();
        assert!(decode_into(&old, 256, &mut plain));
        assert_eq!(plain, vector);
        let mut none = Vec::new();
        assert!(!decode_into(&blob[..100], 256, &mut none));
        assert!(none.is_empty());
        // The zero vector stays zero.
        let mut zero = Vec::new();
        assert!(decode_into(&quantize(&[0.0; 8]), 8, &mut zero));
        assert_eq!(zero, vec![0.0; 8]);
    }
}
