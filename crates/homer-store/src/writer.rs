//! Writing a task's output rows: the new rows are upserted, the rows the task
//! owned before and no longer produces are removed, and the output hash is
//! computed from exactly what was written.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};

use crate::{
    EdgeId, EdgeKind, Fingerprint, NodeId, NodeKind, Result, Role, StoreError, TaskId, WriteTx,
};

/// A per-node value (a metric, a class name).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Real(f64),
    Text(String),
    /// Bytes: several figures of a node packed into one row.
    Bytes(Vec<u8>),
}

impl Value {
    /// The text, for a text value.
    #[must_use]
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The integer, for an integer value.
    #[must_use]
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Value::Int(v) => v.to_sql(),
            Value::Real(v) => v.to_sql(),
            Value::Text(v) => v.to_sql(),
            Value::Bytes(v) => v.to_sql(),
        }
    }
}

/// A search chunk: text about a node, for the FTS5 index (and later
/// embeddings).
#[derive(Clone, Copy, Debug)]
pub struct Chunk<'a> {
    pub node: Option<NodeId>,
    pub title: &'a str,
    pub body: &'a str,
    /// Indexed but not shown: identifier parts, path words.
    pub words: &'a str,
    /// First and last line in the node's file, when the chunk has a span.
    pub lines: Option<(u32, u32)>,
    /// When `body` ends with `lines` of the node's file as a reader quotes
    /// them again from the file's blob (`homer_vocab::quote`): the bytes
    /// before them, all that is stored.
    pub lead: Option<usize>,
    /// What of the chunk gets a vector.
    pub embed: Embed,
    /// A commit message. Searched only when asked for (`homer search
    /// --commits`): its id is negative and every other chunk's is not, so
    /// a search of the code ranks only `rowid >= 0` in the text index
    /// instead of every matching message of the history.
    pub message: bool,
}

/// What text of a chunk is embedded (stored as `embed_kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Embed {
    Nothing = 0,
    /// The body alone (a file's content: the path is not part of it, so a
    /// renamed file needs no new vector).
    Body = 1,
    /// The title, a newline, and the body (a definition's qualified name
    /// with its code).
    TitleAndBody = 2,
}

impl Embed {
    /// The stored code's meaning.
    #[must_use]
    pub fn from_code(code: i64) -> Embed {
        match code {
            1 => Embed::Body,
            2 => Embed::TitleAndBody,
            _ => Embed::Nothing,
        }
    }
}

impl Chunk<'_> {
    /// The text a vector is made of, when there is one.
    #[must_use]
    pub fn embedded_text(&self) -> Option<String> {
        embedded_text(self.embed, self.title, self.body)
    }
}

/// The text embedded for a chunk with this title and body.
#[must_use]
pub fn embedded_text(embed: Embed, title: &str, body: &str) -> Option<String> {
    match embed {
        Embed::Nothing => None,
        Embed::Body => Some(body.to_owned()),
        Embed::TitleAndBody => Some(format!("{title}\n{body}")),
    }
}

/// The hash of a chunk's text (its `text_hash`): title, body and the
/// identifier words the text index holds for it.
#[must_use]
pub fn chunk_text_hash(title: &str, body: &str, words: &str) -> i64 {
    Fingerprint::new().str(title).str(body).str(words).finish() as i64
}

/// The key of an embedded text.
#[must_use]
pub fn embed_hash(text: &str) -> i64 {
    Fingerprint::new().str("embed").str(text).finish() as i64
}

/// A member of a hyperedge: a node, the part it plays, and optional
/// attributes (JSON) that belong to this membership only.
#[derive(Clone, Copy, Debug)]
pub struct Member<'a> {
    pub node: NodeId,
    pub role: Role,
    pub attrs: Option<&'a str>,
}

impl Member<'_> {
    #[must_use]
    pub fn new(node: NodeId, role: Role) -> Self {
        Member {
            node,
            role,
            attrs: None,
        }
    }
}

/// A chunk a task stored before, as its writer compares it.
#[derive(Clone, Copy, Debug)]
struct OldChunk {
    id: i64,
    text_hash: i64,
    embed_hash: Option<i64>,
    lines: (Option<u32>, Option<u32>),
    file_lines: bool,
}

/// Writes the output rows of one task execution. Create it with
/// [`WriteTx::task_writer`], write every row the task produces, then call
/// [`TaskWriter::finish`].
pub struct TaskWriter<'t> {
    tx: &'t WriteTx<'t>,
    owner: TaskId,
    fresh: bool,
    /// Hash only, write nothing: to check that a reused task would write
    /// what it wrote before.
    dry: bool,
    claimed: HashSet<NodeId>,
    written_edges: HashSet<EdgeId>,
    /// Chunks written, by key; the count per node and text numbers a node's
    /// chunks of one text (a commit message's: per node).
    written_chunks: HashSet<i64>,
    chunks_per_node: std::collections::HashMap<(Option<NodeId>, i64), u32>,
    /// Chunks the task owned before this execution, by key; loaded on the
    /// first chunk written.
    old_chunks: Option<std::collections::HashMap<i64, OldChunk>>,
    /// Edges the task owned before this execution; loaded on first use.
    old_edges: Option<HashSet<EdgeId>>,
    /// The values a task that ran before wrote, as (name code, node,
    /// value) in the order written: compared with those it stored when it
    /// finishes.
    written_values: Vec<(i64, i64, Value)>,
    /// Value names (codes) whose marks this execution stored.
    written_marks: HashSet<i64>,
    /// New values not inserted yet, by (name code, node): the table's own
    /// order, in which [`TaskWriter::insert_new_values`] writes them.
    new_values: std::collections::BTreeMap<(i64, i64), Value>,
    /// Where the values this execution wrote sit (schema 0016).
    value_set: ValueSet,
    /// The task's row of `value_sets` before this execution.
    old_value_set: OldSet,
    hash: Fingerprint,
}

