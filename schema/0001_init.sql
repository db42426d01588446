-- Homer schema 1: the graph, the memo table, checkpoints, text and vector search.
--
-- Migrations are append-only: once a file here has shipped it is never
-- edited; a change is a new file with the next number. docs/SCHEMA.md
-- describes every table.
--
-- Identity: ids of tasks, nodes, edges and chunks are xxh3 hashes of what the
-- row stands for, so the same fact gets the same id in every build and an
-- incremental build can be compared row for row with a fresh one.

-- Vocabularies. Integer codes keep the large tables small; these tables let
-- anyone reading the database with sqlite3 join the codes to names. The
-- codes are not foreign keys: Homer's enums are the only writer, and a key
-- check per row was measurable on bulk loads.
CREATE TABLE node_kinds (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO node_kinds (code, name) VALUES
    (1, 'file'), (2, 'directory'), (3, 'symbol'), (4, 'commit'), (5, 'author');

CREATE TABLE edge_kinds (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO edge_kinds (code, name) VALUES
    (1, 'contains'), (2, 'commit'), (3, 'defines'), (4, 'imports'), (5, 'calls'),
    (6, 'depends'), (7, 'co_change'), (8, 'community');

CREATE TABLE roles (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO roles (code, name) VALUES
    (1, 'parent'), (2, 'child'), (3, 'source'), (4, 'target'), (5, 'member'),
    (6, 'commit'), (7, 'author'),
    (8, 'added'), (9, 'modified'), (10, 'deleted'), (11, 'renamed'), (12, 'type_changed');

-- The memo table: one row per task (kind, key). A task re-executes only when
-- input_hash changes; `revision` is the update revision in which its output
-- hash last changed (an unchanged output keeps the old revision: backdating).
-- `value` is an optional output read by dependent tasks.
CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    input_hash  INTEGER NOT NULL,
    output_hash INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    value       BLOB,
    UNIQUE (kind, key)
) STRICT;

-- Nodes. `owner` is the task that asserts the node exists and sets its
-- content hash and attributes. Shared kinds (file, directory, author) may be
-- unowned while edges still reference them (a file deleted at HEAD lives on
-- in history); unowned nodes that nothing references are collected at the
-- end of every stage. The store releases or deletes a task's nodes itself
-- before the task row goes, so `owner` has no cascade: a forgotten node makes
-- the delete fail instead of leaving a dangling owner.
CREATE TABLE nodes (
    id           INTEGER PRIMARY KEY,
    kind         INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    content_hash BLOB,
    owner        INTEGER REFERENCES tasks (id),
    attrs        TEXT,
    UNIQUE (kind, name)
) STRICT;
CREATE INDEX nodes_owner ON nodes (owner) WHERE owner IS NOT NULL;

-- Hyperedges: every edge belongs to the task that derived it and goes with it.
CREATE TABLE edges (
    id     INTEGER PRIMARY KEY,
    kind   INTEGER NOT NULL,
    owner  INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    weight REAL,
    attrs  TEXT
) STRICT;
CREATE INDEX edges_owner ON edges (owner);

-- Ordered, role-tagged members of a hyperedge.
CREATE TABLE edge_members (
    edge  INTEGER NOT NULL REFERENCES edges (id) ON DELETE CASCADE,
    pos   INTEGER NOT NULL,
    node  INTEGER NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    role  INTEGER NOT NULL,
    attrs TEXT,
    PRIMARY KEY (edge, pos)
) STRICT, WITHOUT ROWID;
CREATE INDEX edge_members_node ON edge_members (node, role);

-- Nodes that lost a reference; the store checks them for garbage at the end
-- of a stage and empties this table in the same transaction.
CREATE TABLE orphan_candidates (
    node INTEGER PRIMARY KEY
) STRICT;

-- A hyperedge stands for all of its members together: when one member goes
-- (its node was deleted), the whole edge goes. Every member that loses its
-- edge becomes a garbage candidate. Needs recursive_triggers, which open()
-- sets, so that the members removed by the edge's own cascade are recorded.
CREATE TRIGGER edge_member_deleted AFTER DELETE ON edge_members BEGIN
    INSERT OR IGNORE INTO orphan_candidates (node) VALUES (OLD.node);
    DELETE FROM edges WHERE id = OLD.edge;
END;

-- Per-node analysis values (metrics, classes), owned by the task that
-- computed them.
CREATE TABLE node_values (
    node  INTEGER NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    name  TEXT    NOT NULL,
    value ANY     NOT NULL,
    owner INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    PRIMARY KEY (node, name)
) STRICT, WITHOUT ROWID;
CREATE INDEX node_values_owner ON node_values (owner);
CREATE INDEX node_values_rank ON node_values (name, value);

-- Named checkpoints (the last mined HEAD, the indexed tree, the revision).
-- A checkpoint moves only in the transaction that stores the work it stands
-- for.
CREATE TABLE checkpoints (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Search chunks: a definition, a file or a commit message, as indexed text.
CREATE TABLE chunks (
    id         INTEGER PRIMARY KEY,
    owner      INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    node       INTEGER REFERENCES nodes (id) ON DELETE CASCADE,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    text_hash  INTEGER NOT NULL,
    start_line INTEGER,
    end_line   INTEGER
) STRICT;
CREATE INDEX chunks_owner ON chunks (owner);
CREATE INDEX chunks_node ON chunks (node);

-- The FTS5 index over chunks. FTS5 writes its pending terms to disk at
-- every statement savepoint, so updating it row by row inside a stage made
-- one tiny segment per chunk (and merge work for each). Instead, triggers
-- queue what changed in chunk_text_pending, and the store applies the queue
-- in two statements when the stage commits: the first queued delete of a
-- chunk carries what the index held before the stage, and the chunks table
-- holds what it must hold now.
CREATE VIRTUAL TABLE chunk_text USING fts5 (
    title, body,
    content = 'chunks', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 2 tokenchars '_'"
);
CREATE TABLE chunk_text_pending (
    seq   INTEGER PRIMARY KEY,
    op    TEXT    NOT NULL CHECK (op IN ('insert', 'delete')),
    id    INTEGER NOT NULL,
    title TEXT,
    body  TEXT
) STRICT;
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunk_text_pending (op, id) VALUES ('insert', NEW.id);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunk_text_pending (op, id, title, body)
        VALUES ('delete', OLD.id, OLD.title, OLD.body);
END;
CREATE TRIGGER chunks_au AFTER UPDATE OF title, body ON chunks BEGIN
    INSERT INTO chunk_text_pending (op, id, title, body)
        VALUES ('delete', OLD.id, OLD.title, OLD.body);
    INSERT INTO chunk_text_pending (op, id) VALUES ('insert', NEW.id);
END;

-- Embeddings keyed by the hash of the embedded text and the model, so a
-- chunk that did not change, or only moved, is never embedded again.
CREATE TABLE embeddings (
    text_hash INTEGER NOT NULL,
    model     TEXT    NOT NULL,
    dim       INTEGER NOT NULL,
    vector    BLOB    NOT NULL,
    PRIMARY KEY (text_hash, model)
) STRICT, WITHOUT ROWID;
