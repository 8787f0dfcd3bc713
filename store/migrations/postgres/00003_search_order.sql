-- +goose Up
-- Version 3 adds SQLite's task_search_late, the list of tasks whose id order
-- disagrees with their created_at order, so that FTS5 search can walk its
-- matches by rowid (see ../00003_search_order.sql). PostgreSQL searches
-- through the trigram index and needs no such list: on this engine the
-- version changes nothing.
SELECT 1;
