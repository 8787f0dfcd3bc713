-- +goose Up
-- The queue claims take tasks from: pending tasks outside the trash, oldest
-- first (see postgres/00017_pending_queue.sql, where concurrent claims in
-- several processes pick from it with FOR UPDATE SKIP LOCKED). Only tasks
-- entering the queue add entries: a task created pending or sent back to
-- pending; a claim removes its task's.
CREATE INDEX tasks_pending ON tasks (created_at, id) WHERE status = 'pending' AND trashed_at IS NULL;

-- +goose Down
DROP INDEX tasks_pending;
