//! Tests of opening, migrating and the ownership rules of written rows.

use super::*;
use crate::writer::Chunk;

fn count(tx: &WriteTx<'_>, sql: &str) -> i64 {
    tx.conn()
        .query_row(sql, [], |r| r.get(0))
        .expect("count query")
}

/// The rows `sql` returns, as (kind, count) pairs in order.
fn pairs(conn: &rusqlite::Connection, sql: &str) -> Vec<(String, i64)> {
    conn.prepare(sql)
        .and_then(|mut s| {
            s.query_map([], |r| {
                let kind = match r.get_ref(0)? {
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    other => format!("{:?}", other.as_i64()),
                };
                Ok((kind, r.get(1)?))
            })?
            .collect()
        })
        .expect("count query")
}

fn table_exists(conn: &rusqlite::Connection, name: &str) -> bool {
    conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .expect("schema")
        > 0
}

/// The counts the triggers keep (schema 0008) equal SQLite's own count of
/// the rows.
fn assert_counts_kept(conn: &rusqlite::Connection) {
    assert_eq!(
        pairs(
            conn,
            "SELECT kind || '/' || owned, n FROM node_counts WHERE n > 0 ORDER BY kind, owned"
        ),
        pairs(
            conn,
            "SELECT kind || '/' || (owner IS NOT NULL), count(*) FROM nodes GROUP BY kind, owner IS NOT NULL ORDER BY kind, 1"
        ),
        "nodes"
    );
    assert_eq!(
        pairs(
            conn,
            "SELECT kind, n FROM edge_counts WHERE n > 0 ORDER BY kind"
        ),
        pairs(
            conn,
            "SELECT kind, count(*) FROM edges GROUP BY kind ORDER BY kind"
        ),
        "edges"
    );
    assert_eq!(
        pairs(
            conn,
            "SELECT kind, n FROM task_counts WHERE n > 0 ORDER BY kind"
        ),
        pairs(
            conn,
            // Kinds are codes since schema 20; a test of an older upgrade
            // stops before it.
            if table_exists(conn, "task_kinds") {
                "SELECT k.name, count(*) FROM tasks t JOIN task_kinds k ON k.code = t.kind
                 GROUP BY k.name ORDER BY k.name"
            } else {
                "SELECT kind, count(*) FROM tasks GROUP BY kind ORDER BY kind"
            }
        ),
        "tasks"
    );
    assert!(
        pairs(
            conn,
            "SELECT 'negative', count(*) FROM node_counts WHERE n < 0"
        )[0]
        .1 == 0,
        "no count below 0"
    );
}

/// A parse task's memo row for `key`, with fixed hashes.
fn parse_row(key: &str) -> MemoRow {
    MemoRow {
        id: TaskId::of("parse", key),
        key: key.to_owned(),
        input_hash: 1,
        output_hash: 2,
        revision: 1,
    }
}

fn vocabulary(store: &Store, table: &str) -> Vec<(i64, String)> {
    store
        .conn
        .prepare(&format!("SELECT code, name FROM {table} ORDER BY code"))
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("vocabulary table")
}

#[test]
fn vocabularies_match_the_enums() {
    let store = Store::open_in_memory().expect("open");
    let expect = |all: Vec<(u8, &str)>| -> Vec<(i64, String)> {
        all.into_iter()
            .map(|(c, n)| (i64::from(c), n.to_owned()))
            .collect()
    };
    assert_eq!(
        vocabulary(&store, "node_kinds"),
        expect(NodeKind::ALL.iter().map(|k| (k.code(), k.name())).collect())
    );
    assert_eq!(
        vocabulary(&store, "edge_kinds"),
        expect(EdgeKind::ALL.iter().map(|k| (k.code(), k.name())).collect())
    );
    assert_eq!(
        vocabulary(&store, "roles"),
        expect(Role::ALL.iter().map(|k| (k.code(), k.name())).collect())
    );
}

#[test]
fn open_creates_a_wal_database_at_the_latest_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    let store = Store::open(&path, OpenMode::ReadWrite).expect("open");
    assert_eq!(store.schema_version().expect("version"), latest_version());
    assert_eq!(journal_mode(&store), "wal");
    let fk: i64 = store
        .conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .expect("foreign keys");
    assert_eq!(fk, 1);
    // Migrating kept its temporary data on disk; the store's own setting
    // (in memory) is back.
    let temp_store: i64 = store
        .conn
        .query_row("PRAGMA temp_store", [], |r| r.get(0))
        .expect("temp store");
    assert_eq!(temp_store, 2);
    drop(store);
    // Reopening migrates nothing and succeeds read-only too.
    Store::open(&path, OpenMode::ReadOnly).expect("reopen read-only");
}

#[test]
fn a_version_1_index_is_emptied_by_the_upgrade_and_keeps_its_vectors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    {
        // What Homer with schema 1 left: a task, its node and chunk, a
        // checkpoint, a vector.
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(crate::migrate::MIGRATIONS[0].sql)
            .expect("schema 1");
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO tasks VALUES (1, 'parse', 'a.rs', 1, 1, 1, NULL);
             INSERT INTO nodes VALUES (1, 1, 'a.rs', NULL, 1, NULL);
             INSERT INTO chunks VALUES (1, 1, 1, 'a.rs', 'fn a() {}', 7, NULL, NULL);
             INSERT INTO checkpoints VALUES ('head', 'abc');
             INSERT INTO embeddings VALUES (7, 'm', 1, x'00000000');",
        )
        .expect("version 1 rows");
    }
    let store = Store::open(&path, OpenMode::ReadWrite).expect("upgrade");
    assert_eq!(store.schema_version().expect("version"), latest_version());
    assert_eq!(store.checkpoint("head").expect("read"), None);
    let rows = |sql: &str| -> i64 { store.conn.query_row(sql, [], |r| r.get(0)).expect("count") };
    assert_eq!(rows("SELECT count(*) FROM tasks"), 0);
    assert_eq!(rows("SELECT count(*) FROM nodes"), 0);
    assert_eq!(rows("SELECT count(*) FROM chunks"), 0);
    assert_eq!(rows("SELECT count(*) FROM embeddings"), 1);
    assert_eq!(
        rows("SELECT count(*) FROM node_kinds"),
        NodeKind::ALL.len() as i64,
        "reference rows stay"
    );
    assert_eq!(
        store.check_integrity().expect("integrity"),
        Vec::<String>::new()
    );
}

#[test]
fn a_version_3_index_keeps_its_values_when_they_are_reclustered_by_name() {
    // What Homer with schema 3 left: two files with values of two tasks,
    // clustered by (node, name). Migration 4 alone (5 empties the index).
    let conn = rusqlite::Connection::open_in_memory().expect("open");
    conn.execute_batch("PRAGMA foreign_keys = ON")
        .expect("foreign keys");
    for m in &crate::migrate::MIGRATIONS[..3] {
        conn.execute_batch(m.sql).expect("schemas 1 to 3");
    }
    conn.execute_batch(
        "INSERT INTO tasks VALUES (1, 'tree', '', 1, 1, 1, NULL);
         INSERT INTO tasks VALUES (2, 'salience', 'files', 1, 1, 1, NULL);
         INSERT INTO nodes VALUES (10, 1, 'a.rs', NULL, 1, NULL);
         INSERT INTO nodes VALUES (11, 1, 'b.rs', NULL, 1, NULL);
         INSERT INTO node_values VALUES (10, 'salience', 0.5, 2);
         INSERT INTO node_values VALUES (10, 'commits', 3, 1);
         INSERT INTO node_values VALUES (11, 'salience', 0.25, 2);",
    )
    .expect("version 3 rows");
    conn.execute_batch(crate::migrate::MIGRATIONS[3].sql)
        .expect("schema 4");
    let rows = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect("count") };
    let values = |sql: &str| -> Vec<(String, String)> {
        conn.prepare(sql)
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((r.get(0)?, r.get::<_, rusqlite::types::Value>(1)?))
                })?
                .map(|r| r.map(|(a, b)| (a, format!("{b:?}"))))
                .collect()
            })
            .expect("values")
    };
    // A node's values through the new index, a name's by the key.
    assert_eq!(
        values("SELECT name, value FROM node_values INDEXED BY node_values_node WHERE node = 10"),
        [
            ("commits".to_owned(), "Integer(3)".to_owned()),
            ("salience".to_owned(), "Real(0.5)".to_owned())
        ]
    );
    assert_eq!(
        values("SELECT name, value FROM node_values WHERE name = 'salience' ORDER BY node")
            .into_iter()
            .map(|(_, v)| v)
            .collect::<Vec<_>>(),
        ["Real(0.5)", "Real(0.25)"]
    );
    // Clustered by name: the primary key leads with it.
    assert_eq!(
        rows("SELECT pk FROM pragma_table_info('node_values') WHERE name = 'name'"),
        1
    );
    // A node's values still go with it, and a task's with the task.
    conn.execute_batch("DELETE FROM node_values WHERE owner = 1; DELETE FROM tasks WHERE id = 2;")
        .expect("delete a task's values");
    assert_eq!(rows("SELECT count(*) FROM node_values"), 0);
    assert_eq!(
        conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
            .expect("check"),
        "ok"
    );
}

/// An index of schema `version` (4 or 5: their derived tables have the
/// same columns) with a file, a value, a checkpoint, a vector and 2,002
/// chunks whose text is in the text index, opened (so upgraded) by this
/// build, which must empty it: every derived table and the text index are
/// empty, vectors and reference rows stay, the file is consistent.
fn upgrade_an_index_with_text(version: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for m in &crate::migrate::MIGRATIONS[..version] {
            conn.execute_batch(m.sql).expect("the old schemas");
        }
        // Schemas 4 and 5 store a chunk's words and a value's name as
        // text; 6 has neither words nor name text, and a task's packing.
        let rows = if version < 6 {
            "INSERT INTO tasks VALUES (1, 'chunk', 'a.rs', 1, 1, 1, NULL);
             INSERT INTO nodes VALUES (10, 1, 'a.rs', NULL, 1, NULL);
             INSERT INTO node_values VALUES (10, 'commits', 3, 1);
             INSERT INTO chunks VALUES (5, 1, 10, 'a.rs', 'fn alpha() {}', 'alpha', 7, 1, 7, 1, 1);
             WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 2100)
             INSERT INTO chunks SELECT i, 1, NULL, 'x', printf('%.1000c', 'y'), 'w', i, 0,
                                       NULL, NULL, NULL FROM n;
             INSERT INTO chunk_text (rowid, title, body, words)
                 SELECT id, title, body, words FROM chunks;"
        } else {
            "INSERT INTO tasks VALUES (1, 'chunk', 'a.rs', 1, 1, 1, NULL, 0);
             INSERT INTO nodes VALUES (10, 1, 'a.rs', NULL, 1, NULL);
             INSERT INTO value_names (code, name) VALUES (1, 'commits');
             INSERT INTO node_values VALUES (10, 1, 3, 1);
             INSERT INTO chunks VALUES (5, 1, 10, 'a.rs', 'fn alpha() {}', 7, 1, 7, 1, 1);
             WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 2100)
             INSERT INTO chunks SELECT i, 1, NULL, 'x', printf('%.1000c', 'y'), i, 0,
                                       NULL, NULL, NULL FROM n;
             INSERT INTO chunk_text (rowid, title, body, words)
                 SELECT id, title, body, CASE id WHEN 5 THEN 'alpha' ELSE 'w' END FROM chunks;"
        };
        conn.execute_batch(&format!(
            "PRAGMA user_version = {version};
             INSERT INTO checkpoints VALUES ('head', 'abc');
             INSERT INTO embeddings VALUES (7, 'm', 1, x'00000000');
             -- Enough text that the emptied pages outnumber what a new
             -- schema reuses, put in the text index as the store did
             -- when a stage committed.
             {rows}
             DELETE FROM chunk_text_pending;"
        ))
        .expect("old rows");
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM chunk_text WHERE chunk_text MATCH 'alpha'",
                [],
                |r| r.get(0),
            )
            .expect("search");
        assert_eq!(found, 1, "indexed before the upgrade");
    }
    let store = Store::open(&path, OpenMode::ReadWrite).expect("upgrade");
    assert_eq!(store.schema_version().expect("version"), latest_version());
    assert_eq!(store.upgraded_from(), u32::try_from(version).ok());
    assert!(store.upgrade_emptied());
    assert_eq!(store.checkpoint("head").expect("read"), None);
    let rows = |sql: &str| -> i64 { store.conn.query_row(sql, [], |r| r.get(0)).expect("count") };
    for table in [
        "tasks",
        "nodes",
        "node_values",
        "chunks",
        "chunk_text_pending",
        "edges",
    ] {
        assert_eq!(rows(&format!("SELECT count(*) FROM {table}")), 0, "{table}");
    }
    assert_eq!(search(&store, "alpha"), Vec::<String>::new());
    store
        .conn
        .execute_batch("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, chunk_text, row)")
        .expect("vocabulary");
    assert_eq!(rows("SELECT count(*) FROM temp.terms"), 0, "no term left");
    assert_eq!(rows("SELECT count(*) FROM embeddings"), 1);
    assert_eq!(
        rows("SELECT count(*) FROM node_kinds"),
        NodeKind::ALL.len() as i64
    );
    // The emptied pages left the file (it is vacuumed after an upgrade
    // that empties it).
    assert_eq!(rows("PRAGMA freelist_count"), 0);
    assert_eq!(
        store.check_integrity().expect("integrity"),
        Vec::<String>::new()
    );
    (dir, store)
}

/// Ids changed how they are derived in schema 5: an index of schema 4 is
/// emptied by the upgrade (its rows would not be found under the new ids).
#[test]
fn a_version_4_index_is_emptied_by_the_upgrade_to_grouped_ids() {
    upgrade_an_index_with_text(4);
}

/// The statement that created table `name`, as the schema holds it.
fn table_sql(store: &Store, name: &str) -> String {
    store
        .conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("the schema of {name}: {e}"))
}

