-- A commit is kept once: as its task, whose value is the commit's record
-- (postcard: times, author, parents, and each changed file with its
-- lines) and whose chunk is its message. Until now the same changes were
-- kept again as a `commit` hyperedge (the commit node, an author node and
-- every changed file, each membership with its lines as JSON) that no
-- reader read, and a commit node kept the author, times and subject that
-- the record and the chunk hold: 31.7 of the synthetic repository's 132.8
-- MB, 4.6 of fmt's 21.7.
--
-- The message chunks' identities include their node, so they cannot be
-- carried over: the commit tasks go, with their nodes, edges and chunks,
-- and the next update mines the history again (what a new index does;
-- the file's other rows stay). Then the nodes nothing owns or refers to
-- any more (author nodes, files only history referred to). The behaviour
-- stage's signature goes too, so that it runs and counts the authors and
-- the files no longer at HEAD from the records, and the kept counts with
-- what they counted. Edge kind 2, node kinds 4 and 5 and roles 6-12 are
-- no longer written: the vocabulary tables, which name the codes in use,
-- let them go.

DELETE FROM edges WHERE kind = 2;
DELETE FROM nodes WHERE kind = 4;
DELETE FROM tasks WHERE kind = 'commit';
DELETE FROM nodes
    WHERE owner IS NULL
      AND NOT EXISTS (SELECT 1 FROM edge_members m WHERE m.node = nodes.id);
DELETE FROM orphan_candidates;
DELETE FROM checkpoints
    WHERE name IN ('stage.history', 'stage.history.mined', 'watch.history',
                   'stage.behavior', 'counts');
DELETE FROM edge_kinds WHERE code = 2;
DELETE FROM node_kinds WHERE code IN (4, 5);
DELETE FROM roles WHERE code BETWEEN 6 AND 12;
