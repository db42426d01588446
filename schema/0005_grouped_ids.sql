-- Ids are grouped (crates/homer-store/src/ids.rs): the top 16 bits of a
-- task's, node's, edge's and chunk's id come from what it belongs with (a
-- task's path, a symbol's file, an edge's or a chunk's task), so that one
-- file's rows lie on neighbouring pages and an update that changes a few
-- files writes a few pages each, not one per row. Rows stored under the
-- old ids would not be found under the new ones, and every row below the
-- reference tables is derived from git: the upgrade empties the index, as
-- 0002 did, and the next `homer update` builds it again, as `homer update
-- --rebuild` would. Kinds, roles and embeddings stay (a vector is keyed by
-- its text, and stays right).

DELETE FROM chunks;
INSERT INTO chunk_text (chunk_text) VALUES ('delete-all');
DELETE FROM chunk_text_pending;
DELETE FROM node_values;
DELETE FROM edges;
DELETE FROM orphan_candidates;
DELETE FROM nodes;
DELETE FROM tasks;
DELETE FROM checkpoints;

-- Rankings count numbers only (how many files have more commits, a higher
-- PageRank): the (name, value) index leaves text values out (a file's
-- recent commits, owners and reasons were most of its size).
DROP INDEX node_values_rank;
CREATE INDEX node_values_rank ON node_values (name, value)
    WHERE typeof(value) IN ('integer', 'real');
