-- The exchange outbox (migrations/postgres/0013_exchange_outbox.sql is the
-- same for PostgreSQL): one row per publication event and configured
-- webhook, written in the transaction that publishes, delivered at least
-- once by a background worker. `event_id` is the event's idempotency id,
-- the same for every attempt. Times are RFC 3339 UTC to the millisecond,
-- so that they compare as text. A worker claims a row by setting
-- `lease_until`; another worker takes it only once the lease has run out.
-- `failed_at` is set when the attempts are used up: the row is kept, and
-- shown to admins, but no longer tried.
CREATE TABLE exchange_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        TEXT NOT NULL,
    kind            TEXT NOT NULL,
    destination     TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    delivered_at    TEXT,
    failed_at       TEXT,
    last_error      TEXT,
    last_attempt_at TEXT,
    UNIQUE (event_id, destination)
);
-- The worker's look for due rows reads the undelivered ones only.
CREATE INDEX exchange_outbox_due ON exchange_outbox (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
