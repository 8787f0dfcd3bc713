-- +goose Up
-- The queue claims take tasks from: pending tasks outside the trash, oldest
-- first. Claims in several processes pick from it at once with FOR UPDATE
-- SKIP LOCKED; with this index the pick is an index scan that starts at the
-- oldest pending task, whatever the planner estimates of the table (right
-- after a burst of new tasks, before autovacuum has analyzed them, it
-- guessed one pending task and sorted them all on every claim). Only tasks
-- entering the queue add entries: a task created pending or sent back to
-- pending.
CREATE INDEX tasks_pending ON tasks (created_at, id) WHERE status = 'pending' AND trashed_at IS NULL;

-- claim_tasks claims the oldest pending tasks for a batch of workers, one
-- task each (see store/task_claim_postgres.go): workers[n] gets the n-th
-- oldest task that no other claim holds, leased until expires[n]; any
-- user's task when for_user is NULL, else only that user's. It starts and
-- leases each task as the SQLite path's start and updateTask do, records
-- the claimed event as addEvent does, and returns each claimed task (the
-- whole row, as updated) with its user's name and its worker's number.
--
-- The statements live in a function so that PostgreSQL plans them once per
-- connection (PL/pgSQL keeps its plans) while the store still sends no
-- named prepared statement of its own, which PgBouncer's transaction mode
-- cannot follow: planning the claim on every call cost as much as running
-- it. Concurrent claims never wait on one another: each skips the rows the
-- others hold, and a row another claim has just committed no longer
-- matches status = 'pending' when PostgreSQL rechecks it.
-- +goose StatementBegin
CREATE FUNCTION claim_tasks(workers TEXT[], expires BIGINT[], for_user BIGINT, now_us BIGINT)
RETURNS TABLE (claim_n BIGINT, username TEXT, task tasks)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
	IF for_user IS NULL THEN
		RETURN QUERY
		WITH req AS (
			SELECT r.worker, r.expires, r.n
			FROM unnest(workers, expires) WITH ORDINALITY AS r(worker, expires, n)
		), picked AS (
			SELECT p.id, row_number() OVER (ORDER BY p.created_at, p.id) AS n
			FROM (
				SELECT t.id, t.created_at
				FROM tasks t
				WHERE t.status = 'pending' AND t.trashed_at IS NULL
				ORDER BY t.created_at, t.id
				LIMIT cardinality(workers)
				FOR UPDATE OF t SKIP LOCKED
			) p
		), claimed AS (
			UPDATE tasks t SET
				status = 'processing',
				started_at = now_us,
				attempts = t.attempts + 1,
				lease_owner = req.worker,
				lease_expires_at = req.expires,
				updated_at = now_us
			FROM picked
			JOIN req ON req.n = picked.n
			WHERE t.id = picked.id AND t.status = 'pending'
			RETURNING req.n AS claim_n, t AS task
		), event AS (
			INSERT INTO task_events (task_id, type, status, progress, message, created_at)
			SELECT (c.task).id, 'claimed', (c.task).status, (c.task).progress,
				'claimed by ' || (c.task).lease_owner || ', attempt ' || (c.task).attempts, now_us
			FROM claimed c
			ORDER BY c.claim_n
		)
		SELECT c.claim_n, u.username, c.task
		FROM claimed c
		JOIN users u ON u.id = (c.task).user_id;
	ELSE
		RETURN QUERY
		WITH req AS (
			SELECT r.worker, r.expires, r.n
			FROM unnest(workers, expires) WITH ORDINALITY AS r(worker, expires, n)
		), picked AS (
			SELECT p.id, row_number() OVER (ORDER BY p.created_at, p.id) AS n
			FROM (
				SELECT t.id, t.created_at
				FROM tasks t
				WHERE t.status = 'pending' AND t.trashed_at IS NULL AND t.user_id = for_user
				ORDER BY t.created_at, t.id
				LIMIT cardinality(workers)
				FOR UPDATE OF t SKIP LOCKED
			) p
		), claimed AS (
			UPDATE tasks t SET
				status = 'processing',
				started_at = now_us,
				attempts = t.attempts + 1,
				lease_owner = req.worker,
				lease_expires_at = req.expires,
				updated_at = now_us
			FROM picked
			JOIN req ON req.n = picked.n
			WHERE t.id = picked.id AND t.status = 'pending'
			RETURNING req.n AS claim_n, t AS task
		), event AS (
			INSERT INTO task_events (task_id, type, status, progress, message, created_at)
			SELECT (c.task).id, 'claimed', (c.task).status, (c.task).progress,
				'claimed by ' || (c.task).lease_owner || ', attempt ' || (c.task).attempts, now_us
			FROM claimed c
			ORDER BY c.claim_n
		)
		SELECT c.claim_n, u.username, c.task
		FROM claimed c
		JOIN users u ON u.id = (c.task).user_id;
	END IF;
END
$$;
-- +goose StatementEnd

-- The row counts' shards (00013_row_counts.sql) go from 16 to 64. A
-- backend always adds to the shard of its process id, so two backends whose
-- ids share a shard wait on each other's counter row until commit, WAL
-- flush included: with 16 shards two Reelvault processes of six writer
-- connections each were bound to have such pairs (claims spent about a
-- tenth of their time waiting so), and beyond 16 writing backends every
-- one has a partner. Counts are sums over shards, so the rows already
-- written in shards 0-15 stay right.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION row_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d bigint;
BEGIN
	SELECT count(*) INTO d FROM new_rows;
	IF d <> 0 THEN
		INSERT INTO row_counts AS c (name, shard, n) VALUES (TG_TABLE_NAME, pg_backend_pid() % 64, d)
		ON CONFLICT (name, shard) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION row_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d bigint;
BEGIN
	SELECT count(*) INTO d FROM old_rows;
	IF d <> 0 THEN
		INSERT INTO row_counts AS c (name, shard, n) VALUES (TG_TABLE_NAME, pg_backend_pid() % 64, -d)
		ON CONFLICT (name, shard) DO UPDATE SET n = c.n + excluded.n;
	END IF;
	RETURN NULL;
END
$$;
-- +goose StatementEnd

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

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION row_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION row_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION tasks_count() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP FUNCTION claim_tasks(TEXT[], BIGINT[], BIGINT, BIGINT);
DROP INDEX tasks_pending;
