-- The department that keeps each target of the shared directory: an import
-- updates only the targets its department keeps. Targets imported before
-- have none, and go to the first department that updates them.
-- migrations/postgres/0003_target_keepers.sql is the same for PostgreSQL.

ALTER TABLE targets ADD COLUMN department TEXT NOT NULL DEFAULT '';
