-- Which committed pools hold each target, written at commit from the stored
-- target manifest: an entity's page finds its pools by one indexed read
-- instead of reading a manifest piece of every committed task.
CREATE TABLE pool_targets (
    target_id TEXT NOT NULL,
    task_id   INTEGER NOT NULL REFERENCES tasks (id),
    PRIMARY KEY (target_id, task_id)
);

-- The tasks whose pools are in pool_targets. Tasks committed before this
-- table existed are not: their manifests are still read to find an entity.
CREATE TABLE pool_targets_indexed (
    task_id INTEGER PRIMARY KEY REFERENCES tasks (id)
);
