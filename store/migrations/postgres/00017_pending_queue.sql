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

-- +goose Down
DROP FUNCTION claim_tasks(TEXT[], BIGINT[], BIGINT, BIGINT);
DROP INDEX tasks_pending;
