package backup_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain/domaintest"
	"github.com/reelvault/reelvault/store"
)

// MustOpen opens a new database in a temporary folder with a backup Manager
// whose pre-migration hook is installed, and closes it when the test ends.
func MustOpen(tb testing.TB) (*store.DB, *backup.Manager) {
	tb.Helper()
	db := store.NewDB(filepath.Join(tb.TempDir(), "data", "reelvault.db"))
	m := backup.NewManager(db)
	m.Logger = discardLogger()
	db.BeforeMigrate = m.BeforeMigrate
	if err := db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, m
}

// seq makes task IDs unique across seed calls.
var seq atomic.Int64

// Seed inserts one user (if missing) and n tasks, each with three scripts
// and three videos, one transaction per task. It returns the task IDs.
func Seed(tb testing.TB, db *store.DB, n int) []string {
	tb.Helper()
	ids := make([]string, 0, n)
	for range n {
		id, err := insertTask(context.Background(), db)
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// insertTask writes one task with its scripts and videos in one transaction.
func insertTask(ctx context.Context, db *store.DB) (string, error) {
	taskID := fmt.Sprintf("00000000-0000-4000-8000-%012d", seq.Add(1))
	now := time.Now().UnixMicro()
	err := db.Write(ctx, func(w *sqlx.DB) error {
		tx, err := w.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO users (username, username_key, api_key_hash, key_prefix, quota, created_at, updated_at)
			VALUES ('alice', 'alice', 'hash-alice', 'rv_alice', 1000000, ?, ?)
			ON CONFLICT DO NOTHING`, now, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO tasks (task_id, user_id, prompt, status, total_scenes, created_at, updated_at)
			VALUES (?, (SELECT id FROM users WHERE username = 'alice'), 'a cat on the moon', 'processing', 3, ?, ?)`,
			taskID, now, now)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for scene := 1; scene <= 3; scene++ {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO scripts (task_id, scene_number, description, duration, created_at)
				VALUES (?, ?, 'scene', 2.5, ?)`, id, scene, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO videos (task_id, scene_number, file_path, created_at)
				VALUES (?, ?, ?, ?)`, id, scene, fmt.Sprintf("/videos/%s/%d.mp4", taskID, scene), now); err != nil {
				return err
			}
		}
		return tx.Commit()
	})
	return taskID, err
}

// CountTasks counts the tasks of the live database.
func CountTasks(tb testing.TB, db *store.DB) int {
	tb.Helper()
	var n int
	err := db.Read(context.Background(), func(r *sqlx.DB) error {
		return r.Get(&n, `SELECT count(*) FROM tasks`)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// FileSum checkpoints the live database into its file and returns the
// file's SHA-256, to prove a failed operation changed nothing.
func FileSum(tb testing.TB, db *store.DB) string {
	tb.Helper()
	err := db.Write(context.Background(), func(w *sqlx.DB) error {
		_, err := w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return sha256File(tb, db.Path)
}

func sha256File(tb testing.TB, path string) string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// assertCode fails unless err carries code.
func assertCode(tb testing.TB, err error, code string) {
	tb.Helper()
	domaintest.AssertCode(tb, err, code, "")
}
