-- +goose Up
-- Settings the owner changes at run time (the maintenance schedule and
-- retention), as text keyed by name. Timestamps are INTEGER microseconds.
CREATE TABLE settings (
	key        TEXT    PRIMARY KEY,
	value      TEXT    NOT NULL,
	updated_at INTEGER NOT NULL
);

-- One row per run of a maintenance job (backup, optimize, vacuum,
-- checkpoint), scheduled or started by hand.
CREATE TABLE job_runs (
	id          INTEGER PRIMARY KEY,
	job_id      TEXT    NOT NULL CHECK (job_id <> ''),
	started_at  INTEGER NOT NULL,
	finished_at INTEGER,
	result      TEXT    NOT NULL CHECK (result IN ('running', 'ok', 'error', 'skipped')),
	error       TEXT    NOT NULL DEFAULT '',
	bytes       INTEGER NOT NULL DEFAULT 0,
	detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_started ON job_runs (started_at, id);
CREATE INDEX job_runs_job_started ON job_runs (job_id, started_at, id);
