-- A call's confidence becomes a column (it was an attribute in JSON, read
-- with json_extract by every reader of the call graph), and the stored
-- vocabulary became typed: languages are stored by their label, skip
-- reasons and attributes by fixed names, checkpoints per stage. Every row
-- below the reference tables is derived from git, so the upgrade empties
-- the index, as 0002 did: the next `homer update` builds it again, as
-- `homer update --rebuild` would. Embeddings stay (a vector is keyed by
-- its text and stays right).

ALTER TABLE edges ADD COLUMN confidence REAL;

DELETE FROM chunks;
DELETE FROM chunk_text_pending;
INSERT INTO chunk_text (chunk_text) VALUES ('delete-all');
DELETE FROM node_values;
DELETE FROM edges;
DELETE FROM orphan_candidates;
DELETE FROM nodes;
DELETE FROM tasks;
DELETE FROM checkpoints;
