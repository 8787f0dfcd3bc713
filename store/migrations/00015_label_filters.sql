-- +goose Up
-- The filters of a task copied onto its label entries, so that a history
-- page filtered by a tag or a collection and by status, star, rating or
-- the trash tests each entry inside the label's index and reads a task
-- row (and probes the other labels) only for the entries that pass: a
-- combination matching one task in hundreds no longer reads hundreds of
-- task rows a page. The copies are the task's columns as they are
-- (status, starred, rating, trashed_at), kept exact by triggers in the
-- transaction of each change, however it is made: a new entry takes the
-- task's values, a change of the task's values goes to its entries.
-- VerifyLabelFilters compares them with the tasks.
ALTER TABLE task_tags ADD COLUMN task_status TEXT NOT NULL DEFAULT '';
ALTER TABLE task_tags ADD COLUMN task_starred INTEGER NOT NULL DEFAULT 0;
ALTER TABLE task_tags ADD COLUMN task_rating INTEGER NOT NULL DEFAULT 0;
ALTER TABLE task_tags ADD COLUMN task_trashed_at INTEGER;
ALTER TABLE collection_tasks ADD COLUMN task_status TEXT NOT NULL DEFAULT '';
ALTER TABLE collection_tasks ADD COLUMN task_starred INTEGER NOT NULL DEFAULT 0;
ALTER TABLE collection_tasks ADD COLUMN task_rating INTEGER NOT NULL DEFAULT 0;
ALTER TABLE collection_tasks ADD COLUMN task_trashed_at INTEGER;

UPDATE task_tags SET (task_status, task_starred, task_rating, task_trashed_at) =
	(SELECT t.status, t.starred, t.rating, t.trashed_at FROM tasks t WHERE t.id = task_tags.task_id);
UPDATE collection_tasks SET (task_status, task_starred, task_rating, task_trashed_at) =
	(SELECT t.status, t.starred, t.rating, t.trashed_at FROM tasks t WHERE t.id = collection_tasks.task_id);

-- The label indexes cover the copies: a walk tests them from the index.
DROP INDEX task_tags_tag;
CREATE INDEX task_tags_tag ON task_tags (tag_id, task_created_at, task_id, task_status, task_starred, task_rating, task_trashed_at);
DROP INDEX collection_tasks_created;
CREATE INDEX collection_tasks_created ON collection_tasks (collection_id, task_created_at, task_id, task_status, task_starred, task_rating, task_trashed_at);

-- SQLite's BEFORE triggers cannot set NEW: a new entry is updated after
-- its insert (one more write of a row just written, in the same page),
-- unless the insert gave it the task's values (the store's bulk tag and
-- collect do): task_status is never '' for a task.
-- +goose StatementBegin
CREATE TRIGGER task_tags_filters_insert AFTER INSERT ON task_tags WHEN NEW.task_status = '' BEGIN
	UPDATE task_tags SET (task_status, task_starred, task_rating, task_trashed_at) =
		(SELECT t.status, t.starred, t.rating, t.trashed_at FROM tasks t WHERE t.id = NEW.task_id)
	WHERE task_id = NEW.task_id AND tag_id = NEW.tag_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER collection_tasks_filters_insert AFTER INSERT ON collection_tasks WHEN NEW.task_status = '' BEGIN
	UPDATE collection_tasks SET (task_status, task_starred, task_rating, task_trashed_at) =
		(SELECT t.status, t.starred, t.rating, t.trashed_at FROM tasks t WHERE t.id = NEW.task_id)
	WHERE collection_id = NEW.collection_id AND task_id = NEW.task_id;
END;
-- +goose StatementEnd
-- A task's change touches its entries only when a copied value changed:
-- a progress update of a running task costs the WHEN test alone.
-- +goose StatementBegin
CREATE TRIGGER tasks_label_filters AFTER UPDATE OF status, starred, rating, trashed_at ON tasks
WHEN NEW.status IS NOT OLD.status OR NEW.starred IS NOT OLD.starred
	OR NEW.rating IS NOT OLD.rating OR NEW.trashed_at IS NOT OLD.trashed_at
BEGIN
	UPDATE task_tags SET task_status = NEW.status, task_starred = NEW.starred,
		task_rating = NEW.rating, task_trashed_at = NEW.trashed_at
	WHERE task_id = NEW.id;
	UPDATE collection_tasks SET task_status = NEW.status, task_starred = NEW.starred,
		task_rating = NEW.rating, task_trashed_at = NEW.trashed_at
	WHERE task_id = NEW.id;
END;
-- +goose StatementEnd
