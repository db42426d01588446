-- A chunk of code stores only what its file does not hold: a doc comment
-- the parser found apart from the lines, or a definition's first line
-- repeated above a later part. Its lines (`start_line`..`end_line`) are
-- read again from the file's blob at the indexed commit (the file node's
-- `content_hash`) when a reader needs them, and the chunk's `text_hash`
-- checks that they give back the text the index was built from. Every
-- chunk's body was a second copy of its file (fmt: 1.7 of 15.6 MB).
--
-- `file_lines` is 1 for such a chunk. The rows of an older index keep
-- their whole bodies (0) and stay readable; the chunk tasks' next version
-- writes them again in the new form.

ALTER TABLE chunks ADD COLUMN file_lines INTEGER NOT NULL DEFAULT 0;
