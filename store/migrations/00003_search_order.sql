-- +goose Up
-- Search returns the newest matches first. FTS5 walks its matches in rowid
-- (= tasks.id) order cheaply, newest id first, and stops after a page; that
-- equals the history order (created_at, id) for every task that was the
-- newest by both id and created_at when it was inserted. The few others (a
-- task imported with an older created_at, say) are listed here and merged
-- into each search page separately, so search never has to sort every
-- match.
CREATE TABLE task_search_late (
	task_id INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE
);

INSERT INTO task_search_late (task_id)
SELECT id FROM (
	SELECT id, created_at, max(created_at) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS newest_before
	FROM tasks
)
WHERE created_at < newest_before;

-- +goose StatementBegin
CREATE TRIGGER tasks_late AFTER INSERT ON tasks
WHEN NEW.created_at < (SELECT max(created_at) FROM tasks) OR NEW.id < (SELECT max(id) FROM tasks)
BEGIN
	INSERT INTO task_search_late (task_id) VALUES (NEW.id);
END;
-- +goose StatementEnd