/// Schema 6 dropped the stored identifier words the text index was filled
/// from: an index of schema 5 is emptied by the upgrade, and its text
/// index is contentless, with its merge setting.
#[test]
fn a_version_5_index_is_emptied_by_the_upgrade_to_compact_text() {
    let (_dir, store) = upgrade_an_index_with_text(5);
    let contentless = table_sql(&store, "chunk_text");
    assert!(
        contentless.contains("contentless_delete = 1"),
        "{contentless}"
    );
    let deletemerge: i64 = store
        .conn
        .query_row(
            "SELECT v FROM chunk_text_config WHERE k = 'deletemerge'",
            [],
            |r| r.get(0),
        )
        .expect("the index's setting");
    assert_eq!(deletemerge, 25);
}

/// Schema 8 keeps the counts of nodes, edges and tasks by triggers: an
/// index of schema 7 keeps its rows and starts with their counts.
#[test]
fn a_version_7_index_keeps_its_rows_and_is_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for m in &crate::migrate::MIGRATIONS[..7] {
            conn.execute_batch(m.sql).expect("the old schemas");
        }
        conn.execute_batch(
            "PRAGMA user_version = 7;
             INSERT INTO tasks VALUES (1, 'parse', 'a.rs', 1, 1, 1, NULL, 0);
             INSERT INTO tasks VALUES (2, 'parse', 'b.rs', 1, 1, 1, NULL, 0);
             INSERT INTO tasks VALUES (3, 'commit', 'c1', 1, 1, 1, NULL, 0);
             INSERT INTO nodes VALUES (10, 1, 'a.rs', NULL, 1, NULL);
             INSERT INTO nodes VALUES (11, 1, 'gone.rs', NULL, NULL, NULL);
             INSERT INTO nodes VALUES (12, 3, 'a.rs::f', NULL, 1, NULL);
             INSERT INTO edges VALUES (20, 3, 1, NULL, NULL, NULL);",
        )
        .expect("old rows");
    }
    // Up to schema 13: 14 empties the index.
    crate::migrate::UNTIL.with(|until| until.set(13));
    let store = Store::open(&path, OpenMode::ReadWrite).expect("upgrade");
    assert_eq!(store.upgraded_from(), Some(7));
    assert!(!store.upgrade_emptied());
    assert_counts_kept(&store.conn);
    let summary = store.summary().expect("summary");
    let named = |list: &[KindCount]| -> Vec<(String, u64)> {
        list.iter().map(|k| (k.kind.clone(), k.count)).collect()
    };
    assert_eq!(
        named(&summary.current_nodes),
        [("file".to_owned(), 1), ("symbol".to_owned(), 1)]
    );
    assert_eq!(named(&summary.historical_nodes), [("file".to_owned(), 1)]);
    assert_eq!(
        named(&summary.tasks),
        [("commit".to_owned(), 1), ("parse".to_owned(), 2)]
    );
    assert_eq!(named(&summary.edges), [("defines".to_owned(), 1)]);
}

#[test]
fn a_version_14_index_keeps_each_commit_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for m in &crate::migrate::MIGRATIONS[..14] {
            conn.execute_batch(m.sql).expect("the old schemas");
        }
        // A parsed file, a file only history knew, a commit that changed
        // both (its edge with the author node, its message's chunk) and a
        // symbol's edge.
        conn.execute_batch(
            r#"PRAGMA user_version = 14;
             INSERT INTO tasks (id, kind, key, input_hash, output_hash, revision, value)
                 VALUES (1, 'parse', 'a.rs', 1, 1, 1, NULL), (2, 'commit', 'c1', 1, 1, 1, x'07');
             INSERT INTO nodes VALUES (10, 1, 'a.rs', NULL, 1, NULL);
             INSERT INTO nodes VALUES (11, 1, 'gone.rs', NULL, NULL, NULL);
             INSERT INTO nodes VALUES (12, 3, 'a.rs::f', NULL, 1, '{}');
             INSERT INTO nodes VALUES (13, 4, 'c1', NULL, 2, '{"author":"Ann","time":1,"committed":2,"subject":"s"}');
             INSERT INTO nodes VALUES (14, 5, 'ann@x', NULL, NULL, NULL);
             INSERT INTO edges VALUES (20, 3, 1, NULL, NULL, NULL);
             INSERT INTO edge_members VALUES (20, 0, 10, 3, NULL), (20, 1, 12, 4, NULL);
             INSERT INTO edges VALUES (21, 2, 2, NULL, NULL, NULL);
             INSERT INTO edge_members VALUES (21, 0, 13, 6, NULL), (21, 1, 14, 7, NULL),
                 (21, 2, 10, 9, '{"added":1}'), (21, 3, 11, 10, '{"deleted":2}');
             INSERT INTO chunks VALUES (-1, 7, 2, 13, 's', '', 1, 0, NULL, NULL, NULL);
             INSERT INTO checkpoints VALUES ('head', 'c1'), ('stage.behavior', '5'),
                 ('stage.code', '6'), ('counts', '{}'), ('stage.history', '7'),
                 ('stage.history.mined', '8');"#,
        )
        .expect("version 14 rows");
    }
    let store = Store::open(&path, OpenMode::ReadWrite).expect("upgrade");
    assert_eq!(store.upgraded_from(), Some(14));
    assert!(!store.upgrade_emptied());
    assert!(store.upgrade_remined());
    let rows = |sql: &str| sorted_rows(&store.conn, sql);
    assert_eq!(
        rows("SELECT id, kind, name, quote(attrs) FROM nodes"),
        [
            r#"Integer(10)|Integer(1)|Text("a.rs")|Text("NULL")"#,
            r#"Integer(12)|Integer(3)|Text("a.rs::f")|Text("'{}'")"#,
        ]
    );
    assert_eq!(
        rows("SELECT id, kind FROM edges"),
        ["Integer(20)|Integer(3)"]
    );
    assert_eq!(rows("SELECT edge, node FROM edge_members").len(), 2);
    assert_eq!(
        rows("SELECT name FROM checkpoints"),
        ["Text(\"head\")", "Text(\"stage.code\")"]
    );
    // The commit goes whole, to be mined again.
    assert_eq!(
        rows("SELECT k.name FROM tasks t JOIN task_kinds k ON k.code = t.kind"),
        [r#"Text("parse")"#]
    );
    assert_eq!(rows("SELECT id FROM chunks"), Vec::<String>::new());
    // The vocabularies name the codes in use, as a new index's do.
    let fresh = Store::open_in_memory().expect("open");
    for table in ["node_kinds", "edge_kinds", "roles"] {
        assert_eq!(
            vocabulary(&store, table),
            vocabulary(&fresh, table),
            "{table}"
        );
    }
    assert_counts_kept(&store.conn);
    // What went left the file.
    let free: i64 = store
        .conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .expect("freelist");
    assert_eq!(free, 0);
}

/// Schema 16 finds a task's values through a row per task: the upgrade
/// writes each task's row from the values it holds, and the values lose
/// their owner index and the owner's reference.
#[test]
fn a_version_15_index_finds_its_values_through_their_tasks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for m in &crate::migrate::MIGRATIONS[..15] {
            conn.execute_batch(m.sql).expect("the old schemas");
        }
        // A per-file task's two values on its file, a graph task's value
        // on two files, and a task without values.
        conn.execute_batch(
            "PRAGMA user_version = 15;
             INSERT INTO tasks (id, kind, key, input_hash, output_hash, revision)
                 VALUES (1, 'file_history', 'a.rs', 1, 1, 1), (2, 'graph', 'files', 1, 1, 1),
                        (3, 'parse', 'a.rs', 1, 1, 1);
             INSERT INTO nodes VALUES (10, 1, 'a.rs', NULL, 3, NULL), (11, 1, 'b.rs', NULL, 3, NULL);
             INSERT INTO value_names VALUES (1, 'commits'), (2, 'authors'), (3, 'in_degree');
             INSERT INTO node_values VALUES (10, 2, 1, 1), (10, 1, 5, 1), (10, 3, 0, 2), (11, 3, 2, 2);",
        )
        .expect("version 15 rows");
    }
    let store = Store::open(&path, OpenMode::ReadWrite).expect("upgrade");
    assert_eq!(store.upgraded_from(), Some(15));
    // (Schema 17 after it mines the history again.)
    assert!(!store.upgrade_emptied());
    let rows = |sql: &str| sorted_rows(&store.conn, sql);
    assert_eq!(
        rows("SELECT owner, quote(node), names FROM value_sets"),
        [
            r#"Integer(1)|Text("10")|Text("[1,2]")"#,
            r#"Integer(2)|Text("NULL")|Text("[3]")"#,
        ]
    );
    assert_eq!(
        rows("SELECT node, name, value, owner FROM node_values").len(),
        4
    );
    assert_eq!(
        rows("SELECT name FROM sqlite_schema WHERE tbl_name = 'node_values' AND type = 'index'"),
        [r#"Text("node_values_rank")"#]
    );
    assert_eq!(
        rows("PRAGMA foreign_key_list(node_values)"),
        Vec::<String>::new()
    );
    // A task that goes takes its values, through its row.
    store
        .conn
        .execute("DELETE FROM tasks WHERE id = 1", [])
        .expect("delete a task");
    assert_eq!(
        rows("SELECT node, name FROM node_values"),
        ["Integer(10)|Integer(3)", "Integer(11)|Integer(3)"]
    );
    assert_counts_kept(&store.conn);
}

/// Schema 17 names a record's texts by id: the records of the old form
/// go with their commit tasks and message chunks, to be mined again; the
/// rest stays.
#[test]
fn a_version_16_index_mines_its_history_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for m in &crate::migrate::MIGRATIONS[..16] {
            conn.execute_batch(m.sql).expect("the old schemas");
        }
        conn.execute_batch(
            "PRAGMA user_version = 16;
             INSERT INTO tasks (id, kind, key, input_hash, output_hash, revision, value)
                 VALUES (1, 'parse', 'a.rs', 1, 1, 1, NULL), (2, 'commit', 'c1', 1, 1, 1, x'07');
             INSERT INTO nodes VALUES (10, 1, 'a.rs', NULL, 1, NULL);
             INSERT INTO chunks VALUES (-1, 7, 2, NULL, 's', '', 1, 0, NULL, NULL, NULL);
             INSERT INTO checkpoints VALUES ('head', 'c1'), ('stage.code', '6'),
                 ('stage.history', '7'), ('stage.history.mined', '8'), ('stage.behavior', '5');",
        )
        .expect("version 16 rows");
    }
    let store = Store::open(&path, OpenMode::ReadWrite).expect("upgrade");
    assert_eq!(store.upgraded_from(), Some(16));
    assert!(!store.upgrade_emptied());
    assert!(store.upgrade_remined());
    let rows = |sql: &str| sorted_rows(&store.conn, sql);
    assert_eq!(
        rows("SELECT k.name FROM tasks t JOIN task_kinds k ON k.code = t.kind"),
        [r#"Text("parse")"#]
    );
    assert_eq!(rows("SELECT id FROM chunks"), Vec::<String>::new());
    assert_eq!(rows("SELECT id FROM nodes"), ["Integer(10)"]);
    assert_eq!(
        rows("SELECT name FROM checkpoints"),
        ["Text(\"head\")", "Text(\"stage.code\")"]
    );
    assert_eq!(rows("SELECT id FROM record_texts"), Vec::<String>::new());
    assert_counts_kept(&store.conn);
}

/// The columns index `name` holds, keys first, without the rowid.
fn index_columns(store: &Store, name: &str) -> Vec<String> {
    store
        .conn
        .prepare("SELECT name FROM pragma_index_xinfo(?1) WHERE name IS NOT NULL ORDER BY seqno")
        .and_then(|mut s| s.query_map([name], |r| r.get(0))?.collect())
        .expect("index columns")
}

