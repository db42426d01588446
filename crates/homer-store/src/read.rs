//! Read-side summaries of what is stored.

use rusqlite::{Connection, OptionalExtension, params};

use crate::{EdgeKind, Fingerprint, NodeKind, Result, Role, StoreError};

/// The code of a value name given as SQL parameter `$param` (`"?1"`):
/// `node_values.name` holds codes into `value_names`, and SQLite
/// evaluates this once per statement and uses it in the indexes like a
/// constant.
macro_rules! code_of {
    ($param:literal) => {
        concat!("(SELECT code FROM value_names WHERE name = ", $param, ")")
    };
}

/// How many rows of one kind are stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindCount {
    pub kind: String,
    pub count: u64,
}

/// Counts of what is stored, every list sorted by kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Nodes by kind, counting only owned nodes: what exists now (a file
    /// deleted at HEAD but kept for history is not counted here).
    pub current_nodes: Vec<KindCount>,
    /// Nodes kept only because history or another edge references them.
    pub historical_nodes: Vec<KindCount>,
    pub edges: Vec<KindCount>,
    pub tasks: Vec<KindCount>,
    pub chunks: u64,
    pub embeddings: u64,
}

/// Runs a `SELECT kind, count ...` and names each kind.
fn counts<K: rusqlite::types::FromSql>(
    conn: &Connection,
    sql: &str,
    name: impl Fn(K) -> String,
) -> Result<Vec<KindCount>> {
    let mut out: Vec<KindCount> = conn
        .prepare(sql)
        .and_then(|mut s| {
            s.query_map([], |row| {
                Ok(KindCount {
                    kind: name(row.get(0)?),
                    count: row.get::<_, i64>(1)? as u64,
                })
            })?
            .collect()
        })
        .map_err(StoreError::sqlite("count stored rows"))?;
    out.sort_by(|a, b| a.kind.cmp(&b.kind));
    Ok(out)
}

fn node_kind_name(code: i64) -> String {
    NodeKind::from_code(code).map_or_else(|| format!("kind {code}"), |k| k.name().to_owned())
}

fn scalar(conn: &Connection, sql: &str) -> Result<u64> {
    conn.query_row(sql, [], |row| row.get::<_, i64>(0))
        .map(|v| v as u64)
        .map_err(StoreError::sqlite("count stored rows"))
}

/// How many nodes have each value of the value `name` (a text value:
/// files by language, by skip reason...), sorted by value.
pub(crate) fn value_counts(conn: &Connection, name: &str) -> Result<Vec<KindCount>> {
    let mut out: Vec<KindCount> = conn
        .prepare_cached(concat!(
            "SELECT value, count(*) FROM node_values WHERE name = ",
            code_of!("?1"),
            " GROUP BY value"
        ))
        .and_then(|mut s| {
            s.query_map([name], |row| {
                Ok(KindCount {
                    kind: match crate::read::value_at(row, 0)? {
                        crate::Value::Text(t) => t,
                        crate::Value::Int(i) => i.to_string(),
                        crate::Value::Real(r) => r.to_string(),
                        crate::Value::Bytes(b) => format!("{} bytes", b.len()),
                    },
                    count: row.get::<_, i64>(1)? as u64,
                })
            })?
            .collect()
        })
        .map_err(StoreError::sqlite("count stored values"))?;
    out.sort_by(|a, b| a.kind.cmp(&b.kind));
    Ok(out)
}

/// The sum over all nodes of each of the integer values `names`, for the
/// names that some node has.
pub(crate) fn value_sums(conn: &Connection, names: &[&str]) -> Result<Vec<KindCount>> {
    let mut out = Vec::new();
    let mut stmt = conn
        .prepare_cached(concat!(
            "SELECT sum(value) FROM node_values WHERE name = ",
            code_of!("?1")
        ))
        .map_err(StoreError::sqlite("sum stored values"))?;
    for name in names {
        let sum: Option<i64> = stmt
            .query_row([name], |row| row.get(0))
            .map_err(StoreError::sqlite("sum stored values"))?;
        if let Some(sum) = sum {
            out.push(KindCount {
                kind: (*name).to_owned(),
                count: sum as u64,
            });
        }
    }
    out.sort_by(|a, b| a.kind.cmp(&b.kind));
    Ok(out)
}

pub(crate) fn summary(conn: &Connection) -> Result<Summary> {
    // The counts the triggers of schema 0008 keep: counting the rows read
    // every node, edge and task.
    let mut current_nodes = Vec::new();
    let mut historical_nodes = Vec::new();
    conn.prepare_cached("SELECT kind, owned, n FROM node_counts WHERE n > 0")
        .and_then(|mut s| {
            let rows = s.query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, bool>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            })?;
            for row in rows {
                let (kind, owned, count) = row?;
                let count = KindCount {
                    kind: node_kind_name(kind),
                    count: count as u64,
                };
                if owned {
                    current_nodes.push(count);
                } else {
                    historical_nodes.push(count);
                }
            }
            Ok(())
        })
        .map_err(StoreError::sqlite("count stored rows"))?;
    current_nodes.sort_by(|a, b| a.kind.cmp(&b.kind));
    historical_nodes.sort_by(|a, b| a.kind.cmp(&b.kind));
    Ok(Summary {
        current_nodes,
        historical_nodes,
        edges: counts(
            conn,
            "SELECT kind, n FROM edge_counts WHERE n > 0",
            |code: i64| {
                EdgeKind::from_code(code)
                    .map_or_else(|| format!("kind {code}"), |k| k.name().to_owned())
            },
        )?,
        tasks: counts(
            conn,
            "SELECT kind, n FROM task_counts WHERE n > 0",
            |k: String| k,
        )?,
        chunks: scalar(conn, "SELECT count(*) FROM chunks")?,
        embeddings: scalar(conn, "SELECT count(*) FROM embeddings")?,
    })
}

/// What [`dump`] includes.
#[derive(Clone, Copy, Debug, Default)]
pub struct DumpOptions {
    /// Include each task's revision and the `revision` checkpoint. They count
    /// updates, so an incremental build and a fresh one differ there and
    /// nowhere else; leave them out to compare the two.
    pub revisions: bool,
}

