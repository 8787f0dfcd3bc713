-- +goose Up
-- The web UI's owner sessions and one-time sign-in links, so that a
-- browser stays signed in across a restart of serve. Only the SHA-256 hash
-- (hex) of each secret is kept. expires_at is the idle deadline of a
-- session (moved on use, never past created_at + the maximum age) or the
-- end of a link's lifetime. Timestamps are INTEGER microseconds.
CREATE TABLE owner_sessions (
	hash         TEXT    PRIMARY KEY CHECK (length(hash) = 64),
	kind         TEXT    NOT NULL CHECK (kind IN ('session', 'link')),
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
);
CREATE INDEX owner_sessions_last_seen ON owner_sessions (last_seen_at);
