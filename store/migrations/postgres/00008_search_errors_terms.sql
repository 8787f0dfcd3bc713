-- +goose Up
-- Version 8: search finds error messages and word forms (see
-- ../00008_search_errors_terms.sql).
--
-- Failed tasks' error messages join their search text, folded as the store
-- folds text (lower-cased, CJK characters set apart by spaces).
UPDATE task_search s
SET body = s.body || E'\n' || lower(regexp_replace(t.error_message, '([一-鿿㐀-䶿぀-ヿ가-힯])', ' \1 ', 'g'))
FROM tasks t
WHERE t.id = s.rowid AND t.error_message <> '';

-- Word forms: the text's english text-search vector (the Snowball stemmer
-- the SQLite store uses too), kept by PostgreSQL itself, with a GIN index
-- for rare words; a common word walks task_search_created as before.
ALTER TABLE task_search ADD COLUMN stem tsvector
	GENERATED ALWAYS AS (to_tsvector('english'::regconfig, body)) STORED;
CREATE INDEX task_search_stem ON task_search USING gin (stem);
