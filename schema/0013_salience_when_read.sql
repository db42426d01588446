-- A file's salience score is computed when it is read, from the file's own
-- numbers ranked among the production files' (stored by the salience task
-- again under names of their own, `salience_population_*`, with their
-- marks, so that a rank is counted among production files only). Stored
-- per file, the score is a sum of percentile ranks that moved for most
-- files whenever a few gained a commit: every update rewrote nearly every
-- file's score (73,171 of 75,000 on a kernel-sized repository after ten
-- commits). The stored scores go; the salience task, a new version, runs
-- at the next update and stores the population. Until it has, readers
-- show no score.

DELETE FROM node_values
    WHERE name = (SELECT code FROM value_names WHERE name = 'salience');
