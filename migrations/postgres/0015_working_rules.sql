-- Each department's working rules for random inspections (抽查工作细则),
-- published as numbered versions (migrations/sqlite/0015_working_rules.sql
-- is the same for SQLite; keep the two in step). A version is never
-- changed or removed: a new text is a new version, and each one has its
-- `rules.published` entry in the public log.
CREATE TABLE working_rules (
    department   TEXT COLLATE "C" NOT NULL,
    version      BIGINT NOT NULL CHECK (version >= 1),
    title        TEXT NOT NULL,
    -- The day (YYYY-MM-DD) the department says the version takes effect.
    effective_on TEXT NOT NULL,
    -- The Markdown source, as published, and its SHA-256 (lowercase hex),
    -- which the log entry names.
    text         TEXT NOT NULL,
    text_sha256  TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    PRIMARY KEY (department, version)
);
