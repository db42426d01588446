-- Where a number stands among all the numbers of its name, found without
-- counting them. A percentile is counted when read (a stored one would
-- move on every node whenever the graph gains or loses one), and counting
-- the values below a median score walks half the name's run of the value
-- index: 85% of `homer query` on a repository of 225,000 symbols.
--
-- A task that stores every number of a name also stores its marks: the
-- name's values sorted, cut every total/1024 places, and at each cut the
-- value, how many values lie below it and how many equal it. A reader
-- finds the two marks around a value and counts in the index only what
-- lies between them: at most total/1024 entries. `marks` holds, per mark,
-- the value (f64) and the two counts (u64), little-endian, ascending by
-- value. The row belongs to the task that wrote the values: it goes when
-- the task goes, and the task writes it again whenever it runs.
--
-- Indexes built before this schema have no marks until their graph stage
-- runs again; readers count, as before, where a name has none.

CREATE TABLE value_marks (
    name  INTEGER PRIMARY KEY,
    owner INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    total INTEGER NOT NULL,
    marks BLOB    NOT NULL
) STRICT;
CREATE INDEX value_marks_owner ON value_marks (owner);
