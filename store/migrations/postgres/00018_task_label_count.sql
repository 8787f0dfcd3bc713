-- +goose Up
-- How many tags and collections each task is in (see
-- ../00018_task_label_count.sql).
ALTER TABLE tasks ADD COLUMN labels BIGINT NOT NULL DEFAULT 0;

UPDATE tasks t SET labels = c.n FROM (
	SELECT task_id, count(*) AS n FROM (
		SELECT task_id FROM task_tags UNION ALL SELECT task_id FROM collection_tasks
	) e GROUP BY task_id
) c WHERE c.task_id = t.id;

-- +goose StatementBegin
CREATE FUNCTION task_label_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE tasks SET labels = labels + 1 WHERE id = NEW.task_id;
	ELSE
		UPDATE tasks SET labels = labels - 1 WHERE id = OLD.task_id;
	END IF;
	RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER task_tags_label_count AFTER INSERT OR DELETE ON task_tags
	FOR EACH ROW EXECUTE FUNCTION task_label_count();
CREATE TRIGGER collection_tasks_label_count AFTER INSERT OR DELETE ON collection_tasks
	FOR EACH ROW EXECUTE FUNCTION task_label_count();

-- +goose Down
DROP TRIGGER collection_tasks_label_count ON collection_tasks;
DROP TRIGGER task_tags_label_count ON task_tags;
DROP FUNCTION task_label_count();
ALTER TABLE tasks DROP COLUMN labels;