/// Schema 20 keeps the memo table by (kind code, id): a version 19 index
/// keeps every task with its hashes, value (in its row or aside) and
/// kind's name, every owned row and its cascade, and its counts; the index
/// that keeps ids unique no longer holds the keys; and a kind's tasks come
/// back together, in id order.
#[test]
fn a_version_19_index_keeps_every_task_when_kinds_become_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    let tasks_before = "SELECT id, kind, key, input_hash, output_hash, revision, quote(value),
                               packed, spilled FROM tasks";
    let tasks_after = "SELECT t.id, k.name, t.key, t.input_hash, t.output_hash, t.revision,
                              quote(t.value), t.packed, t.spilled
                       FROM tasks t JOIN task_kinds k ON k.code = t.kind";
    let owned = [
        "SELECT * FROM nodes",
        "SELECT * FROM edges",
        "SELECT * FROM edge_members",
        "SELECT node, name, quote(value), owner FROM node_values",
        "SELECT id, quote(value) FROM task_values",
        "SELECT kind, n FROM task_counts",
    ];
    let before: Vec<Vec<String>> = {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .expect("foreign keys");
        for m in &crate::migrate::MIGRATIONS[..19] {
            conn.execute_batch(m.sql).expect("the old schemas");
        }
        conn.execute_batch(
            "PRAGMA user_version = 19;
             INSERT INTO tasks (id, kind, key, input_hash, output_hash, revision, value, spilled)
                 VALUES (30, 'parse', 'b.rs', 1, 2, 1, x'0102', 0),
                        (-10, 'parse', 'a.rs', 3, 4, 1, NULL, 1),
                        (20, 'commit', 'c1', 5, 6, 2, x'07', 0),
                        (40, 'graph', 'files', 7, 8, 2, NULL, 0);
             INSERT INTO task_values VALUES (-10, x'0909');
             INSERT INTO nodes VALUES (100, 1, 'a.rs', NULL, -10, NULL);
             INSERT INTO nodes VALUES (101, 1, 'b.rs', NULL, 30, NULL);
             INSERT INTO edges VALUES (200, 3, -10, NULL, NULL, NULL);
             INSERT INTO edge_members VALUES (200, 0, 100, 1, NULL);
             INSERT INTO edge_members VALUES (200, 1, 101, 2, NULL);
             INSERT INTO value_names (code, name) VALUES (1, 'pagerank');
             INSERT INTO node_values VALUES (100, 1, 0.25, 40);
             INSERT INTO value_sets VALUES (40, NULL, '[1]');",
        )
        .expect("version 19 rows");
        let mut rows = vec![sorted_rows(&conn, tasks_before)];
        rows.extend(owned.iter().map(|sql| sorted_rows(&conn, sql)));
        rows
    };
    let mut store = Store::open(&path, OpenMode::ReadWrite).expect("upgrade");
    assert_eq!(store.upgraded_from(), Some(19));
    assert!(!store.upgrade_emptied());
    assert!(!store.upgrade_remined());
    let mut after = vec![sorted_rows(&store.conn, tasks_after)];
    after.extend(owned.iter().map(|sql| sorted_rows(&store.conn, sql)));
    assert_eq!(after, before, "every row kept");
    assert_counts_kept(&store.conn);
    assert_eq!(
        store.check_integrity().expect("integrity"),
        Vec::<String>::new()
    );
    let sql = table_sql(&store, "tasks");
    assert!(
        sql.contains("WITHOUT ROWID") && sql.contains("PRIMARY KEY (kind, id)"),
        "{sql}"
    );
    // The index keeping ids unique holds the id and the primary key: no
    // key text.
    assert_eq!(
        index_columns(&store, "sqlite_autoindex_tasks_1"),
        ["id", "kind"]
    );
    {
        let tx = store.begin_write().expect("tx");
        let keys: Vec<String> = tx
            .memo_rows("parse")
            .expect("rows")
            .into_iter()
            .map(|r| r.key)
            .collect();
        assert_eq!(keys, ["a.rs", "b.rs"], "in id order (-10, 30)");
        let values: Vec<(String, Vec<u8>)> = tx
            .memo_values("parse")
            .expect("values")
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_vec()))
            .collect();
        assert_eq!(
            values,
            [
                ("a.rs".to_owned(), vec![9, 9]),
                ("b.rs".to_owned(), vec![1, 2])
            ]
        );
        // A task is deleted with what it owns, and counted out.
        tx.delete_task(TaskId::from_raw(-10)).expect("delete");
        assert_eq!(count(&tx, "SELECT count(*) FROM edges"), 0);
        assert_eq!(count(&tx, "SELECT count(*) FROM task_values"), 0);
        assert_counts_kept(tx.conn());
        tx.commit().expect("commit");
    }
}

/// Tasks of several kinds written in any order: each kind's come back
/// alone, in id order whatever order they were written in, the values
/// with them, and the kinds' names are kept once.
#[test]
fn memo_rows_come_back_by_kind_in_id_order() {
    let keys = ["m.rs", "a.rs", "z.rs", "b/c.rs", "b.rs", "0.rs"];
    let write = |tx: &WriteTx<'_>, keys: &[&str], kinds: [&str; 2]| {
        for (i, key) in keys.iter().enumerate() {
            for kind in kinds {
                let row = MemoRow {
                    id: TaskId::of(kind, key),
                    key: (*key).to_owned(),
                    input_hash: i as u64,
                    output_hash: 7,
                    revision: 1,
                };
                tx.put_memo(kind, &row, Some(key.as_bytes())).expect("put");
            }
        }
    };
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    write(&tx, &keys, ["parse", "chunk"]);
    // Another index, written in the reverse order.
    let mut store_b = Store::open_in_memory().expect("open");
    let tx_b = store_b.begin_write().expect("tx");
    let reversed: Vec<&str> = keys.iter().rev().copied().collect();
    write(&tx_b, &reversed, ["chunk", "parse"]);
    for kind in ["parse", "chunk"] {
        let mut by_id: Vec<(i64, String)> = keys
            .iter()
            .map(|k| (TaskId::of(kind, k).raw(), (*k).to_owned()))
            .collect();
        by_id.sort();
        let in_id_order: Vec<String> = by_id.into_iter().map(|(_, k)| k).collect();
        let rows: Vec<String> = tx
            .memo_rows(kind)
            .expect("rows")
            .into_iter()
            .map(|r| r.key)
            .collect();
        assert_eq!(rows, in_id_order, "{kind}");
        let rows_b: Vec<String> = tx_b
            .memo_rows(kind)
            .expect("rows")
            .into_iter()
            .map(|r| r.key)
            .collect();
        assert_eq!(rows_b, rows, "{kind} written in another order");
        let values: Vec<(String, String)> = tx
            .memo_values(kind)
            .expect("values")
            .iter()
            .map(|(k, v)| (k.to_owned(), String::from_utf8(v.to_vec()).expect("utf-8")))
            .collect();
        assert_eq!(
            values,
            in_id_order
                .iter()
                .map(|k| (k.clone(), k.clone()))
                .collect::<Vec<_>>()
        );
        let of: Vec<String> = tx
            .memo_rows_of(kind, ["z.rs", "nope.rs", "a.rs"])
            .expect("rows")
            .into_iter()
            .map(|r| r.key)
            .collect();
        assert_eq!(of, ["z.rs", "a.rs"]);
    }
    assert_eq!(count(&tx, "SELECT count(*) FROM task_kinds"), 2);
    assert_counts_kept(tx.conn());
}

/// A version 17 index's chunks hold their whole bodies and read so after
/// the upgrade, which changes no row.
#[test]
fn a_version_17_chunk_reads_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for m in &crate::migrate::MIGRATIONS[..17] {
            conn.execute_batch(m.sql).expect("the old schemas");
        }
        conn.execute_batch(
            "PRAGMA user_version = 17;
             INSERT INTO tasks (id, kind, key, input_hash, output_hash, revision, value)
                 VALUES (1, 'chunk', 'a.rs', 1, 1, 1, NULL);
             INSERT INTO chunks VALUES (3, 7, 1, NULL, 'alpha', 'fn alpha() {}', 9, 1, NULL, 1, 1);",
        )
        .expect("version 17 rows");
    }
    let store = Store::open(&path, OpenMode::ReadWrite).expect("upgrade");
    assert_eq!(store.upgraded_from(), Some(17));
    assert!(!store.upgrade_emptied() && !store.upgrade_remined());
    let chunks = store.chunks(&[3]).expect("read");
    assert_eq!(chunks.len(), 1);
    assert_eq!(chunks[0].body, "fn alpha() {}");
    assert!(!chunks[0].file_lines);
    assert_eq!(chunks[0].text_hash, 9);
}

/// A version 18 index's salience population counts and times become the
/// reals a reader counts in the (name, value) index; other integers stay.
#[test]
fn a_version_18_population_is_stored_as_reals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for m in &crate::migrate::MIGRATIONS[..18] {
            conn.execute_batch(m.sql).expect("the old schemas");
        }
        conn.execute_batch(
            "PRAGMA user_version = 18;
             INSERT INTO value_names (code, name) VALUES
                 (1, 'salience_population_commits'), (2, 'commits'),
                 (3, 'salience_population_last_change');
             INSERT INTO node_values (node, name, value, owner) VALUES
                 (10, 1, 7, 5), (10, 2, 7, 6), (10, 3, 1600000000, 5), (11, 1, 2.5, 5);",
        )
        .expect("version 18 rows");
    }
    let store = Store::open(&path, OpenMode::ReadWrite).expect("upgrade");
    assert_eq!(store.upgraded_from(), Some(18));
    let rows = sorted_rows(
        &store.conn,
        "SELECT name || ' ' || node || ' ' || typeof(value) || ' ' || value FROM node_values",
    );
    assert_eq!(
        rows,
        [
            r#"Text("1 10 real 7.0")"#,
            r#"Text("1 11 real 2.5")"#,
            r#"Text("2 10 integer 7")"#,
            r#"Text("3 10 real 1600000000.0")"#,
        ]
    );
}

/// The texts commit records name by id are kept once; a second text under
/// a kept id is refused, not taken for the first; those no record names
/// go when asked.
#[test]
fn record_texts_are_kept_once_and_a_shared_id_is_refused() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    tx.put_record_texts([(1, "src/a.rs"), (2, "ann@x"), (1, "src/a.rs")])
        .expect("put");
    tx.commit().expect("commit");
    let tx = store.begin_write().expect("tx");
    tx.put_record_texts([(1, "src/a.rs"), (3, "bob@x")])
        .expect("again");
    let clash = tx.put_record_texts([(2, "eve@x")]);
    assert!(
        matches!(&clash, Err(StoreError::IdCollision { name, other_name, .. })
            if name == "eve@x" && other_name == "ann@x"),
        "{clash:?}"
    );
    tx.delete_record_texts(vec![2]).expect("delete");
    tx.commit().expect("commit");
    let texts = store.record_texts(&[1, 2, 3]).expect("read");
    assert_eq!(
        texts
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
        std::collections::BTreeMap::from([(1, "src/a.rs".to_owned()), (3, "bob@x".to_owned())])
    );
}

/// Every row `sql` returns, its cells joined, sorted.
/// The steps SQLite's query planner chose for `sql`.
fn query_plan(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(3))?.collect())
        .expect("plan")
}

fn sorted_rows(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut rows: Vec<String> = conn
        .prepare(sql)
        .and_then(|mut s| {
            let n = s.column_count();
            s.query_map([], |r| {
                (0..n)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map(|cells| cells.join("|"))
            })?
            .collect()
        })
        .expect("rows");
    rows.sort();
    rows
}

/// `n` bytes that do not deflate (xorshift32 from `seed`).
fn noise(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect()
}

/// What Homer with schema 9 left, in every table schema 10 and 11 touch;
/// ids in an order unlike (kind, key), as grouped ids are.
const VERSION_9_ROWS: &str = r#"PRAGMA user_version = 9;
             INSERT INTO tasks VALUES (30, 'parse', 'b.rs', 1, 2, 1, x'0102', 0);
             INSERT INTO tasks VALUES (10, 'parse', 'a.rs', 3, 4, 1, NULL, 0);
             INSERT INTO tasks VALUES (20, 'commit', 'c1', 5, 6, 2, x'07', 0);
             INSERT INTO tasks VALUES (40, 'graph', 'files', 7, 8, 2, zeroblob(3000), 0);
             INSERT INTO nodes VALUES (100, 1, 'a.rs', NULL, 10, NULL);
             INSERT INTO nodes VALUES (101, 1, 'b.rs', NULL, 30, NULL);
             INSERT INTO nodes VALUES (102, 3, 'a.rs::f', NULL, 10, '{}');
             INSERT INTO edges VALUES (200, 3, 10, NULL, NULL, NULL);
             INSERT INTO edge_members VALUES (200, 0, 100, 1, NULL);
             INSERT INTO edge_members VALUES (200, 1, 102, 2, NULL);
             INSERT INTO edges VALUES (201, 1, 20, 1.5, NULL, 0.5);
             INSERT INTO edge_members VALUES (201, 0, 101, 1, NULL);
             INSERT INTO value_names (code, name) VALUES (1, 'pagerank');
             INSERT INTO node_values VALUES (100, 1, 0.25, 40);
             INSERT INTO node_values VALUES (101, 1, 0.75, 40);
             INSERT INTO value_marks VALUES (1, 40, 2, x'00');
             INSERT INTO chunks VALUES (5, 10, 102, 'f', 'fn f() {}', 7, 1, 7, 1, 1);
             INSERT INTO nodes VALUES (103, 4, 'c1', NULL, 20,
                 '{"author":"Ann","email":"ann@x","time":5,"tz":60,"committed":6,"parents":["p1","p2"],"subject":"Fix \"it\" é"}');
             INSERT INTO nodes VALUES (104, 4, 'c0', NULL, 20,
                 '{"author":"B","email":"b@x","time":1,"tz":0,"committed":2,"parents":[],"subject":"s","shallow":true}');"#;

/// Schema 10 keeps the memo table in (kind, key) order: an index of
/// schema 9 keeps every row (the table is rebuilt with foreign keys off,
/// so dropping the old one cascades to nothing), its counts, and owners
/// that still cascade and are still checked. Schema 11 drops what commit
/// nodes repeated.
#[test]
fn a_version_9_index_keeps_every_row_when_its_tasks_are_kept_by_kind_and_commits_slimmed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    // A task's value was in its row; since schema 10 a long one is aside.
    let old_tasks =
        "SELECT id, kind, key, input_hash, output_hash, revision, quote(value), packed FROM tasks";
    let new_tasks = "SELECT id, kind, key, input_hash, output_hash, revision,
                quote(coalesce(value, (SELECT value FROM task_values v WHERE v.id = t.id))), packed
         FROM tasks t";
    let snapshot = |conn: &rusqlite::Connection, tasks: &str| -> Vec<Vec<String>> {
        [
            tasks,
            "SELECT * FROM nodes WHERE kind != 4",
            "SELECT * FROM edges",
            "SELECT * FROM edge_members",
            "SELECT node, name, quote(value), owner FROM node_values",
            "SELECT name, owner, total, quote(marks) FROM value_marks",
            "SELECT id, owner, node, title, quote(body) FROM chunks",
        ]
        .iter()
        .map(|sql| sorted_rows(conn, sql))
        .collect()
    };
    let before = {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .expect("foreign keys");
        for m in &crate::migrate::MIGRATIONS[..9] {
            conn.execute_batch(m.sql).expect("the old schemas");
        }
        conn.execute_batch(VERSION_9_ROWS).expect("version 9 rows");
        snapshot(&conn, old_tasks)
    };
    // Up to schema 13: 14 empties the index.
    crate::migrate::UNTIL.with(|until| until.set(13));
    let mut store = Store::open(&path, OpenMode::ReadWrite).expect("upgrade");
    assert_eq!(store.upgraded_from(), Some(9));
    assert!(!store.upgrade_emptied());
    assert_eq!(snapshot(&store.conn, new_tasks), before, "every row kept");
    // Commits keep what a reader shows, in the order it was written
    // (schema 11): the text `CommitAttrs` writes now (homer-vocab's test
    // `a_commit_node_holds_what_a_reader_shows`).
    let commits: Vec<String> = store
        .conn
        .prepare("SELECT attrs FROM nodes WHERE kind = 4 ORDER BY id")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("commits");
    assert_eq!(
        commits,
        [
            r#"{"author":"Ann","time":5,"committed":6,"subject":"Fix \"it\" é"}"#,
            r#"{"author":"B","time":1,"committed":2,"subject":"s","shallow":true}"#,
        ]
    );
    let sql = table_sql(&store, "tasks");
    assert!(
        sql.contains("WITHOUT ROWID") && sql.contains("PRIMARY KEY (kind, key)"),
        "{sql}"
    );
    let fk: i64 = store
        .conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .expect("foreign keys");
    assert_eq!(fk, 1, "foreign keys are on again");
    assert_counts_kept(&store.conn);
    assert_eq!(
        store.check_integrity().expect("integrity"),
        Vec::<String>::new()
    );
    // The graph task's long value went aside (`spilled`), the others stay
    // in their rows.
    let spilled: Vec<(String, i64)> = pairs(
        &store.conn,
        "SELECT key, spilled FROM tasks ORDER BY kind, key",
    );
    assert_eq!(
        spilled,
        [
            ("c1".to_owned(), 0),
            ("files".to_owned(), 1),
            ("a.rs".to_owned(), 0),
            ("b.rs".to_owned(), 0)
        ]
    );
    // The old table's pages left the file (it is vacuumed after a rebuild).
    let free: i64 = store
        .conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .expect("free pages");
    assert_eq!(free, 0);
    assert_owners_checked_and_cascading(&mut store);
}

