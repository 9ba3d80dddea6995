-- The plan a task names (its definition's plan_id), kept beside the
-- definition and written with it, so that a plan's tasks are found down an
-- index instead of by reading every task of the department
-- (migrations/sqlite/0017_task_plans.sql is the same for the other
-- database; keep the two in step).
ALTER TABLE tasks ADD COLUMN plan_id TEXT;
UPDATE tasks SET plan_id = definition::jsonb ->> 'plan_id';
CREATE INDEX tasks_plan ON tasks (department, plan_id);
