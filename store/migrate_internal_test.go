package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/reelvault/reelvault/domain"
)

// mustCreateAtVersion creates a Reelvault database migrated only up to v.
func mustCreateAtVersion(t *testing.T, path string, v int64) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, sqliteMigrations(), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), v); err != nil {
		t.Fatal(err)
	}
}

func TestDB_Migrate(t *testing.T) {
	ctx := context.Background()
	latest := LatestSchemaVersion()
	if latest < 2 {
		t.Skip("needs at least two migrations")
	}

	t.Run("BeforeMigrateCalled", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "reelvault.db")
		mustCreateAtVersion(t, path, 1)
		db := NewDB(path)
		var calls []string
		db.BeforeMigrate = func(_ context.Context, p string, from, to int64) error {
			calls = append(calls, fmt.Sprintf("%s %d→%d", filepath.Base(p), from, to))
			return nil
		}
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got, want := fmt.Sprint(calls), fmt.Sprintf("[reelvault.db 1→%d]", latest); got != want {
			t.Fatalf("calls=%s, want %s", got, want)
		}
		if v, err := db.SchemaVersion(ctx); err != nil || v != latest {
			t.Fatalf("version=%d err=%v, want %d", v, err, latest)
		}
	})

	t.Run("NotCalledOnCreateOrWhenCurrent", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "reelvault.db")
		db := NewDB(path)
		db.BeforeMigrate = func(context.Context, string, int64, int64) error { return errors.New("must not be called") }
		for i := 0; i < 2; i++ {
			if err := db.Open(ctx); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("ErrBeforeMigrateAborts", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "reelvault.db")
		mustCreateAtVersion(t, path, 1)
		db := NewDB(path)
		boom := errors.New("no space for a backup")
		db.BeforeMigrate = func(context.Context, string, int64, int64) error { return boom }
		if err := db.Open(ctx); !errors.Is(err, boom) {
			t.Fatalf("err=%v, want %v", err, boom)
		}
		db.BeforeMigrate = nil
		// The file is still at version 1: a plain open migrates it now.
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		var v int64
		if err := raw.QueryRow("SELECT max(version_id) FROM goose_db_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		if v != 1 {
			t.Fatalf("version=%d after an aborted migration, want 1", v)
		}
	})

	t.Run("SearchOrderBackfill", func(t *testing.T) {
		// Tasks inserted out of time order before version 3 are listed in
		// task_search_late by the migration.
		path := filepath.Join(t.TempDir(), "reelvault.db")
		mustCreateAtVersion(t, path, 2)
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`INSERT INTO users (id, username, api_key_hash, key_prefix, quota, created_at, updated_at) VALUES (1, 'u', 'h', 'rv_', 10, 0, 0)`); err != nil {
			t.Fatal(err)
		}
		// ids 1..5 created at 10, 20, 15, 30, 25: ids 3 and 5 are late.
		for i, at := range []int{10, 20, 15, 30, 25} {
			if _, err := raw.Exec(`INSERT INTO tasks (id, task_id, user_id, prompt, status, created_at, updated_at) VALUES (?, ?, 1, 'p', 'pending', ?, ?)`,
				i+1, fmt.Sprint("t", i+1), at, at); err != nil {
				t.Fatal(err)
			}
		}
		raw.Close()
		db := NewDB(path)
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var late []int64
		if err := db.Read(ctx, func(r *sqlx.DB) error {
			return r.Select(&late, `SELECT task_id FROM task_search_late ORDER BY task_id`)
		}); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(late); got != "[3 5]" {
			t.Fatalf("late tasks %s, want [3 5]", got)
		}
	})

	t.Run("ErrNewerSchema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "reelvault.db")
		db := NewDB(path)
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Write(ctx, func(w *sqlx.DB) error {
			_, err := w.ExecContext(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)", latest+1)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		before, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		db.BeforeMigrate = func(context.Context, string, int64, int64) error { return errors.New("must not be called") }
		err = db.Open(ctx)
		if got, want := domain.ErrorCode(err), domain.ECONFLICT; got != want {
			t.Fatalf("code=%q, want %q (%v)", got, want, err)
		}
		// The message names both versions, and nothing was written.
		want := fmt.Sprintf("schema version %d, newer than this Reelvault supports (%d)", latest+1, latest)
		if msg := domain.ErrorMessage(err); !strings.Contains(msg, want) {
			t.Fatalf("message %q, want it to say %q", msg, want)
		}
		if after, err := os.ReadFile(path); err != nil || !bytes.Equal(after, before) {
			t.Fatalf("the newer database changed on a refused open (%v)", err)
		}
	})

	t.Run("LabelCountBackfill", func(t *testing.T) {
		// Labels made before version 18 are counted on their tasks by the
		// migration, and the triggers count the ones made after.
		path := filepath.Join(t.TempDir(), "reelvault.db")
		mustCreateAtVersion(t, path, 17)
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`INSERT INTO users (id, username, api_key_hash, key_prefix, quota, created_at, updated_at) VALUES (1, 'u', 'h', 'rv_', 10, 0, 0)`,
			`INSERT INTO tasks (id, task_id, user_id, prompt, status, created_at, updated_at) VALUES (1, 't1', 1, 'p', 'pending', 1, 1), (2, 't2', 1, 'p', 'pending', 2, 2), (3, 't3', 1, 'p', 'pending', 3, 3)`,
			`INSERT INTO tags (id, name, name_key) VALUES (1, 'Night', 'night'), (2, '夜景', '夜景')`,
			`INSERT INTO collections (id, name, name_key, created_at) VALUES (1, 'Trailer', 'trailer', 1)`,
			`INSERT INTO task_tags (task_id, tag_id, task_created_at) VALUES (1, 1, 1), (1, 2, 1)`,
			`INSERT INTO collection_tasks (collection_id, task_id, added_at, task_created_at) VALUES (1, 1, 1, 1), (1, 2, 1, 2)`,
		} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		raw.Close()
		db := NewDB(path)
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		counts := func() string {
			var got []int64
			if err := db.Read(ctx, func(r *sqlx.DB) error { return r.Select(&got, `SELECT labels FROM tasks ORDER BY id`) }); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(got)
		}
		if got := counts(); got != "[3 1 0]" {
			t.Fatalf("label counts after the migration %s, want [3 1 0]", got)
		}
		if err := db.Write(ctx, func(w *sqlx.DB) error {
			_, err := w.Exec(`DELETE FROM tags WHERE id = 2; INSERT INTO task_tags (task_id, tag_id, task_created_at) VALUES (3, 1, 3)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got := counts(); got != "[2 1 1]" {
			t.Fatalf("label counts after a tag's deletion and a new entry %s, want [2 1 1]", got)
		}
		if n, err := db.CheckLabelFilters(ctx, false); err != nil || n != 0 {
			t.Fatalf("CheckLabelFilters = %d, %v; want 0", n, err)
		}
		// A wrong count is found and repaired.
		if err := db.Write(ctx, func(w *sqlx.DB) error {
			_, err := w.Exec(`UPDATE tasks SET labels = 7 WHERE id = 2`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := db.CheckLabelFilters(ctx, true); err != nil || n != 1 {
			t.Fatalf("CheckLabelFilters(repair) = %d, %v; want 1", n, err)
		}
		if got := counts(); got != "[2 1 1]" {
			t.Fatalf("label counts after the repair %s, want [2 1 1]", got)
		}
	})

	t.Run("UserStatusCountBackfill", func(t *testing.T) {
		// Tasks made before version 20 are counted per user and status by
		// the migration (the trashed left out); the triggers count the
		// changes after.
		path := filepath.Join(t.TempDir(), "reelvault.db")
		mustCreateAtVersion(t, path, 19)
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`INSERT INTO users (id, username, username_key, api_key_hash, key_prefix, quota, created_at, updated_at) VALUES (1, 'u', 'u', 'h', 'rv_', 10, 0, 0), (2, '李明', '李明', 'h2', 'rv_', 10, 0, 0)`,
			`INSERT INTO tasks (id, task_id, user_id, prompt, status, created_at, updated_at, trashed_at) VALUES
				(1, 't1', 1, 'p', 'pending', 1, 1, NULL), (2, 't2', 1, 'p', 'completed', 2, 2, NULL),
				(3, 't3', 1, 'p', 'completed', 3, 3, 9), (4, 't4', 2, 'p', 'completed', 4, 4, NULL)`,
		} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		raw.Close()
		db := NewDB(path)
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		counts := func() string {
			var got []string
			if err := db.Read(ctx, func(r *sqlx.DB) error {
				return r.Select(&got, `SELECT user_id || ' ' || status || ' ' || n FROM user_status_counts WHERE n <> 0 ORDER BY user_id, status`)
			}); err != nil {
				t.Fatal(err)
			}
			return strings.Join(got, ", ")
		}
		if got, want := counts(), "1 completed 1, 1 pending 1, 2 completed 1"; got != want {
			t.Fatalf("user counts after the migration %q, want %q", got, want)
		}
		if err := db.Write(ctx, func(w *sqlx.DB) error {
			_, err := w.Exec(`UPDATE tasks SET status = 'processing' WHERE id = 1;
				UPDATE tasks SET trashed_at = NULL WHERE id = 3;
				UPDATE tasks SET trashed_at = 10 WHERE id = 4;
				UPDATE tasks SET progress = 50 WHERE id = 2;
				INSERT INTO tasks (id, task_id, user_id, prompt, status, created_at, updated_at) VALUES (5, 't5', 2, 'p', 'failed', 5, 5);
				DELETE FROM tasks WHERE id = 2`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got, want := counts(), "1 completed 1, 1 processing 1, 2 failed 1"; got != want {
			t.Fatalf("user counts after changes %q, want %q", got, want)
		}
		if bad, err := db.CheckRowCounts(ctx, false); err != nil || len(bad) != 0 {
			t.Fatalf("CheckRowCounts = %v, %v; want none", bad, err)
		}
	})
}
