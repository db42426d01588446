-- A commit is kept once: as its record, the value of its history task
-- (postcard: times, author, parents, and each changed file with its
-- lines), which the behaviour stage and the readers read. Until now the
-- same changes were kept again as a `commit` hyperedge (the commit, its
-- author node and every changed file, each membership with its lines as
-- JSON) that no reader read, and the commit node kept the author, times
-- and subject (the record and the message's chunk hold them): 23.5 of the
-- synthetic repository's 132.8 MB, 3.4 of fmt's 21.7.
--
-- The edges go with their members; then the nodes nothing owns or refers
-- to any more (author nodes, files that only history referred to). The
-- behaviour stage runs again at the next update (its signature goes) to
-- count the authors and the files no longer at HEAD from the records, and
-- the kept counts go with what they counted. Edge kind 2, node kind 5
-- and roles 6-12 are no longer written: the vocabulary tables, which
-- name the codes in use, let them go too.

DELETE FROM edges WHERE kind = 2;
DELETE FROM nodes
    WHERE owner IS NULL
      AND NOT EXISTS (SELECT 1 FROM edge_members m WHERE m.node = nodes.id);
DELETE FROM orphan_candidates;
UPDATE nodes SET attrs = NULL WHERE kind = 4 AND attrs IS NOT NULL;
DELETE FROM checkpoints WHERE name IN ('stage.behavior', 'counts');
DELETE FROM edge_kinds WHERE code = 2;
DELETE FROM node_kinds WHERE code = 5;
DELETE FROM roles WHERE code BETWEEN 6 AND 12;