/// Every stored fact as sorted text lines, with names in place of ids: two
/// databases hold the same facts exactly when their dumps are equal.
pub(crate) fn dump(conn: &Connection, options: DumpOptions) -> Result<String> {
    let mut lines = Lines {
        conn,
        lines: Vec::new(),
    };
    dump_nodes(&mut lines)?;
    dump_edges(&mut lines)?;
    dump_values(&mut lines)?;
    dump_marks(&mut lines)?;
    dump_tasks(&mut lines, options)?;
    dump_chunks(&mut lines)?;
    dump_checkpoints(&mut lines, options)?;
    lines.collect("SELECT id, text FROM record_texts", |r| {
        Ok(Some(format!(
            "record text {:016x} {:?}",
            r.get::<_, i64>(0)?,
            text(r, 1)?
        )))
    })?;
    let mut all = lines.lines;
    all.sort_unstable();
    let mut out = all.join("\n");
    out.push('\n');
    Ok(out)
}

/// Collects one text line per row of dump queries.
struct Lines<'c> {
    conn: &'c Connection,
    lines: Vec<String>,
}

impl Lines<'_> {
    fn collect(
        &mut self,
        query: &str,
        f: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<Option<String>>,
    ) -> Result<()> {
        let sql = StoreError::sqlite("dump the database");
        let mut stmt = self.conn.prepare(query).map_err(sql)?;
        let rows = stmt
            .query_map([], |row| f(row))
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
            .map_err(StoreError::sqlite("dump the database"))?;
        self.lines.extend(rows.into_iter().flatten());
        Ok(())
    }
}

/// The text index keeps no text (it is contentless): what it holds for
/// each chunk is told by the terms it lists for the chunk's id, with their
/// column and place, hashed, beside the chunk's owner and title (or `-`
/// for an id no chunk has).
fn dump_text_index(lines: &mut Lines<'_>) -> Result<()> {
    let sql = || StoreError::sqlite("dump the text index");
    lines
        .conn
        .execute_batch(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunk_text_terms
                 USING fts5vocab(main, chunk_text, instance)",
        )
        .map_err(sql())?;
    let chunks: std::collections::HashMap<i64, String> = lines
        .conn
        .prepare(&format!(
            "SELECT x.id, {OWNER} || ' ' || x.title FROM chunks x"
        ))
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .map_err(sql())?;
    // Read in the vocabulary's own order (by term) and sorted per chunk
    // here: an ORDER BY over every term instance was most of the dump.
    let mut docs: std::collections::HashMap<i64, Vec<(String, i64, String)>> =
        std::collections::HashMap::new();
    let mut stmt = lines
        .conn
        .prepare("SELECT doc, term, col, offset FROM temp.chunk_text_terms")
        .map_err(sql())?;
    let mut rows = stmt.query([]).map_err(sql())?;
    while let Some(r) = rows.next().map_err(sql())? {
        let read = || -> rusqlite::Result<(i64, String, String, i64)> {
            Ok((r.get(0)?, text(r, 1)?, text(r, 2)?, r.get(3)?))
        };
        let (doc, term, col, offset) = read().map_err(sql())?;
        docs.entry(doc).or_default().push((col, offset, term));
    }
    for (doc, mut terms) in docs {
        terms.sort_unstable();
        let mut hash = Fingerprint::new();
        for (col, offset, term) in &terms {
            hash.push_bytes(col.as_bytes());
            hash.push_u64(*offset as u64);
            hash.push_bytes(term.as_bytes());
        }
        let chunk = chunks.get(&doc).map_or("-", String::as_str);
        lines
            .lines
            .push(format!("text chunk={chunk:?} terms={:016x}", hash.finish()));
    }
    // What BM25 divides by: the documents counted, each column's tokens.
    let totals = crate::text_totals::totals(lines.conn)?;
    lines.lines.push(format!("text totals={totals:?}"));
    Ok(())
}

/// SQL naming the owner of row `x` as `kind(key)`, or `-`.
const OWNER: &str = "COALESCE((SELECT k.name || '(' || t.key || ')'
               FROM tasks t JOIN task_kinds k ON k.code = t.kind WHERE t.id = x.owner), '-')";

