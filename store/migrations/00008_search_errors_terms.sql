-- +goose Up
-- Version 8: search finds error messages and word forms, and a common
-- word's newest page costs what a rare word's does.
--
-- Failed tasks' error messages join their full-text entries (the store
-- writes prompt, scene descriptions and error message). The entries of
-- tasks that already failed are rebuilt here with reelvault_search_text, the
-- store's own text function (registered by the binary), so Chinese
-- errors are spaced like every other text.
DELETE FROM task_search WHERE rowid IN (SELECT id FROM tasks WHERE error_message <> '');

INSERT INTO task_search (rowid, body)
SELECT
	t.id,
	reelvault_search_text(
		t.prompt
		|| coalesce(char(10) || (SELECT group_concat(description, char(10) ORDER BY scene_number) FROM scripts WHERE task_id = t.id), '')
		|| char(10) || t.error_message)
FROM tasks t
WHERE t.error_message <> ''
ORDER BY t.id;

-- The index's vocabulary, one row per word (CJK characters are searched
-- as runs and need none). A search turns each word into the few exact
-- terms it is a prefix of or shares a stem with, and FTS5 walks exact
-- terms newest first, stopping after a page; a prefix query would read
-- every posting of every term first. Filled once from the index itself
-- (one pass over it), then by the store on every index write.
CREATE TABLE task_search_terms (
	term TEXT PRIMARY KEY
) WITHOUT ROWID;

CREATE VIRTUAL TABLE temp.task_search_vocab USING fts5vocab(main, task_search, row);

INSERT INTO task_search_terms (term)
SELECT term FROM temp.task_search_vocab
WHERE unicode(term) < 11904 OR unicode(term) > 55215;

DROP TABLE temp.task_search_vocab;
