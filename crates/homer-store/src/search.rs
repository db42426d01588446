//! The read queries of search: the text index, and chunks by id.

use rusqlite::{Connection, OptionalExtension, params};

use crate::{NodeKind, Result, StoreError};

/// A chunk with the node it is about.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredChunk {
    pub id: i64,
    /// What identifies the chunk whatever id it was given (its owner, node
    /// and text, hashed): the order of chunks that tie.
    pub key: i64,
    pub node_kind: Option<NodeKind>,
    pub node: Option<String>,
    /// A commit message's chunk: the commit's id (its owner's key).
    pub commit: Option<String>,
    /// The node's attributes (a symbol's kind, signature...).
    pub node_attrs: Option<String>,
    pub title: String,
    /// The stored body: the whole text, or, when `file_lines`, what comes
    /// before the lines `lines` of the chunk's file, which a reader quotes
    /// from the file's blob (`homer_vocab::quote::ChunkTexts`).
    pub body: String,
    pub file_lines: bool,
    pub lines: Option<(u32, u32)>,
    /// The hash of the whole text (title, body, words).
    pub text_hash: i64,
}

/// Which chunks a text search ranks: commit messages have negative ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Searched {
    Code,
    CodeAndCommits,
    Commits,
}

pub(crate) fn text(
    conn: &Connection,
    query: &str,
    weights: [f64; 3],
    limit: usize,
    searched: Searched,
) -> Result<Vec<(i64, f64)>> {
    // bm25() is lower for better matches; the score returned is its
    // negation, higher better.
    // Commit messages' chunks have negative ids (`Chunk::message`): the
    // index skips them rather than ranking them and a join dropping them.
    let sql = format!(
        "SELECT t.rowid, -bm25(chunk_text, ?2, ?3, ?4) AS score
         FROM chunk_text t
         WHERE chunk_text MATCH ?1 {}",
        match searched {
            Searched::Code => "AND t.rowid >= 0",
            Searched::CodeAndCommits => "",
            Searched::Commits => "AND t.rowid < 0",
        }
    );
    // Every match with its score, in one pass: chunks of equal score (the
    // same text in two places) are ordered by key, not by id (ids follow
    // the order chunks were written, which an index built step by step
    // and one built at once do not share), so every chunk tied with the
    // last one kept must be seen. A generated repository ties thousands.
    let mut found: Vec<(i64, f64)> = conn
        .prepare_cached(&sql)
        .and_then(|mut s| {
            s.query_map(params![query, weights[0], weights[1], weights[2]], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect()
        })
        .map_err(StoreError::sqlite("search the text index"))?;
    let by_score = |a: &(i64, f64), b: &(i64, f64)| b.1.total_cmp(&a.1);
    if limit < found.len() {
        found.select_nth_unstable_by(limit, by_score);
        // The first `limit` are the best; whatever ties the worst of them
        // is kept too, to be ordered by key.
        let cut = found[..limit]
            .iter()
            .map(|x| x.1)
            .min_by(f64::total_cmp)
            .unwrap_or(f64::INFINITY);
        let (mut kept, rest): (Vec<_>, Vec<_>) = found.into_iter().partition(|x| x.1 > cut);
        kept.extend(rest.into_iter().filter(|x| x.1.total_cmp(&cut).is_eq()));
        found = kept;
    }
    let mut keyed: Vec<(f64, i64, i64)> = Vec::with_capacity(found.len());
    for (id, score) in found {
        keyed.push((score, chunk_key(conn, id)?, id));
    }
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    keyed.truncate(limit);
    Ok(keyed
        .into_iter()
        .map(|(score, _, id)| (id, score))
        .collect())
}

/// The key of chunk `id` (what identifies it whatever its id).
fn chunk_key(conn: &Connection, id: i64) -> Result<i64> {
    conn.prepare_cached("SELECT key FROM chunks WHERE id = ?1")
        .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
        .map(|key| key.unwrap_or(id))
        .map_err(StoreError::sqlite("read a chunk's key"))
}

pub(crate) fn chunks(conn: &Connection, ids: &[i64]) -> Result<Vec<StoredChunk>> {
    let mut out = Vec::with_capacity(ids.len());
    let mut stmt = conn
        .prepare_cached(
            "SELECT c.id, n.kind, n.name, n.attrs, c.title, c.body, c.start_line, c.end_line,
                    c.key, t.key, c.file_lines, c.text_hash
             FROM chunks c LEFT JOIN nodes n ON n.id = c.node
                  LEFT JOIN tasks t ON c.id < 0 AND t.id = c.owner
             WHERE c.id = ?1",
        )
        .map_err(StoreError::sqlite("read chunks"))?;
    for id in ids {
        let row = stmt
            .query_row([id], |r| {
                let kind: Option<i64> = r.get(1)?;
                let (start, end): (Option<i64>, Option<i64>) = (r.get(6)?, r.get(7)?);
                Ok(StoredChunk {
                    id: r.get(0)?,
                    key: r.get(8)?,
                    node_kind: kind.and_then(NodeKind::from_code),
                    node: r.get(2)?,
                    commit: r.get(9)?,
                    node_attrs: r.get(3)?,
                    title: r.get(4)?,
                    body: r.get::<_, crate::packed::Unpacked>(5)?.0,
                    file_lines: r.get(10)?,
                    lines: start.zip(end).map(|(s, e)| {
                        (u32::try_from(s).unwrap_or(0), u32::try_from(e).unwrap_or(0))
                    }),
                    text_hash: r.get(11)?,
                })
            })
            .optional()
            .map_err(StoreError::sqlite("read chunks"))?;
        out.extend(row);
    }
    Ok(out)
}

/// The text index's tokenizer, as `schema/0006_compact_text.sql` declares
/// it (a test holds the two together).
macro_rules! tokenize {
    () => {
        "porter unicode61 remove_diacritics 2 tokenchars '_'"
    };
}

#[cfg(test)]
pub(crate) const TOKENIZE: &str = tokenize!();

/// FTS5's snippet of `body` around the matches of `query`, as the index
/// would give it. The index keeps no text, so the chunk's text (title,
/// body, identifier words) replaces the one row of a table in this
/// connection's temporary schema with the same tokenizer, and the snippet
/// comes from there. `None` when the row does not match. Every statement
/// is prepared once per connection (a search asks for ten snippets).
pub(crate) fn snippet(
    conn: &Connection,
    query: &str,
    [title, body, words]: [&str; 3],
) -> Result<Option<String>> {
    conn.prepare_cached(concat!(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.snippet_text USING fts5 (
             title, body, words, tokenize = \"",
        tokenize!(),
        "\")"
    ))
    .and_then(|mut s| s.execute([]))
    .and_then(|_| {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO temp.snippet_text (rowid, title, body, words)
             VALUES (1, ?1, ?2, ?3)",
        )?
        .execute(params![title, body, words])
    })
    .and_then(|_| {
        conn.prepare_cached(
            "SELECT snippet(snippet_text, 1, '', '', ' … ', 12) FROM temp.snippet_text
             WHERE snippet_text MATCH ?1",
        )?
        .query_row([query], |r| r.get(0))
        .optional()
    })
    .map_err(StoreError::sqlite("read a snippet"))
}

/// A current node's content hash (a file's blob id at HEAD).
pub(crate) fn content_hash(
    conn: &Connection,
    kind: NodeKind,
    name: &str,
) -> Result<Option<Vec<u8>>> {
    conn.prepare_cached("SELECT content_hash FROM nodes WHERE id = ?1 AND owner IS NOT NULL")
        .and_then(|mut s| {
            s.query_row([crate::NodeId::of(kind, name).raw()], |r| r.get(0))
                .optional()
        })
        .map(Option::flatten)
        .map_err(StoreError::sqlite("read a node"))
}
