-- The memo table kept in (kind, key) order. An update reads every task of
-- a kind at once (the engine compares each declared task's input hash with
-- the stored one; the behaviour stage reads every commit's record): with
-- the rows kept by id, that walked the (kind, key) index and then fetched
-- each row from wherever its id had put it, one seek per task, 10% of the
-- synthetic repository's incremental update each. Kept by (kind, key), a
-- kind is one run of neighbouring pages. `id` stays unique (it is what
-- every owner column refers to, and ids do not change: rows below stay).
--
-- A table without rowid keeps at most about a quarter of a page in a row;
-- a longer one goes on to overflow pages, most of the last one wasted. A
-- value that would make the row longer (a file's parse results often do)
-- is kept in `task_values`, a table with rowid, where a row fills up to
-- a page, and `spilled` says so: a reader reads it there by id.
--
-- A rebuild of the table, as SQLite documents it for a change ALTER TABLE
-- cannot make: the migration runs with foreign keys off (`migrate.rs`), so
-- dropping the old table cascades to nothing, and the check after it
-- finds every owner's task in the new one. The counting triggers of 0008
-- go with the old table and are made again; the counts stay right, since
-- neither the copy nor the drop fires them.

CREATE TABLE tasks_by_kind (
    id          INTEGER NOT NULL UNIQUE,
    kind        TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    input_hash  INTEGER NOT NULL,
    output_hash INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    value       BLOB,
    packed      INTEGER NOT NULL DEFAULT 0,
    spilled     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE task_values (
    id    INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    value BLOB NOT NULL
) STRICT;

-- The same limit as the store's (`SPILL_OVER` in homer-store).
INSERT INTO task_values (id, value)
    SELECT id, value FROM tasks
    WHERE value IS NOT NULL AND length(value) + length(CAST(key AS BLOB)) + length(kind) > 800;

INSERT INTO tasks_by_kind (id, kind, key, input_hash, output_hash, revision, value, packed, spilled)
    SELECT id, kind, key, input_hash, output_hash, revision,
           CASE WHEN id IN (SELECT id FROM task_values) THEN NULL ELSE value END,
           packed,
           id IN (SELECT id FROM task_values)
    FROM tasks
    ORDER BY kind, key;

DROP TABLE tasks;
ALTER TABLE tasks_by_kind RENAME TO tasks;

CREATE TRIGGER tasks_counted AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts (kind, n) VALUES (NEW.kind, 1)
        ON CONFLICT (kind) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tasks_uncounted AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET n = n - 1 WHERE kind = OLD.kind;
END;
