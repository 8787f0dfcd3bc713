-- +goose Up
-- The library (see domain.LibraryService): stars, ratings, run again and
-- the trash on tasks; tags and collections in tables of their own.
-- Nullable and defaulted columns rewrite no row, so adding them is instant
-- on a large database; the new indexes are partial and start empty.
--
-- rerun_of is the tasks.id of the task this one runs again (NULL once that
-- task is purged). trashed_at is set while a task is in the trash
-- (microseconds, as every timestamp).
ALTER TABLE tasks ADD COLUMN starred INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1));
ALTER TABLE tasks ADD COLUMN rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5);
ALTER TABLE tasks ADD COLUMN rerun_of INTEGER REFERENCES tasks (id) ON DELETE SET NULL;
ALTER TABLE tasks ADD COLUMN trashed_at INTEGER;

-- History pages of the library's filters, newest first, keyset on
-- (created_at, id) as every other history index: each holds only the
-- untrashed tasks it serves, so a filtered page walks its own index and
-- stops after a page.
CREATE INDEX tasks_starred_created ON tasks (created_at, id) WHERE starred AND trashed_at IS NULL;
CREATE INDEX tasks_starred_status_created ON tasks (status, created_at, id) WHERE starred AND trashed_at IS NULL;
CREATE INDEX tasks_rated_created ON tasks (created_at, id) WHERE rating > 0 AND trashed_at IS NULL;
CREATE INDEX tasks_rated_status_created ON tasks (status, created_at, id) WHERE rating > 0 AND trashed_at IS NULL;
-- The trash, newest first, and the purge of the oldest trashed tasks.
CREATE INDEX tasks_trash_created ON tasks (created_at, id) WHERE trashed_at IS NOT NULL;
CREATE INDEX tasks_trashed ON tasks (trashed_at) WHERE trashed_at IS NOT NULL;
-- Takes: the reruns of a task.
CREATE INDEX tasks_rerun_of ON tasks (rerun_of) WHERE rerun_of IS NOT NULL;

-- Tags are shared by name; name_key is the name case-folded, so "Night"
-- and "night" are one tag (the first spelling is kept).
CREATE TABLE tags (
	id       INTEGER PRIMARY KEY,
	name     TEXT    NOT NULL CHECK (name <> ''),
	name_key TEXT    NOT NULL UNIQUE
);

CREATE TABLE task_tags (
	task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
	tag_id  INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
	task_created_at INTEGER NOT NULL, -- the task's created_at, for paging
	PRIMARY KEY (task_id, tag_id)
);
-- The tasks of a tag, newest id first.
CREATE INDEX task_tags_tag ON task_tags (tag_id, task_created_at, task_id);

-- Collections are named sets of tasks; cover_task_id is the cover chosen
-- by hand (NULL: the newest task with a final video).
CREATE TABLE collections (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL CHECK (name <> ''),
	name_key      TEXT    NOT NULL UNIQUE,
	cover_task_id INTEGER REFERENCES tasks (id) ON DELETE SET NULL,
	created_at    INTEGER NOT NULL
);

CREATE TABLE collection_tasks (
	collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
	task_id       INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
	added_at      INTEGER NOT NULL,
	task_created_at INTEGER NOT NULL, -- the task's created_at, for paging
	PRIMARY KEY (collection_id, task_id)
);
CREATE INDEX collection_tasks_task ON collection_tasks (task_id);
CREATE INDEX collection_tasks_created ON collection_tasks (collection_id, task_created_at, task_id);
