-- The statistics by department, item and plan, and of one year
-- (migrations/postgres/0010_statistics_by_year.sql is the same for
-- PostgreSQL): counts of the results published so far under the new
-- dimensions, which the service moves from now on at each publication.
-- `dimension@YYYY` holds the counts of results published in that year
-- (where the service works: +08:00), and on_time@YYYY and late@YYYY those of
-- first publications made in it.

INSERT INTO publication_counts (dimension, key, count)
SELECT 'department', COALESCE(json_extract(record, '$.department'), ''), COUNT(*) FROM results
WHERE state = 'published' GROUP BY 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'item', COALESCE(json_extract(record, '$.item'), ''), COUNT(*) FROM results
WHERE state = 'published' GROUP BY 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'plan', COALESCE(json_extract(record, '$.plan_id'), ''), COUNT(*) FROM results
WHERE state = 'published' GROUP BY 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'published@' || strftime('%Y', published_at, '+8 hours'), '', COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'outcome@' || strftime('%Y', published_at, '+8 hours'), outcome, COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'region@' || strftime('%Y', published_at, '+8 hours'), COALESCE(json_extract(record, '$.region'), ''), COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'risk_class@' || strftime('%Y', published_at, '+8 hours'), COALESCE(json_extract(record, '$.risk_class'), ''), COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'department@' || strftime('%Y', published_at, '+8 hours'), COALESCE(json_extract(record, '$.department'), ''), COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'item@' || strftime('%Y', published_at, '+8 hours'), COALESCE(json_extract(record, '$.item'), ''), COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'plan@' || strftime('%Y', published_at, '+8 hours'), COALESCE(json_extract(record, '$.plan_id'), ''), COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT CASE WHEN date(published_at, '+8 hours') <= COALESCE(json_extract(record, '$.due_date'), '')
            THEN 'on_time@' ELSE 'late@' END || strftime('%Y', published_at, '+8 hours'), '', COUNT(*)
FROM results WHERE state IN ('published', 'superseded') AND corrects IS NULL AND published_at IS NOT NULL
GROUP BY 1;
