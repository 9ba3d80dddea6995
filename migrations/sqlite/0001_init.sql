-- opendraw schema, SQLite dialect. migrations/postgres/0001_init.sql is the
-- same schema for PostgreSQL; keep the two in step.

CREATE TABLE items (
    code              TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    legal_basis       TEXT NOT NULL DEFAULT '',
    department        TEXT NOT NULL,
    target_category   TEXT NOT NULL DEFAULT '',
    sampling_ratio_bp INTEGER,
    frequency         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE targets (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    region         TEXT NOT NULL,
    industry       TEXT NOT NULL DEFAULT '',
    risk_class     TEXT NOT NULL,
    unit           TEXT NOT NULL DEFAULT '',
    flags          TEXT NOT NULL DEFAULT '',
    last_inspected TEXT
) WITHOUT ROWID;

CREATE TABLE inspectors (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    department          TEXT NOT NULL,
    unit                TEXT NOT NULL,
    region              TEXT NOT NULL,
    certificate_no      TEXT NOT NULL DEFAULT '',
    certificate_expires TEXT NOT NULL,
    items               TEXT NOT NULL,
    active              INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX inspectors_department ON inspectors (department, id);

CREATE TABLE recusals (
    inspector_id TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (inspector_id, target_id)
);

CREATE TABLE users (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    department   TEXT,
    inspector_id TEXT,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    disabled     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE tasks (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT NOT NULL,
    department        TEXT NOT NULL,
    state             TEXT NOT NULL,
    definition        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    committed_at      TEXT,
    drawn_at          TEXT,
    revealed_at       TEXT,
    abandoned_at      TEXT,
    abandon_reason    TEXT,
    pool_size         INTEGER,
    drawn_count       INTEGER,
    commitment_digest TEXT,
    result_digest     TEXT,
    result_status     TEXT,
    secret            TEXT,
    entropy           TEXT,
    seed              TEXT
);

CREATE TABLE task_files (
    task_id   INTEGER NOT NULL REFERENCES tasks (id),
    name      TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    first_key TEXT NOT NULL,
    content   BLOB NOT NULL,
    PRIMARY KEY (task_id, name, seq)
);
CREATE INDEX task_files_first_key ON task_files (task_id, name, first_key);

CREATE TABLE drawn_targets (
    task_id   INTEGER NOT NULL REFERENCES tasks (id),
    position  INTEGER NOT NULL,
    target_id TEXT NOT NULL,
    stratum   TEXT NOT NULL,
    PRIMARY KEY (task_id, position)
);
CREATE INDEX drawn_targets_target ON drawn_targets (target_id);

CREATE TABLE assignments (
    task_id      INTEGER NOT NULL REFERENCES tasks (id),
    target_id    TEXT NOT NULL,
    department   TEXT NOT NULL,
    inspector_id TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (task_id, target_id, department, inspector_id)
);
CREATE INDEX assignments_inspector ON assignments (inspector_id, task_id);

CREATE TABLE log_entries (
    seq            INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    kind           TEXT NOT NULL,
    task_id        INTEGER,
    actor          TEXT NOT NULL,
    payload        TEXT NOT NULL,
    payload_digest TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX log_entries_task ON log_entries (task_id, seq);

-- The head of the log: the one row every append updates first, which makes
-- appends take turns.
CREATE TABLE log_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO log_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE idempotency (
    key        TEXT NOT NULL,
    user_id    INTEGER NOT NULL,
    request    TEXT NOT NULL,
    status     INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
