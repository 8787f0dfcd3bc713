-- +goose Up
-- The import journal (see store/import_bulk.go). An import commits its
-- tasks in chunks, so that its WAL stays small, and marks every row it
-- creates with its id; a row here is an import that has not finished. One
-- found at open whose process is gone (its lock file is free) is undone:
-- its tasks and users are deleted. Nullable columns rewrite no row.
CREATE TABLE imports (
	id         INTEGER PRIMARY KEY,
	started_at INTEGER NOT NULL
);
ALTER TABLE tasks ADD COLUMN import_id INTEGER;
ALTER TABLE users ADD COLUMN import_id INTEGER;

