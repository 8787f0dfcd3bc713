-- +goose Up
-- Each user's untrashed tasks counted per status (see
-- ../00020_user_status_counts.sql), kept by tasks_count, the per-statement
-- trigger function that keeps the tasks' row_counts: one more upsert per
-- statement on tasks, of one row per user and status the statement moved,
-- in the backend's shard (pg_backend_pid() % 64, as row_counts) and in
-- (user, status) order after the row_counts rows, so that two transactions
-- never take two counter rows in opposite orders. A TRUNCATE of tasks
-- empties them, as it does the tasks' row_counts.
CREATE TABLE user_status_counts (
	user_id BIGINT  NOT NULL,
	status  TEXT    NOT NULL,
	shard   INTEGER NOT NULL,
	n       BIGINT  NOT NULL,
	PRIMARY KEY (user_id, status, shard)
);

INSERT INTO user_status_counts (user_id, status, shard, n)
	SELECT user_id, status, 0, count(*) FROM tasks WHERE trashed_at IS NULL GROUP BY user_id, status;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tasks_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO row_counts AS c (name, shard, n)
		SELECT name, pg_backend_pid() % 64, sum(d) FROM (
			SELECT 'tasks' AS name, 1 AS d FROM new_rows
			UNION ALL
			SELECT 'tasks:' || status, 1 FROM new_rows WHERE trashed_at IS NULL
		) x GROUP BY name ORDER BY name
		ON CONFLICT (name, shard) DO UPDATE SET n = c.n + excluded.n;
		INSERT INTO user_status_counts AS c (user_id, status, shard, n)
		SELECT user_id, status, pg_backend_pid() % 64, count(*) FROM new_rows WHERE trashed_at IS NULL
		GROUP BY user_id, status ORDER BY user_id, status
		ON CONFLICT (user_id, status, shard) DO UPDATE SET n = c.n + excluded.n;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO row_counts AS c (name, shard, n)
		SELECT name, pg_backend_pid() % 64, sum(d) FROM (
			SELECT 'tasks' AS name, -1 AS d FROM old_rows
			UNION ALL
			SELECT 'tasks:' || status, -1 FROM old_rows WHERE trashed_at IS NULL
		) x GROUP BY name ORDER BY name
		ON CONFLICT (name, shard) DO UPDATE SET n = c.n + excluded.n;
		INSERT INTO user_status_counts AS c (user_id, status, shard, n)
		SELECT user_id, status, pg_backend_pid() % 64, -count(*) FROM old_rows WHERE trashed_at IS NULL
		GROUP BY user_id, status ORDER BY user_id, status
		ON CONFLICT (user_id, status, shard) DO UPDATE SET n = c.n + excluded.n;
	ELSE
		INSERT INTO row_counts AS c (name, shard, n)
		SELECT name, pg_backend_pid() % 64, sum(d) FROM (
			SELECT 'tasks:' || status AS name, 1 AS d FROM new_rows WHERE trashed_at IS NULL
			UNION ALL
			SELECT 'tasks:' || status, -1 FROM old_rows WHERE trashed_at IS NULL
		) x GROUP BY name HAVING sum(d) <> 0 ORDER BY name
		ON CONFLICT (name, shard) DO UPDATE SET n = c.n + excluded.n;
		INSERT INTO user_status_counts AS c (user_id, status, shard, n)
		SELECT user_id, status, pg_backend_pid() % 64, sum(d) FROM (
			SELECT user_id, status, 1 AS d FROM new_rows WHERE trashed_at IS NULL
			UNION ALL
			SELECT user_id, status, -1 FROM old_rows WHERE trashed_at IS NULL
		) x GROUP BY user_id, status HAVING sum(d) <> 0 ORDER BY user_id, status
		ON CONFLICT (user_id, status, shard) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION row_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM row_counts WHERE name = TG_TABLE_NAME OR (TG_TABLE_NAME = 'tasks' AND name LIKE 'tasks:%');
	IF TG_TABLE_NAME = 'tasks' THEN
		DELETE FROM user_status_counts;
	END IF;
	RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION tasks_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO row_counts AS c (name, shard, n)
		SELECT name, pg_backend_pid() % 64, sum(d) FROM (
			SELECT 'tasks' AS name, 1 AS d FROM new_rows
			UNION ALL
			SELECT 'tasks:' || status, 1 FROM new_rows WHERE trashed_at IS NULL
		) x GROUP BY name ORDER BY name
		ON CONFLICT (name, shard) DO UPDATE SET n = c.n + excluded.n;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO row_counts AS c (name, shard, n)
		SELECT name, pg_backend_pid() % 64, sum(d) FROM (
			SELECT 'tasks' AS name, -1 AS d FROM old_rows
			UNION ALL
			SELECT 'tasks:' || status, -1 FROM old_rows WHERE trashed_at IS NULL
		) x GROUP BY name ORDER BY name
		ON CONFLICT (name, shard) DO UPDATE SET n = c.n + excluded.n;
	ELSE
		INSERT INTO row_counts AS c (name, shard, n)
		SELECT name, pg_backend_pid() % 64, sum(d) FROM (
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION row_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM row_counts WHERE name = TG_TABLE_NAME OR (TG_TABLE_NAME = 'tasks' AND name LIKE 'tasks:%');
	RETURN NULL;
END
$$;
-- +goose StatementEnd

DROP TABLE user_status_counts;