/// After the upgrade of `VERSION_9_ROWS`: a kind's tasks come back in key
/// order, an owner must exist, and a task's rows still go with it.
fn assert_owners_checked_and_cascading(store: &mut Store) {
    {
        let tx = store.begin_write().expect("tx");
        // A kind's rows are kept in key order, whatever their ids (schema
        // 10, up to which this upgrade runs; schema 20 keeps them by id,
        // `memo_rows_come_back_in_key_order_whatever_their_ids`).
        let keys: Vec<String> = tx
            .conn()
            .prepare("SELECT key FROM tasks WHERE kind = 'parse'")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("rows");
        assert_eq!(keys, ["a.rs", "b.rs"]);
        // An owner must exist, and a task's rows go with it.
        assert!(
            tx.conn()
                .execute(
                    "INSERT INTO nodes VALUES (105, 1, 'c.rs', NULL, 99, NULL)",
                    []
                )
                .is_err(),
            "an owner no task has is refused"
        );
        tx.conn()
            .execute_batch("DELETE FROM nodes WHERE owner = 10; DELETE FROM tasks WHERE id = 10;")
            .expect("delete a task");
        assert_eq!(count(&tx, "SELECT count(*) FROM edges WHERE owner = 10"), 0);
        assert_eq!(
            count(&tx, "SELECT count(*) FROM chunks WHERE owner = 10"),
            0
        );
        assert_eq!(
            count(&tx, "SELECT count(*) FROM edge_members WHERE edge = 200"),
            0
        );
        tx.conn()
            .execute_batch("DELETE FROM tasks WHERE id = 40;")
            .expect("delete the graph task");
        assert_eq!(count(&tx, "SELECT count(*) FROM node_values"), 0);
        assert_eq!(count(&tx, "SELECT count(*) FROM value_marks"), 0);
        assert_counts_kept(tx.conn());
        tx.commit().expect("commit");
    }
}

/// Schema 7 gave commit messages' chunks negative ids: an index of
/// schema 6 is emptied by the upgrade (its chunks would keep their ids).
#[test]
fn a_version_6_index_is_emptied_by_the_upgrade_to_commit_chunk_ids() {
    upgrade_an_index_with_text(6);
}

#[test]
fn a_newer_schema_is_refused_and_left_byte_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    {
        let store = Store::open(&path, OpenMode::ReadWrite).expect("open");
        store
            .conn
            .execute_batch("PRAGMA user_version = 999; PRAGMA wal_checkpoint(TRUNCATE);")
            .expect("bump version");
    }
    let before = std::fs::read(&path).expect("read db");
    for mode in [OpenMode::ReadWrite, OpenMode::ReadOnly] {
        let err = Store::open(&path, mode).expect_err("newer schema must be refused");
        assert!(
            matches!(err, StoreError::NewerSchema { found: 999, .. }),
            "unexpected error: {err}"
        );
        assert!(err.to_string().contains("newer Homer"), "{err}");
    }
    assert_eq!(std::fs::read(&path).expect("read db"), before);
    assert!(!dir.path().join("homer.db-wal").exists());
}

#[test]
fn a_file_that_is_not_sqlite_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    std::fs::write(&path, vec![b'x'; 4096]).expect("write");
    let err = Store::open(&path, OpenMode::ReadWrite).expect_err("must refuse");
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err}");
}

/// Writes the output of a toy "parse" task: a file it owns, one symbol per
/// name, and a `defines` edge from the file to each symbol.
fn write_file_task(tx: &WriteTx<'_>, path: &str, symbols: &[&str], fresh: bool) -> u64 {
    let owner = TaskId::of("parse", path);
    tx.ensure_task("parse", owner, path).expect("task row");
    let mut w = tx.task_writer(owner, fresh);
    let file = w
        .claim_node(NodeKind::File, path, Some(b"blob"), None)
        .expect("claim file");
    for s in symbols {
        let sym = w
            .claim_node(NodeKind::Symbol, &format!("{path}::{s}"), None, None)
            .expect("claim symbol");
        w.edge(
            EdgeKind::Defines,
            &[
                Member::new(file, Role::Source),
                Member::new(sym, Role::Target),
            ],
            None,
            None,
        )
        .expect("edge");
        w.value(sym, "lines", &Value::Int(3)).expect("value");
    }
    w.finish(None).expect("finish")
}

fn journal_mode(store: &Store) -> String {
    store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal mode")
}

fn task_count(store: &Store) -> i64 {
    store
        .conn
        .query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))
        .expect("count tasks")
}

#[test]
fn a_new_index_is_written_without_a_journal_and_a_torn_one_is_started_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db.new");
    let mark = dir.path().join("homer.db.new-building");
    let (mut store, torn) = Store::open_building(&path).expect("open");
    assert!(!torn);
    assert_eq!(journal_mode(&store), "off");
    assert!(!mark.exists());

    // A transaction is marked from before its first write to its commit.
    let tx = store.begin_write().expect("begin");
    assert!(mark.exists(), "a transaction under way is marked");
    write_file_task(&tx, "a.py", &["f"], true);
    tx.commit().expect("commit");
    assert!(!mark.exists(), "a committed transaction is not");

    // One that never commits (an error, a kill) leaves its mark: without
    // a journal nothing can undo what it wrote.
    let tx = store.begin_write().expect("begin");
    write_file_task(&tx, "b.py", &["g"], true);
    drop(tx);
    assert!(mark.exists());
    drop(store);
    let (mut store, torn) = Store::open_building(&path).expect("reopen");
    assert!(torn, "a marked file is taken as torn");
    assert!(!mark.exists());
    assert_eq!(task_count(&store), 0, "and built again from nothing");

    // Unmarked, it holds what committed, and the build resumes from it.
    let tx = store.begin_write().expect("begin");
    write_file_task(&tx, "a.py", &["f"], true);
    tx.commit().expect("commit");
    drop(store);
    let (mut store, torn) = Store::open_building(&path).expect("reopen");
    assert!(!torn);
    assert_eq!(task_count(&store), 1);

    // Finished, it is a WAL database like any index, and sound.
    store.finish_building().expect("finish");
    assert_eq!(journal_mode(&store), "wal");
    assert!(!mark.exists());
    assert_eq!(
        store.check_integrity().expect("check"),
        Vec::<String>::new()
    );
    drop(store);
    let store = Store::open(&path, OpenMode::ReadOnly).expect("open read-only");
    assert_eq!(task_count(&store), 1);
    // Removing a database removes its mark too.
    std::fs::write(&mark, b"").expect("mark");
    remove_database(&path).expect("remove");
    assert!(!mark.exists() && !path.exists());
}

#[test]
fn a_new_index_is_packed_into_a_wal_copy_without_its_mark() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db.new");
    let (mut store, _) = Store::open_building(&path).expect("open");
    let tx = store.begin_write().expect("begin");
    write_file_task(&tx, "a.py", &["f", "g"], true);
    tx.commit().expect("commit");
    let store = store.compact().expect("compact");
    assert_eq!(journal_mode(&store), "wal");
    assert!(!dir.path().join("homer.db.new-building").exists());
    assert_eq!(task_count(&store), 1);
    assert_eq!(
        store.check_integrity().expect("check"),
        Vec::<String>::new()
    );
}

#[test]
fn rewriting_a_task_keeps_unchanged_rows_and_removes_stale_ones() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    let h1 = write_file_task(&tx, "a.rs", &["f", "g"], true);
    // Another task calls a.rs::g: its edge must survive a rewrite of a.rs
    // that keeps g, and vanish with g.
    let caller = TaskId::of("resolve", "b.rs");
    tx.ensure_task("resolve", caller, "b.rs").expect("task row");
    let mut w = tx.task_writer(caller, true);
    let b = w.intern_node(NodeKind::File, "b.rs").expect("intern");
    let g = NodeId::of(NodeKind::Symbol, "a.rs::g");
    w.edge(
        EdgeKind::Calls,
        &[Member::new(b, Role::Source), Member::new(g, Role::Target)],
        Some(1.0),
        None,
    )
    .expect("call edge");
    w.finish(None).expect("finish");

    assert_counts_kept(tx.conn());
    // Same output again: same hash, same rows.
    let h1_again = write_file_task(&tx, "a.rs", &["f", "g"], false);
    assert_eq!(h1, h1_again);
    assert_eq!(count(&tx, "SELECT count(*) FROM edges WHERE kind = 5"), 1);

    // f goes: its node, defines edge and value go; g and the call stay.
    let h2 = write_file_task(&tx, "a.rs", &["g"], false);
    assert_ne!(h1, h2);
    assert_eq!(count(&tx, "SELECT count(*) FROM nodes WHERE kind = 3"), 1);
    assert_eq!(count(&tx, "SELECT count(*) FROM edges WHERE kind = 3"), 1);
    assert_eq!(count(&tx, "SELECT count(*) FROM node_values"), 1);
    assert_eq!(count(&tx, "SELECT count(*) FROM edges WHERE kind = 5"), 1);
    assert_counts_kept(tx.conn());

    // g goes: the call edge of the other task goes with it, and its members
    // are left for garbage collection.
    write_file_task(&tx, "a.rs", &[], false);
    assert_eq!(count(&tx, "SELECT count(*) FROM edges WHERE kind = 5"), 0);
    assert_eq!(count(&tx, "SELECT count(*) FROM edge_members"), 0);
    // b.rs was only interned for the call: it is garbage now.
    assert_eq!(tx.collect_garbage().expect("gc"), 1);
    assert_eq!(
        count(&tx, "SELECT count(*) FROM nodes WHERE name = 'b.rs'"),
        0
    );
    // a.rs is still owned.
    assert_eq!(
        count(&tx, "SELECT count(*) FROM nodes WHERE name = 'a.rs'"),
        1
    );
    assert_counts_kept(tx.conn());
}

/// A task that stored many values of a name has them read by name (not
/// through the owner index): rewriting it keeps, changes and removes its
/// own values as for a small task, and leaves another task's values of
/// the same name alone.
#[test]
fn rewriting_many_values_of_a_name_touches_only_the_task_s_own() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    let write = |key: &str, range: std::ops::Range<i64>, bump: i64, extra: bool| {
        let owner = TaskId::of("graph", key);
        tx.ensure_task("graph", owner, key).expect("task row");
        let mut w = tx.task_writer(owner, false);
        for i in range {
            let node = w
                .intern_node(NodeKind::Symbol, &format!("s{i}"))
                .expect("node");
            // Every tenth value moves with `bump`.
            let v = if i % 10 == 0 { i + bump } else { i };
            w.value(node, "rank", &Value::Int(v)).expect("rank");
            if extra && i < 3 {
                w.value(node, "note", &Value::Text(format!("n{i}")))
                    .expect("note");
            }
        }
        w.finish(None).expect("finish")
    };
    write("other", 0..1_200, 7, false);
    write("symbols", 2_000..4_000, 0, true);
    let rows = |sql: &str| count(&tx, sql);
    assert_eq!(rows("SELECT count(*) FROM node_values"), 1_200 + 2_000);
    // Rewritten: 300 values dropped, every tenth changed, the notes gone.
    write("symbols", 2_000..3_700, 1, false);
    let owner = TaskId::of("graph", "symbols").raw();
    let other = TaskId::of("graph", "other").raw();
    assert_eq!(
        rows(&format!(
            "SELECT count(*) FROM node_values WHERE owner = {owner}"
        )),
        1_700
    );
    assert_eq!(
        rows(&format!(
            "SELECT count(*) FROM node_values v JOIN nodes n ON n.id = v.node
             WHERE v.owner = {owner} AND v.value = CAST(substr(n.name, 2) AS INTEGER)
                   + (CAST(substr(n.name, 2) AS INTEGER) % 10 = 0)"
        )),
        1_700,
        "each value as last written"
    );
    assert_eq!(
        rows(&format!(
            "SELECT count(*) FROM node_values v JOIN nodes n ON n.id = v.node
             WHERE v.owner = {other} AND v.value = CAST(substr(n.name, 2) AS INTEGER)
                   + 7 * (CAST(substr(n.name, 2) AS INTEGER) % 10 = 0)"
        )),
        1_200,
        "the other task's values stay as they were"
    );
}