fn text(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<String> {
    row.get(i)
}

fn any(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<String> {
    row.get::<_, rusqlite::types::Value>(i)
        .map(|v| format!("{v:?}"))
}

fn dump_nodes(lines: &mut Lines<'_>) -> Result<()> {
    lines.collect(
        &format!(
            "SELECT k.name, x.name, COALESCE(hex(x.content_hash), '-'), {OWNER}, COALESCE(x.attrs, '-')
             FROM nodes x JOIN node_kinds k ON k.code = x.kind"
        ),
        |r| {
            Ok(Some(format!(
                "node {} {:?} hash={} owner={} attrs={}",
                text(r, 0)?,
                text(r, 1)?,
                text(r, 2)?,
                text(r, 3)?,
                text(r, 4)?
            )))
        },
    )
}

fn dump_edges(lines: &mut Lines<'_>) -> Result<()> {
    lines.collect(
        &format!(
            "SELECT k.name, {OWNER}, x.weight, COALESCE(x.attrs, '-'), x.confidence,
                    (SELECT group_concat(m, ' ') FROM (
                        SELECT r.name || ':' || nk.name || ':' || quote(n.name)
                               || COALESCE(':' || em.attrs, '') AS m
                        FROM edge_members em
                        JOIN nodes n ON n.id = em.node
                        JOIN node_kinds nk ON nk.code = n.kind
                        JOIN roles r ON r.code = em.role
                        WHERE em.edge = x.id ORDER BY em.pos))
             FROM edges x JOIN edge_kinds k ON k.code = x.kind"
        ),
        |r| {
            Ok(Some(format!(
                "edge {} owner={} weight={} confidence={} attrs={} [{}]",
                text(r, 0)?,
                text(r, 1)?,
                any(r, 2)?,
                any(r, 4)?,
                text(r, 3)?,
                // An edge whose members were all deleted lists none.
                r.get::<_, Option<String>>(5)?.unwrap_or_default()
            )))
        },
    )
}

fn dump_values(lines: &mut Lines<'_>) -> Result<()> {
    lines.collect(
        &format!(
            "SELECT nk.name, n.name, vn.name, quote(x.value), {OWNER}
             FROM node_values x JOIN nodes n ON n.id = x.node JOIN node_kinds nk ON nk.code = n.kind
             JOIN value_names vn ON vn.code = x.name"
        ),
        |r| {
            Ok(Some(format!(
                "value {}:{:?} {}={} owner={}",
                text(r, 0)?,
                text(r, 1)?,
                text(r, 2)?,
                text(r, 3)?,
                text(r, 4)?
            )))
        },
    )
}

fn dump_marks(lines: &mut Lines<'_>) -> Result<()> {
    lines.collect(
        &format!(
            "SELECT vn.name, x.total, hex(x.marks), {OWNER}
             FROM value_marks x JOIN value_names vn ON vn.code = x.name"
        ),
        |r| {
            Ok(Some(format!(
                "marks {} total={} {} owner={}",
                text(r, 0)?,
                r.get::<_, i64>(1)?,
                text(r, 2)?,
                text(r, 3)?
            )))
        },
    )
}

fn dump_tasks(lines: &mut Lines<'_>, options: DumpOptions) -> Result<()> {
    lines.collect(
        concat!(
            "SELECT k.name, t.key, t.input_hash, t.output_hash, t.revision, COALESCE(hex(",
            crate::stored_value!(),
            "), '-') FROM tasks t JOIN task_kinds k ON k.code = t.kind"
        ),
        |r| {
            let revision = if options.revisions {
                format!(" rev={}", r.get::<_, i64>(4)?)
            } else {
                String::new()
            };
            Ok(Some(format!(
                "task {}({}) in={:016x} out={:016x}{revision} value={}",
                text(r, 0)?,
                text(r, 1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                text(r, 5)?
            )))
        },
    )
}

fn dump_chunks(lines: &mut Lines<'_>) -> Result<()> {
    lines.collect(
        &format!(
            "SELECT {OWNER}, COALESCE((SELECT n.name FROM nodes n WHERE n.id = x.node), '-'),
                    x.title, x.text_hash, x.start_line, x.end_line, x.body,
                    x.embed_kind, x.embed_hash, x.file_lines
             FROM chunks x"
        ),
        |r| {
            Ok(Some(format!(
                "chunk owner={} node={:?} title={:?} hash={:016x} lines={}-{}{} body={:?} embed={}:{}",
                text(r, 0)?,
                text(r, 1)?,
                text(r, 2)?,
                r.get::<_, i64>(3)?,
                any(r, 4)?,
                any(r, 5)?,
                if r.get::<_, bool>(9)? { " of the file" } else { "" },
                r.get::<_, crate::packed::Unpacked>(6)?.0,
                any(r, 7)?,
                any(r, 8)?
            )))
        },
    )?;
    dump_text_index(lines)?;
    // Which texts have a vector, not the vectors' bits: those depend on
    // the runtime's arithmetic, not on Homer.
    lines.collect("SELECT text_hash, model, dim FROM embeddings", |r| {
        Ok(Some(format!(
            "embedding text={:016x} model={} dim={}",
            r.get::<_, i64>(0)?,
            text(r, 1)?,
            any(r, 2)?
        )))
    })
}

fn dump_checkpoints(lines: &mut Lines<'_>, options: DumpOptions) -> Result<()> {
    lines.collect("SELECT name, value FROM checkpoints", |r| {
        let name = text(r, 0)?;
        // The kept counts name the revision they were counted at.
        if (name == "revision" || name == "counts") && !options.revisions {
            return Ok(None);
        }
        Ok(Some(format!("checkpoint {name}={}", text(r, 1)?)))
    })
}

/// A member of a stored hyperedge.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMember {
    pub kind: NodeKind,
    pub name: String,
    pub role: Role,
    pub attrs: Option<String>,
}

/// A stored hyperedge with its members in order.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEdge {
    pub id: i64,
    /// The key of the task that derived it.
    pub owner: String,
    pub weight: Option<f64>,
    /// How sure the edge is (0..=1), for edges that can be guesses.
    pub confidence: Option<f64>,
    pub attrs: Option<String>,
    pub members: Vec<StoredMember>,
}

impl StoredEdge {
    /// The first member in `role`.
    #[must_use]
    pub fn member(&self, role: Role) -> Option<&StoredMember> {
        self.members.iter().find(|m| m.role == role)
    }

    /// The name of the first member in `role`.
    #[must_use]
    pub fn member_name(&self, role: Role) -> Option<&str> {
        self.member(role).map(|m| m.name.as_str())
    }
}

/// Every edge of `kind`, ordered by id (stable across builds).
/// The row per edge member that `EdgeRow::read` reads, for edges of kind
/// `?1`; callers add conditions and the order.
const EDGE_ROWS: &str = "SELECT e.id, t.key, e.weight, e.attrs, n.kind, n.name, m.role, m.attrs,
            e.confidence
     FROM edges e
     JOIN tasks t ON t.id = e.owner
     JOIN edge_members m ON m.edge = e.id
     JOIN nodes n ON n.id = m.node
     WHERE e.kind = ?1";

pub(crate) fn edges(conn: &Connection, kind: EdgeKind) -> Result<Vec<StoredEdge>> {
    let rows: Vec<EdgeRow> = conn
        .prepare(&format!("{EDGE_ROWS} ORDER BY e.id, m.pos"))
        .and_then(|mut s| s.query_map([kind.code()], EdgeRow::read)?.collect())
        .map_err(StoreError::sqlite("read edges"))?;
    group_edges(rows)
}

/// One edge with a source and a target, as a graph algorithm reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct PairEdge {
    pub source: (NodeKind, String),
    pub target: (NodeKind, String),
    pub weight: Option<f64>,
    /// How sure the edge is, for edges that can be guesses.
    pub confidence: Option<f64>,
}

