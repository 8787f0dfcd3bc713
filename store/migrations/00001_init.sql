-- +goose Up
-- Timestamps are INTEGER microseconds since the Unix epoch, UTC.

CREATE TABLE users (
	id           INTEGER PRIMARY KEY,
	username     TEXT    NOT NULL UNIQUE,
	email        TEXT    UNIQUE, -- NULL when not given
	api_key_hash TEXT    NOT NULL UNIQUE, -- hex SHA-256 of the key
	key_prefix   TEXT    NOT NULL,
	quota        INTEGER NOT NULL CHECK (quota >= 0),
	used_quota   INTEGER NOT NULL DEFAULT 0 CHECK (used_quota >= 0),
	is_active    INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);

CREATE TABLE tasks (
	id               INTEGER PRIMARY KEY,
	task_id          TEXT    NOT NULL UNIQUE,
	user_id          INTEGER NOT NULL REFERENCES users (id),
	prompt           TEXT    NOT NULL CHECK (length(prompt) BETWEEN 1 AND 20000),
	status           TEXT    NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
	progress         INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
	total_scenes     INTEGER NOT NULL DEFAULT 0 CHECK (total_scenes >= 0),
	completed_scenes INTEGER NOT NULL DEFAULT 0 CHECK (completed_scenes >= 0 AND completed_scenes <= total_scenes),
	final_video_path TEXT    NOT NULL DEFAULT '',
	error_message    TEXT    NOT NULL DEFAULT '',
	attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	lease_owner      TEXT    NOT NULL DEFAULT '',
	lease_expires_at INTEGER,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	started_at       INTEGER,
	completed_at     INTEGER,
	duration         REAL    CHECK (duration >= 0)
);

-- Newest first, keyset on (created_at, id): one index per hot filter so that
-- no history page needs a temporary sort.
CREATE INDEX tasks_created ON tasks (created_at, id);
CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id);
CREATE INDEX tasks_user_status_created ON tasks (user_id, status, created_at, id);
-- Status filter, and the oldest pending task for ClaimTask.
CREATE INDEX tasks_status_created ON tasks (status, created_at, id);
-- Lease expiry scans only leased tasks.
CREATE INDEX tasks_lease ON tasks (status, lease_expires_at) WHERE lease_expires_at IS NOT NULL;
-- Per-day statistics of finished tasks.
CREATE INDEX tasks_completed ON tasks (status, completed_at) WHERE completed_at IS NOT NULL;

CREATE TABLE scripts (
	id              INTEGER PRIMARY KEY,
	task_id         INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
	scene_number    INTEGER NOT NULL CHECK (scene_number >= 1),
	description     TEXT    NOT NULL,
	duration        REAL    NOT NULL DEFAULT 0 CHECK (duration >= 0),
	camera_movement TEXT    NOT NULL DEFAULT '',
	lighting        TEXT    NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	UNIQUE (task_id, scene_number)
);

-- Scene 0 is the final video, registered when the task completes.
CREATE TABLE videos (
	id           INTEGER PRIMARY KEY,
	task_id      INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
	scene_number INTEGER NOT NULL CHECK (scene_number >= 0),
	file_path    TEXT    NOT NULL CHECK (file_path <> ''),
	file_size    INTEGER CHECK (file_size >= 0),
	duration     REAL    CHECK (duration >= 0),
	width        INTEGER CHECK (width > 0),
	height       INTEGER CHECK (height > 0),
	fps          REAL    CHECK (fps > 0),
	status       TEXT    NOT NULL DEFAULT 'completed',
	created_at   INTEGER NOT NULL,
	UNIQUE (task_id, scene_number)
);
CREATE INDEX videos_file_path ON videos (file_path);

-- The audit trail and error log of each task.
CREATE TABLE task_events (
	id         INTEGER PRIMARY KEY,
	task_id    INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
	type       TEXT    NOT NULL,
	status     TEXT    NOT NULL,
	progress   INTEGER NOT NULL,
	message    TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);
CREATE INDEX task_events_task ON task_events (task_id, id);

-- Totals per UTC day, kept in the same transaction as each change.
CREATE TABLE statistics (
	date                TEXT    PRIMARY KEY, -- YYYY-MM-DD
	total_tasks         INTEGER NOT NULL DEFAULT 0,
	completed_tasks     INTEGER NOT NULL DEFAULT 0,
	failed_tasks        INTEGER NOT NULL DEFAULT 0,
	cancelled_tasks     INTEGER NOT NULL DEFAULT 0,
	total_videos        INTEGER NOT NULL DEFAULT 0,
	total_video_seconds REAL    NOT NULL DEFAULT 0,
	avg_generation_time REAL    NOT NULL DEFAULT 0,
	p95_generation_time REAL    NOT NULL DEFAULT 0
);

-- Full-text index of each task's prompt and scene descriptions; rowid is
-- tasks.id. The store writes the text pre-tokenized: CJK characters are
-- separated by spaces so that a phrase query finds any substring.
CREATE VIRTUAL TABLE task_search USING fts5 (
	body,
	content = '',
	contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 2'
);

-- +goose StatementBegin
CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks BEGIN
	DELETE FROM task_search WHERE rowid = old.id;
END;
-- +goose StatementEnd
