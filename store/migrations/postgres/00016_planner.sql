-- +goose Up
-- PostgreSQL twin of ../00016_planner.sql. PostgreSQL plans with its own
-- statistics and has no sample table to drop; the collections of a page's
-- tasks are read from the index alone, as in SQLite.
DROP INDEX collection_tasks_task;
CREATE INDEX collection_tasks_task ON collection_tasks (task_id, collection_id);