#[test]
fn deleting_a_task_releases_shared_nodes_that_another_tasks_edge_still_references() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    write_file_task(&tx, "a.rs", &["f"], true);
    // Another task's edge references a.rs (and b.rs, which nobody claims).
    let coupling = TaskId::of("coupling", "a.rs");
    tx.ensure_task("coupling", coupling, "a.rs")
        .expect("task row");
    let mut w = tx.task_writer(coupling, true);
    let a = w.intern_node(NodeKind::File, "a.rs").expect("file");
    let b = w.intern_node(NodeKind::File, "b.rs").expect("file");
    w.edge(
        EdgeKind::CoChange,
        &[Member::new(a, Role::Member), Member::new(b, Role::Member)],
        None,
        None,
    )
    .expect("edge");
    w.finish(None).expect("finish");

    assert_counts_kept(tx.conn());
    tx.delete_task(TaskId::of("parse", "a.rs")).expect("delete");
    assert_counts_kept(tx.conn());
    tx.collect_garbage().expect("gc");
    assert_counts_kept(tx.conn());
    // The symbol is gone, the file lives on unowned, without content.
    assert_eq!(count(&tx, "SELECT count(*) FROM nodes WHERE kind = 3"), 0);
    assert_eq!(
        count(
            &tx,
            "SELECT count(*) FROM nodes WHERE name = 'a.rs' AND owner IS NULL AND content_hash IS NULL"
        ),
        1
    );
    // Once the edge goes too, both files are collected.
    tx.delete_task(coupling).expect("delete the coupling");
    tx.collect_garbage().expect("gc");
    assert_eq!(count(&tx, "SELECT count(*) FROM nodes"), 0);
    assert_eq!(count(&tx, "SELECT count(*) FROM edges"), 0);
    assert_counts_kept(tx.conn());
}

#[test]
fn a_node_has_one_owner() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    write_file_task(&tx, "a.rs", &[], true);
    let other = TaskId::of("parse", "other");
    tx.ensure_task("parse", other, "other").expect("task row");
    let mut w = tx.task_writer(other, true);
    let err = w
        .claim_node(NodeKind::File, "a.rs", None, None)
        .expect_err("double claim");
    assert!(matches!(err, StoreError::DoubleClaim { .. }), "{err}");
    // A node that is there without an owner (a file the history refers
    // to) is claimed by a task that never ran, attributes and all.
    let shared = w.intern_node(NodeKind::File, "b.rs").expect("intern");
    let third = TaskId::of("parse", "third");
    tx.ensure_task("parse", third, "third").expect("task row");
    let mut w = tx.task_writer(third, true);
    let claimed = w
        .claim_node(NodeKind::File, "b.rs", Some(b"blob"), Some("{}"))
        .expect("claim a shared node");
    assert_eq!(claimed, shared);
    let (owner, attrs): (i64, String) = tx
        .conn()
        .query_row(
            "SELECT owner, attrs FROM nodes WHERE id = ?1",
            [claimed.raw()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("read the node");
    assert_eq!((owner, attrs.as_str()), (third.raw(), "{}"));
}

#[test]
fn checkpoints_round_trip() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    assert_eq!(tx.checkpoint("head").expect("read"), None);
    tx.set_checkpoint("head", "abc").expect("write");
    tx.set_checkpoint("head", "def").expect("overwrite");
    assert_eq!(tx.checkpoint("head").expect("read").as_deref(), Some("def"));
    tx.commit().expect("commit");
    assert_eq!(
        store.checkpoint("head").expect("read").as_deref(),
        Some("def")
    );
}

fn search(store: &Store, query: &str) -> Vec<String> {
    let mut titles: Vec<String> = store
        .conn
        .prepare(
            "SELECT c.title FROM chunk_text t JOIN chunks c ON c.id = t.rowid
             WHERE chunk_text MATCH ?1",
        )
        .and_then(|mut s| s.query_map([query], |r| r.get(0))?.collect())
        .expect("search");
    titles.sort();
    titles
}

fn write_chunks(tx: &WriteTx<'_>, key: &str, texts: &[(&str, &str)], fresh: bool) {
    let owner = TaskId::of("doc", key);
    tx.ensure_task("doc", owner, key).expect("task row");
    let mut w = tx.task_writer(owner, fresh);
    for (title, body) in texts {
        w.chunk(&Chunk {
            node: None,
            title,
            body,
            words: "",
            lines: None,
            lead: None,
            embed: crate::Embed::Nothing,
            message: false,
        })
        .expect("chunk");
    }
    w.finish(None).expect("finish");
}

/// A chunk whose text is unchanged but whose lines moved (it sits below
/// an edit) gets its new lines without its text leaving and re-entering
/// the text index; one whose text changed is queued again.
#[test]
fn a_chunk_that_only_moved_keeps_its_text_indexed_as_it_is() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    let write = |bodies: &[(&str, (u32, u32))]| {
        let owner = TaskId::of("chunk", "a.rs");
        tx.ensure_task("chunk", owner, "a.rs").expect("task row");
        let mut w = tx.task_writer(owner, false);
        let node = w.intern_node(NodeKind::File, "a.rs").expect("node");
        for (body, lines) in bodies {
            w.chunk(&Chunk {
                node: Some(node),
                title: "a.rs",
                body,
                words: "",
                lines: Some(*lines),
                lead: None,
                embed: crate::Embed::Body,
                message: false,
            })
            .expect("chunk");
        }
        w.finish(None).expect("finish");
    };
    let queued = |tx: &WriteTx<'_>| count(tx, "SELECT count(*) FROM chunk_text_pending");
    write(&[("fn alpha() {}", (1, 1)), ("fn beta() {}", (3, 3))]);
    tx.conn()
        .execute("DELETE FROM chunk_text_pending", [])
        .expect("as after a stage");
    // Two lines added above both: the same texts, lower down.
    write(&[("fn alpha() {}", (3, 3)), ("fn beta() {}", (5, 5))]);
    assert_eq!(queued(&tx), 0, "no text re-indexed");
    assert_eq!(
        pairs(
            tx.conn(),
            "SELECT CAST(start_line AS TEXT), end_line FROM chunks ORDER BY start_line"
        ),
        [("3".to_owned(), 3), ("5".to_owned(), 5)]
    );
    // beta's body changed: it alone is queued (its old text out, new in).
    write(&[("fn alpha() {}", (3, 3)), ("fn beta(x: u8) {}", (5, 5))]);
    assert_eq!(queued(&tx), 2);
    tx.conn()
        .execute("DELETE FROM chunk_text_pending", [])
        .expect("as after a stage");
    // A chunk added above the others (and one more of an existing text):
    // only the new ones are queued; the others keep their ids.
    let ids = |tx: &WriteTx<'_>| {
        pairs(tx.conn(), "SELECT CAST(id AS TEXT), start_line FROM chunks")
            .into_iter()
            .map(|(id, _)| id)
            .collect::<std::collections::BTreeSet<_>>()
    };
    let before = ids(&tx);
    write(&[
        ("use x;", (1, 1)),
        ("fn alpha() {}", (3, 3)),
        ("fn beta(x: u8) {}", (5, 5)),
        ("fn alpha() {}", (7, 7)),
    ]);
    assert_eq!(queued(&tx), 2, "two chunks inserted, nothing removed");
    let after = ids(&tx);
    assert!(before.is_subset(&after), "{before:?} kept in {after:?}");
    assert_eq!(after.len(), 4);
}

/// A chunk that quotes its file stores only its lead and says so; the
/// text index gets the whole text. A row that holds its whole body (an
/// index from before schema 18) is written again in that form, once, even
/// though its text is the same.
#[test]
fn a_chunk_quoting_its_file_stores_its_lead_and_an_old_row_is_written_again() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    let write = |lead: Option<usize>| {
        let owner = TaskId::of("chunk", "a.rs");
        tx.ensure_task("chunk", owner, "a.rs").expect("task row");
        let mut w = tx.task_writer(owner, false);
        let node = w.intern_node(NodeKind::File, "a.rs").expect("node");
        w.chunk(&Chunk {
            node: Some(node),
            title: "alpha",
            body: "Doc.\nfn alpha() {}",
            words: "",
            lines: Some((2, 2)),
            lead,
            embed: crate::Embed::Body,
            message: false,
        })
        .expect("chunk");
        w.finish(None).expect("finish");
    };
    let row = |tx: &WriteTx<'_>| pairs(tx.conn(), "SELECT body, file_lines FROM chunks");
    let queued = |tx: &WriteTx<'_>| count(tx, "SELECT count(*) FROM chunk_text_pending");
    write(None);
    assert_eq!(row(&tx), [("Doc.\nfn alpha() {}".to_owned(), 0)]);
    tx.conn()
        .execute("DELETE FROM chunk_text_pending", [])
        .expect("as after a stage");
    write(Some(5));
    assert_eq!(
        row(&tx),
        [("Doc.\n".to_owned(), 1)],
        "rewritten as its lead"
    );
    assert_eq!(queued(&tx), 2, "its text out of the index and in again");
    let whole: String = tx
        .conn()
        .query_row(
            "SELECT body FROM chunk_text_pending WHERE op = 'insert'",
            [],
            |r| r.get(0),
        )
        .expect("queued text");
    assert_eq!(
        whole, "Doc.\nfn alpha() {}",
        "the index gets the whole text"
    );
    tx.conn()
        .execute("DELETE FROM chunk_text_pending", [])
        .expect("as after a stage");
    write(Some(5));
    assert_eq!(queued(&tx), 0, "kept as it is");
    // A lead that is not a place in the body stores the whole body.
    write(Some(99));
    assert_eq!(row(&tx), [("Doc.\nfn alpha() {}".to_owned(), 0)]);
}

/// The file is packed when most of it is free pages, and left alone
/// otherwise.
#[test]
fn a_mostly_free_file_is_packed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    let mut store = Store::open(&path, OpenMode::ReadWrite).expect("open");
    assert_eq!(store.pack_if_mostly_free(&mut || ()).expect("pack"), None);
    let tx = store.begin_write().expect("tx");
    let big = "x".repeat(3000);
    for i in 0..400 {
        tx.conn()
            .execute(
                "INSERT INTO record_texts (id, text) VALUES (?1, ?2)",
                rusqlite::params![i, big],
            )
            .expect("insert");
    }
    tx.commit().expect("commit");
    assert_eq!(
        store.pack_if_mostly_free(&mut || ()).expect("pack"),
        None,
        "nothing free"
    );
    let tx = store.begin_write().expect("tx");
    tx.conn()
        .execute("DELETE FROM record_texts", [])
        .expect("delete");
    tx.commit().expect("commit");
    let (before, after) = store
        .pack_if_mostly_free(&mut || ())
        .expect("pack")
        .expect("packed");
    assert!(after * 4 < before, "{before} -> {after}");
    assert_eq!(store.pack_if_mostly_free(&mut || ()).expect("pack"), None);
}

#[test]
fn the_text_index_follows_chunks_across_stages() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    write_chunks(
        &tx,
        "a",
        &[("alpha", "first body"), ("beta", "second body")],
        true,
    );
    // Written and replaced within one stage: only the last text counts.
    write_chunks(&tx, "b", &[("gamma", "draft")], true);
    write_chunks(&tx, "b", &[("gamma", "final")], false);
    tx.commit().expect("commit");
    assert_eq!(
        store.check_integrity().expect("integrity"),
        Vec::<String>::new()
    );
    assert_eq!(search(&store, "body"), ["alpha", "beta"]);
    assert_eq!(search(&store, "draft"), Vec::<String>::new());
    assert_eq!(search(&store, "final"), ["gamma"]);

    // Changed twice in one later stage, then its task deleted elsewhere.
    let tx = store.begin_write().expect("tx");
    write_chunks(&tx, "a", &[("alpha", "changed once")], false);
    write_chunks(&tx, "a", &[("alpha", "changed twice")], false);
    tx.delete_task(TaskId::of("doc", "b")).expect("delete");
    tx.commit().expect("commit");
    assert_eq!(
        store.check_integrity().expect("integrity"),
        Vec::<String>::new()
    );
    assert_eq!(search(&store, "body"), Vec::<String>::new());
    assert_eq!(search(&store, "once"), Vec::<String>::new());
    assert_eq!(search(&store, "twice"), ["alpha"]);
    assert_eq!(search(&store, "final"), Vec::<String>::new());
    // The index holds exactly the chunks' ids, each with its last text.
    store
        .conn
        .execute_batch("CREATE VIRTUAL TABLE temp.held USING fts5vocab(main, chunk_text, instance)")
        .expect("vocabulary");
    let held: Vec<(i64, String)> = store
        .conn
        .prepare("SELECT doc, term FROM temp.held WHERE col = 'body' ORDER BY doc, offset")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("terms");
    let ids: Vec<i64> = store
        .conn
        .prepare("SELECT id FROM chunks ORDER BY id")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("ids");
    // Task a's second run wrote alpha alone: beta went with its old row.
    assert_eq!(ids.len(), 1);
    assert_eq!(
        held,
        [(ids[0], "chang".to_owned()), (ids[0], "twice".to_owned())]
    );
}

