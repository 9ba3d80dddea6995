-- The public list of inspection items (随机抽查事项清单) with its history
-- (migrations/postgres/0011_public_items.sql is the same for PostgreSQL;
-- keep the two in step).

-- How an item is inspected (检查方式), and the day it was retired: a
-- retired item is offered for no new task, and stays on the public list
-- with the day its last version ended.
ALTER TABLE items ADD COLUMN method TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN retired_on TEXT;

-- Every version of an item's public fields, from the day it took effect
-- (where the service works: +08:00) to the day it ended, when a later
-- import changed it (`changed`) or its department retired it (`retired`,
-- with the reason given). The current version has no end.
CREATE TABLE item_versions (
    code              TEXT NOT NULL,
    version           INTEGER NOT NULL CHECK (version >= 1),
    name              TEXT NOT NULL,
    legal_basis       TEXT NOT NULL,
    department        TEXT NOT NULL,
    target_category   TEXT NOT NULL,
    method            TEXT NOT NULL,
    sampling_ratio_bp INTEGER,
    frequency         TEXT NOT NULL,
    effective_from    TEXT NOT NULL,
    effective_until   TEXT,
    ended             TEXT CHECK (ended IN ('changed', 'retired')),
    end_reason        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (code, version)
);
CREATE UNIQUE INDEX item_versions_current ON item_versions (code) WHERE effective_until IS NULL;

-- An existing database's items get their first version, in effect from
-- the day of the upgrade: the day each was first imported was never kept.
-- No log entries are written for them. A migration cannot extend the
-- log's hash chain (SQLite has no SHA-256), and entries written later by
-- a server would claim a department's act at a time nobody acted; the
-- list as it stood at the upgrade is what /api/public/items shows, and
-- the log records every change from then on.
INSERT INTO item_versions (code, version, name, legal_basis, department, target_category, method,
                           sampling_ratio_bp, frequency, effective_from)
SELECT code, 1, name, legal_basis, department, target_category, method, sampling_ratio_bp, frequency,
       date('now', '+8 hours')
FROM items;
