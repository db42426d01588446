-- A commit node keeps what a reader shows of it: the author's name, the
-- author and committer times and the subject. The email was kept again as
-- the author node's name (the commit edge links the two), the parents
-- again in the commit's record (the history stage's task value), and the
-- time zone was read by nothing: about half of each commit node's bytes
-- (95 of 190 on the synthetic repository, 4.7 MB of its 152). The rest of
-- the object stays as written, in its order, so an upgraded node holds
-- the same text as one written now.

UPDATE nodes SET attrs = json_remove(attrs, '$.email', '$.tz', '$.parents')
    WHERE kind = 4 AND attrs IS NOT NULL;
