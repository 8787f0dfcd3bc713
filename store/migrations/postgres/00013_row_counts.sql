-- +goose Up
-- Exact row counts kept by triggers in the transaction of each change (see
-- ../00013_row_counts.sql), so that status reads a few dozen rows instead
-- of counting every table. Writers run in parallel here: each backend adds
-- to its own shard of a count (pg_backend_pid() % 16), so two transactions
-- rarely wait on one counter row, and a count is the sum of its shards.
-- The triggers are per statement with transition tables: a bulk COPY or a
-- multi-row INSERT adds once, and an update that moves no task between
-- statuses or into or out of the trash writes nothing. TRUNCATE (a restore
-- from a dump) drops the table's counts, which the COPY that follows adds
-- back. A missing row is a count of zero.
CREATE TABLE row_counts (
	name  TEXT    NOT NULL,
	shard INTEGER NOT NULL,
	n     BIGINT  NOT NULL,
	PRIMARY KEY (name, shard)
);

INSERT INTO row_counts (name, shard, n) SELECT 'users', 0, count(*) FROM users;
INSERT INTO row_counts (name, shard, n) SELECT 'tasks', 0, count(*) FROM tasks;
INSERT INTO row_counts (name, shard, n) SELECT 'scripts', 0, count(*) FROM scripts;
INSERT INTO row_counts (name, shard, n) SELECT 'videos', 0, count(*) FROM videos;
INSERT INTO row_counts (name, shard, n) SELECT 'task_events', 0, count(*) FROM task_events;
INSERT INTO row_counts (name, shard, n) SELECT 'statistics', 0, count(*) FROM statistics;
INSERT INTO row_counts (name, shard, n)
	SELECT 'tasks:' || status, 0, count(*) FROM tasks WHERE trashed_at IS NULL GROUP BY status;

-- +goose StatementBegin
CREATE FUNCTION row_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d bigint;
BEGIN
	SELECT count(*) INTO d FROM new_rows;
	IF d <> 0 THEN
		INSERT INTO row_counts AS c (name, shard, n) VALUES (TG_TABLE_NAME, pg_backend_pid() % 16, d)
		ON CONFLICT (name, shard) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION row_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d bigint;
BEGIN
	SELECT count(*) INTO d FROM old_rows;
	IF d <> 0 THEN
		INSERT INTO row_counts AS c (name, shard, n) VALUES (TG_TABLE_NAME, pg_backend_pid() % 16, -d)
		ON CONFLICT (name, shard) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION row_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM row_counts WHERE name = TG_TABLE_NAME OR (TG_TABLE_NAME = 'tasks' AND name LIKE 'tasks:%');
	RETURN NULL;
END
$$;
-- +goose StatementEnd

-- The tasks' total and their counts per status outside the trash. Rows
-- are added in name order, so that two transactions never take the same
-- two counter rows in opposite orders.
-- +goose StatementBegin
CREATE FUNCTION tasks_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO row_counts AS c (name, shard, n)
		SELECT name, pg_backend_pid() % 16, sum(d) FROM (
			SELECT 'tasks' AS name, 1 AS d FROM new_rows
			UNION ALL
			SELECT 'tasks:' || status, 1 FROM new_rows WHERE trashed_at IS NULL
		) x GROUP BY name ORDER BY name
		ON CONFLICT (name, shard) DO UPDATE SET n = c.n + excluded.n;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO row_counts AS c (name, shard, n)
		SELECT name, pg_backend_pid() % 16, sum(d) FROM (
			SELECT 'tasks' AS name, -1 AS d FROM old_rows
			UNION ALL
			SELECT 'tasks:' || status, -1 FROM old_rows WHERE trashed_at IS NULL
		) x GROUP BY name ORDER BY name
		ON CONFLICT (name, shard) DO UPDATE SET n = c.n + excluded.n;
	ELSE
		INSERT INTO row_counts AS c (name, shard, n)
		SELECT name, pg_backend_pid() % 16, sum(d) FROM (
			SELECT 'tasks:' || status AS name, 1 AS d FROM new_rows WHERE trashed_at IS NULL
			UNION ALL
			SELECT 'tasks:' || status, -1 FROM old_rows WHERE trashed_at IS NULL
		) x GROUP BY name HAVING sum(d) <> 0 ORDER BY name
		ON CONFLICT (name, shard) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION tasks_count();
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION tasks_count();
CREATE TRIGGER tasks_count_update AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION tasks_count();
CREATE TRIGGER tasks_count_truncate AFTER TRUNCATE ON tasks
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_truncate();

CREATE TRIGGER users_count_insert AFTER INSERT ON users REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_insert();
CREATE TRIGGER users_count_delete AFTER DELETE ON users REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_delete();
CREATE TRIGGER users_count_truncate AFTER TRUNCATE ON users
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_truncate();
CREATE TRIGGER scripts_count_insert AFTER INSERT ON scripts REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_insert();
CREATE TRIGGER scripts_count_delete AFTER DELETE ON scripts REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_delete();
CREATE TRIGGER scripts_count_truncate AFTER TRUNCATE ON scripts
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_truncate();
CREATE TRIGGER videos_count_insert AFTER INSERT ON videos REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_insert();
CREATE TRIGGER videos_count_delete AFTER DELETE ON videos REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_delete();
CREATE TRIGGER videos_count_truncate AFTER TRUNCATE ON videos
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_truncate();
CREATE TRIGGER task_events_count_insert AFTER INSERT ON task_events REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_insert();
CREATE TRIGGER task_events_count_delete AFTER DELETE ON task_events REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_delete();
CREATE TRIGGER task_events_count_truncate AFTER TRUNCATE ON task_events
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_truncate();
CREATE TRIGGER statistics_count_insert AFTER INSERT ON statistics REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_insert();
CREATE TRIGGER statistics_count_delete AFTER DELETE ON statistics REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_delete();
CREATE TRIGGER statistics_count_truncate AFTER TRUNCATE ON statistics
FOR EACH STATEMENT EXECUTE FUNCTION row_counts_truncate();

-- +goose Down
DROP TABLE row_counts;
DROP FUNCTION tasks_count() CASCADE;
DROP FUNCTION row_counts_insert() CASCADE;
DROP FUNCTION row_counts_delete() CASCADE;
DROP FUNCTION row_counts_truncate() CASCADE;
