-- A commit's record names each changed path, its author's e-mail and name
-- by the id of the text (xxh3, as a signed 64-bit integer), and the index
-- keeps each text once, here. Records repeated them as text: a path of
-- the synthetic repository is some forty bytes and is changed by a few
-- hundred commits, and an author writes thousands (8.5 of its 87.9 MB were
-- records). Ids are hashes, so a text has the same id in every index and
-- a record the same bytes. The behaviour stage, which reads every record,
-- deletes the texts no record names any more (history rewritten).
--
-- Records of the old form cannot be read as the new: the commit tasks go,
-- with their message chunks, and the next update mines the history again,
-- as 0015 did.

CREATE TABLE record_texts (
    id   INTEGER PRIMARY KEY,
    text TEXT    NOT NULL
) STRICT;

DELETE FROM tasks WHERE kind = 'commit';
DELETE FROM checkpoints
    WHERE name IN ('stage.history', 'stage.history.mined', 'watch.history', 'stage.behavior');
