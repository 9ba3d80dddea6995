-- Departments' display names, in Chinese and English. A department is
-- known by its code wherever it is used (accounts, items, inspectors,
-- tasks); this table gives it the names the console and the public site
-- show. A code without a row here is shown by its code.
CREATE TABLE departments (
    code    TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT ''
);

-- The site's branding: the issuing authority, the contact and objection
-- channels, the ICP filing number. One row a setting; a setting without a
-- row is empty.
CREATE TABLE site_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Bumped in the same transaction as every change to the two tables above:
-- the public site answer is kept while the revision it was built at is the
-- current one, on every server (the public log says nothing of these).
CREATE TABLE site_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO site_revision (id, revision) VALUES (1, 0);
