-- +goose Up
-- PostgreSQL twin of ../00014_import_journal.sql, columns only. An import
-- on PostgreSQL writes in one transaction, so it keeps no journal and
-- leaves import_id NULL; the columns exist so that tasks and users have
-- the same columns on both engines (migrate copies them by name).
ALTER TABLE tasks ADD COLUMN import_id BIGINT;
ALTER TABLE users ADD COLUMN import_id BIGINT;
