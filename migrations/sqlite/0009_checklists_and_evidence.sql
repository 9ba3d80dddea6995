-- Checklists (检查表) of items, the answers a result gives to them, and the
-- files attached to results as evidence. migrations/postgres/
-- 0009_checklists_and_evidence.sql is the same for PostgreSQL; keep the
-- two in step.

-- The points of an item's checklist, in the order the form walks through
-- them (numbered from 1). An import replaces an item's whole checklist.
CREATE TABLE checklist_points (
    item_code   TEXT NOT NULL,
    number      INTEGER NOT NULL CHECK (number >= 1),
    point       TEXT NOT NULL,
    legal_basis TEXT NOT NULL DEFAULT '',
    method      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (item_code, number)
);

-- A result's answer to each point, with the point's words as they were
-- answered: a later change of the checklist does not rewrite old results.
CREATE TABLE result_answers (
    result_id   INTEGER NOT NULL REFERENCES results (id),
    number      INTEGER NOT NULL,
    point       TEXT NOT NULL,
    legal_basis TEXT NOT NULL DEFAULT '',
    answer      TEXT NOT NULL CHECK (answer IN ('compliant', 'non_compliant', 'not_applicable')),
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (result_id, number)
);

-- Files attached to a result. `content` holds the bytes, or is NULL when
-- the server keeps them on disk (named by their SHA-256).
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    result_id   INTEGER NOT NULL REFERENCES results (id),
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    content     BLOB,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX attachments_result ON attachments (result_id, id);
-- Whether a file on disk is still named by a row.
CREATE INDEX attachments_sha256 ON attachments (sha256);
