-- The salience population's counts and times (`_in_degree`, `_commits`,
-- `_last_change`) are stored as the reals they are ranked as. Since
-- schema 16 the (name, value) index holds reals only, and a reader places
-- a file's number among a population of more than 1,024 files by counting
-- the values between two marks in that index: integers were not there,
-- so such a file's recency and dependents came out low (the synthetic
-- repository, not the corpus, whose populations are smaller and whose
-- every value is a mark). The update writes reals from now on; this turns
-- those already stored. Each row moves into the index; nothing else
-- changes (the marks hold reals already).

UPDATE node_values SET value = CAST(value AS REAL)
WHERE typeof(value) = 'integer'
  AND name IN (SELECT code FROM value_names
               WHERE name IN ('salience_population_in_degree',
                              'salience_population_commits',
                              'salience_population_last_change'));
