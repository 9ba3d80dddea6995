-- Public reads that hold under load.
-- migrations/postgres/0004_public_reads.sql is the same for PostgreSQL.
--
-- Counts of published results by what the statistics show, kept up to date
-- in the transaction that publishes or corrects a result, so the statistics
-- never read every result. Dimensions: published, corrected (keys ''),
-- task (its id), outcome, region, risk_class, month (the month of publication where the
-- service works), on_time and late (first publications, keys '').
CREATE TABLE publication_counts (
    dimension TEXT NOT NULL,
    key       TEXT NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (dimension, key)
);

-- The results published so far. Months and timeliness are days where the
-- service works: China Standard Time (+08:00), the service's default offset.
INSERT INTO publication_counts (dimension, key, count)
SELECT 'published', '', COUNT(*) FROM results WHERE state = 'published';
INSERT INTO publication_counts (dimension, key, count)
SELECT 'corrected', '', COUNT(*) FROM results WHERE state = 'superseded';
INSERT INTO publication_counts (dimension, key, count)
SELECT 'task', CAST(task_id AS TEXT), COUNT(*) FROM results WHERE state = 'published' GROUP BY task_id;
INSERT INTO publication_counts (dimension, key, count)
SELECT 'outcome', outcome, COUNT(*) FROM results WHERE state = 'published' GROUP BY outcome;
INSERT INTO publication_counts (dimension, key, count)
SELECT 'region', COALESCE(json_extract(record, '$.region'), ''), COUNT(*) FROM results
WHERE state = 'published' GROUP BY 2;
INSERT INTO publication_counts (dimension, key, count)
SELECT 'risk_class', COALESCE(json_extract(record, '$.risk_class'), ''), COUNT(*) FROM results
WHERE state = 'published' GROUP BY 2;
INSERT INTO publication_counts (dimension, key, count)
SELECT 'month', strftime('%Y-%m', published_at, '+8 hours'), COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 2;
INSERT INTO publication_counts (dimension, key, count)
SELECT CASE WHEN date(published_at, '+8 hours') <= COALESCE(json_extract(record, '$.due_date'), '')
            THEN 'on_time' ELSE 'late' END, '', COUNT(*)
FROM results WHERE state IN ('published', 'superseded') AND corrects IS NULL GROUP BY 1;

-- The published results newest first (the public list pages by this key),
-- and those of one task.
CREATE INDEX results_public ON results (published_at, id) WHERE state IN ('published', 'superseded');
CREATE INDEX results_public_task ON results (task_id, published_at, id) WHERE state IN ('published', 'superseded');
-- Which result corrected a given one.
CREATE INDEX results_corrects ON results (corrects) WHERE corrects IS NOT NULL;
-- Unpublished results by inspection date (the statistics' overdue count);
-- partial, so that no planner takes it for a list of published results.
CREATE INDEX results_open_dates ON results (inspection_date)
    WHERE state IN ('draft', 'submitted', 'returned', 'approved');
