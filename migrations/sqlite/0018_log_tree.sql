-- The public log as a Merkle tree (docs/PROTOCOL.md §15.4)
-- (migrations/postgres/0018_log_tree.sql is the same for the other
-- database; keep the two in step).
--
-- The log's signing key, made at the first start: one row. Its origin
-- names the log in every checkpoint it signs.
CREATE TABLE log_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    origin TEXT NOT NULL,
    seed TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- How many entries the tree holds: the row every integration locks, so
-- that one server at a time extends the tree.
CREATE TABLE log_tree (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL
);
INSERT INTO log_tree (id, size) VALUES (1, 0);

-- The tree's stored hashes (the Go checksum database's numbering: each
-- leaf and each complete subtree has one index), lowercase hex.
CREATE TABLE log_tree_hashes (
    idx BIGINT PRIMARY KEY,
    hash TEXT NOT NULL
);

-- Every checkpoint signed, one per size the tree reached; the newest is
-- the log's head, the older ones back what bundles and witnesses cite.
CREATE TABLE log_checkpoints (
    size BIGINT PRIMARY KEY,
    root TEXT NOT NULL,
    note TEXT NOT NULL,
    signed_at TEXT NOT NULL
);

-- Witnesses' cosignatures of checkpoints (C2SP tlog-cosignature): the
-- signature line as the witness sent it, and its timestamp.
CREATE TABLE log_cosignatures (
    size BIGINT NOT NULL,
    witness TEXT NOT NULL,
    line TEXT NOT NULL,
    cosigned_at TEXT NOT NULL,
    PRIMARY KEY (size, witness)
);
