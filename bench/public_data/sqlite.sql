-- The large public data set on SQLite, added to the demo (see
-- bench/make_public_data.sh, which replaces @RESULTS@ and @TASKS@).
-- Tasks are copies of the demo's revealed task 1; results are published
-- for directory targets added here, @RESULTS@ / @TASKS@ per task, one a
-- target and item; ten copies of the drawn task 2 give the market
-- department 100 000 open ledger lines. Log entries are appended for the
-- new tasks with hashes that are well formed but not chained: the data set
-- is for measuring reads, not for `opendraw verify --log`.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE n (i INTEGER PRIMARY KEY);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < MAX(@RESULTS@, 200000))
INSERT INTO n SELECT i FROM s;

-- 200 000 targets: B0000001 …, 20 regions, risk classes A to D.
INSERT INTO targets (id, name, region, industry, risk_class, unit, flags)
SELECT printf('B%07d', i), '基准测试对象' || i, '区域' || (i % 20), '药品零售', char(65 + i % 4), '单位' || (i % 50), ''
FROM n WHERE i <= 200000;

-- The revealed tasks.
INSERT INTO tasks (name, department, state, definition, created_by, created_at, updated_at, committed_at, drawn_at,
    revealed_at, pool_size, drawn_count, commitment_digest, result_digest, result_status, secret, entropy, seed)
SELECT '基准测试任务 ' || i, department, state, definition, created_by, created_at, updated_at, committed_at, drawn_at,
    revealed_at, pool_size, drawn_count, commitment_digest, result_digest, result_status, secret, entropy, seed
FROM tasks, n WHERE tasks.id = 1 AND n.i <= @TASKS@;
CREATE TEMP TABLE bench_tasks AS
SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM tasks WHERE name LIKE '基准测试任务 %';

-- The published results: result i belongs to task i mod @TASKS@ and to
-- target i / 5, one a minute over two years.
INSERT INTO results (reference, task_id, target_id, item_code, department, state, outcome, outcome_text,
    inspection_date, summary, notes, recorded_by, created_at, updated_at, submitted_at, reviewed_by, reviewed_at,
    published_by, published_at, region, record)
SELECT 'B-' || i, t.id, printf('B%07d', i / 5 + 1), 'FOOD-01', 'market', 'published', o.code, '',
    date(at, '-3 days'), '现场检查情况良好', '', 'bench', at, at, at, 'bench', at, 'bench', at, '区域' || ((i / 5 + 1) % 20),
    json_object('reference', 'B-' || i, 'plan_id', NULL, 'plan_name', NULL, 'task', t.id, 'task_name', '基准测试任务',
        'inspection_type', '双随机抽查', 'authority', 'market', 'department', 'market',
        'target', printf('B%07d', i / 5 + 1), 'target_name', '基准测试对象' || (i / 5 + 1),
        'region', '区域' || ((i / 5 + 1) % 20), 'risk_class', char(65 + (i / 5 + 1) % 4), 'item', 'FOOD-01',
        'item_name', '食品经营许可事项检查', 'outcome', o.code, 'outcome_label', o.code, 'outcome_text', '',
        'summary', '现场检查情况良好', 'inspection_date', date(at, '-3 days'),
        'due_date', date(at, '+' || (i % 40) || ' days', '-20 days'), 'published_at', at,
        'corrects', NULL, 'correction_reason', NULL)
FROM (SELECT i, strftime('%Y-%m-%dT%H:%M:%S.000Z', '2025-01-01', '+' || i || ' minutes') AS at FROM n WHERE i <= @RESULTS@) r
JOIN bench_tasks t ON t.k = r.i % @TASKS@
JOIN (SELECT 0 AS k, 'no_problem' AS code UNION ALL SELECT 1, 'rectify' UNION ALL SELECT 2, 'case_filed'
      UNION ALL SELECT 3, 'no_activity' UNION ALL SELECT 4, 'no_problem' UNION ALL SELECT 5, 'no_problem') o
  ON o.k = r.i % 6;

-- The ledger's open lines: ten drawn copies of task 2, 10 000 targets each.
INSERT INTO tasks (name, department, state, definition, created_by, created_at, updated_at, committed_at, drawn_at,
    revealed_at, pool_size, drawn_count, commitment_digest, result_digest, result_status, secret, entropy, seed)
SELECT '基准测试台账任务 ' || i, department, state, definition, created_by, created_at, updated_at, committed_at, drawn_at,
    revealed_at, 10000, 10000, commitment_digest, result_digest, result_status, secret, entropy, seed
FROM tasks, n WHERE tasks.id = 2 AND n.i <= 10;
INSERT INTO drawn_targets (task_id, position, target_id, stratum)
SELECT t.id, n.i, printf('B%07d', (t.id * 7919 + n.i) % 200000 + 1), '区域' || (n.i % 20)
FROM tasks t, n WHERE t.name LIKE '基准测试台账任务 %' AND n.i <= 10000;

-- Two of the market department's 36 inspectors on each drawn target's
-- team (the ledger's per-inspector sums and filter join them).
INSERT INTO assignments (task_id, target_id, department, inspector_id, seq)
SELECT d.task_id, d.target_id, 'market', printf('M%03d', (d.position + 0) % 36 + 1), 0
FROM drawn_targets d JOIN tasks t ON t.id = d.task_id WHERE t.name LIKE '基准测试台账任务 %'
UNION ALL
SELECT d.task_id, d.target_id, 'market', printf('M%03d', (d.position + 7) % 36 + 1), 1
FROM drawn_targets d JOIN tasks t ON t.id = d.task_id WHERE t.name LIKE '基准测试台账任务 %';

-- Results saved for two lines in three, none published (drafts, submitted,
-- approved), inspected over the last 60 days: the ledger has overdue,
-- due-soon, not-yet-due and undated lines to order and count.
INSERT INTO results (reference, task_id, target_id, item_code, department, state, outcome, inspection_date,
    recorded_by, created_at, updated_at)
SELECT 'L-' || d.task_id || '-' || d.position, d.task_id, d.target_id, 'DRUG-01', 'market',
    CASE (d.position / 3) % 3 WHEN 0 THEN 'draft' WHEN 1 THEN 'submitted' ELSE 'approved' END, 'no_problem',
    date('now', '-' || (d.position % 60) || ' days'), 'bench', t.created_at, t.created_at
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

-- A log entry for each new task.
INSERT INTO log_entries (seq, at, kind, task_id, actor, payload, payload_digest, prev_hash, hash)
SELECT h.seq + ROW_NUMBER() OVER (ORDER BY t.id), t.created_at, 'task.revealed', t.id, 'bench', '{}',
    printf('%064d', t.id), printf('%064d', 0), printf('%064x', t.id)
FROM tasks t, log_head h WHERE t.name LIKE '基准测试%';
UPDATE log_head SET seq = (SELECT MAX(seq) FROM log_entries),
    hash = (SELECT hash FROM log_entries ORDER BY seq DESC LIMIT 1);

-- The statistics' counts, as migration 0004 computes them.
DELETE FROM publication_counts;
