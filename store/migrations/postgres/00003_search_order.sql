-- +goose Up
-- Version 3 makes search return the newest matches without sorting every
-- match. SQLite walks FTS5 matches by rowid and lists the tasks that are out
-- of order (../00003_search_order.sql). PostgreSQL keeps each task's
-- created_at in its search row, copied from the task by a trigger, with an
-- index: a search walks task_search itself newest first and stops after a
-- page, or lets the trigram index find a rare term's few rows and sorts
-- those; either way it no longer looks up every task it passes.
ALTER TABLE task_search ADD COLUMN created_at BIGINT;
UPDATE task_search s SET created_at = t.created_at FROM tasks t WHERE t.id = s.rowid;
ALTER TABLE task_search ALTER COLUMN created_at SET NOT NULL;
CREATE INDEX task_search_created ON task_search (created_at, rowid);

-- +goose StatementBegin
CREATE FUNCTION task_search_created_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	SELECT created_at INTO NEW.created_at FROM tasks WHERE id = NEW.rowid;
	RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER task_search_created_at BEFORE INSERT ON task_search
FOR EACH ROW EXECUTE FUNCTION task_search_created_at();