impl std::fmt::Debug for TaskWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskWriter")
            .field("owner", &self.owner)
            .field("fresh", &self.fresh)
            .finish_non_exhaustive()
    }
}

impl<'t> TaskWriter<'t> {
    pub(crate) fn new(tx: &'t WriteTx<'t>, owner: TaskId, fresh: bool, dry: bool) -> Self {
        TaskWriter {
            tx,
            owner,
            fresh,
            dry,
            claimed: HashSet::new(),
            written_edges: HashSet::new(),
            written_chunks: HashSet::new(),
            chunks_per_node: std::collections::HashMap::new(),
            old_chunks: fresh.then(std::collections::HashMap::new),
            old_edges: fresh.then(HashSet::new),
            written_values: Vec::new(),
            written_marks: HashSet::new(),
            new_values: std::collections::BTreeMap::new(),
            value_set: ValueSet::default(),
            old_value_set: if fresh {
                OldSet::Absent
            } else {
                OldSet::Unread
            },
            hash: Fingerprint::new(),
        }
    }

    #[must_use]
    pub fn owner(&self) -> TaskId {
        self.owner
    }

    /// Asserts that a node exists, owned by this task, with this content
    /// hash and attributes. A node claimed by another task is an error: every
    /// node has one owner.
    pub fn claim_node(
        &mut self,
        kind: NodeKind,
        name: &str,
        content_hash: Option<&[u8]>,
        attrs: Option<&str>,
    ) -> Result<NodeId> {
        let id = NodeId::of(kind, name);
        if !self.claimed.insert(id) {
            return Err(StoreError::Duplicate {
                what: "node",
                detail: format!("{} '{name}'", kind.name()),
            });
        }
        self.hash.push_u64(1);
        self.hash.push_u64(u64::from(kind.code()));
        self.hash.push_bytes(name.as_bytes());
        self.hash.push_opt_bytes(content_hash);
        self.hash.push_opt_bytes(attrs.map(str::as_bytes));
        if self.dry {
            return Ok(id);
        }
        let (raw, code, owner) = (id.raw(), kind.code(), self.owner.raw());
        let row = params![raw, code, name, content_hash, owner, attrs];
        // A task that never ran claims new nodes: a plain insert, which
        // needs no RETURNING (SQLite collects returned rows in a table of
        // their own). A node that is there already takes the upsert below.
        if self.fresh {
            let inserted = self
                .tx
                .conn()
                .prepare_cached(
                    "INSERT OR IGNORE INTO nodes (id, kind, name, content_hash, owner, attrs)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .and_then(|mut s| s.execute(row))
                .map_err(StoreError::sqlite("write a node"))?;
            if inserted == 1 {
                self.tx.known_nodes.borrow_mut().insert(id);
                return Ok(id);
            }
        }
        let existing: Option<(i64, String)> = self
            .tx
            .conn()
            .prepare_cached(
                "INSERT INTO nodes (id, kind, name, content_hash, owner, attrs)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET
                     content_hash = excluded.content_hash, owner = excluded.owner,
                     attrs = excluded.attrs
                 WHERE nodes.owner IS NULL OR nodes.owner = excluded.owner
                 RETURNING kind, name",
            )
            .and_then(|mut s| s.query_row(row, |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(StoreError::sqlite("write a node"))?;
        match existing {
            None => Err(StoreError::DoubleClaim {
                kind: kind.name(),
                name: name.to_owned(),
            }),
            Some((k, n)) if k != i64::from(kind.code()) || n != name => {
                Err(collision(kind, name, k, n))
            }
            Some(_) => {
                self.tx.known_nodes.borrow_mut().insert(id);
                Ok(id)
            }
        }
    }

    /// Refers to a shared node (a file, a directory, an author) without
    /// owning it, creating it if it does not exist yet.
    pub fn intern_node(&mut self, kind: NodeKind, name: &str) -> Result<NodeId> {
        let id = NodeId::of(kind, name);
        if self.dry || self.tx.known_nodes.borrow().contains(&id) {
            return Ok(id);
        }
        let conn = self.tx.conn();
        let inserted = conn
            .prepare_cached(
                "INSERT INTO nodes (id, kind, name) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO NOTHING",
            )
            .and_then(|mut s| s.execute(params![id.raw(), kind.code(), name]))
            .map_err(StoreError::sqlite("write a node"))?;
        if inserted == 0 {
            let (k, n): (i64, String) = conn
                .prepare_cached("SELECT kind, name FROM nodes WHERE id = ?1")
                .and_then(|mut s| s.query_row([id.raw()], |row| Ok((row.get(0)?, row.get(1)?))))
                .map_err(StoreError::sqlite("read a node"))?;
            if k != i64::from(kind.code()) || n != name {
                return Err(collision(kind, name, k, n));
            }
        }
        self.tx.known_nodes.borrow_mut().insert(id);
        Ok(id)
    }

    /// Writes a hyperedge. Its id derives from this task, the kind and the
    /// members (with their attributes), so an unchanged edge keeps its row
    /// and a changed one replaces it.
    pub fn edge(
        &mut self,
        kind: EdgeKind,
        members: &[Member<'_>],
        weight: Option<f64>,
        attrs: Option<&str>,
    ) -> Result<EdgeId> {
        self.weighed_edge(kind, members, weight, None, attrs)
    }

    /// Writes a hyperedge that is a guess or a certainty: `confidence` in
    /// 0..=1 (1 is certain), kept in its own column for the graph readers.
    pub fn weighed_edge(
        &mut self,
        kind: EdgeKind,
        members: &[Member<'_>],
        weight: Option<f64>,
        confidence: Option<f64>,
        attrs: Option<&str>,
    ) -> Result<EdgeId> {
        if let Some(m) = members.iter().find(|m| !kind.roles().contains(&m.role)) {
            return Err(StoreError::WrongRole {
                kind: kind.name(),
                role: m.role.name(),
            });
        }
        let mut fp = Fingerprint::new()
            .str("edge")
            .i64(self.owner.raw())
            .u64(u64::from(kind.code()));
        for m in members {
            fp.push_u64(m.node.raw() as u64);
            fp.push_u64(u64::from(m.role.code()));
            fp.push_opt_bytes(m.attrs.map(str::as_bytes));
        }
        // Grouped by owner: one task's edges are neighbours.
        let id = EdgeId::from_raw(crate::ids::grouped(self.owner.raw() as u64, fp.finish()));
        if !self.written_edges.insert(id) {
            return Err(StoreError::Duplicate {
                what: "edge",
                detail: format!("{} with {} members", kind.name(), members.len()),
            });
        }
        self.hash.push_u64(2);
        self.hash.push_u64(id.raw() as u64);
        self.hash.push_u64(weight.map_or(u64::MAX, f64::to_bits));
        self.hash
            .push_u64(confidence.map_or(u64::MAX, f64::to_bits));
        self.hash.push_opt_bytes(attrs.map(str::as_bytes));
        if self.dry {
            return Ok(id);
        }

        let conn = self.tx.conn();
        if self.old_edges()?.contains(&id) {
            conn.prepare_cached(
                "UPDATE edges SET weight = ?2, confidence = ?3, attrs = ?4
                 WHERE id = ?1 AND (weight IS NOT ?2 OR confidence IS NOT ?3 OR attrs IS NOT ?4)",
            )
            .and_then(|mut s| s.execute(params![id.raw(), weight, confidence, attrs]))
            .map_err(StoreError::sqlite("write an edge"))?;
            return Ok(id);
        }
        conn.prepare_cached(
            "INSERT INTO edges (id, kind, owner, weight, confidence, attrs)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut s| {
            s.execute(params![
                id.raw(),
                kind.code(),
                self.owner.raw(),
                weight,
                confidence,
                attrs
            ])
        })
        .map_err(StoreError::sqlite("write an edge"))?;
        let mut stmt = conn
            .prepare_cached(
                "INSERT INTO edge_members (edge, pos, node, role, attrs) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(StoreError::sqlite("write an edge member"))?;
        for (pos, m) in members.iter().enumerate() {
            stmt.execute(params![
                id.raw(),
                pos as i64,
                m.node.raw(),
                m.role.code(),
                m.attrs
            ])
            .map_err(StoreError::sqlite("write an edge member"))?;
        }
        Ok(id)
    }

    /// Writes a per-node value. A value has one owner: the same (node, name)
    /// written by two tasks is an error. A value equal to the one the task
    /// stored before is not written again, so a re-executed analysis whose
    /// results barely moved touches only the rows that did. A task that ran
    /// before has its values compared with those it stored when it
    /// finishes ([`TaskWriter::store_compared_values`]).
    pub fn value(&mut self, node: NodeId, name: &str, value: &Value) -> Result<()> {
        self.hash.push_u64(3);
        self.hash.push_u64(node.raw() as u64);
        self.hash.push_bytes(name.as_bytes());
        match value {
            Value::Int(v) => {
                self.hash.push_u64(0);
                self.hash.push_u64(*v as u64);
            }
            Value::Real(v) => {
                self.hash.push_u64(1);
                self.hash.push_u64(v.to_bits());
            }
            Value::Text(v) => {
                self.hash.push_u64(2);
                self.hash.push_bytes(v.as_bytes());
            }
            Value::Bytes(v) => {
                self.hash.push_u64(4);
                self.hash.push_bytes(v);
            }
        }
        if self.dry {
            return Ok(());
        }
        let code = self.tx.value_code(name)?;
        self.value_set.add(node.raw(), code);
        if !self.fresh {
            self.written_values.push((code, node.raw(), value.clone()));
            return Ok(());
        }
        match self.new_values.entry((code, node.raw())) {
            std::collections::btree_map::Entry::Occupied(_) => {
                return Err(duplicate_value(name, node));
            }
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(value.clone());
            }
        }
        if self.new_values.len() >= Self::NEW_VALUES_HELD {
            self.insert_new_values()?;
        }
        Ok(())
    }

    /// Keeps the texts a commit record names by id (`record_texts`,
    /// schema 17): shared by every record, owned by none. Not hashed: the
    /// record holds their ids.
    pub fn record_texts<'s>(
        &mut self,
        texts: impl IntoIterator<Item = (i64, &'s str)>,
    ) -> Result<()> {
        if self.dry {
            return Ok(());
        }
        self.tx.put_record_texts(texts)
    }

    /// New values held before they are inserted together.
    const NEW_VALUES_HELD: usize = 1 << 18;

    /// Inserts the new values held, in the table's order (name code, then
    /// node). Node ids are hashes, so a task's own order (a graph's nodes,
    /// a file's dozen figures) put each value on a random page of a table
    /// larger than the page cache: at kernel size the graph stage's ranks
    /// took 11.2 s that way and 4.9 s in key order.
    fn insert_new_values(&mut self) -> Result<()> {
        let values = std::mem::take(&mut self.new_values);
        let conn = self.tx.conn();
        let mut insert = conn
            .prepare_cached(
                "INSERT INTO node_values (node, name, value, owner) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(StoreError::sqlite("write a value"))?;
        for ((code, node), value) in values {
            insert
                .execute(params![node, code, value, self.owner.raw()])
                .map_err(|e| self.insert_error(code, node, e))?;
        }
        Ok(())
    }

    /// The error of an insert into `node_values`: a value another task
    /// wrote (a value has one owner) is a duplicate, named.
    fn insert_error(&self, code: i64, node: i64, error: rusqlite::Error) -> StoreError {
        match error {
            rusqlite::Error::SqliteFailure(e, _)
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                self.duplicate_code(code, node)
            }
            source => StoreError::Sqlite {
                what: "write a value",
                source,
            },
        }
    }

    /// A value written twice, by its name code.
    fn duplicate_code(&self, code: i64, node: i64) -> StoreError {
        let name: String = self
            .tx
            .conn()
            .query_row(
                "SELECT name FROM value_names WHERE code = ?1",
                [code],
                |r| r.get(0),
            )
            .unwrap_or_else(|_| format!("value {code}"));
        duplicate_value(&name, NodeId::from_raw(node))
    }

    /// Stores the marks of `values`, which must be every number this task
    /// stores under `name` (schema 0009): a reader then places a number
    /// among them counting at most a thousandth of them. Nothing is hashed:
    /// the marks follow from the values. Marks a name already has from
    /// another task are an error: a name's numbers have one owner.
    pub fn marks(&mut self, name: &str, values: &[f64]) -> Result<()> {
        if self.dry {
            return Ok(());
        }
        let code = self.tx.value_code(name)?;
        self.written_marks.insert(code);
        let marks = crate::marks::Marks::of(values);
        let blob = marks.encode();
        let total = i64::try_from(marks.total()).unwrap_or(i64::MAX);
        let conn = self.tx.conn();
        let stored: Option<(i64, i64, Vec<u8>)> = conn
            .prepare_cached("SELECT owner, total, marks FROM value_marks WHERE name = ?1")
            .and_then(|mut s| {
                let mut rows = s.query([code])?;
                rows.next()?
                    .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .transpose()
            })
            .map_err(StoreError::sqlite("read the marks of a value name"))?;
        match stored {
            Some((owner, _, _)) if owner != self.owner.raw() => Err(StoreError::MarksOwned {
                name: name.to_owned(),
            }),
            Some((_, t, b)) if t == total && b == blob => Ok(()),
            _ => conn
                .prepare_cached(
                    "INSERT INTO value_marks (name, owner, total, marks) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (name) DO UPDATE SET total = excluded.total, marks = excluded.marks",
                )
                .and_then(|mut s| s.execute(params![code, self.owner.raw(), total, blob]))
                .map(|_| ())
                .map_err(StoreError::sqlite("write the marks of a value name")),
        }
    }

    /// The chunks this task stored before, by key.
    fn old_chunks(&mut self) -> Result<&mut std::collections::HashMap<i64, OldChunk>> {
        if self.old_chunks.is_none() {
            let conn = self.tx.conn();
            let old = conn
                .prepare_cached(
                    "SELECT key, id, text_hash, embed_hash, start_line, end_line, file_lines
                     FROM chunks WHERE owner = ?1",
                )
                .and_then(|mut s| {
                    s.query_map([self.owner.raw()], |r| {
                        Ok((
                            r.get(0)?,
                            OldChunk {
                                id: r.get(1)?,
                                text_hash: r.get(2)?,
                                embed_hash: r.get(3)?,
                                lines: (r.get(4)?, r.get(5)?),
                                file_lines: r.get(6)?,
                            },
                        ))
                    })?
                    .collect()
                })
                .map_err(StoreError::sqlite("read a task's chunks"))?;
            self.old_chunks = Some(old);
        }
        Ok(self.old_chunks.get_or_insert_with(Default::default))
    }

    /// Whether the chunk stored before holds this text: then it is left
    /// as it is (most of an edited file's chunks, before their bodies are
    /// deflated for nothing), given its new lines when only they moved
    /// (everything below an edit), its text staying in the text index as
    /// it is.
    fn kept(
        &self,
        old: OldChunk,
        text_hash: i64,
        embed_hash: Option<i64>,
        lines: (Option<u32>, Option<u32>),
        file_lines: bool,
    ) -> Result<bool> {
        if old.text_hash != text_hash
            || old.embed_hash != embed_hash
            || old.file_lines != file_lines
        {
            return Ok(false);
        }
        if old.lines != lines {
            self.tx
                .conn()
                .prepare_cached("UPDATE chunks SET start_line = ?2, end_line = ?3 WHERE id = ?1")
                .and_then(|mut s| s.execute(params![old.id, lines.0, lines.1]))
                .map_err(StoreError::sqlite("move a chunk"))?;
        }
        Ok(true)
    }

    /// Writes a search chunk about `node`. A chunk is known by its node and
    /// its text (a commit message by its owner alone), so an unchanged one
    /// is not touched, a moved one gets its lines, and a changed one is a
    /// new chunk that replaces the old in the text index.
    pub fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        let text_hash = chunk_text_hash(chunk.title, chunk.body, chunk.words);
        // A commit's message is its task's one chunk, known by its place.
        // Every other chunk is known by its text (and which of the node's
        // chunks with that text it is): a file's chunks keep their ids when
        // a chunk is added above them, so an edit rewrites the chunks it
        // changed, not every one after it.
        let identity = Fingerprint::new()
            .str("chunk")
            .i64(self.owner.raw())
            .i64(chunk.node.map_or(0, NodeId::raw));
        let identity = if chunk.message {
            let place = self.chunks_per_node.entry((chunk.node, 0)).or_insert(0);
            *place += 1;
            identity.u64(u64::from(*place - 1))
        } else {
            let seen = self
                .chunks_per_node
                .entry((chunk.node, text_hash))
                .or_insert(0);
            *seen += 1;
            identity.u64(u64::from(*seen - 1)).i64(text_hash)
        };
        // Grouped by owner (one task's chunks are neighbours in key order);
        // the sign says whether it is a commit message's, as its id's does.
        let key = crate::ids::grouped(self.owner.raw() as u64, identity.finish());
        let key = if chunk.message {
            key | i64::MIN
        } else {
            key & i64::MAX
        };
        self.written_chunks.insert(key);
        let embed_hash = chunk.embedded_text().map(|t| embed_hash(&t));
        self.hash.push_u64(5);
        self.hash.push_u64(key as u64);
        self.hash.push_u64(text_hash as u64);
        self.hash.push_u64(embed_hash.map_or(0, |h| h as u64));
        self.hash.push_u64(
            chunk
                .lines
                .map_or(u64::MAX, |(a, b)| u64::from(a) << 32 | u64::from(b)),
        );
        if self.dry {
            return Ok(());
        }
        let (start, end) = chunk
            .lines
            .map_or((None, None), |(a, b)| (Some(a), Some(b)));
        let stored = if self.fresh {
            None
        } else {
            self.old_chunks()?.get(&key).copied()
        };
        // A lead past the body's end, off a character boundary or without
        // lines to follow is the caller's error: the whole body is stored.
        let lead = chunk
            .lead
            .filter(|&n| chunk.lines.is_some() && chunk.body.is_char_boundary(n));
        let stored_body = lead.map_or(chunk.body, |n| &chunk.body[..n]);
        if let Some(old) = stored
            && self.kept(old, text_hash, embed_hash, (start, end), lead.is_some())?
        {
            return Ok(());
        }
        let conn = self.tx.conn();
        let id = match stored {
            Some(old) => old.id,
            None => self.tx.new_chunk_id(chunk.message)?,
        };
        // New or changed: written, and its text queued for the text index
        // (the update trigger queued the removal of the old text).
        conn.prepare_cached(
            "INSERT INTO chunks (id, key, owner, node, title, body, text_hash,
                                 embed_kind, embed_hash, start_line, end_line, file_lines)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (id) DO UPDATE SET
                 title = excluded.title, body = excluded.body,
                 text_hash = excluded.text_hash, embed_kind = excluded.embed_kind,
                 embed_hash = excluded.embed_hash,
                 start_line = excluded.start_line, end_line = excluded.end_line,
                 file_lines = excluded.file_lines",
        )
        .and_then(|mut s| {
            s.execute(params![
                id,
                key,
                self.owner.raw(),
                chunk.node.map(NodeId::raw),
                chunk.title,
                crate::packed::pack(stored_body),
                text_hash,
                chunk.embed as i64,
                embed_hash,
                start,
                end,
                lead.is_some()
            ])
        })
        .map_err(StoreError::sqlite("write a chunk"))?;
        conn.prepare_cached(
            "INSERT INTO chunk_text_pending (op, id, title, body, words)
             VALUES ('insert', ?1, ?2, ?3, ?4)",
        )
        .and_then(|mut s| s.execute(params![id, chunk.title, chunk.body, chunk.words]))
        .map_err(StoreError::sqlite("queue a chunk's text"))?;
        Ok(())
    }

    /// Removes what the task owned before and did not write this time, and
    /// returns the hash of everything written plus `value`.
    pub fn finish(mut self, value: Option<&[u8]>) -> Result<u64> {
        self.insert_new_values()?;
        if !self.fresh && !self.dry {
            // Before the nodes the task no longer owns go, as when each
            // value was compared where it was written: a value on such a
            // node then goes with it (the node's trigger).
            self.store_compared_values()?;
            self.old_edges()?;
            let stale: Vec<i64> = self
                .old_edges
                .iter()
                .flatten()
                .filter(|id| !self.written_edges.contains(id))
                .map(|id| id.raw())
                .collect();
            self.delete_ids(
                "DELETE FROM edges WHERE id = ?1",
                stale,
                "delete a stale edge",
            )?;
            drop_owned_nodes(self.tx, self.owner, &self.claimed)?;
            self.delete_stale_chunks()?;
            self.delete_stale_marks()?;
        }
        if !self.dry {
            self.write_value_set()?;
        }
        self.hash.push_u64(4);
        self.hash.push_opt_bytes(value);
        Ok(self.hash.finish())
    }

    /// Deletes the rows of one table this task owned before and did not
    /// write this time: `owned` selects their keys by owner, `delete`
    /// deletes one by key.
    fn delete_unwritten(
        &self,
        owned: &str,
        delete: &str,
        written: &HashSet<i64>,
        what: &'static str,
    ) -> Result<()> {
        let conn = self.tx.conn();
        let old: Vec<i64> = conn
            .prepare_cached(owned)
            .and_then(|mut s| s.query_map([self.owner.raw()], |row| row.get(0))?.collect())
            .map_err(StoreError::sqlite(what))?;
        let mut stmt = conn
            .prepare_cached(delete)
            .map_err(StoreError::sqlite(what))?;
        for key in old.into_iter().filter(|k| !written.contains(k)) {
            stmt.execute([key]).map_err(StoreError::sqlite(what))?;
        }
        Ok(())
    }

    fn delete_stale_marks(&self) -> Result<()> {
        self.delete_unwritten(
            "SELECT name FROM value_marks WHERE owner = ?1",
            "DELETE FROM value_marks WHERE name = ?1",
            &self.written_marks,
            "delete stale marks",
        )
    }

    fn delete_stale_chunks(&mut self) -> Result<()> {
        self.old_chunks()?;
        let stale: Vec<i64> = self
            .old_chunks
            .iter()
            .flatten()
            .filter(|(key, _)| !self.written_chunks.contains(key))
            .map(|(_, old)| old.id)
            .collect();
        self.delete_ids(
            "DELETE FROM chunks WHERE id = ?1",
            stale,
            "delete stale chunks",
        )
    }

    /// Deletes the rows `delete` deletes by id, in id order (the sets they
    /// come from have no order of their own).
    fn delete_ids(&self, delete: &str, mut ids: Vec<i64>, what: &'static str) -> Result<()> {
        ids.sort_unstable();
        let mut stmt = self
            .tx
            .conn()
            .prepare_cached(delete)
            .map_err(StoreError::sqlite(what))?;
        for id in ids {
            stmt.execute([id]).map_err(StoreError::sqlite(what))?;
        }
        Ok(())
    }

    /// The task's row of `value_sets`: where the values it stored before
    /// sit. Read once.
    fn old_value_set(&mut self) -> Result<Option<&ValueSet>> {
        if self.old_value_set == OldSet::Unread {
            let row: Option<(Option<i64>, String)> = self
                .tx
                .conn()
                .prepare_cached("SELECT node, names FROM value_sets WHERE owner = ?1")
                .and_then(|mut s| {
                    let mut rows = s.query([self.owner.raw()])?;
                    rows.next()?.map(|r| Ok((r.get(0)?, r.get(1)?))).transpose()
                })
                .map_err(StoreError::sqlite("read where a task's values are"))?;
            let set = row
                .map(|(node, names)| {
                    ValueSet::stored(node, &names).ok_or_else(|| StoreError::Corrupt {
                        what: "a task's value names",
                        detail: format!("{:?}: '{names}' is not a list of name codes", self.owner),
                    })
                })
                .transpose()?;
            self.old_value_set = set.map_or(OldSet::Absent, OldSet::Stored);
        }
        Ok(match &self.old_value_set {
            OldSet::Stored(set) => Some(set),
            OldSet::Unread | OldSet::Absent => None,
        })
    }

    /// The values this task stored before under the name `code`, by
    /// node, found through its row of `value_sets`: on one node by key; on
    /// many, in the name's run of the table, skipping another task's
    /// values of the name.
    fn read_old_values(&self, set: &ValueSet, code: i64) -> Result<Vec<(i64, Value)>> {
        let what = "read a task's values";
        let (sql, which) = match set.node {
            Spot::One(node) => (
                "SELECT node, value FROM node_values WHERE name = ?1 AND node = ?2",
                node,
            ),
            // In node order: the table's key is (name, node), so SQLite
            // walks the name's run and sorts nothing.
            Spot::Many | Spot::None => (
                "SELECT node, value FROM node_values WHERE name = ?1 AND +owner = ?2
                 ORDER BY node",
                self.owner.raw(),
            ),
        };
        let mut stmt = self
            .tx
            .conn()
            .prepare_cached(sql)
            .map_err(StoreError::sqlite(what))?;
        let mut rows = stmt
            .query(params![code, which])
            .map_err(StoreError::sqlite(what))?;
        let mut values = Vec::new();
        while let Some(row) = rows.next().map_err(StoreError::sqlite(what))? {
            let node: i64 = row.get(0).map_err(StoreError::sqlite(what))?;
            let value = crate::read::value_at(row, 1).map_err(StoreError::sqlite(what))?;
            values.push((node, value));
        }
        Ok(values)
    }

    /// Stores the values a task that ran before wrote: name by name, in
    /// the table's order, each compared with what the task stored under
    /// the name before. An equal value is left alone, a changed one
    /// updated, a new one inserted, and one the task did not write again
    /// deleted; when it wrote none, its row of `value_sets` goes and the
    /// values with it (the triggers of schema 0016). Comparing two sorted
    /// runs, rather than looking each value up among all the old ones,
    /// keeps a graph's re-executed analysis (four values of every file and
    /// symbol) from hashing millions of keys at kernel size.
    fn store_compared_values(&mut self) -> Result<()> {
        let mut written = std::mem::take(&mut self.written_values);
        let old_set = self.old_value_set()?.cloned();
        if written.is_empty() {
            if old_set.is_some() {
                self.tx
                    .conn()
                    .prepare_cached("DELETE FROM value_sets WHERE owner = ?1")
                    .and_then(|mut s| s.execute([self.owner.raw()]))
                    .map_err(StoreError::sqlite("delete stale values"))?;
                self.old_value_set = OldSet::Absent;
            }
            return Ok(());
        }
        written.sort_unstable_by_key(|&(code, node, _)| (code, node));
        if let Some(pair) = written
            .windows(2)
            .find(|p| (p[0].0, p[0].1) == (p[1].0, p[1].1))
        {
            return Err(self.duplicate_code(pair[0].0, pair[0].1));
        }
        let old_names = old_set.as_ref().map(|s| &s.names);
        let names: std::collections::BTreeSet<i64> = self
            .value_set
            .names
            .iter()
            .chain(old_names.into_iter().flatten())
            .copied()
            .collect();
        let conn = self.tx.conn();
        let what = "write a value";
        let mut update = conn
            .prepare_cached("UPDATE node_values SET value = ?3 WHERE node = ?1 AND name = ?2")
            .map_err(StoreError::sqlite(what))?;
        let mut insert = conn
            .prepare_cached(
                "INSERT INTO node_values (node, name, value, owner) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(StoreError::sqlite(what))?;
        let mut delete = conn
            .prepare_cached("DELETE FROM node_values WHERE node = ?1 AND name = ?2")
            .map_err(StoreError::sqlite("delete a stale value"))?;
        let mut rest = written.as_slice();
        for code in names {
            // `names` holds every written code, both ascending: the runs
            // of `written` come in this order.
            let run = rest.iter().take_while(|w| w.0 == code).count();
            let (new, after) = rest.split_at(run);
            rest = after;
            let old = match &old_set {
                Some(set) if set.names.contains(&code) => self.read_old_values(set, code)?,
                _ => Vec::new(),
            };
            let (mut i, mut j) = (0, 0);
            loop {
                // Both runs ascend by node: a node only written is new,
                // one only stored is stale.
                let order = match (new.get(i), old.get(j)) {
                    (None, None) => break,
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (Some(n), Some(o)) => n.1.cmp(&o.0),
                };
                match order {
                    std::cmp::Ordering::Equal => {
                        let ((_, node, value), (_, stored)) = (&new[i], &old[j]);
                        if !same_value(value, stored) {
                            update
                                .execute(params![node, code, value])
                                .map_err(StoreError::sqlite(what))?;
                        }
                        i += 1;
                        j += 1;
                    }
                    std::cmp::Ordering::Less => {
                        let (_, node, value) = &new[i];
                        insert
                            .execute(params![node, code, value, self.owner.raw()])
                            .map_err(|e| self.insert_error(code, *node, e))?;
                        i += 1;
                    }
                    std::cmp::Ordering::Greater => {
                        delete
                            .execute(params![old[j].0, code])
                            .map_err(StoreError::sqlite("delete a stale value"))?;
                        j += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Writes where this execution's values sit, when that is not what
    /// the task's row says already.
    fn write_value_set(&mut self) -> Result<()> {
        if self.value_set.names.is_empty() {
            // `delete_stale_values` deleted the row, if there was one; a
            // fresh task that wrote no value has none.
            return Ok(());
        }
        self.old_value_set()?;
        if matches!(&self.old_value_set, OldSet::Stored(old) if *old == self.value_set) {
            return Ok(());
        }
        let node = match self.value_set.node {
            Spot::One(node) => Some(node),
            Spot::Many | Spot::None => None,
        };
        self.tx
            .conn()
            .prepare_cached(
                "INSERT INTO value_sets (owner, node, names) VALUES (?1, ?2, ?3)
                 ON CONFLICT (owner) DO UPDATE SET node = excluded.node, names = excluded.names",
            )
            .and_then(|mut s| {
                s.execute(params![self.owner.raw(), node, self.value_set.names_text()])
            })
            .map_err(StoreError::sqlite("write where a task's values are"))?;
        Ok(())
    }

    fn old_edges(&mut self) -> Result<&HashSet<EdgeId>> {
        if self.old_edges.is_none() {
            let ids = self
                .tx
                .conn()
                .prepare_cached("SELECT id FROM edges WHERE owner = ?1")
                .and_then(|mut s| {
                    s.query_map([self.owner.raw()], |row| row.get(0).map(EdgeId::from_raw))?
                        .collect::<rusqlite::Result<HashSet<_>>>()
                })
                .map_err(StoreError::sqlite("read a task's edges"))?;
            self.old_edges = Some(ids);
        }
        Ok(self.old_edges.get_or_insert_with(HashSet::new))
    }
}

/// Where a task's values sit: the names (codes) it stored, and the node
/// they all sit on, if one (a row of `value_sets`, schema 0016).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ValueSet {
    node: Spot,
    names: std::collections::BTreeSet<i64>,
}

/// A task's row of `value_sets` before this execution.
#[derive(Clone, Debug, PartialEq, Eq)]
enum OldSet {
    Unread,
    Absent,
    Stored(ValueSet),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Spot {
    #[default]
    None,
    One(i64),
    Many,
}

impl ValueSet {
    fn add(&mut self, node: i64, name: i64) {
        self.node = match self.node {
            Spot::None => Spot::One(node),
            Spot::One(n) if n == node => Spot::One(n),
            Spot::One(_) | Spot::Many => Spot::Many,
        };
        self.names.insert(name);
    }

    /// The row's names as stored: a JSON array of codes, ascending.
    fn names_text(&self) -> String {
        let codes: Vec<String> = self.names.iter().map(i64::to_string).collect();
        format!("[{}]", codes.join(","))
    }

    /// A stored row; `None` when its names are not such an array.
    fn stored(node: Option<i64>, names: &str) -> Option<ValueSet> {
        let inner = names.strip_prefix('[')?.strip_suffix(']')?;
        let names = inner
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| c.trim().parse().ok())
            .collect::<Option<_>>()?;
        Some(ValueSet {
            node: node.map_or(Spot::Many, Spot::One),
            names,
        })
    }
}

/// A value written twice: by one task, or by a second one.
fn duplicate_value(name: &str, node: NodeId) -> StoreError {
    StoreError::Duplicate {
        what: "value",
        detail: format!("{name} of {node:?}"),
    }
}

/// Equal values, reals compared by their bits (what is stored).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Real(x), Value::Real(y)) => x.to_bits() == y.to_bits(),
        (Value::Text(x), Value::Text(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        _ => false,
    }
}

fn collision(kind: NodeKind, name: &str, other_kind: i64, other_name: String) -> StoreError {
    StoreError::IdCollision {
        kind: kind.name(),
        name: name.to_owned(),
        other_kind: NodeKind::from_code(other_kind)
            .map_or_else(|| other_kind.to_string(), |k| k.name().to_owned()),
        other_name,
    }
}

/// Removes the claim of `owner` on every node it owns except those in
/// `keep`: a shared node is released (it lives on while edges reference
/// it), any other node is deleted, and with it every edge it belongs to.
pub(crate) fn drop_owned_nodes(
    tx: &WriteTx<'_>,
    owner: TaskId,
    keep: &HashSet<NodeId>,
) -> Result<()> {
    let conn = tx.conn();
    let claims: Vec<(NodeId, i64)> = conn
        .prepare_cached("SELECT id, kind FROM nodes WHERE owner = ?1")
        .and_then(|mut s| {
            s.query_map([owner.raw()], |row| {
                Ok((NodeId::from_raw(row.get(0)?), row.get(1)?))
            })?
            .collect()
        })
        .map_err(StoreError::sqlite("read a task's nodes"))?;
    let mut deleted_any = false;
    for (id, code) in claims {
        if keep.contains(&id) {
            continue;
        }
        let kind = NodeKind::from_code(code).ok_or(StoreError::UnknownCode {
            column: "nodes.kind",
            code,
        })?;
        if kind.is_shared() {
            conn.prepare_cached(
                "UPDATE nodes SET owner = NULL, content_hash = NULL, attrs = NULL WHERE id = ?1",
            )
            .and_then(|mut s| s.execute([id.raw()]))
            .and_then(|_| {
                conn.prepare_cached("INSERT OR IGNORE INTO orphan_candidates (node) VALUES (?1)")?
                    .execute([id.raw()])
            })
            .map_err(StoreError::sqlite("release a node"))?;
        } else {
            conn.prepare_cached("DELETE FROM nodes WHERE id = ?1")
                .and_then(|mut s| s.execute([id.raw()]))
                .map_err(StoreError::sqlite("delete a node"))?;
            deleted_any = true;
        }
    }
    if deleted_any {
        tx.known_nodes.borrow_mut().clear();
    }
    Ok(())
}