/// Every edge of `kind` as (first source, first target, weight,
/// confidence), in edge order; edges without a source or a target are
/// left out. Members are read by id and named afterwards, a kind at a
/// time (`node_names`): joining the wide nodes table once per member took
/// twice as long as the whole read does now.
pub(crate) fn pair_edges(conn: &Connection, kind: EdgeKind) -> Result<Vec<PairEdge>> {
    /// Edge id, source, target, weight, confidence.
    type Row = (i64, i64, i64, Option<f64>, Option<f64>);
    let mut stmt = conn
        .prepare_cached(
            "SELECT e.id, sm.node, tm.node, e.weight, e.confidence
             FROM edges e
             JOIN edge_members sm ON sm.edge = e.id AND sm.role = ?2
             JOIN edge_members tm ON tm.edge = e.id AND tm.role = ?3
             WHERE e.kind = ?1
             ORDER BY e.id, sm.pos, tm.pos",
        )
        .map_err(StoreError::sqlite("read edges"))?;
    let rows = stmt
        .query_map(
            params![kind.code(), Role::Source.code(), Role::Target.code()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .and_then(Iterator::collect::<rusqlite::Result<Vec<Row>>>)
        .map_err(StoreError::sqlite("read edges"))?;
    let mut edges: Vec<Row> = Vec::with_capacity(rows.len());
    for row in rows {
        // The first source and target of each edge.
        if edges.last().is_none_or(|last| last.0 != row.0) {
            edges.push(row);
        }
    }
    let names = node_names(conn, edges.iter().flat_map(|e| [e.1, e.2]))?;
    Ok(edges
        .into_iter()
        .filter_map(|(_, source, target, weight, confidence)| {
            Some(PairEdge {
                source: names.get(&source)?.clone(),
                target: names.get(&target)?.clone(),
                weight,
                confidence,
            })
        })
        .collect())
}

/// The kind and name of each node of `ids` that exists, read a kind at a
/// time through the (kind, name) index (which holds the id too) until
/// every id is named; files and symbols first.
fn node_names(
    conn: &Connection,
    ids: impl IntoIterator<Item = i64>,
) -> Result<rustc_hash::FxHashMap<i64, (NodeKind, String)>> {
    // Node ids are hashes already: Fx, not SipHash (a call graph's every
    // edge end is looked up here).
    let mut wanted: rustc_hash::FxHashSet<i64> = ids.into_iter().collect();
    let mut out =
        rustc_hash::FxHashMap::with_capacity_and_hasher(wanted.len(), rustc_hash::FxBuildHasher);
    let mut order = NodeKind::ALL.to_vec();
    order.sort_by_key(|k| match k {
        NodeKind::File => 0,
        NodeKind::Symbol => 1,
        NodeKind::Directory => 2,
    });
    let mut stmt = conn
        .prepare_cached("SELECT id, name FROM nodes WHERE kind = ?1")
        .map_err(StoreError::sqlite("read node names"))?;
    for kind in order {
        if wanted.is_empty() {
            break;
        }
        let mut rows = stmt
            .query([kind.code()])
            .map_err(StoreError::sqlite("read node names"))?;
        while let Some(row) = rows.next().map_err(StoreError::sqlite("read node names"))? {
            let id: i64 = row.get(0).map_err(StoreError::sqlite("read node names"))?;
            if wanted.remove(&id) {
                let name = row.get(1).map_err(StoreError::sqlite("read node names"))?;
                out.insert(id, (kind, name));
            }
        }
    }
    Ok(out)
}

/// The edges of `kind` that have the node `kind`/`name` as a member (in
/// any role), ordered by id, each with all its members. Reads through the
/// index on members' nodes: no scan of the kind's edges.
pub(crate) fn edges_of(
    conn: &Connection,
    kind: EdgeKind,
    node_kind: NodeKind,
    name: &str,
) -> Result<Vec<StoredEdge>> {
    // Only the memberships in the roles this kind gives: a file is in one
    // commit edge per commit that touched it, which a read of its imports
    // need not visit.
    let rows: Vec<EdgeRow> = conn
        .prepare_cached(&format!(
            "{EDGE_ROWS} AND e.id IN (
                 SELECT xm.edge FROM nodes x JOIN edge_members xm ON xm.node = x.id
                 WHERE x.kind = ?2 AND x.name = ?3 AND xm.role IN {})
             ORDER BY e.id, m.pos",
            kind.role_codes()
        ))
        .and_then(|mut s| {
            s.query_map(params![kind.code(), node_kind.code(), name], EdgeRow::read)?
                .collect()
        })
        .map_err(StoreError::sqlite("read a node's edges"))?;
    group_edges(rows)
}

pub(crate) fn members_with_value(
    conn: &Connection,
    kind: EdgeKind,
    node_kind: NodeKind,
    name: &str,
    role: Role,
    value: &str,
) -> Result<Vec<(String, Option<crate::Value>)>> {
    conn.prepare_cached(&format!(
        concat!(
            "SELECT n.name, v.value {}
         LEFT JOIN node_values v ON v.node = n.id AND v.name = ",
            code_of!("?5"),
            "
         WHERE x.kind = ?2 AND x.name = ?3
         ORDER BY n.name"
        ),
        members_from(kind)
    ))
    .and_then(|mut s| {
        s.query_map(
            params![kind.code(), node_kind.code(), name, role.code(), value],
            |row| {
                let value = match row.get_ref(1)? {
                    rusqlite::types::ValueRef::Null => None,
                    _ => Some(value_at(row, 1)?),
                };
                Ok((row.get(0)?, value))
            },
        )?
        .collect()
    })
    .map_err(StoreError::sqlite("read members and a value of theirs"))
}

/// The joins from a node `x` (kind ?2, name ?3) through its `kind` (?1)
/// edges, by the roles that kind gives, to their members `n` in role ?4.
fn members_from(kind: EdgeKind) -> String {
    format!(
        "FROM nodes x
         JOIN edge_members xm ON xm.node = x.id AND xm.role IN {}
         JOIN edges e ON e.id = xm.edge AND e.kind = ?1
         JOIN edge_members m ON m.edge = e.id AND m.role = ?4
         JOIN nodes n ON n.id = m.node",
        kind.role_codes()
    )
}

pub(crate) fn members_with_attrs(
    conn: &Connection,
    kind: EdgeKind,
    node_kind: NodeKind,
    name: &str,
    role: Role,
) -> Result<Vec<(String, Option<String>)>> {
    conn.prepare_cached(&format!(
        "SELECT n.name, n.attrs {}
         WHERE x.kind = ?2 AND x.name = ?3
         ORDER BY n.name",
        members_from(kind)
    ))
    .and_then(|mut s| {
        s.query_map(
            params![kind.code(), node_kind.code(), name, role.code()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .collect()
    })
    .map_err(StoreError::sqlite("read members and their attributes"))
}

/// The condition of the (name, value) index
/// (`schema/0016_values_found_by_their_task.sql`), word for word: SQLite
/// uses a partial index only for a query that states its condition. The
/// index holds reals only: the numbers placed among their name's through
/// stored marks (PageRank, and the salience population, whose counts and
/// times are stored as reals for it, schema 19) are all reals; counts
/// (integers) are placed nowhere else.
macro_rules! scores_only {
    () => {
        "typeof(value) = 'real'"
    };
}
pub(crate) use scores_only;

#[cfg(test)]
pub(crate) const SCORES_ONLY: &str = scores_only!();

/// Where a value stands among the values of one name: how many lie
/// beyond it on one side, and how many equal it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankCounts {
    pub beyond: u64,
    pub equal: u64,
}

pub(crate) fn rank_counts(
    conn: &Connection,
    name: &str,
    value: f64,
    above: bool,
) -> Result<RankCounts> {
    let sql = if above {
        concat!(
            "SELECT (SELECT count(*) FROM node_values WHERE name = ",
            code_of!("?1"),
            " AND value > ?2 AND ",
            scores_only!(),
            "), (SELECT count(*) FROM node_values WHERE name = ",
            code_of!("?1"),
            " AND value = ?2 AND ",
            scores_only!(),
            ")"
        )
    } else {
        concat!(
            "SELECT (SELECT count(*) FROM node_values WHERE name = ",
            code_of!("?1"),
            " AND value < ?2 AND ",
            scores_only!(),
            "), (SELECT count(*) FROM node_values WHERE name = ",
            code_of!("?1"),
            " AND value = ?2 AND ",
            scores_only!(),
            ")"
        )
    };
    conn.prepare_cached(sql)
        .and_then(|mut s| {
            s.query_row(params![name, value], |row| {
                let count = |i: usize| row.get::<_, i64>(i).map(|n| u64::try_from(n).unwrap_or(0));
                Ok(RankCounts {
                    beyond: count(0)?,
                    equal: count(1)?,
                })
            })
        })
        .map_err(StoreError::sqlite("count the values around one"))
}

/// How many nodes have a score named `name` (counted on the (name,
/// value) index, which holds scores only: narrower than the table).
pub(crate) fn count_scores(conn: &Connection, name: &str) -> Result<u64> {
    conn.prepare_cached(concat!(
        "SELECT count(*) FROM node_values WHERE name = ",
        code_of!("?1"),
        " AND ",
        scores_only!()
    ))
    .and_then(|mut s| s.query_row([name], |row| row.get::<_, i64>(0)))
    .map(|n| u64::try_from(n).unwrap_or(0))
    .map_err(StoreError::sqlite("count the values of a name"))
}

fn group_edges(rows: Vec<EdgeRow>) -> Result<Vec<StoredEdge>> {
    let mut out: Vec<StoredEdge> = Vec::new();
    let mut last: Option<i64> = None;
    for r in rows {
        if last != Some(r.id) {
            out.push(StoredEdge {
                id: r.id,
                owner: r.owner.clone(),
                weight: r.weight,
                confidence: r.confidence,
                attrs: r.attrs.clone(),
                members: Vec::new(),
            });
            last = Some(r.id);
        }
        let member = StoredMember {
            kind: NodeKind::from_code(r.node_kind).ok_or(StoreError::UnknownCode {
                column: "nodes.kind",
                code: r.node_kind,
            })?,
            name: r.name,
            role: Role::from_code(r.role).ok_or(StoreError::UnknownCode {
                column: "edge_members.role",
                code: r.role,
            })?,
            attrs: r.member_attrs,
        };
        if let Some(edge) = out.last_mut() {
            edge.members.push(member);
        }
    }
    Ok(out)
}

/// A node, read by its kind and name.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredNode {
    pub name: String,
    /// Owned by a task: the node exists at HEAD (or is a mined commit or
    /// author), rather than only in history.
    pub current: bool,
    pub attrs: Option<String>,
    pub content_hash: Option<Vec<u8>>,
}

pub(crate) fn node(conn: &Connection, kind: NodeKind, name: &str) -> Result<Option<StoredNode>> {
    conn.prepare_cached(
        "SELECT name, owner IS NOT NULL, attrs, content_hash FROM nodes WHERE kind = ?1 AND name = ?2",
    )
    .and_then(|mut s| {
        s.query_row(params![kind.code(), name], |r| {
            Ok(StoredNode {
                name: r.get(0)?,
                current: r.get(1)?,
                attrs: r.get(2)?,
                content_hash: r.get(3)?,
            })
        })
        .optional()
    })
    .map_err(StoreError::sqlite("read a node"))
}

/// The values stored on one node, by name.
pub(crate) fn values_of(
    conn: &Connection,
    kind: NodeKind,
    name: &str,
) -> Result<Vec<(String, crate::Value)>> {
    conn.prepare_cached(
        // Each name sought on the key (name, node): values have no index
        // by node (schema 12), and a node holds at most a few dozen names.
        "SELECT vn.name, v.value
         FROM nodes n CROSS JOIN value_names vn CROSS JOIN node_values v
         WHERE n.kind = ?1 AND n.name = ?2 AND v.name = vn.code AND v.node = n.id
         ORDER BY vn.name",
    )
    .and_then(|mut s| {
        s.query_map(params![kind.code(), name], |row| {
            Ok((row.get(0)?, value_at(row, 1)?))
        })?
        .collect()
    })
    .map_err(StoreError::sqlite("read a node's values"))
}

/// One value of one node.
pub(crate) fn value_of(
    conn: &Connection,
    kind: NodeKind,
    name: &str,
    value: &str,
) -> Result<Option<crate::Value>> {
    conn.prepare_cached(concat!(
        "SELECT v.value FROM nodes n JOIN node_values v ON v.node = n.id
         WHERE n.kind = ?1 AND n.name = ?2 AND v.name = ",
        code_of!("?3")
    ))
    .and_then(|mut s| {
        s.query_row(params![kind.code(), name, value], |row| value_at(row, 0))
            .optional()
    })
    .map_err(StoreError::sqlite("read a node's value"))
}

/// Names of current nodes of `kind` from `prefix` on, in order, at most
/// `limit` (a range over the (kind, name) index).
pub(crate) fn names_from(
    conn: &Connection,
    kind: NodeKind,
    prefix: &str,
    limit: usize,
) -> Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT name FROM nodes WHERE kind = ?1 AND name >= ?2 AND owner IS NOT NULL
         ORDER BY name LIMIT ?3",
    )
    .and_then(|mut s| {
        s.query_map(
            params![
                kind.code(),
                prefix,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            |r| r.get(0),
        )?
        .collect()
    })
    .map_err(StoreError::sqlite("read node names"))
}

