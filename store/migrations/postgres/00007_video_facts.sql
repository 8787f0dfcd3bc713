-- +goose Up
-- PostgreSQL twin of ../00007_video_facts.sql.
ALTER TABLE videos ADD COLUMN codec TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN claimed_width BIGINT CHECK (claimed_width > 0);
ALTER TABLE videos ADD COLUMN claimed_height BIGINT CHECK (claimed_height > 0);
ALTER TABLE videos ADD COLUMN claimed_duration DOUBLE PRECISION CHECK (claimed_duration >= 0);
ALTER TABLE videos ADD COLUMN claimed_fps DOUBLE PRECISION CHECK (claimed_fps > 0);
ALTER TABLE videos ADD COLUMN mismatch TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN probe_error TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN probed_at BIGINT;
CREATE INDEX videos_file_size ON videos (file_size);
