-- +goose Up
-- Exact row counts kept by triggers in the transaction of each change, so
-- that status reads a dozen rows instead of walking every table (a second
-- and more at a million tasks). 'tasks:<status>' counts the tasks of each
-- status that are not in the trash, what the history's status counts show
-- the owner. Every insert and delete of a counted table, however it is
-- made (a create, an import, a restore of tasks, a purge, the cascade of a
-- task's deletion), goes through these triggers; VerifyRowCounts compares
-- them with count(*). A migration that rebuilds a counted table (create,
-- copy, drop, rename) drops its triggers with it and must create them
-- again.
--
-- shard is always 0 here: PostgreSQL, whose writers run in parallel,
-- spreads each count over shards (postgres/00013_row_counts.sql); the
-- two schemas stay the same.
CREATE TABLE row_counts (
	name  TEXT    NOT NULL,
	shard INTEGER NOT NULL,
	n     INTEGER NOT NULL,
	PRIMARY KEY (name, shard)
);

INSERT INTO row_counts (name, shard, n) SELECT 'users', 0, count(*) FROM users;
INSERT INTO row_counts (name, shard, n) SELECT 'tasks', 0, count(*) FROM tasks;
INSERT INTO row_counts (name, shard, n) SELECT 'scripts', 0, count(*) FROM scripts;
INSERT INTO row_counts (name, shard, n) SELECT 'videos', 0, count(*) FROM videos;
INSERT INTO row_counts (name, shard, n) SELECT 'task_events', 0, count(*) FROM task_events;
INSERT INTO row_counts (name, shard, n) SELECT 'statistics', 0, count(*) FROM statistics;
INSERT INTO row_counts (name, shard, n)
	SELECT 'tasks:' || s.column1, 0, (SELECT count(*) FROM tasks t WHERE t.status = s.column1 AND t.trashed_at IS NULL)
	FROM (VALUES ('pending'), ('processing'), ('completed'), ('failed'), ('cancelled')) s;

-- +goose StatementBegin
CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
	UPDATE row_counts SET n = n + 1 WHERE name = 'users' AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
	UPDATE row_counts SET n = n - 1 WHERE name = 'users' AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER scripts_count_insert AFTER INSERT ON scripts BEGIN
	UPDATE row_counts SET n = n + 1 WHERE name = 'scripts' AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER scripts_count_delete AFTER DELETE ON scripts BEGIN
	UPDATE row_counts SET n = n - 1 WHERE name = 'scripts' AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER videos_count_insert AFTER INSERT ON videos BEGIN
	UPDATE row_counts SET n = n + 1 WHERE name = 'videos' AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER videos_count_delete AFTER DELETE ON videos BEGIN
	UPDATE row_counts SET n = n - 1 WHERE name = 'videos' AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER task_events_count_insert AFTER INSERT ON task_events BEGIN
	UPDATE row_counts SET n = n + 1 WHERE name = 'task_events' AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER task_events_count_delete AFTER DELETE ON task_events BEGIN
	UPDATE row_counts SET n = n - 1 WHERE name = 'task_events' AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER statistics_count_insert AFTER INSERT ON statistics BEGIN
	UPDATE row_counts SET n = n + 1 WHERE name = 'statistics' AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER statistics_count_delete AFTER DELETE ON statistics BEGIN
	UPDATE row_counts SET n = n - 1 WHERE name = 'statistics' AND shard = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks BEGIN
	UPDATE row_counts SET n = n + 1 WHERE name = 'tasks' AND shard = 0;
	UPDATE row_counts SET n = n + 1 WHERE name = 'tasks:' || NEW.status AND NEW.trashed_at IS NULL AND shard = 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks BEGIN
	UPDATE row_counts SET n = n - 1 WHERE name = 'tasks' AND shard = 0;
	UPDATE row_counts SET n = n - 1 WHERE name = 'tasks:' || OLD.status AND OLD.trashed_at IS NULL AND shard = 0;
END;
-- +goose StatementEnd
-- A status change or a move into or out of the trash moves the task
-- between the status counts; any other update changes no count.
-- +goose StatementBegin
CREATE TRIGGER tasks_count_update AFTER UPDATE OF status, trashed_at ON tasks
WHEN OLD.status IS NOT NEW.status OR (OLD.trashed_at IS NULL) <> (NEW.trashed_at IS NULL)
BEGIN
	UPDATE row_counts SET n = n - 1 WHERE name = 'tasks:' || OLD.status AND OLD.trashed_at IS NULL AND shard = 0;
	UPDATE row_counts SET n = n + 1 WHERE name = 'tasks:' || NEW.status AND NEW.trashed_at IS NULL AND shard = 0;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER tasks_count_update;
DROP TRIGGER tasks_count_delete;
DROP TRIGGER tasks_count_insert;
DROP TRIGGER statistics_count_delete;
DROP TRIGGER statistics_count_insert;
DROP TRIGGER task_events_count_delete;
DROP TRIGGER task_events_count_insert;
DROP TRIGGER videos_count_delete;
DROP TRIGGER videos_count_insert;
DROP TRIGGER scripts_count_delete;
DROP TRIGGER scripts_count_insert;
DROP TRIGGER users_count_delete;
DROP TRIGGER users_count_insert;
DROP TABLE row_counts;
