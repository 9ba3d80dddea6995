-- Frequency caps (migrations/sqlite/0012_frequency_caps.sql is the same for
-- SQLite): how many times a year one target may be drawn for an item of its
-- department; NULL is no cap. A commit applies the caps of its items to the
-- pool and records them in the task's parameters.
ALTER TABLE items ADD COLUMN frequency_cap BIGINT;
