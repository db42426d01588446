-- A chunk's id is now small, handed out in the order chunks are written
-- (commit messages' counting down from -1), and what identified it before
-- (the hash of its owner, node and text, grouped by owner) is its `key`.
-- FTS5 stores each term's documents as differences of their ids: with
-- hashed ids each took some nine bytes, about half of the text index (fmt:
-- 5.7 of its 24.8 MB file was the index; dense ids halve it). Readers that
-- break ties between chunks do it by key, so an index built in another
-- order answers the same.
--
-- The text index holds the old ids and could be converted only by reading
-- every chunk's words again, which are derived from git: the upgrade
-- empties the index, as 0005, 0006 and 0007 did, and the next `homer
-- update` builds it again. Kinds, roles, value names and embeddings stay.

DELETE FROM chunks;
INSERT INTO chunk_text (chunk_text) VALUES ('delete-all');
DELETE FROM chunk_text_pending;
DELETE FROM node_values;
DELETE FROM value_marks;
DELETE FROM edges;
DELETE FROM orphan_candidates;
DELETE FROM nodes;
DELETE FROM tasks;
DELETE FROM checkpoints;

DROP TRIGGER chunks_ad;
DROP TRIGGER chunks_au;
DROP TABLE chunks;

CREATE TABLE chunks (
    id         INTEGER PRIMARY KEY,
    key        INTEGER NOT NULL,
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
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunk_text_pending (op, id) VALUES ('delete', OLD.id);
END;
CREATE TRIGGER chunks_au AFTER UPDATE OF title, body ON chunks BEGIN
    INSERT INTO chunk_text_pending (op, id) VALUES ('delete', OLD.id);
END;