/// Chunks get small ids in the order they are written (a commit message's
/// counting down from -1), and chunks that tie in a search come in the
/// order of their keys: two indexes that wrote the same chunks in another
/// order answer alike, at every limit.
#[test]
fn chunk_ids_are_small_and_ties_are_ordered_by_key() {
    let build = |owners: &[&str]| {
        let mut store = Store::open_in_memory().expect("open");
        let tx = store.begin_write().expect("tx");
        for key in owners {
            write_chunks(&tx, key, &[("same", "tied text")], true);
        }
        let owner = TaskId::of("commit", "c1");
        tx.ensure_task("commit", owner, "c1").expect("task row");
        let mut w = tx.task_writer(owner, true);
        w.chunk(&Chunk {
            node: None,
            title: "fix the tied text",
            body: "",
            words: "",
            lines: None,
            lead: None,
            embed: crate::Embed::Nothing,
            message: true,
        })
        .expect("message");
        w.finish(None).expect("finish");
        tx.commit().expect("commit");
        store
    };
    let keys = |store: &Store, limit: usize, commits: bool| -> Vec<i64> {
        let ids: Vec<i64> = store
            .text_search(
                "tied",
                [1.0, 1.0, 1.0],
                limit,
                if commits {
                    crate::Searched::CodeAndCommits
                } else {
                    crate::Searched::Code
                },
            )
            .expect("search")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let chunks = store.chunks(&ids).expect("chunks");
        chunks.iter().map(|c| c.key).collect()
    };
    // More ties than a search first asks the index for (10 at limit 2).
    let names: Vec<String> = (0..20).map(|i| format!("o{i}")).collect();
    let forward: Vec<&str> = names.iter().map(String::as_str).collect();
    let backward: Vec<&str> = forward.iter().rev().copied().collect();
    let ab = build(&forward);
    let ba = build(&backward);
    let ids = |store: &Store| -> Vec<i64> {
        store
            .conn
            .prepare("SELECT id FROM chunks ORDER BY key")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("ids")
    };
    let mut sorted = ids(&ab);
    sorted.sort_unstable();
    assert_eq!(sorted, (-1..20).collect::<Vec<i64>>());
    assert_ne!(ids(&ab), ids(&ba), "written in another order, other ids");
    for limit in [1, 2, 3, 10, 30] {
        assert_eq!(
            keys(&ab, limit, false),
            keys(&ba, limit, false),
            "limit {limit}"
        );
        assert_eq!(
            keys(&ab, limit, true),
            keys(&ba, limit, true),
            "limit {limit}"
        );
    }
    let all = keys(&ab, 30, false);
    let mut by_key = all.clone();
    by_key.sort_unstable();
    assert_eq!(all, by_key, "ties in key order");
    assert_eq!(all.len(), 20, "commit messages only when asked");
    assert_eq!(keys(&ab, 30, true).len(), 21);
}

/// Embeddings without the model: which texts are pending, vectors keyed
/// by text (two chunks with one text share one), and pruning.
#[test]
fn vectors_are_keyed_by_text_and_pruned_with_their_last_chunk() {
    let mut store = Store::open_in_memory().expect("open");
    let write = |tx: &WriteTx<'_>, key: &str, bodies: &[&str]| {
        let owner = TaskId::of("doc", key);
        tx.ensure_task("doc", owner, key).expect("task row");
        let mut w = tx.task_writer(owner, false);
        for body in bodies {
            w.chunk(&Chunk {
                node: None,
                title: key,
                body,
                words: "",
                lines: None,
                lead: None,
                embed: crate::Embed::Body,
                message: false,
            })
            .expect("chunk");
        }
        w.finish(None).expect("finish");
    };
    let tx = store.begin_write().expect("tx");
    write(&tx, "a", &["same text", "only in a"]);
    write(&tx, "b", &["same text"]);
    let pending = tx.pending_embeddings("m").expect("pending");
    assert_eq!(pending.len(), 2, "two distinct texts");
    assert_eq!(tx.embedding_coverage("m").expect("count"), (2, 0));
    for (i, p) in pending.iter().enumerate() {
        let v = [i as f32, 0.5, -1.25];
        tx.put_embedding(p.embed_hash, "m", &v).expect("put");
    }
    assert!(tx.pending_embeddings("m").expect("pending").is_empty());
    assert_eq!(tx.embedding_coverage("m").expect("count"), (2, 2));
    assert_eq!(tx.embedding_coverage("other").expect("count"), (2, 0));
    assert_eq!(tx.pending_embeddings("other").expect("pending").len(), 2);
    tx.commit().expect("commit");

    let vectors = store.text_vectors("m", 3).expect("vectors");
    let hashes = &vectors.keys;
    assert_eq!(hashes.len(), 2);
    let flat: Vec<f32> = (0..2).flat_map(|i| vectors.decoded(i)).collect();
    // Stored quantized: each number within half a step (the largest / 254).
    let near = |got: &[f32], want: [f32; 3]| {
        let step = 1.25 / 127.0;
        got.iter()
            .zip(want)
            .all(|(g, w)| (g - w).abs() <= step / 2.0 + 1e-6)
    };
    assert!(near(&flat[..3], [0.0, 0.5, -1.25]), "{flat:?}");
    assert!(near(&flat[3..], [1.0, 0.5, -1.25]), "{flat:?}");
    let shared = crate::embed_hash("same text");
    let chunks = store.chunks_with_text(shared).expect("chunks");
    assert_eq!(chunks.len(), 2, "both chunks with the text");

    // Drop "a": "only in a" loses its last chunk, "same text" keeps b's.
    let tx = store.begin_write().expect("tx");
    tx.delete_task(TaskId::of("doc", "a")).expect("delete");
    assert_eq!(tx.prune_embeddings("m").expect("prune"), 1);
    tx.commit().expect("commit");
    let vectors = store.text_vectors("m", 3).expect("vectors");
    assert_eq!(vectors.keys, vec![shared]);
}

#[test]
fn a_read_snapshot_sees_one_state_until_it_ends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("homer.db");
    let mut writer = Store::open(&path, OpenMode::ReadWrite).expect("open");
    let set = |store: &mut Store, value: &str| {
        let tx = store.begin_write().expect("begin");
        tx.set_checkpoint("head", value).expect("set");
        tx.commit().expect("commit");
    };
    set(&mut writer, "one");
    let reader = Store::open(&path, OpenMode::ReadOnly).expect("open read-only");
    {
        let _snapshot = reader.read_snapshot().expect("snapshot");
        assert_eq!(
            reader.checkpoint("head").expect("read").as_deref(),
            Some("one")
        );
        // A commit beside the snapshot is not seen inside it...
        set(&mut writer, "two");
        assert_eq!(
            reader.checkpoint("head").expect("read").as_deref(),
            Some("one")
        );
        // ...and snapshots do not nest.
        assert!(reader.read_snapshot().is_err());
    }
    // ...but by the next read after it ends.
    assert_eq!(
        reader.checkpoint("head").expect("read").as_deref(),
        Some("two")
    );
    let _again = reader.read_snapshot().expect("a new snapshot");
}

#[test]
fn an_edge_member_in_a_role_its_kind_does_not_give_is_refused() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    let owner = TaskId::of("parse", "a.rs");
    tx.ensure_task("parse", owner, "a.rs").expect("task row");
    let mut w = tx.task_writer(owner, true);
    let file = w
        .claim_node(NodeKind::File, "a.rs", None, None)
        .expect("claim file");
    let other = w
        .claim_node(NodeKind::File, "b.rs", None, None)
        .expect("claim file");
    // A co-change's role on an import: the reads by role would miss it.
    let wrong = w.edge(
        EdgeKind::Imports,
        &[
            Member::new(file, Role::Source),
            Member::new(other, Role::Member),
        ],
        None,
        None,
    );
    assert!(
        matches!(
            wrong,
            Err(StoreError::WrongRole {
                kind: "imports",
                role: "member"
            })
        ),
        "{wrong:?}"
    );
    // Every kind's own roles are accepted.
    for kind in EdgeKind::ALL {
        let members: Vec<Member<'_>> = kind
            .roles()
            .iter()
            .take(2)
            .zip([file, other])
            .map(|(&role, node)| Member::new(node, role))
            .collect();
        w.edge(*kind, &members, None, None).expect("its own roles");
    }
    w.finish(None).expect("finish");
    tx.commit().expect("commit");
    // A node's edges of one kind, read by role, are exactly that kind's.
    for kind in EdgeKind::ALL {
        let found = store.edges_of(*kind, NodeKind::File, "a.rs").expect("read");
        assert_eq!(found.len(), 1, "{kind:?}");
    }
}

/// The nodes with the highest values are those a sort of every node by
/// value, then name, puts first, for any count asked, whether the ties at
/// the cut are many (found down the name index) or few (in the value
/// index); each query reads the index it is written for, in its order.
#[test]
fn the_highest_values_are_the_first_of_every_node_sorted() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    let owner = TaskId::of("doc", "x");
    tx.ensure_task("doc", owner, "x").expect("task row");
    let mut w = tx.task_writer(owner, true);
    // A plateau of seven ties at 0.1, a pair at 0.5, a node with no score.
    let scores = [0.1, 0.9, 0.1, 0.5, 0.1, 0.1, 0.7, 0.5, 0.1, 0.1, 0.1, 0.0];
    let mut all: Vec<(String, f64)> = Vec::new();
    for (i, score) in scores.into_iter().enumerate() {
        // Names in another order than ids.
        let name = format!("s{}", (i * 7) % scores.len());
        let node = w
            .claim_node(NodeKind::Symbol, &name, None, None)
            .expect("claim");
        w.value(node, "call_pagerank", &Value::Real(score))
            .expect("value");
        all.push((name, score));
    }
    let unscored = w
        .claim_node(NodeKind::Symbol, "unscored", None, None)
        .expect("claim");
    w.value(unscored, "call_pagerank", &Value::Int(1))
        .expect("value");
    w.finish(None).expect("finish");
    tx.commit().expect("commit");
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    for n in 1..=all.len() + 2 {
        let top: Vec<(String, f64)> = store
            .top_valued_nodes(NodeKind::Symbol, "call_pagerank", n)
            .expect("top")
            .into_iter()
            .map(|(node, score)| (node.name, score))
            .collect();
        let expected = &all[..n.min(all.len())];
        assert_eq!(top, expected, "n = {n}");
    }
    assert!(
        store
            .top_valued_nodes(NodeKind::File, "call_pagerank", 3)
            .expect("top")
            .is_empty()
    );
    for (sql, index) in [
        (crate::read::BY_VALUE, "node_values_rank"),
        (crate::read::TIED_BY_VALUE, "node_values_rank"),
        (crate::read::TIED_BY_NAMES, "sqlite_autoindex_nodes_1"),
    ] {
        let plan: Vec<String> = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .and_then(|mut s| {
                let unbound = vec![rusqlite::types::Null; s.parameter_count()];
                s.query_map(rusqlite::params_from_iter(unbound), |r| r.get(3))?
                    .collect()
            })
            .expect("plan");
        assert!(plan[0].contains(index), "{sql}: {plan:?}");
        let sorted = plan.iter().any(|step| step.contains("TEMP B-TREE"));
        assert_eq!(sorted, sql == crate::read::TIED_BY_VALUE, "{sql}: {plan:?}");
    }
}

/// A ranking counts the scores of one name through the (name, value)
/// index, which holds scores (reals) only: counts and text values are not
/// in it, and the counting query is one SQLite answers from it.
#[test]
fn rankings_count_scores_through_the_partial_index() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    let owner = TaskId::of("doc", "x");
    tx.ensure_task("doc", owner, "x").expect("task row");
    let mut w = tx.task_writer(owner, true);
    for (i, score) in [0.3, 0.5, 0.5, 0.9].into_iter().enumerate() {
        let node = w
            .claim_node(NodeKind::File, &format!("f{i}.rs"), None, None)
            .expect("claim");
        w.value(node, "pagerank", &Value::Real(score))
            .expect("value");
        w.value(node, "commits", &Value::Int(3)).expect("value");
        w.value(node, "owners", &Value::Text("[\"ann\"]".into()))
            .expect("value");
    }
    w.finish(None).expect("finish");
    tx.commit().expect("commit");
    let above = store.rank_counts("pagerank", 0.5, true).expect("rank");
    assert_eq!((above.beyond, above.equal), (1, 2));
    let below = store.rank_counts("pagerank", 0.5, false).expect("rank");
    assert_eq!((below.beyond, below.equal), (1, 2));
    assert_eq!(store.count_scores("pagerank").expect("count"), 4);
    for name in ["owners", "commits"] {
        assert_eq!(store.count_scores(name).expect("count"), 0, "{name}");
        let in_index: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM node_values INDEXED BY node_values_rank
                 WHERE name = (SELECT code FROM value_names WHERE name = ?1)
                   AND typeof(value) = 'real'",
                [name],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(in_index, 0, "{name}");
        let in_table: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM node_values
                 WHERE name = (SELECT code FROM value_names WHERE name = ?1)",
                [name],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(in_table, 4, "{name}");
    }
    // The readers' condition is the index's, word for word.
    let numbers = crate::read::SCORES_ONLY;
    assert!(
        crate::migrate::MIGRATIONS
            .iter()
            .rev()
            .find(|m| m.sql.contains("CREATE INDEX node_values_rank"))
            .is_some_and(|m| m.sql.contains(&format!("WHERE {numbers};"))),
        "the index's condition is {numbers}"
    );
    for sql in [
        format!(
            "SELECT count(*) FROM node_values
             WHERE name = (SELECT code FROM value_names WHERE name = 'pagerank')
               AND value > 0.5 AND {numbers}"
        ),
        format!(
            "SELECT count(*) FROM node_values
             WHERE name = (SELECT code FROM value_names WHERE name = 'pagerank') AND {numbers}"
        ),
    ] {
        let plan = query_plan(&store.conn, &sql);
        assert!(
            plan.iter().any(|step| step.contains("node_values_rank")),
            "{sql}: {plan:?}"
        );
    }
}

/// A value has one owner: written twice by one task, it is refused where
/// it is written; written by a second task, it is refused when that task
/// finishes (new values are inserted together, in the table's order), and
/// either way the error names the value and its node.
#[test]
fn a_value_written_twice_is_refused() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    let first = TaskId::of("doc", "a");
    tx.ensure_task("doc", first, "a").expect("task row");
    let mut w = tx.task_writer(first, true);
    let node = w
        .claim_node(NodeKind::File, "a.rs", None, None)
        .expect("claim");
    w.value(node, "commits", &Value::Int(1)).expect("value");
    let again = w.value(node, "commits", &Value::Int(2));
    assert!(
        matches!(&again, Err(StoreError::Duplicate { what: "value", detail }) if detail.contains("commits")),
        "{again:?}"
    );
    w.finish(None).expect("finish");
    let second = TaskId::of("doc", "b");
    tx.ensure_task("doc", second, "b").expect("task row");
    let mut w = tx.task_writer(second, true);
    w.value(node, "commits", &Value::Int(3))
        .expect("held until the task finishes");
    let finished = w.finish(None);
    assert!(
        matches!(&finished, Err(StoreError::Duplicate { what: "value", detail }) if detail.contains("commits")),
        "{finished:?}"
    );
}

