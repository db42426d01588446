-- Search: chunks gain the parts of their identifiers (`words`) and the key
-- of the text they embed, and the text index gains a stemmed `words`
-- column. Version 1 computed neither. Every row below the reference tables
-- is derived from git, so the upgrade empties the index rather than leave
-- old chunks without words: the next `homer update` builds it again, as
-- `homer update --rebuild` would. Kinds, roles and embeddings stay (a
-- vector is keyed by its text, and stays right).

DROP TRIGGER chunks_ai;
DROP TRIGGER chunks_ad;
DROP TRIGGER chunks_au;
DROP TABLE chunk_text;
DROP TABLE chunk_text_pending;
DROP TABLE chunks;

DELETE FROM node_values;
DELETE FROM edges;
DELETE FROM orphan_candidates;
DELETE FROM nodes;
DELETE FROM tasks;
DELETE FROM checkpoints;
-- Search chunks: a definition, a file or a commit message, as indexed text.
-- `body` is the text shown and embedded; `words` is indexed only: the
-- parts of the identifiers in title and body (`getSigningSerializer` gives
-- `get signing serializer`) and the words of the path.
CREATE TABLE chunks (
    id         INTEGER PRIMARY KEY,
    owner      INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    node       INTEGER REFERENCES nodes (id) ON DELETE CASCADE,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    words      TEXT    NOT NULL,
    text_hash  INTEGER NOT NULL,
    -- What is embedded: 0 nothing, 1 the body, 2 the title, a newline and
    -- the body; and the xxh3 of that text (the key into `embeddings`),
    -- NULL when nothing is.
    embed_kind INTEGER NOT NULL,
    embed_hash INTEGER,
    start_line INTEGER,
    end_line   INTEGER
) STRICT;
CREATE INDEX chunks_owner ON chunks (owner);
CREATE INDEX chunks_node ON chunks (node);
CREATE INDEX chunks_embed ON chunks (embed_hash) WHERE embed_hash IS NOT NULL;

-- The FTS5 index over chunks. FTS5 writes its pending terms to disk at
-- every statement savepoint, so updating it row by row inside a stage made
-- one tiny segment per chunk (and merge work for each). Instead, triggers
-- queue what changed in chunk_text_pending, and the store applies the queue
-- in two statements when the stage commits: the first queued delete of a
-- chunk carries what the index held before the stage, and the chunks table
-- holds what it must hold now.
-- Identifiers stay whole (`_` is part of a token) and words are stemmed
-- (porter: `signed` finds `sign`).
CREATE VIRTUAL TABLE chunk_text USING fts5 (
    title, body, words,
    content = 'chunks', content_rowid = 'id',
    tokenize = "porter unicode61 remove_diacritics 2 tokenchars '_'"
);
CREATE TABLE chunk_text_pending (
    seq   INTEGER PRIMARY KEY,
    op    TEXT    NOT NULL CHECK (op IN ('insert', 'delete')),
    id    INTEGER NOT NULL,
    title TEXT,
    body  TEXT,
    words TEXT
) STRICT;
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunk_text_pending (op, id) VALUES ('insert', NEW.id);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunk_text_pending (op, id, title, body, words)
        VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.words);
END;
CREATE TRIGGER chunks_au AFTER UPDATE OF title, body, words ON chunks BEGIN
    INSERT INTO chunk_text_pending (op, id, title, body, words)
        VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.words);
    INSERT INTO chunk_text_pending (op, id) VALUES ('insert', NEW.id);
END;
