-- +goose Up
-- Usernames are unique regardless of letter case: `ALICE` and `alice` are the
-- same user. username_key holds the case-folded name; the store writes it
-- (Go's Unicode lower case, the same on both engines) and a unique index
-- enforces it. Names written before this version were ASCII only (the old
-- rule allowed A-Z, a-z, 0-9, '_', '.' and '-'), so SQL lower() folds them
-- exactly here.
ALTER TABLE users ADD COLUMN username_key TEXT NOT NULL DEFAULT '';

UPDATE users SET username_key = lower(username);

-- Existing case duplicates: the oldest (lowest id) keeps its name; each
-- later one is renamed to name-<id>, which is unique because ids are, and
-- says which user it was. The pre-migration backup keeps the old names.
UPDATE users
SET
	username = username || '-' || id,
	username_key = lower(username) || '-' || id
WHERE EXISTS (
	SELECT 1
	FROM users o
	WHERE o.username_key = users.username_key
		AND o.id < users.id
);

CREATE UNIQUE INDEX users_username_fold ON users (username_key);