/// A task that ran before has its values compared with those it stored,
/// name by name in the table's order, however it writes them: an equal
/// value is not written, a changed one is updated, a new one inserted, one
/// not written again deleted (a node dropped, a name dropped), and what is
/// stored equals what the same task stores fresh. A value it writes twice
/// is refused when it finishes, named.
#[test]
fn a_task_that_ran_before_writes_only_the_values_that_moved() {
    let run = |store: &mut Store, fresh: bool, values: &[(&str, &str, Value)]| {
        let task = TaskId::of("graph", "files");
        let tx = store.begin_write().expect("tx");
        tx.ensure_task("graph", task, "files").expect("task row");
        let mut w = tx.task_writer(task, fresh);
        for (file, name, value) in values {
            let node = w.intern_node(NodeKind::File, file).expect("node");
            w.value(node, name, value).expect("value");
        }
        let finished = w.finish(None).map(drop);
        tx.commit().expect("commit");
        finished
    };
    let stored = |store: &Store| {
        sorted_rows(
            &store.conn,
            "SELECT n.name, vn.name, quote(v.value) FROM node_values v
             JOIN nodes n ON n.id = v.node JOIN value_names vn ON vn.code = v.name",
        )
    };
    let files: Vec<String> = (0..40).map(|i| format!("f{i:02}.rs")).collect();
    // Node-major, as a graph's analysis writes: every file's rank, degree
    // and community.
    let first: Vec<(&str, &str, Value)> = files
        .iter()
        .flat_map(|f| {
            [
                (f.as_str(), "pagerank", Value::Real(1.0)),
                (f.as_str(), "in_degree", Value::Int(2)),
                (f.as_str(), "community", Value::Text("core".into())),
            ]
        })
        .collect();
    let mut store = Store::open_in_memory().expect("open");
    run(&mut store, true, &first).expect("first run");
    // The second run: files 0-4 gone, 40-42 new, the rank of every third
    // file moved, the communities dropped, a new name; written in reverse.
    let more: Vec<String> = (40..43).map(|i| format!("f{i:02}.rs")).collect();
    let mut second: Vec<(&str, &str, Value)> = files[5..]
        .iter()
        .chain(&more)
        .enumerate()
        .flat_map(|(i, f)| {
            let rank = if i % 3 == 0 { 1.5 } else { 1.0 };
            [
                (f.as_str(), "pagerank", Value::Real(rank)),
                (f.as_str(), "in_degree", Value::Int(2)),
                (f.as_str(), "out_degree", Value::Int(1)),
            ]
        })
        .collect();
    second.reverse();
    store
        .conn
        .execute_batch(
            "CREATE TEMP TABLE touched (op TEXT);
             CREATE TEMP TRIGGER counted_insert AFTER INSERT ON node_values
                 BEGIN INSERT INTO touched VALUES ('insert'); END;
             CREATE TEMP TRIGGER counted_update AFTER UPDATE ON node_values
                 BEGIN INSERT INTO touched VALUES ('update'); END;
             CREATE TEMP TRIGGER counted_delete AFTER DELETE ON node_values
                 BEGIN INSERT INTO touched VALUES ('delete'); END;",
        )
        .expect("count the writes");
    run(&mut store, false, &second).expect("second run");
    // 35 files stay, the rank of every third moved (12); 3 new files × 2
    // names and 38 out-degrees inserted; 5 files × 3 names and the 35
    // communities of the files that stay deleted.
    assert_eq!(
        pairs(
            &store.conn,
            "SELECT op, count(*) FROM touched GROUP BY op ORDER BY op"
        ),
        [
            ("delete".to_owned(), 50),
            ("insert".to_owned(), 3 * 2 + 38),
            ("update".to_owned(), 12)
        ]
    );
    let compared = stored(&store);
    let mut fresh = Store::open_in_memory().expect("open");
    run(&mut fresh, true, &second).expect("fresh run");
    assert_eq!(compared, stored(&fresh));
    assert_eq!(compared.len(), 38 * 3);
    // Written twice by a task that ran before: refused when it finishes.
    let mut twice = second.clone();
    twice.push(("f07.rs", "out_degree", Value::Int(9)));
    let refused = run(&mut store, false, &twice);
    assert!(
        matches!(&refused, Err(StoreError::Duplicate { what: "value", detail }) if detail.contains("out_degree")),
        "{refused:?}"
    );
}

/// A task that ran before and no longer claims a node it owned loses the
/// node and every value on it, a value it wrote there this time too: no
/// value is left on a node that is gone.
#[test]
fn a_value_on_a_node_its_task_dropped_goes_with_the_node() {
    let mut store = Store::open_in_memory().expect("open");
    let task = TaskId::of("symbols", "a.rs");
    let run = |store: &mut Store, fresh: bool, claim: bool| {
        let tx = store.begin_write().expect("tx");
        tx.ensure_task("symbols", task, "a.rs").expect("task row");
        let mut w = tx.task_writer(task, fresh);
        let kept = w
            .claim_node(NodeKind::Symbol, "a.rs::kept", None, None)
            .expect("claim");
        w.value(kept, "in_degree", &Value::Int(1)).expect("value");
        let node = if claim {
            w.claim_node(NodeKind::Symbol, "a.rs::gone", None, None)
                .expect("claim")
        } else {
            NodeId::of(NodeKind::Symbol, "a.rs::gone")
        };
        w.value(node, "in_degree", &Value::Int(2)).expect("value");
        w.finish(None).expect("finish");
        tx.commit().expect("commit");
    };
    run(&mut store, true, true);
    run(&mut store, false, false);
    assert_eq!(
        sorted_rows(
            &store.conn,
            "SELECT v.node = n.id, n.name, v.value FROM node_values v
             LEFT JOIN nodes n ON n.id = v.node"
        ),
        ["Integer(1)|Text(\"a.rs::kept\")|Integer(1)"]
    );
}

/// Values have no index by node (schema 12): a node's values are read by
/// seeking each value name on the key, and a deleted node's values go with
/// it through a trigger that does the same, never a scan of the table.
#[test]
fn a_nodes_values_are_found_and_deleted_on_the_key() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    let owner = TaskId::of("doc", "x");
    tx.ensure_task("doc", owner, "x").expect("task row");
    let mut w = tx.task_writer(owner, true);
    let mut nodes = Vec::new();
    for (i, commits) in [3, 5].into_iter().enumerate() {
        let node = w
            .claim_node(NodeKind::File, &format!("f{i}.rs"), None, None)
            .expect("claim");
        w.value(node, "commits", &Value::Int(commits))
            .expect("value");
        w.value(node, "language", &Value::Text("Rust".into()))
            .expect("value");
        nodes.push(node);
    }
    w.finish(None).expect("finish");
    tx.commit().expect("commit");
    assert_eq!(
        store.values_of(NodeKind::File, "f1.rs").expect("values"),
        [
            ("commits".to_owned(), Value::Int(5)),
            ("language".to_owned(), Value::Text("Rust".into()))
        ]
    );
    let trigger = table_sql(&store, "node_values_released");
    let delete = trigger
        .split("BEGIN")
        .nth(1)
        .and_then(|body| body.split(';').next())
        .expect("the trigger's statement")
        .replace("OLD.id", "1");
    let reads = [
        delete,
        "SELECT vn.name, v.value
         FROM nodes n CROSS JOIN value_names vn CROSS JOIN node_values v
         WHERE n.kind = 1 AND n.name = 'f1.rs' AND v.name = vn.code AND v.node = n.id
         ORDER BY vn.name"
            .to_owned(),
    ];
    for sql in reads {
        let steps = query_plan(&store.conn, &sql);
        assert!(
            steps
                .iter()
                .any(|s| s.contains("USING PRIMARY KEY (name=? AND node=?)"))
                && !steps.iter().any(|s| s.starts_with("SCAN")
                    && matches!(s.split(' ').nth(1), Some("v" | "node_values"))),
            "{sql}: {steps:?}"
        );
    }
    store
        .conn
        .execute("DELETE FROM nodes WHERE id = ?1", [nodes[0].raw()])
        .expect("delete a node");
    assert_eq!(
        pairs(
            &store.conn,
            "SELECT n.name, count(*) FROM node_values v JOIN nodes n ON n.id = v.node GROUP BY n.name"
        ),
        [("f1.rs".to_owned(), 2)]
    );
    let left: i64 = store
        .conn
        .query_row("SELECT count(*) FROM node_values", [], |r| r.get(0))
        .expect("count");
    assert_eq!(left, 2, "the deleted node's values went with it");
}

