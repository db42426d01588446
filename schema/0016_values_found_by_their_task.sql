-- A task's values are found through a row of its own instead of an index
-- on their owner. The owner index held every value's task, name and node
-- again (9.8 of the synthetic repository's 101.5 MB, 0.7 of fmt's 17.2),
-- to answer two questions: which values a task stored before it runs again,
-- and which go when a task goes (the cascade). Each task that stores
-- values now says where they are, in one row: the names it stored (a JSON
-- array of name codes, ascending) and, when they all sit on one node (a
-- file's history, a file's language and calls), that node; otherwise NULL,
-- and they are found in each name's run of the table (a graph task's
-- ranks of every file). A per-file task's values are found by key, a
-- graph task's in the runs of its few names.
--
-- The rows of a task that goes go by cascade, and their values by the
-- triggers below. The owner column stays, without its reference to tasks
-- (SQLite would look each deleted task up in an index on it): it tells
-- two tasks' values of one name apart, as the graph tasks of files and of
-- symbols both store `in_degree`.
--
-- The (name, value) index, which a reader counts in to place a score among
-- its name's (a file's PageRank percentile), keeps the scores (reals) only:
-- the counts (integers: commits, degrees, times) are never placed that way
-- (salience places them through marks of every value, which count
-- nothing), and were two thirds of its entries.
--
-- A rebuild, as in 0012: this runs with foreign keys off.

CREATE TABLE value_sets (
    owner INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    node  INTEGER,
    names TEXT    NOT NULL
) STRICT;

INSERT INTO value_sets (owner, node, names)
    SELECT owner, CASE WHEN min(lo) = max(hi) THEN min(lo) END,
           '[' || group_concat(name, ',' ORDER BY name) || ']'
    FROM (SELECT owner, name, min(node) AS lo, max(node) AS hi
          FROM node_values GROUP BY owner, name)
    GROUP BY owner;

CREATE TABLE node_values_by_name (
    node  INTEGER NOT NULL,
    name  INTEGER NOT NULL,
    value ANY     NOT NULL,
    owner INTEGER NOT NULL,
    PRIMARY KEY (name, node)
) STRICT, WITHOUT ROWID;

INSERT INTO node_values_by_name (node, name, value, owner)
    SELECT node, name, value, owner FROM node_values ORDER BY name, node;

DROP TRIGGER node_values_released;
DROP TABLE node_values;
ALTER TABLE node_values_by_name RENAME TO node_values;

CREATE INDEX node_values_rank ON node_values (name, value)
    WHERE typeof(value) = 'real';

CREATE TRIGGER node_values_released AFTER DELETE ON nodes BEGIN
    DELETE FROM node_values WHERE name IN (SELECT code FROM value_names) AND node = OLD.id;
END;

CREATE TRIGGER value_set_on_a_node_gone AFTER DELETE ON value_sets
    WHEN OLD.node IS NOT NULL
BEGIN
    DELETE FROM node_values
    WHERE name IN (SELECT value FROM json_each(OLD.names))
      AND node = OLD.node AND owner = OLD.owner;
END;

CREATE TRIGGER value_set_on_many_gone AFTER DELETE ON value_sets
    WHEN OLD.node IS NULL
BEGIN
    DELETE FROM node_values
    WHERE name IN (SELECT value FROM json_each(OLD.names))
      AND owner = OLD.owner;
END;
