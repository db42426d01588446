-- The memo table kept by (kind code, id) rather than (kind, key). A task's
-- id is the hash of its kind and key (`TaskId::of`), so a task is found
-- by its kind and id as surely as by its kind and key, and the index that
-- keeps `id` unique (every owner column refers to it) holds the id and the
-- kind code alone. Keyed by (kind, key), that index held each key a second
-- time: 6.3 of the synthetic repository's 83.7 MB, 36 of the kernel-sized
-- one's 527. A kind is still one run of neighbouring pages (an update reads
-- every task of a kind at once); within it the rows are in id order, and a
-- reader that wants them by key sorts them.
--
-- Kinds are small integer codes into `task_kinds`, as value names are
-- into `value_names`: a name is stored once, not in every row.
--
-- A rebuild, as 0010 was: foreign keys are off (`migrate.rs`), the
-- counting triggers go with the old table and are made again (they count
-- by name, which `task_counts` keeps), and the counts stay right.

CREATE TABLE task_kinds (
    code INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
) STRICT;

INSERT INTO task_kinds (name) SELECT DISTINCT kind FROM tasks ORDER BY kind;

CREATE TABLE tasks_by_code (
    kind        INTEGER NOT NULL REFERENCES task_kinds (code),
    id          INTEGER NOT NULL UNIQUE,
    key         TEXT    NOT NULL,
    input_hash  INTEGER NOT NULL,
    output_hash INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    value       BLOB,
    packed      INTEGER NOT NULL DEFAULT 0,
    spilled     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, id)
) STRICT, WITHOUT ROWID;

INSERT INTO tasks_by_code (kind, id, key, input_hash, output_hash, revision, value, packed,
                           spilled)
    SELECT k.code, t.id, t.key, t.input_hash, t.output_hash, t.revision, t.value, t.packed,
           t.spilled
    FROM tasks t JOIN task_kinds k ON k.name = t.kind
    ORDER BY k.code, t.id;

DROP TABLE tasks;
ALTER TABLE tasks_by_code RENAME TO tasks;

CREATE TRIGGER tasks_counted AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts (kind, n)
        VALUES ((SELECT name FROM task_kinds WHERE code = NEW.kind), 1)
        ON CONFLICT (kind) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tasks_uncounted AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET n = n - 1
    WHERE kind = (SELECT name FROM task_kinds WHERE code = OLD.kind);
END;
