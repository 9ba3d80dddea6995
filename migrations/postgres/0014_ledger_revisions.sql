-- The ledger's counts are kept per task by the service and recounted only
-- when something they depend on changed (migrations/sqlite/
-- 0014_ledger_revisions.sql is the same for SQLite). A task's revision
-- moves with every change of its results' state or date and of its
-- assignments, by the triggers below, so that no write path can forget
-- it; row 0 is the directories' revision (a target's unit, an inspector's
-- name), moved by every import. Servers compare revisions, so a count
-- made by one server is never kept past a write made by another.
CREATE TABLE ledger_revisions (
    task_id  BIGINT PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO ledger_revisions (task_id, revision) VALUES (0, 1);

-- One statement-level trigger per table and event: a draw writing
-- thousands of assignments moves each task's revision once, not per row.
CREATE FUNCTION ledger_touch_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_revisions (task_id, revision)
        SELECT DISTINCT task_id, 1 FROM changed_rows ORDER BY task_id
        ON CONFLICT (task_id) DO UPDATE SET revision = ledger_revisions.revision + 1;
    RETURN NULL;
END $$;

-- An update moves the revision only when what a ledger line shows
-- changed: saving a draft's text leaves the counts as they were.
CREATE FUNCTION ledger_touch_results() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_revisions (task_id, revision)
        SELECT DISTINCT n.task_id, 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.task_id, n.target_id, n.item_code, n.state, n.inspection_date)
            IS DISTINCT FROM (o.task_id, o.target_id, o.item_code, o.state, o.inspection_date)
        ORDER BY n.task_id
        ON CONFLICT (task_id) DO UPDATE SET revision = ledger_revisions.revision + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER results_ledger_insert AFTER INSERT ON results
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_touch_new();
CREATE TRIGGER results_ledger_update AFTER UPDATE ON results
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_touch_results();
CREATE TRIGGER results_ledger_delete AFTER DELETE ON results
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_touch_new();
CREATE TRIGGER assignments_ledger_insert AFTER INSERT ON assignments
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_touch_new();
CREATE TRIGGER assignments_ledger_update AFTER UPDATE ON assignments
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_touch_new();
CREATE TRIGGER assignments_ledger_delete AFTER DELETE ON assignments
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_touch_new();

-- A page of the ledger's dated lines is read per (task, item), in date
-- and target order, from where the page starts.
CREATE INDEX results_ledger_pair_dates ON results (task_id, item_code, inspection_date, target_id)
    WHERE state IN ('draft', 'submitted', 'returned', 'approved');
