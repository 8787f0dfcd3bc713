-- +goose Up
-- PostgreSQL twin of ../00015_label_filters.sql: the task's filters copied
-- onto its label entries, in covering label indexes, kept exact by
-- triggers. A new entry takes the task's values before it is written (a
-- BEFORE trigger sets NEW, so a COPY of entries writes each row once); a
-- change of a task's copied values goes to its entries.
ALTER TABLE task_tags ADD COLUMN task_status TEXT NOT NULL DEFAULT '';
ALTER TABLE task_tags ADD COLUMN task_starred BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE task_tags ADD COLUMN task_rating BIGINT NOT NULL DEFAULT 0;
ALTER TABLE task_tags ADD COLUMN task_trashed_at BIGINT;
ALTER TABLE collection_tasks ADD COLUMN task_status TEXT NOT NULL DEFAULT '';
ALTER TABLE collection_tasks ADD COLUMN task_starred BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE collection_tasks ADD COLUMN task_rating BIGINT NOT NULL DEFAULT 0;
ALTER TABLE collection_tasks ADD COLUMN task_trashed_at BIGINT;

UPDATE task_tags l SET task_status = t.status, task_starred = t.starred, task_rating = t.rating, task_trashed_at = t.trashed_at
	FROM tasks t WHERE t.id = l.task_id;
UPDATE collection_tasks l SET task_status = t.status, task_starred = t.starred, task_rating = t.rating, task_trashed_at = t.trashed_at
	FROM tasks t WHERE t.id = l.task_id;

DROP INDEX task_tags_tag;
CREATE INDEX task_tags_tag ON task_tags (tag_id, task_created_at, task_id, task_status, task_starred, task_rating, task_trashed_at);
DROP INDEX collection_tasks_created;
CREATE INDEX collection_tasks_created ON collection_tasks (collection_id, task_created_at, task_id, task_status, task_starred, task_rating, task_trashed_at);

-- +goose StatementBegin
CREATE FUNCTION label_filters_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	SELECT t.status, t.starred, t.rating, t.trashed_at
		INTO NEW.task_status, NEW.task_starred, NEW.task_rating, NEW.task_trashed_at
		FROM tasks t WHERE t.id = NEW.task_id;
	RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER task_tags_filters_insert BEFORE INSERT ON task_tags
	FOR EACH ROW EXECUTE FUNCTION label_filters_insert();
CREATE TRIGGER collection_tasks_filters_insert BEFORE INSERT ON collection_tasks
	FOR EACH ROW EXECUTE FUNCTION label_filters_insert();

-- +goose StatementBegin
CREATE FUNCTION tasks_label_filters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE task_tags SET task_status = NEW.status, task_starred = NEW.starred,
		task_rating = NEW.rating, task_trashed_at = NEW.trashed_at
	WHERE task_id = NEW.id;
	UPDATE collection_tasks SET task_status = NEW.status, task_starred = NEW.starred,
		task_rating = NEW.rating, task_trashed_at = NEW.trashed_at
	WHERE task_id = NEW.id;
	RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER tasks_label_filters AFTER UPDATE OF status, starred, rating, trashed_at ON tasks
	FOR EACH ROW
	WHEN (NEW.status IS DISTINCT FROM OLD.status OR NEW.starred IS DISTINCT FROM OLD.starred
		OR NEW.rating IS DISTINCT FROM OLD.rating OR NEW.trashed_at IS DISTINCT FROM OLD.trashed_at)
	EXECUTE FUNCTION tasks_label_filters();
