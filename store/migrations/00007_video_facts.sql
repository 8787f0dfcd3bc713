-- +goose Up
-- True video facts. width, height, duration and fps now hold what the file
-- itself says when it could be read (store/probe), else what the client
-- claimed; the claimed_* columns keep the client's claim, and mismatch
-- names the facts where the two disagree ("width,height"). probed_at is
-- NULL for a video never read (every video registered before this version,
-- and missing files); probe_error says why a file could not be read.
-- content_hash is the hex SHA-256 of the file, filled in the background for
-- big files ('' until then). Nullable and defaulted columns rewrite no row,
-- so the migration is instant on a large database.
ALTER TABLE videos ADD COLUMN codec TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN claimed_width INTEGER CHECK (claimed_width > 0);
ALTER TABLE videos ADD COLUMN claimed_height INTEGER CHECK (claimed_height > 0);
ALTER TABLE videos ADD COLUMN claimed_duration REAL CHECK (claimed_duration >= 0);
ALTER TABLE videos ADD COLUMN claimed_fps REAL CHECK (claimed_fps > 0);
ALTER TABLE videos ADD COLUMN mismatch TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN probe_error TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN probed_at INTEGER;
-- Relink looks missing videos up by size.
CREATE INDEX videos_file_size ON videos (file_size);
