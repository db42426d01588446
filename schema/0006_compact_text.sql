-- Search text is stored once. Before this, a chunk's body and identifier
-- words were kept in `chunks` and the FTS5 index read them back from there
-- (an external-content table): the words were only ever read by the index
-- (a third of the synthetic repository's chunk text), and the bodies sat
-- uncompressed. Now the index is contentless (`contentless_delete`, so a
-- row can still be deleted by its id alone), the writer hands it each
-- chunk's text through `chunk_text_pending` when the text changes, and
-- `chunks.body` holds the body for display and embedding, deflated (a
-- BLOB) when that makes it smaller, as TEXT otherwise.
--
-- Value names are stored once: `node_values.name` is a code into
-- `value_names`. The name was repeated in the table and in each of its
-- three indexes, some 40 of a value row's 150 bytes.
--
-- A task's value is deflated where that saves an eighth or more (a
-- file's parse result: signatures, doc comments, names), and `packed`
-- says so.
--
-- The text index could be converted only by reading every chunk's words
-- again, which are derived from git: the upgrade empties the index, as
-- 0005 did, and the next `homer update` builds it again. Kinds, roles and
-- embeddings stay.

DELETE FROM chunks;
INSERT INTO chunk_text (chunk_text) VALUES ('delete-all');
DELETE FROM chunk_text_pending;
DELETE FROM node_values;
DELETE FROM edges;
DELETE FROM orphan_candidates;
DELETE FROM nodes;
DELETE FROM tasks;
DELETE FROM checkpoints;

DROP TRIGGER chunks_ai;
DROP TRIGGER chunks_ad;
DROP TRIGGER chunks_au;
DROP TABLE chunk_text;
DROP TABLE chunk_text_pending;
DROP TABLE chunks;

ALTER TABLE tasks ADD COLUMN packed INTEGER NOT NULL DEFAULT 0;

DROP TABLE node_values;
CREATE TABLE value_names (
    code INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
) STRICT;
CREATE TABLE node_values (
    node  INTEGER NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    name  INTEGER NOT NULL,
    value ANY     NOT NULL,
    owner INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    PRIMARY KEY (name, node)
) STRICT, WITHOUT ROWID;
CREATE INDEX node_values_node ON node_values (node, name);
CREATE INDEX node_values_owner ON node_values (owner);
CREATE INDEX node_values_rank ON node_values (name, value)
    WHERE typeof(value) IN ('integer', 'real');

CREATE TABLE chunks (
    id         INTEGER PRIMARY KEY,
    owner      INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    node       INTEGER REFERENCES nodes (id) ON DELETE CASCADE,
    title      TEXT    NOT NULL,
    -- TEXT, or a BLOB holding the raw-deflated UTF-8 text.
    body       ANY     NOT NULL,
    text_hash  INTEGER NOT NULL,
    embed_kind INTEGER NOT NULL,
    embed_hash INTEGER,
    start_line INTEGER,
    end_line   INTEGER
) STRICT;
CREATE INDEX chunks_owner ON chunks (owner);
CREATE INDEX chunks_node ON chunks (node);
CREATE INDEX chunks_embed ON chunks (embed_hash) WHERE embed_hash IS NOT NULL;

CREATE VIRTUAL TABLE chunk_text USING fts5 (
    title, body, words,
    content = '', contentless_delete = 1,
    tokenize = "porter unicode61 remove_diacritics 2 tokenchars '_'"
);
-- A deleted row is a tombstone in the segment that holds it; FTS5
-- rewrites a segment once 10% of it is tombstones (its default). A cold
-- build leaves one segment, so an update that changed a tenth of the
-- chunks rewrote the whole index (hono, 10 commits: +20 ms). At 25% the
-- dead entries stay under a third of the index: over ten 10-commit
-- updates of hono the total time was the same (2.5 s) and the index 3.9
-- against 4.0 MB.
INSERT INTO chunk_text (chunk_text, rank) VALUES ('deletemerge', 25);

-- What the text index must take in when the stage commits (FTS5 writes its
-- pending terms at every statement's end, so row-by-row updates made one
-- tiny segment per chunk): the writer queues an 'insert' with a chunk's
-- text whenever it writes the chunk, and these triggers a 'delete' for a
-- chunk the index held before (updated or deleted). The store deletes the
-- queued ids from the index, then adds those whose last entry is an
-- 'insert'.
CREATE TABLE chunk_text_pending (
    seq   INTEGER PRIMARY KEY,
    op    TEXT    NOT NULL CHECK (op IN ('insert', 'delete')),
    id    INTEGER NOT NULL,
    title TEXT,
    body  TEXT,
    words TEXT
) STRICT;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunk_text_pending (op, id) VALUES ('delete', OLD.id);
END;
CREATE TRIGGER chunks_au AFTER UPDATE OF title, body ON chunks BEGIN
    INSERT INTO chunk_text_pending (op, id) VALUES ('delete', OLD.id);
END;
