-- +goose Up
-- Each day's generation times as a fixed log-spaced histogram plus an exact
-- count and sum (JSON, see store/histogram.go), so completing a task updates
-- the day's average and p95 in O(1) instead of re-reading the day. NULL
-- (every day written before this version) means "not built yet": the next
-- completion on that day builds it once from the day's tasks, and
-- `stats rebuild` fills it for every day. Adding a nullable column rewrites
-- no row, so the migration is instant on a large database.
ALTER TABLE statistics ADD COLUMN generation_histogram TEXT;