/// A task's values are found through its row of `value_sets` (schema
/// 0016), on one node by key and on many in each name's run, and go with
/// the task; another task's values of the same name stay.
#[test]
fn a_tasks_values_are_found_through_its_row_and_go_with_it() {
    let mut store = Store::open_in_memory().expect("open");
    let count = |store: &Store, sql: &str| -> i64 {
        store.conn.query_row(sql, [], |r| r.get(0)).expect(sql)
    };
    let sets = |store: &Store| {
        sorted_rows(
            &store.conn,
            "SELECT t.key, quote(s.node), s.names FROM value_sets s JOIN tasks t ON t.id = s.owner",
        )
    };
    let (one, files) = (TaskId::of("history", "a.rs"), TaskId::of("graph", "files"));
    let write = three_tasks_with_values;
    write(&mut store, 0);
    let a = NodeId::of(NodeKind::File, "a.rs").raw();
    let (commits, authors, in_degree) = {
        let code = |name: &str| -> i64 {
            store
                .conn
                .query_row(
                    "SELECT code FROM value_names WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .expect(name)
        };
        (code("commits"), code("authors"), code("in_degree"))
    };
    let (lo, hi) = (commits.min(authors), commits.max(authors));
    assert_eq!(
        sets(&store),
        [
            format!(r#"Text("a.rs")|Text("{a}")|Text("[{lo},{hi}]")"#),
            format!(r#"Text("files")|Text("NULL")|Text("[{in_degree}]")"#),
            format!(r#"Text("symbols")|Text("NULL")|Text("[{in_degree}]")"#),
        ]
    );
    assert_eq!(count(&store, "SELECT count(*) FROM node_values"), 6);
    // Again: the file's task stores one name fewer, the symbols' task
    // nothing. What was not written again goes, and the rows say so.
    write(&mut store, 1);
    assert_eq!(
        sets(&store),
        [
            format!(r#"Text("a.rs")|Text("{a}")|Text("[{commits}]")"#),
            format!(r#"Text("files")|Text("NULL")|Text("[{in_degree}]")"#),
        ]
    );
    assert_eq!(
        pairs(
            &store.conn,
            "SELECT n.name, v.value FROM node_values v JOIN nodes n ON n.id = v.node
             ORDER BY n.name, v.name"
        ),
        [
            ("a.rs".to_owned(), 4),
            ("a.rs".to_owned(), 1),
            ("b.rs".to_owned(), 1)
        ]
    );
    // A task that goes takes its values; the other task's of the name stay.
    let tx = store.begin_write().expect("tx");
    tx.delete_task(one).expect("delete");
    tx.commit().expect("commit");
    assert_eq!(count(&store, "SELECT count(*) FROM node_values"), 2);
    let tx = store.begin_write().expect("tx");
    tx.delete_task(files).expect("delete");
    tx.commit().expect("commit");
    assert_eq!(count(&store, "SELECT count(*) FROM node_values"), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM value_sets"), 0);
}

/// A per-file task (one node) and two graph tasks storing one name on
/// files and on symbols: the first run stores more than the second.
fn three_tasks_with_values(store: &mut Store, run: u32) {
    let one = TaskId::of("history", "a.rs");
    let files = TaskId::of("graph", "files");
    let symbols = TaskId::of("graph", "symbols");
    let tx = store.begin_write().expect("tx");
    for (kind, id, key) in [
        ("history", one, "a.rs"),
        ("graph", files, "files"),
        ("graph", symbols, "symbols"),
    ] {
        tx.ensure_task(kind, id, key).expect("task row");
    }
    let fresh = run == 0;
    let mut w = tx.task_writer(one, fresh);
    let a = w.intern_node(NodeKind::File, "a.rs").expect("node");
    w.value(a, "commits", &Value::Int(3 + i64::from(run)))
        .expect("value");
    if run == 0 {
        w.value(a, "authors", &Value::Int(1)).expect("value");
    }
    w.finish(None).expect("finish");
    let mut w = tx.task_writer(files, fresh);
    for name in ["a.rs", "b.rs"] {
        let n = w.intern_node(NodeKind::File, name).expect("node");
        w.value(n, "in_degree", &Value::Int(1)).expect("value");
    }
    w.finish(None).expect("finish");
    let mut w = tx.task_writer(symbols, fresh);
    if run == 0 {
        for name in ["a.rs::f", "a.rs::g"] {
            let n = w.intern_node(NodeKind::Symbol, name).expect("node");
            w.value(n, "in_degree", &Value::Int(2)).expect("value");
        }
    }
    w.finish(None).expect("finish");
    tx.commit().expect("commit");
}

/// Neither the triggers nor a read of a task's values (schema 0016)
/// scans the values.
#[test]
fn a_tasks_values_are_found_on_the_key() {
    let store = Store::open_in_memory().expect("open");
    // The triggers' own statements, their row's columns made constants.
    let trigger = |name: &str| {
        table_sql(&store, name)
            .split("BEGIN")
            .nth(1)
            .and_then(|body| body.split(';').next())
            .expect("the trigger's statement")
            .replace("OLD.names", "'[1,2]'")
            .replace("OLD.node", "3")
            .replace("OLD.owner", "4")
    };
    for sql in [
        trigger("value_set_on_a_node_gone"),
        trigger("value_set_on_many_gone"),
        "SELECT value FROM node_values WHERE name = 1 AND node = 2".to_owned(),
        "SELECT node, value FROM node_values WHERE name = 1 AND +owner = 2".to_owned(),
    ] {
        let steps = query_plan(&store.conn, &sql);
        assert!(
            !steps.iter().any(|s| s.starts_with("SCAN node_values")),
            "{sql}: {steps:?}"
        );
    }
}

/// Current nodes read with one value each: sorted by name, the value where
/// a node has it and `None` where it has not, released nodes left out.
#[test]
fn current_nodes_come_with_one_value() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    let owner = TaskId::of("doc", "x");
    tx.ensure_task("doc", owner, "x").expect("task row");
    let mut w = tx.task_writer(owner, true);
    let b = w
        .claim_node(NodeKind::Symbol, "b.rs::f", None, Some("{}"))
        .expect("claim");
    w.claim_node(NodeKind::Symbol, "a.rs::g", None, None)
        .expect("claim");
    w.value(b, "call_pagerank", &Value::Real(1.5))
        .expect("value");
    w.value(b, "other", &Value::Int(2)).expect("value");
    w.finish(None).expect("finish");
    tx.commit().expect("commit");
    let read = store
        .current_nodes_valued(NodeKind::Symbol, "call_pagerank")
        .expect("read");
    let seen: Vec<(&str, Option<&Value>, Option<&str>)> = read
        .iter()
        .map(|(n, v)| (n.name.as_str(), v.as_ref(), n.attrs.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("a.rs::g", None, None),
            ("b.rs::f", Some(&Value::Real(1.5)), Some("{}"))
        ]
    );
    assert!(
        store
            .current_nodes_valued(NodeKind::File, "call_pagerank")
            .expect("read")
            .is_empty()
    );
}

/// The snippet's one-row table tokenizes as the text index does: the
/// tokenizer is written once in Rust and once in the schema.
#[test]
fn snippets_tokenize_as_the_index() {
    let sql = crate::migrate::MIGRATIONS
        .iter()
        .rev()
        .find(|m| m.sql.contains("USING fts5"))
        .expect("a migration creates the text index")
        .sql;
    assert!(
        sql.contains(&format!("tokenize = \"{}\"", crate::search::TOKENIZE)),
        "the latest text index's tokenizer is search::TOKENIZE"
    );
    let store = Store::open_in_memory().expect("open");
    let body = "fn parse_config(path: &Path) -> Config {\n    read(path).parse()\n}";
    let got = store
        .snippet("\"configs\"", ["parse_config", body, "parse config"])
        .expect("snippet");
    // Porter stemming: "configs" finds "Config".
    assert!(got.is_some_and(|s| s.contains("Config")));
    assert_eq!(
        store
            .snippet("\"absent\"", ["t", body, ""])
            .expect("snippet"),
        None
    );
    // Each snippet replaces the one row: the last chunk's text is gone.
    assert_eq!(
        store
            .snippet("\"configs\"", ["t", "nothing here", ""])
            .expect("snippet"),
        None
    );
}

/// The text index keeps no text, so the dump tells what it holds by its
/// terms: a row the chunks do not have, or a chunk's row gone, shows.
#[test]
fn the_dump_sees_the_text_index() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    write_chunks(
        &tx,
        "a",
        &[("alpha", "first body"), ("beta", "second body")],
        true,
    );
    tx.commit().expect("commit");
    let dump = || store.dump(DumpOptions::default()).expect("dump");
    let before = dump();
    assert_eq!(before.matches("text chunk=").count(), 2, "{before}");
    store
        .conn
        .execute(
            "INSERT INTO chunk_text (rowid, title, body, words) VALUES (999, 'ghost', 'boo', '')",
            [],
        )
        .expect("a stray row");
    let stray = dump();
    assert!(stray.contains("text chunk=\"-\""), "{stray}");
    store
        .conn
        .execute_batch(
            "DELETE FROM chunk_text WHERE rowid = 999;
             DELETE FROM chunk_text WHERE rowid = (SELECT min(id) FROM chunks);",
        )
        .expect("remove rows");
    let missing = dump();
    assert_eq!(missing.matches("text chunk=").count(), 1, "{missing}");
    assert_ne!(missing, before);
}

/// Marks stored with a task's scores place every score as counting does,
/// through the database; they go when the task stops writing them, and a
/// second task cannot store marks of a name another task's marks hold.
#[test]
#[allow(clippy::float_cmp, reason = "counting as SQLite counts stored numbers")]
fn stored_marks_place_scores_as_counting_and_follow_their_task() {
    let mut store = Store::open_in_memory().expect("open");
    // 3,000 scores: more than the marks, so most are placed by a count
    // between two marks; ties at the lowest score span many cuts.
    let scores: Vec<f64> = (0..3_000u32)
        .map(|i| {
            if i < 1_000 {
                0.15
            } else {
                0.2 + f64::from(i % 700) * 0.01
            }
        })
        .collect();
    let owner = TaskId::of("graph", "symbols");
    let tx = store.begin_write().expect("tx");
    tx.ensure_task("graph", owner, "symbols").expect("task row");
    let mut w = tx.task_writer(owner, true);
    for (i, score) in scores.iter().enumerate() {
        let node = w
            .claim_node(NodeKind::Symbol, &format!("s{i}"), None, None)
            .expect("claim");
        w.value(node, "call_pagerank", &Value::Real(*score))
            .expect("value");
    }
    w.marks("call_pagerank", &scores).expect("marks");
    w.finish(None).expect("finish");
    tx.commit().expect("commit");

    let marks = store
        .value_marks("call_pagerank")
        .expect("read")
        .expect("stored");
    assert_eq!(marks.total(), 3_000);
    for probe in [0.15, 0.2, 0.215, 0.215_000_1, 3.5, 7.19, 9.0, 0.1] {
        let place = store.place("call_pagerank", &marks, probe).expect("place");
        let below = scores.iter().filter(|&&s| s < probe).count() as u64;
        let equal = scores.iter().filter(|&&s| s == probe).count() as u64;
        assert_eq!(
            (place.below, place.equal, place.total),
            (below, equal, 3_000),
            "{probe}"
        );
    }

    // Another task storing marks of the same name is refused.
    let other = TaskId::of("graph", "files");
    let tx = store.begin_write().expect("tx");
    tx.ensure_task("graph", other, "files").expect("task row");
    let mut w = tx.task_writer(other, true);
    assert!(matches!(
        w.marks("call_pagerank", &[1.0]),
        Err(StoreError::MarksOwned { .. })
    ));
    drop(w);
    drop(tx);

    // Run again without marks: they go with what the task no longer writes.
    let tx = store.begin_write().expect("tx");
    let w = tx.task_writer(owner, false);
    w.finish(None).expect("finish");
    tx.commit().expect("commit");
    assert_eq!(store.value_marks("call_pagerank").expect("read"), None);
}

/// The values of a task kind read back in key order, each as written,
/// whether stored deflated or as it is.
/// A value too long to stay in its memo row is kept in `task_values` and
/// read back the same, by kind and by id, packed or not; a shorter value
/// written later takes its place in the row, and the task's deletion
/// takes the long value with it.
#[test]
fn a_long_task_value_spills_and_comes_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("homer.db"), OpenMode::ReadWrite).expect("open");
    let tx = store.begin_write().expect("tx");
    let row = parse_row;
    // Does not deflate (stored as it is), deflates (stored packed), short.
    let random = noise(3000, 2_654_435_761);
    let repeated = "abc ".repeat(2000).into_bytes();
    let short = b"short".to_vec();
    tx.put_memo("parse", &row("a.rs"), Some(&random))
        .expect("put");
    tx.put_memo("parse", &row("b.rs"), Some(&repeated))
        .expect("put");
    tx.put_memo("parse", &row("c.rs"), Some(&short))
        .expect("put");
    let spilled = |key: &str| -> i64 {
        count(
            &tx,
            &format!(
                "SELECT spilled FROM tasks
                 WHERE kind = (SELECT code FROM task_kinds WHERE name = 'parse')
                   AND key = '{key}'"
            ),
        )
    };
    assert_eq!(
        (spilled("a.rs"), spilled("b.rs"), spilled("c.rs")),
        (1, 0, 0),
        "b.rs packs small"
    );
    let mut read: Vec<(String, Vec<u8>)> = tx
        .memo_values("parse")
        .expect("read")
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_vec()))
        .collect();
    // Kept by id.
    read.sort();
    assert_eq!(
        read,
        [
            ("a.rs".to_owned(), random.clone()),
            ("b.rs".to_owned(), repeated),
            ("c.rs".to_owned(), short.clone())
        ]
    );
    assert_eq!(
        tx.memo_value(TaskId::of("parse", "a.rs")).expect("read"),
        Some(random)
    );
    // Rewritten short: back in the row, nothing left aside.
    tx.put_memo("parse", &row("a.rs"), Some(&short))
        .expect("put");
    assert_eq!(spilled("a.rs"), 0);
    assert_eq!(count(&tx, "SELECT count(*) FROM task_values"), 0);
    assert_eq!(
        tx.memo_value(TaskId::of("parse", "a.rs")).expect("read"),
        Some(short)
    );
    // Long again, then the task goes: its value goes with it.
    let varied = noise(5000, 2_246_822_519);
    tx.put_memo("parse", &row("a.rs"), Some(&varied))
        .expect("put");
    assert_eq!(count(&tx, "SELECT count(*) FROM task_values"), 1);
    tx.delete_task(TaskId::of("parse", "a.rs")).expect("delete");
    assert_eq!(count(&tx, "SELECT count(*) FROM task_values"), 0);
    tx.commit().expect("commit");
}

/// Every value comes back whole, packed or not, with its key, in the
/// order the tasks are kept (by id), whatever the order of writing.
#[test]
fn memo_values_come_back_as_written_in_id_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("homer.db"), OpenMode::ReadWrite).expect("open");
    for count in [0usize, 1, 255, 256, 257, 1001] {
        let kind = format!("k{count}");
        let value = |i: usize| -> Vec<u8> {
            match i % 3 {
                // Deflates well: stored packed.
                0 => format!("{i} ").repeat(200).into_bytes(),
                // Too short to pack.
                1 => format!("v{i}").into_bytes(),
                // Empty.
                _ => Vec::new(),
            }
        };
        let tx = store.begin_write().expect("tx");
        // Written out of key order.
        for i in (0..count).rev() {
            let key = format!("key{i:05}");
            let row = MemoRow {
                id: TaskId::of(&kind, &key),
                key,
                input_hash: 1,
                output_hash: 2,
                revision: 1,
            };
            tx.put_memo(&kind, &row, Some(&value(i))).expect("put");
        }
        let values = tx.memo_values(&kind).expect("read");
        assert_eq!(values.len(), count);
        let read: Vec<(String, Vec<u8>)> = values
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_vec()))
            .collect();
        let mut expected: Vec<(i64, String, Vec<u8>)> = (0..count)
            .map(|i| {
                let key = format!("key{i:05}");
                (TaskId::of(&kind, &key).raw(), key, value(i))
            })
            .collect();
        expected.sort();
        let expected: Vec<(String, Vec<u8>)> =
            expected.into_iter().map(|(_, k, v)| (k, v)).collect();
        assert_eq!(read, expected, "{count} values");
        tx.commit().expect("commit");
    }
}

/// Releasing the page cache between transactions loses nothing: what was
/// committed reads back, and the next transaction writes on.
#[test]
fn releasing_the_page_cache_keeps_every_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("homer.db"), OpenMode::ReadWrite).expect("open");
    let row = parse_row;
    {
        let tx = store.begin_write().expect("tx");
        for i in 0..2_000 {
            let key = format!("f{i:04}.rs");
            tx.put_memo("parse", &row(&key), Some(key.as_bytes()))
                .expect("put");
        }
        tx.commit().expect("commit");
    }
    store.release_cache().expect("release");
    let tx = store.begin_write().expect("tx");
    assert_eq!(tx.memo_rows("parse").expect("rows").len(), 2_000);
    assert_eq!(
        tx.memo_value(TaskId::of("parse", "f1234.rs"))
            .expect("value"),
        Some(b"f1234.rs".to_vec())
    );
    tx.put_memo("parse", &row("new.rs"), None).expect("put");
    tx.commit().expect("commit");
    store.release_cache().expect("release again");
    assert_eq!(store.memo_values("parse").expect("values").len(), 2_000);
}

/// The current names containing a text, in either case of ASCII letters;
/// `%` and `_` in the text are themselves, not patterns.
#[test]
fn current_names_are_found_by_a_part_of_the_name() {
    let mut store = Store::open_in_memory().expect("open");
    let tx = store.begin_write().expect("tx");
    let owner = TaskId::of("symbols", "files");
    tx.ensure_task("symbols", owner, "files").expect("task row");
    let mut w = tx.task_writer(owner, false);
    for path in [
        "spec/a_spec.rb",
        "SPECS.md",
        "lib/a_b.rb",
        "lib/axb.rb",
        "lib/c.rb",
    ] {
        w.claim_node(NodeKind::File, path, None, None)
            .expect("node");
    }
    // Not current (no owner), though its name matches.
    w.intern_node(NodeKind::File, "spec/gone.rb").expect("node");
    w.finish(None).expect("finish");
    tx.commit().expect("commit");
    let found = |needle: &str| {
        store
            .names_containing(NodeKind::File, needle)
            .expect("names")
    };
    assert_eq!(found("spec"), ["SPECS.md", "spec/a_spec.rb"]);
    assert_eq!(found("a_b"), ["lib/a_b.rb"]);
    assert_eq!(found("%"), Vec::<String>::new());
}