pub(crate) fn value_at(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<crate::Value> {
    Ok(match row.get_ref(i)? {
        rusqlite::types::ValueRef::Integer(v) => crate::Value::Int(v),
        rusqlite::types::ValueRef::Real(v) => crate::Value::Real(v),
        rusqlite::types::ValueRef::Text(t) => {
            crate::Value::Text(String::from_utf8_lossy(t).into_owned())
        }
        rusqlite::types::ValueRef::Blob(b) => crate::Value::Bytes(b.to_vec()),
        rusqlite::types::ValueRef::Null => crate::Value::Text(String::new()),
    })
}

/// One row of the edge query: an edge's fields and one of its members.
struct EdgeRow {
    id: i64,
    owner: String,
    weight: Option<f64>,
    attrs: Option<String>,
    node_kind: i64,
    name: String,
    role: i64,
    member_attrs: Option<String>,
    confidence: Option<f64>,
}

impl EdgeRow {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(EdgeRow {
            id: row.get(0)?,
            owner: row.get(1)?,
            weight: row.get(2)?,
            attrs: row.get(3)?,
            node_kind: row.get(4)?,
            name: row.get(5)?,
            role: row.get(6)?,
            member_attrs: row.get(7)?,
            confidence: row.get(8)?,
        })
    }
}

