-- Inspections: results and their review, replacements of assigned
-- inspectors, declared conflicts, and the working-day calendar that sets
-- publication deadlines. migrations/postgres/0002_inspections.sql is the
-- same for PostgreSQL; keep the two in step.

ALTER TABLE targets ADD COLUMN address TEXT NOT NULL DEFAULT '';

-- Days that differ from the Monday-to-Friday week: public holidays, and the
-- weekend days worked in their place.
CREATE TABLE calendar_days (
    day  TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL DEFAULT ''
);

-- One result per task, target and item. A correction adds a row and marks
-- the one it corrects superseded; rows are never deleted.
CREATE TABLE results (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    reference         TEXT NOT NULL UNIQUE,
    task_id           INTEGER NOT NULL REFERENCES tasks (id),
    target_id         TEXT NOT NULL,
    item_code         TEXT NOT NULL,
    department        TEXT NOT NULL,
    state             TEXT NOT NULL,
    outcome           TEXT,
    outcome_text      TEXT NOT NULL DEFAULT '',
    inspection_date   TEXT,
    summary           TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    recorded_by       TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    submitted_at      TEXT,
    reviewed_by       TEXT,
    reviewed_at       TEXT,
    return_reason     TEXT,
    published_by      TEXT,
    published_at      TEXT,
    -- Set at publication: the target's region then, and the published
    -- record (JSON) exactly as logged.
    region            TEXT,
    record            TEXT,
    corrects          INTEGER REFERENCES results (id),
    correction_reason TEXT
);
CREATE UNIQUE INDEX results_current ON results (task_id, target_id, item_code) WHERE state <> 'superseded';
CREATE INDEX results_state ON results (department, state);
CREATE INDEX results_target ON results (target_id);
CREATE INDEX results_published ON results (published_at) WHERE published_at IS NOT NULL;

-- Every step of every result: who, when, why.
CREATE TABLE result_steps (
    result_id INTEGER NOT NULL REFERENCES results (id),
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    step      TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (result_id, seq)
);

-- Replacements of assigned inspectors (PROTOCOL.md §16), numbered per task.
CREATE TABLE replacements (
    task_id        INTEGER NOT NULL REFERENCES tasks (id),
    number         INTEGER NOT NULL,
    target_id      TEXT NOT NULL,
    department     TEXT NOT NULL,
    out_inspector  TEXT NOT NULL,
    in_inspector   TEXT NOT NULL,
    reason         TEXT NOT NULL,
    made_by        TEXT NOT NULL,
    made_at        TEXT NOT NULL,
    PRIMARY KEY (task_id, number)
);

-- Conflicts of interest declared by assigned inspectors.
CREATE TABLE conflicts (
    task_id      INTEGER NOT NULL REFERENCES tasks (id),
    target_id    TEXT NOT NULL,
    inspector_id TEXT NOT NULL,
    reason       TEXT NOT NULL,
    declared_at  TEXT NOT NULL,
    replacement  INTEGER,
    PRIMARY KEY (task_id, target_id, inspector_id)
);
