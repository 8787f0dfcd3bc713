-- +goose Up
-- See ../00019_label_starred.sql.
CREATE INDEX task_tags_starred ON task_tags (tag_id, task_starred, task_created_at, task_id, task_status, task_rating, task_trashed_at);
CREATE INDEX collection_tasks_starred ON collection_tasks (collection_id, task_starred, task_created_at, task_id, task_status, task_rating, task_trashed_at);

-- +goose Down
DROP INDEX collection_tasks_starred;
DROP INDEX task_tags_starred;
