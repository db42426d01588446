-- Node values lose their (node, name) index. Values are kept by (name,
-- node), and every reader but one names the value it wants, so the index
-- served the cascade from a deleted node (SQLite needs an index on the
-- child column to find a deleted parent's rows) and that one reader (all
-- values of one node, which now seeks each name of `value_names` on the
-- key). It was about a seventh of the values' bytes (39.7 of 256 MB in the
-- kernel-sized repository's index, 5.5 of 36 in the synthetic one's), and
-- a fourth b-tree for every value written.
--
-- A deleted node's values go as before, by a trigger that seeks each value
-- name on the key instead of a cascade that looked the node up in the
-- index; the owner's cascade (a deleted task takes its values) stays.
-- A rebuild, as SQLite documents it for a change ALTER TABLE cannot make:
-- the migration runs with foreign keys off (`migrate.rs`), and the check
-- after it finds every owner's task.

CREATE TABLE node_values_by_name (
    node  INTEGER NOT NULL,
    name  INTEGER NOT NULL,
    value ANY     NOT NULL,
    owner INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    PRIMARY KEY (name, node)
) STRICT, WITHOUT ROWID;

INSERT INTO node_values_by_name (node, name, value, owner)
    SELECT node, name, value, owner FROM node_values ORDER BY name, node;

DROP TABLE node_values;
ALTER TABLE node_values_by_name RENAME TO node_values;

CREATE INDEX node_values_owner ON node_values (owner);
CREATE INDEX node_values_rank ON node_values (name, value)
    WHERE typeof(value) IN ('integer', 'real');

CREATE TRIGGER node_values_released AFTER DELETE ON nodes BEGIN
    DELETE FROM node_values WHERE name IN (SELECT code FROM value_names) AND node = OLD.id;
END;
