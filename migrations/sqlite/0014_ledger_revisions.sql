-- The ledger's counts are kept per task by the service and recounted only
-- when something they depend on changed (migrations/postgres/
-- 0014_ledger_revisions.sql is the same for PostgreSQL, with one index of
-- its own for the ledger's pages). A task's revision
-- moves with every change of its results' state or date and of its
-- assignments, by the triggers below, so that no write path can forget
-- it; row 0 is the directories' revision (a target's unit, an inspector's
-- name), moved by every import. Servers compare revisions, so a count
-- made by one server is never kept past a write made by another.
CREATE TABLE ledger_revisions (
    task_id  INTEGER PRIMARY KEY,
    revision INTEGER NOT NULL
);
INSERT INTO ledger_revisions (task_id, revision) VALUES (0, 1);

CREATE TRIGGER results_ledger_insert AFTER INSERT ON results
BEGIN
    INSERT INTO ledger_revisions (task_id, revision) VALUES (NEW.task_id, 1)
        ON CONFLICT (task_id) DO UPDATE SET revision = revision + 1;
END;

-- An update moves the revision only when what a ledger line shows
-- changed: saving a draft's text leaves the counts as they were.
CREATE TRIGGER results_ledger_update AFTER UPDATE ON results
WHEN OLD.task_id IS NOT NEW.task_id OR OLD.target_id IS NOT NEW.target_id OR OLD.item_code IS NOT NEW.item_code
    OR OLD.state IS NOT NEW.state OR OLD.inspection_date IS NOT NEW.inspection_date
BEGIN
    INSERT INTO ledger_revisions (task_id, revision) VALUES (NEW.task_id, 1)
        ON CONFLICT (task_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER results_ledger_delete AFTER DELETE ON results
BEGIN
    INSERT INTO ledger_revisions (task_id, revision) VALUES (OLD.task_id, 1)
        ON CONFLICT (task_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER assignments_ledger_insert AFTER INSERT ON assignments
BEGIN
    INSERT INTO ledger_revisions (task_id, revision) VALUES (NEW.task_id, 1)
        ON CONFLICT (task_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER assignments_ledger_update AFTER UPDATE ON assignments
BEGIN
    INSERT INTO ledger_revisions (task_id, revision) VALUES (NEW.task_id, 1)
        ON CONFLICT (task_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER assignments_ledger_delete AFTER DELETE ON assignments
BEGIN
    INSERT INTO ledger_revisions (task_id, revision) VALUES (OLD.task_id, 1)
        ON CONFLICT (task_id) DO UPDATE SET revision = revision + 1;
END;