/// Every value stored on the current nodes of `kind`: (node name, value
/// name, value), sorted by node name then value name.
pub(crate) fn node_values(
    conn: &Connection,
    kind: NodeKind,
) -> Result<Vec<(String, String, crate::Value)>> {
    // The values are clustered by name: one pass over all of them in that
    // order, kept when their node is a current one of the kind, is a tenth
    // of the time of a lookup per value through the node index (0.03 s
    // against 0.3-0.6 s for a 10,000-file repository's file values).
    let mut current = current_ids(conn, kind)?;
    let sql = || StoreError::sqlite("read node values");
    let mut stmt = conn
        .prepare_cached(
            "SELECT v.node, vn.name, v.value FROM node_values v
             JOIN value_names vn ON vn.code = v.name",
        )
        .map_err(sql())?;
    let mut rows = stmt.query([]).map_err(sql())?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(sql())? {
        let node: i64 = row.get(0).map_err(sql())?;
        if let Some(at) = current.find(node) {
            out.push((
                current.name(at).to_owned(),
                row.get::<_, String>(1).map_err(sql())?,
                value_at(row, 2).map_err(sql())?,
            ));
        }
    }
    out.sort_unstable_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Ok(out)
}

/// One node's values: its name, and (value name, value) sorted by name;
/// the value names are the ones asked for.
pub type NodeValues<'n> = (String, Vec<(&'n str, crate::Value)>);

