-- Signing in with a password: the password's Argon2id hash (a PHC string;
-- NULL for an account that has only its token), server-side sessions, and
-- the internal audit trail of staff actions that are not public.
ALTER TABLE users ADD COLUMN password_hash TEXT;

-- A session is known by the SHA-256 of its cookie's value, never the
-- value itself. Times are RFC 3339 UTC to the millisecond, so that they
-- compare as text.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Who did what, from where: sign-ins, account changes, imports. Never a
-- password, a token or a session id.
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    actor   TEXT,
    address TEXT,
    action  TEXT NOT NULL,
    subject TEXT,
    detail  TEXT
);
-- Failed sign-ins of one account within a window (the per-account limit).
CREATE INDEX audit_by_action_subject ON audit (action, subject, at);
