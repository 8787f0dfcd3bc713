-- +goose Up
-- PostgreSQL twin of ../00013_import_journal.sql. An import on PostgreSQL
-- writes in one transaction and leaves the columns NULL; they exist so that
-- the tables have the same columns on both engines (migrate copies them).
CREATE TABLE imports (
	id         BIGINT PRIMARY KEY,
	started_at BIGINT NOT NULL
);
ALTER TABLE tasks ADD COLUMN import_id BIGINT;
ALTER TABLE users ADD COLUMN import_id BIGINT;

