-- +goose Up
-- The planner keeps sqlite_stat1 only: drop the sample rows an earlier
-- ANALYZE or PRAGMA optimize wrote, which made SQLite parse and plan every
-- cached statement again on each run (see store/analyze.go).
DROP TABLE IF EXISTS sqlite_stat4;

-- The collections of a page's tasks are read by task (fillLabels): with
-- the collection in the index, from the index alone.
DROP INDEX collection_tasks_task;
CREATE INDEX collection_tasks_task ON collection_tasks (task_id, collection_id);
