-- The ledger (台账) read a page at a time from the database.
-- migrations/postgres/0005_ledger.sql is the same for PostgreSQL.
--
-- A drawn target's current result, with what its ledger line shows (state
-- and inspection date) in the index itself: the ledger joins every drawn
-- target of a task to it (for the sums, and the lines without a date)
-- and never reads the results' rows.
CREATE INDEX results_ledger ON results (task_id, target_id, item_code, state, inspection_date, id)
    WHERE state <> 'superseded';
-- The lines with an inspection date, most urgent first: a page of them is
-- read down this index from where the page starts.
CREATE INDEX results_ledger_dates ON results (inspection_date, task_id, target_id, item_code)
    WHERE state IN ('draft', 'submitted', 'returned', 'approved');
-- A task's drawn targets in id order: the lines without a date, after those
-- with one, are read down it.
CREATE INDEX drawn_targets_ledger ON drawn_targets (task_id, target_id);
