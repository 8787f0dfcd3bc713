-- +goose Up
-- PostgreSQL twin of ../00005_generation_histogram.sql.
ALTER TABLE statistics ADD COLUMN generation_histogram TEXT;