/// The values named `names` on the current nodes of `kind`, grouped by
/// node: (node name, its values sorted by name), nodes sorted by name. One
/// range of the table per name, each node's name cloned once.
pub(crate) fn node_values_grouped<'n>(
    conn: &Connection,
    kind: NodeKind,
    names: &[&'n str],
) -> Result<Vec<NodeValues<'n>>> {
    let mut current = current_ids(conn, kind)?;
    let sql = || StoreError::sqlite("read node values");
    let mut stmt = conn
        .prepare_cached(concat!(
            "SELECT node, value FROM node_values WHERE name = ",
            code_of!("?1")
        ))
        .map_err(sql())?;
    // Each current node's values, by its place among them.
    let mut found: Vec<Vec<(&'n str, crate::Value)>> = vec![Vec::new(); current.len()];
    for name in names {
        let mut rows = stmt.query([name]).map_err(sql())?;
        while let Some(row) = rows.next().map_err(sql())? {
            let node: i64 = row.get(0).map_err(sql())?;
            if let Some(at) = current.find(node) {
                found[at].push((*name, value_at(row, 1).map_err(sql())?));
            }
        }
    }
    let mut out: Vec<NodeValues<'n>> = found
        .into_iter()
        .enumerate()
        .filter(|(_, values)| !values.is_empty())
        .map(|(at, mut values)| {
            values.sort_unstable_by(|a, b| a.0.cmp(b.0));
            (current.name(at).to_owned(), values)
        })
        .collect();
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The current nodes of a kind, sorted by id: found by id without hashing,
/// by walking on while the ids asked for ascend (a name's run of
/// `node_values` is in node order) and by bisection when they do not. At
/// kernel size salience reads seven names' values of 75,000 files among
/// 375,000 nodes: two hash lookups a row were most of that read.
struct CurrentIds {
    nodes: Vec<(i64, String)>,
    /// Where the last search ended.
    at: usize,
}

impl CurrentIds {
    fn len(&self) -> usize {
        self.nodes.len()
    }

    fn name(&self, at: usize) -> &str {
        &self.nodes[at].1
    }

    /// The place of the node `id`, if it is a current one.
    fn find(&mut self, id: i64) -> Option<usize> {
        let nodes = &self.nodes;
        if self.at < nodes.len() && nodes[self.at].0 <= id {
            while self.at < nodes.len() && nodes[self.at].0 < id {
                self.at += 1;
            }
        } else {
            self.at = nodes.partition_point(|n| n.0 < id);
        }
        (nodes.get(self.at)?.0 == id).then_some(self.at)
    }
}

/// The current nodes of `kind`.
fn current_ids(conn: &Connection, kind: NodeKind) -> Result<CurrentIds> {
    let mut nodes: Vec<(i64, String)> = conn
        .prepare_cached("SELECT id, name FROM nodes WHERE kind = ?1 AND owner IS NOT NULL")
        .and_then(|mut s| {
            s.query_map([kind.code()], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect()
        })
        .map_err(StoreError::sqlite("read node values"))?;
    nodes.sort_unstable_by_key(|n| n.0);
    Ok(CurrentIds { nodes, at: 0 })
}

/// The current (owned) nodes of `kind`, sorted by name, each with its
/// value `value` if it has one: one read where a node's value would
/// otherwise be looked up by name in a second. With `range`, only the
/// names `from <= name < to` (a range of the name index, not a scan).
pub(crate) fn current_nodes_valued(
    conn: &Connection,
    kind: NodeKind,
    value: &str,
    range: Option<(&str, &str)>,
) -> Result<Vec<(crate::CurrentNode, Option<crate::Value>)>> {
    const SELECT: &str = concat!(
        "SELECT n.name, n.content_hash, n.attrs, v.value FROM nodes n
         LEFT JOIN node_values v ON v.name = ",
        code_of!("?2"),
        " AND v.node = n.id
         WHERE n.kind = ?1 AND n.owner IS NOT NULL"
    );
    let read = |row: &rusqlite::Row<'_>| {
        let node = current_node(row)?;
        let value = match row.get_ref(3)? {
            rusqlite::types::ValueRef::Null => None,
            _ => Some(value_at(row, 3)?),
        };
        Ok((node, value))
    };
    match range {
        None => conn
            .prepare_cached(&format!("{SELECT} ORDER BY n.name"))
            .and_then(|mut s| s.query_map(params![kind.code(), value], read)?.collect()),
        Some((from, to)) => conn
            .prepare_cached(&format!(
                "{SELECT} AND n.name >= ?3 AND n.name < ?4 ORDER BY n.name"
            ))
            .and_then(|mut s| {
                s.query_map(params![kind.code(), value, from, to], read)?
                    .collect()
            }),
    }
    .map_err(StoreError::sqlite("read current nodes"))
}

/// The current nodes of `kind` by their real value `?2`, highest first.
pub(crate) const BY_VALUE: &str = concat!(
    "SELECT n.name, n.content_hash, n.attrs, v.value FROM node_values v
     JOIN nodes n ON n.id = v.node
     WHERE v.name = ",
    code_of!("?2"),
    " AND ",
    scores_only!(),
    " AND n.kind = ?1 AND n.owner IS NOT NULL
     ORDER BY v.value DESC"
);

/// The first `?4` current nodes of `kind` by name whose real value `?2`
/// is `?3`, found down the name index.
pub(crate) const TIED_BY_NAMES: &str = concat!(
    "SELECT n.name, n.content_hash, n.attrs FROM nodes n
     CROSS JOIN node_values v
     WHERE n.kind = ?1 AND n.owner IS NOT NULL AND v.name = ",
    code_of!("?2"),
    " AND v.node = n.id AND ",
    scores_only!(),
    " AND v.value = ?3
     ORDER BY n.name LIMIT ?4"
);

/// [`TIED_BY_NAMES`] found in the value index, then sorted.
pub(crate) const TIED_BY_VALUE: &str = concat!(
    "SELECT n.name, n.content_hash, n.attrs FROM node_values v
     CROSS JOIN nodes n
     WHERE v.name = ",
    code_of!("?2"),
    " AND ",
    scores_only!(),
    " AND v.value = ?3 AND n.id = v.node AND n.kind = ?1 AND n.owner IS NOT NULL
     ORDER BY n.name LIMIT ?4"
);

/// The current nodes of `kind` with the highest real values named
/// `value`: the `n` highest, and of those tied with the `n`th the first
/// by name, sorted by value (highest first), then name; read down the
/// `(name, value)` index and no further.
pub(crate) fn top_valued_nodes(
    conn: &Connection,
    kind: NodeKind,
    value: &str,
    n: usize,
) -> Result<Vec<(crate::CurrentNode, f64)>> {
    let sql = || StoreError::sqlite("read the nodes with the highest values");
    let mut top: Vec<(crate::CurrentNode, f64)> = Vec::new();
    {
        let mut stmt = conn.prepare_cached(BY_VALUE).map_err(sql())?;
        let mut rows = stmt.query(params![kind.code(), value]).map_err(sql())?;
        while top.len() < n
            && let Some(row) = rows.next().map_err(sql())?
        {
            top.push((
                current_node(row).map_err(sql())?,
                row.get(3).map_err(sql())?,
            ));
        }
    }
    // The index holds ties in id order: those tied with the `n`th are read
    // again, the first by name.
    if let Some(&(_, cut)) = top.last().filter(|_| top.len() == n) {
        top.retain(|&(_, score)| score > cut);
        let wanted = n - top.len();
        top.extend(tied_by_name(conn, kind, value, cut, wanted)?);
    }
    top.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
    Ok(top)
}

/// The first `wanted` current nodes of `kind` by name whose real value
/// `value` is `score`. Many ties (a plateau of leaf functions' PageRank,
/// every other symbol of a generated repository) are met soonest down the
/// name index; a few are read from the value index and sorted.
fn tied_by_name(
    conn: &Connection,
    kind: NodeKind,
    value: &str,
    score: f64,
    wanted: usize,
) -> Result<Vec<(crate::CurrentNode, f64)>> {
    let sql = || StoreError::sqlite("read the nodes tied at a value");
    let tied: i64 = conn
        .prepare_cached(concat!(
            "SELECT count(*) FROM node_values WHERE name = ",
            code_of!("?1"),
            " AND ",
            scores_only!(),
            " AND value = ?2"
        ))
        .and_then(|mut s| s.query_row(params![value, score], |r| r.get(0)))
        .map_err(sql())?;
    let nodes: i64 = conn
        .prepare_cached("SELECT coalesce(sum(n), 0) FROM node_counts WHERE kind = ?1 AND owned")
        .and_then(|mut s| s.query_row(params![kind.code()], |r| r.get(0)))
        .map_err(sql())?;
    // Down the name index, a tie is met every `nodes / tied` names.
    #[allow(clippy::cast_precision_loss, reason = "an estimate")]
    let by_names = (wanted as f64) * (nodes as f64) / (tied.max(1) as f64) < tied as f64;
    conn.prepare_cached(if by_names {
        TIED_BY_NAMES
    } else {
        TIED_BY_VALUE
    })
    .and_then(|mut s| {
        s.query_map(params![kind.code(), value, score, wanted as i64], |row| {
            Ok((current_node(row)?, score))
        })?
        .collect()
    })
    .map_err(sql())
}

pub(crate) fn values_held(
    conn: &Connection,
    kind: NodeKind,
    value: &str,
) -> Result<Vec<crate::Value>> {
    conn.prepare_cached(concat!(
        "SELECT v.value FROM node_values v JOIN nodes n ON n.id = v.node
         WHERE v.name = ",
        code_of!("?2"),
        " AND n.kind = ?1 AND n.owner IS NOT NULL"
    ))
    .and_then(|mut s| {
        s.query_map(params![kind.code(), value], |row| value_at(row, 0))?
            .collect()
    })
    .map_err(StoreError::sqlite("read the values of a name"))
}

pub(crate) fn names_holding(conn: &Connection, kind: NodeKind, value: &str) -> Result<Vec<String>> {
    let names: Vec<String> = conn
        .prepare_cached(concat!(
            "SELECT n.name FROM node_values v JOIN nodes n ON n.id = v.node
             WHERE v.name = ",
            code_of!("?2"),
            " AND n.kind = ?1 AND n.owner IS NOT NULL"
        ))
        .and_then(|mut s| {
            s.query_map(params![kind.code(), value], |row| row.get(0))?
                .collect()
        })
        .map_err(StoreError::sqlite("read the nodes holding a value"))?;
    Ok(names)
}

/// The names of the current nodes of `kind` that contain `needle`, ASCII
/// letters in either case (`LIKE`), in name order: the scan runs over the
/// name index in SQLite, and no name that does not match is made into a
/// string.
pub(crate) fn names_containing(
    conn: &Connection,
    kind: NodeKind,
    needle: &str,
) -> Result<Vec<String>> {
    let mut pattern = String::from("%");
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    let names: Vec<String> = conn
        .prepare_cached(
            "SELECT name FROM nodes
             WHERE kind = ?1 AND name LIKE ?2 ESCAPE '\\' AND owner IS NOT NULL
             ORDER BY name",
        )
        .and_then(|mut s| {
            s.query_map(params![kind.code(), pattern], |row| row.get(0))?
                .collect()
        })
        .map_err(StoreError::sqlite(
            "read the nodes whose names contain a text",
        ))?;
    Ok(names)
}

/// The names of the current nodes of `kind` that hold the integer value
/// `value`, each with it, in node id order.
pub(crate) fn names_with_ints(
    conn: &Connection,
    kind: NodeKind,
    value: &str,
) -> Result<Vec<(String, i64)>> {
    conn.prepare_cached(concat!(
        "SELECT n.name, v.value FROM node_values v JOIN nodes n ON n.id = v.node
         WHERE v.name = ",
        code_of!("?2"),
        " AND typeof(v.value) = 'integer' AND n.kind = ?1 AND n.owner IS NOT NULL"
    ))
    .and_then(|mut s| {
        s.query_map(params![kind.code(), value], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect()
    })
    .map_err(StoreError::sqlite("read the nodes holding a count"))
}

/// The edges of `kind` whose first member at `end` (source or target) is
/// the node `node_kind`/`name`, in edge order, each with its edge id and
/// its first member at the other end: the edges [`pair_edges`] reads that
/// leave or reach one node, through the member index.
pub(crate) fn pair_edges_at(
    conn: &Connection,
    kind: EdgeKind,
    node_kind: NodeKind,
    name: &str,
    end: Role,
) -> Result<Vec<(i64, PairEdge)>> {
    let other = if end == Role::Source {
        Role::Target
    } else {
        Role::Source
    };
    let rows = conn
        .prepare_cached(
            "SELECT e.id, e.weight, e.confidence, tn.kind, tn.name
             FROM nodes x
             JOIN edge_members sm ON sm.node = x.id AND sm.role = ?4
             JOIN edges e ON e.id = sm.edge AND e.kind = ?1
             JOIN edge_members tm ON tm.edge = e.id AND tm.role = ?5
             JOIN nodes tn ON tn.id = tm.node
             WHERE x.kind = ?2 AND x.name = ?3
               AND NOT EXISTS (SELECT 1 FROM edge_members o
                               WHERE o.edge = e.id AND o.role = ?4 AND o.pos < sm.pos)
             ORDER BY e.id, tm.pos",
        )
        .and_then(|mut s| {
            s.query_map(
                params![
                    kind.code(),
                    node_kind.code(),
                    name,
                    end.code(),
                    other.code()
                ],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Option<f64>>(1)?,
                        r.get::<_, Option<f64>>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(StoreError::sqlite("read a node's edges"))?;
    let mut out: Vec<(i64, PairEdge)> = Vec::with_capacity(rows.len());
    for (id, weight, confidence, other_kind, other_name) in rows {
        // The first member at the other end of each edge.
        if out.last().is_some_and(|(last, _)| *last == id) {
            continue;
        }
        let other_kind = NodeKind::from_code(other_kind).ok_or(StoreError::UnknownCode {
            column: "nodes.kind",
            code: other_kind,
        })?;
        let (this, that) = ((node_kind, name.to_owned()), (other_kind, other_name));
        let (source, target) = if end == Role::Source {
            (this, that)
        } else {
            (that, this)
        };
        out.push((
            id,
            PairEdge {
                source,
                target,
                weight,
                confidence,
            },
        ));
    }
    Ok(out)
}

/// The current (owned) nodes of `kind`, sorted by name.
pub(crate) fn current_nodes(conn: &Connection, kind: NodeKind) -> Result<Vec<crate::CurrentNode>> {
    conn.prepare_cached(
        "SELECT name, content_hash, attrs FROM nodes
         WHERE kind = ?1 AND owner IS NOT NULL ORDER BY name",
    )
    .and_then(|mut s| s.query_map([kind.code()], current_node)?.collect())
    .map_err(StoreError::sqlite("read current nodes"))
}

/// A current node from a row that starts with its name, content hash and
/// attributes.
fn current_node(row: &rusqlite::Row<'_>) -> rusqlite::Result<crate::CurrentNode> {
    Ok(crate::CurrentNode {
        name: row.get(0)?,
        content_hash: row.get(1)?,
        attrs: row.get(2)?,
    })
}

#[cfg(test)]
mod current_ids_tests {
    use super::CurrentIds;

    /// Found in ascending runs, after a run starts again lower, and not
    /// found between, before or after the current ids.
    #[test]
    fn a_current_node_is_found_by_id_in_any_order() {
        let nodes: Vec<(i64, String)> = [-7, 2, 5, 9, 14]
            .into_iter()
            .map(|id| (id, format!("n{id}")))
            .collect();
        let mut ids = CurrentIds { nodes, at: 0 };
        let found = |ids: &mut CurrentIds, asked: &[i64]| -> Vec<Option<String>> {
            asked
                .iter()
                .map(|&id| ids.find(id).map(|at| ids.name(at).to_owned()))
                .collect()
        };
        let name = |id: i64| Some(format!("n{id}"));
        assert_eq!(
            found(&mut ids, &[-9, -7, 1, 2, 9, 10, 14, 20]),
            [None, name(-7), None, name(2), name(9), None, name(14), None]
        );
        // Another name's run starts again from the lowest ids.
        assert_eq!(
            found(&mut ids, &[5, 2, -7, 14, 3, 9]),
            [name(5), name(2), name(-7), name(14), None, name(9)]
        );
    }
}
