-- The department that keeps each target of the shared directory: an import
-- updates only the targets its department keeps. Targets imported before
-- have none: only the operator's import on the server (opendraw import) assigns them.
-- migrations/postgres/0003_target_keepers.sql is the same for PostgreSQL.

ALTER TABLE targets ADD COLUMN department TEXT NOT NULL DEFAULT '';
