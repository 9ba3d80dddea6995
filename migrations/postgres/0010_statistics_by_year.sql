-- The statistics by department, item and plan, and of one year
-- (migrations/sqlite/0010_statistics_by_year.sql is the same for SQLite):
-- counts of the results published so far under the new dimensions, which
-- the service moves from now on at each publication. `dimension@YYYY`
-- holds the counts of results published in that year (where the service
-- works: +08:00), and on_time@YYYY and late@YYYY those of first publications
-- made in it.

INSERT INTO publication_counts (dimension, key, count)
SELECT 'department', COALESCE(record::jsonb ->> 'department', ''), COUNT(*) FROM results
WHERE state = 'published' GROUP BY 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'item', COALESCE(record::jsonb ->> 'item', ''), COUNT(*) FROM results
WHERE state = 'published' GROUP BY 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'plan', COALESCE(record::jsonb ->> 'plan_id', ''), COUNT(*) FROM results
WHERE state = 'published' GROUP BY 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'published@' || to_char(published_at::timestamptz AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY'), '', COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'outcome@' || to_char(published_at::timestamptz AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY'), outcome, COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'region@' || to_char(published_at::timestamptz AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY'), COALESCE(record::jsonb ->> 'region', ''), COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'risk_class@' || to_char(published_at::timestamptz AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY'), COALESCE(record::jsonb ->> 'risk_class', ''), COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'department@' || to_char(published_at::timestamptz AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY'), COALESCE(record::jsonb ->> 'department', ''), COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'item@' || to_char(published_at::timestamptz AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY'), COALESCE(record::jsonb ->> 'item', ''), COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT 'plan@' || to_char(published_at::timestamptz AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY'), COALESCE(record::jsonb ->> 'plan_id', ''), COUNT(*) FROM results
WHERE state = 'published' AND published_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO publication_counts (dimension, key, count)
SELECT CASE WHEN to_char(published_at::timestamptz AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM-DD')
                 <= COALESCE(record::jsonb ->> 'due_date', '')
            THEN 'on_time@' ELSE 'late@' END || to_char(published_at::timestamptz AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY'), '', COUNT(*)
FROM results WHERE state IN ('published', 'superseded') AND corrects IS NULL AND published_at IS NOT NULL
GROUP BY 1;
