-- +goose Up
-- Videos by creation time: restoring one task recomputes the statistics of
-- the days its rows touch, and a day's video count and seconds are read
-- through this index instead of a scan of every video.
CREATE INDEX IF NOT EXISTS videos_created ON videos (created_at);
