-- +goose Up
-- PostgreSQL twin of ../00011_owner_sessions.sql.
CREATE TABLE owner_sessions (
	hash         TEXT   PRIMARY KEY CHECK (length(hash) = 64),
	kind         TEXT   NOT NULL CHECK (kind IN ('session', 'link')),
	created_at   BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL
);
CREATE INDEX owner_sessions_last_seen ON owner_sessions (last_seen_at);
