-- A commit message's chunk has a negative id and every other chunk a
-- non-negative one (crates/homer-store/src/writer.rs, `Chunk::message`),
-- so a search of the code asks the text index for `rowid >= 0` and ranks
-- only code: it used to rank every matching commit message too and drop
-- them after, which cost a search time in proportion to the history (113
-- ms for a question whose words every one of 50,000 commit messages has).
-- Chunks stored under the old ids would keep them: the upgrade empties the
-- index, as 0005 and 0006 did, and the next `homer update` builds it
-- again. Kinds, roles, value names and embeddings stay.

DELETE FROM chunks;
INSERT INTO chunk_text (chunk_text) VALUES ('delete-all');
DELETE FROM chunk_text_pending;
DELETE FROM node_values;
DELETE FROM edges;
DELETE FROM orphan_candidates;
DELETE FROM nodes;
DELETE FROM tasks;
DELETE FROM checkpoints;
