-- The three tables a commit and a draw fill by the hundred thousand rows
-- no longer have PostgreSQL check each row's task against `tasks`.
-- PostgreSQL checks a foreign key once a row, by a query of its own: for a
-- 1 M pool's draw that was 56 of the 230 ms spent writing its 10 200 drawn
-- targets and 20 400 assignments, and for the entity index 25-30 % of its
-- time (200 000 rows: 1.7-1.9 s checked, 1.3 s not).
--
-- Nothing is lost by it: tasks are never deleted, and the rows are written
-- only by the service, for a task it has just read: the draw in the
-- transaction that moves the task to drawn, the entity index from the
-- manifest of a task it found committed (its mark in pool_targets_indexed,
-- one row a task, keeps its check). SQLite keeps its foreign keys
-- (migrations/sqlite/0001_init.sql, 0006_entity_index.sql): its check is
-- one lookup by row id, and dropping one there means copying the table.
ALTER TABLE drawn_targets DROP CONSTRAINT drawn_targets_task_id_fkey;
ALTER TABLE assignments DROP CONSTRAINT assignments_task_id_fkey;
ALTER TABLE pool_targets DROP CONSTRAINT pool_targets_task_id_fkey;
