-- The large public data set on PostgreSQL: the same as sqlite.sql (read it
-- for what is made), in PostgreSQL's dialect.
BEGIN;
CREATE TEMP TABLE n AS SELECT i FROM generate_series(1, GREATEST(@RESULTS@, 200000)) AS i;

INSERT INTO targets (id, name, region, industry, risk_class, unit, flags)
SELECT format('B%s', lpad(i::text, 7, '0')), '基准测试对象' || i, '区域' || (i % 20), '药品零售', chr(65 + i % 4),
    '单位' || (i % 50), ''
FROM n WHERE i <= 200000;

INSERT INTO tasks (name, department, state, definition, created_by, created_at, updated_at, committed_at, drawn_at,
    revealed_at, pool_size, drawn_count, commitment_digest, result_digest, result_status, secret, entropy, seed)
SELECT '基准测试任务 ' || i, department, state, definition, created_by, created_at, updated_at, committed_at, drawn_at,
    revealed_at, pool_size, drawn_count, commitment_digest, result_digest, result_status, secret, entropy, seed
FROM tasks, n WHERE tasks.id = 1 AND n.i <= @TASKS@;
CREATE TEMP TABLE bench_tasks AS
SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM tasks WHERE name LIKE '基准测试任务 %';

INSERT INTO results (reference, task_id, target_id, item_code, department, state, outcome, outcome_text,
    inspection_date, summary, notes, recorded_by, created_at, updated_at, submitted_at, reviewed_by, reviewed_at,
    published_by, published_at, region, record)
SELECT 'B-' || i, t.id, format('B%s', lpad((i / 5 + 1)::text, 7, '0')), 'FOOD-01', 'market', 'published', o.code, '',
    to_char(at - interval '3 days', 'YYYY-MM-DD'), '现场检查情况良好', '', 'bench', att, att, att, 'bench', att, 'bench',
    att, '区域' || ((i / 5 + 1) % 20),
    json_build_object('reference', 'B-' || i, 'plan_id', NULL, 'plan_name', NULL, 'task', t.id,
        'task_name', '基准测试任务', 'inspection_type', '双随机抽查', 'authority', 'market', 'department', 'market',
        'target', format('B%s', lpad((i / 5 + 1)::text, 7, '0')), 'target_name', '基准测试对象' || (i / 5 + 1),
        'region', '区域' || ((i / 5 + 1) % 20), 'risk_class', chr(65 + (i / 5 + 1) % 4), 'item', 'FOOD-01',
        'item_name', '食品经营许可事项检查', 'outcome', o.code, 'outcome_label', o.code, 'outcome_text', '',
        'summary', '现场检查情况良好', 'inspection_date', to_char(at - interval '3 days', 'YYYY-MM-DD'),
        'due_date', to_char(at + (i % 40 - 20) * interval '1 day', 'YYYY-MM-DD'), 'published_at', att,
        'corrects', NULL, 'correction_reason', NULL)::text
FROM (SELECT i, timestamp '2025-01-01' + i * interval '1 minute' AS at,
             to_char(timestamp '2025-01-01' + i * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"') AS att
      FROM n WHERE i <= @RESULTS@) r
JOIN bench_tasks t ON t.k = r.i % @TASKS@
JOIN (VALUES (0, 'no_problem'), (1, 'rectify'), (2, 'case_filed'), (3, 'no_activity'), (4, 'no_problem'),
             (5, 'no_problem')) AS o (k, code)
  ON o.k = r.i % 6;

INSERT INTO tasks (name, department, state, definition, created_by, created_at, updated_at, committed_at, drawn_at,
    revealed_at, pool_size, drawn_count, commitment_digest, result_digest, result_status, secret, entropy, seed)
SELECT '基准测试台账任务 ' || i, department, state, definition, created_by, created_at, updated_at, committed_at, drawn_at,
    revealed_at, 10000, 10000, commitment_digest, result_digest, result_status, secret, entropy, seed
FROM tasks, n WHERE tasks.id = 2 AND n.i <= 10;
INSERT INTO drawn_targets (task_id, position, target_id, stratum)
SELECT t.id, n.i, format('B%s', lpad(((t.id * 7919 + n.i) % 200000 + 1)::text, 7, '0')), '区域' || (n.i % 20)
FROM tasks t, n WHERE t.name LIKE '基准测试台账任务 %' AND n.i <= 10000;

-- Two of the market department's 36 inspectors on each drawn target's
-- team (the ledger's per-inspector sums and filter join them).
INSERT INTO assignments (task_id, target_id, department, inspector_id, seq)
SELECT d.task_id, d.target_id, 'market', format('M%s', lpad(((d.position + 0) % 36 + 1)::text, 3, '0')), 0
FROM drawn_targets d JOIN tasks t ON t.id = d.task_id WHERE t.name LIKE '基准测试台账任务 %'
UNION ALL
SELECT d.task_id, d.target_id, 'market', format('M%s', lpad(((d.position + 7) % 36 + 1)::text, 3, '0')), 1
FROM drawn_targets d JOIN tasks t ON t.id = d.task_id WHERE t.name LIKE '基准测试台账任务 %';

-- Results saved for two lines in three, none published (drafts, submitted,
-- approved), inspected over the last 60 days: the ledger has overdue,
-- due-soon, not-yet-due and undated lines to order and count.
INSERT INTO results (reference, task_id, target_id, item_code, department, state, outcome, inspection_date,
    recorded_by, created_at, updated_at)
SELECT 'L-' || d.task_id || '-' || d.position, d.task_id, d.target_id, 'DRUG-01', 'market',
    CASE (d.position / 3) % 3 WHEN 0 THEN 'draft' WHEN 1 THEN 'submitted' ELSE 'approved' END, 'no_problem',
    (CURRENT_DATE - (d.position % 60)::int)::text, 'bench', t.created_at, t.created_at
FROM drawn_targets d JOIN tasks t ON t.id = d.task_id
WHERE t.name LIKE '基准测试台账任务 %' AND d.position % 3 <> 0;

-- Each new task's pool (migration 0006's index, as a commit writes it):
-- the targets of its results and its drawn targets. The tasks have no
-- stored manifests, so the index is all there is to find an entity by.
INSERT INTO pool_targets (target_id, task_id)
SELECT target_id, task_id FROM results WHERE recorded_by = 'bench'
UNION SELECT d.target_id, d.task_id FROM drawn_targets d JOIN tasks t ON t.id = d.task_id
WHERE t.name LIKE '基准测试台账任务 %';
INSERT INTO pool_targets_indexed (task_id) SELECT id FROM tasks WHERE name LIKE '基准测试%';

INSERT INTO log_entries (seq, at, kind, task_id, actor, payload, payload_digest, prev_hash, hash)
SELECT h.seq + ROW_NUMBER() OVER (ORDER BY t.id), t.created_at, 'task.revealed', t.id, 'bench', '{}',
    lpad(t.id::text, 64, '0'), repeat('0', 64), lpad(to_hex(t.id), 64, '0')
FROM tasks t, log_head h WHERE t.name LIKE '基准测试%';
UPDATE log_head SET seq = (SELECT MAX(seq) FROM log_entries),
    hash = (SELECT hash FROM log_entries ORDER BY seq DESC LIMIT 1);

DELETE FROM publication_counts;
