package backup_test

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/store"
)

// crashEnv names the database a crash child restores into, over and over.
const crashEnv = "REELVAULT_CRASH_CHILD_DB"

// TestRestoreCrashChild is the child of TestManager_Restore_KillNine: it
// alternates restores of two backups until it is killed.
func TestRestoreCrashChild(t *testing.T) {
	crashChild(t, crashEnv, "TestManager_Restore_KillNine", func(ctx context.Context, m *backup.Manager, name string, _ int) error {
		_, err := m.Restore(ctx, name, nil)
		return err
	})
}

// crashChild is the body of a crash child: it opens the database named by
// the environment variable env, then calls step with the backup named by
// env_A and env_B in turn, with the round's number, until it is killed. It
// skips unless the parent test named by parent set env.
func crashChild(t *testing.T, env, parent string, step func(ctx context.Context, m *backup.Manager, name string, round int) error) {
	t.Helper()
	path := os.Getenv(env)
	if path == "" {
		t.Skip("run by " + parent)
	}
	ctx := context.Background()
	db := store.NewDB(path)
	db.Logger = discardLogger()
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	m := backup.NewManager(db)
	m.Logger = discardLogger()
	for i := 0; ; i++ {
		name := os.Getenv(env + "_A")
		if i%2 == 1 {
			name = os.Getenv(env + "_B")
		}
		if err := step(ctx, m, name, i); err != nil {
			t.Fatal(err)
		}
	}
}

// A restore killed at any moment leaves the database whole: either the old
// data or the new, never a mix, and it opens and passes the integrity check.
func TestManager_Restore_KillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 3)
	a, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	Seed(t, db, 2)
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	seen := map[int]int{}
	for i := range 12 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRestoreCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+db.Path, crashEnv+"_A="+a.Name, crashEnv+"_B="+b.Name)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+rand.IntN(600)) * time.Millisecond)
		cmd.Process.Kill() // SIGKILL
		cmd.Wait()

		if err := db.Open(ctx); err != nil {
			t.Fatalf("kill %d: reopen: %v", i, err)
		}
		var tasks, partial int
		var check string
		err := db.Read(ctx, func(r *sqlx.DB) error {
			if err := r.Get(&check, `PRAGMA integrity_check`); err != nil {
				return err
			}
			if err := r.Get(&partial, `SELECT count(*) FROM tasks t WHERE (SELECT count(*) FROM scripts s WHERE s.task_id = t.id) != 3`); err != nil {
				return err
			}
			return r.Get(&tasks, `SELECT count(*) FROM tasks`)
		})
		if err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		if check != "ok" || partial != 0 || (tasks != 3 && tasks != 5) {
			t.Fatalf("kill %d: integrity=%q partial=%d tasks=%d, want ok, 0 and 3 or 5", i, check, partial, tasks)
		}
		seen[tasks]++
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if seen[3] == 0 {
		t.Fatalf("no restore completed before a kill (%v); the test proved nothing", seen)
	}
	// Staging files of killed restores are cleaned by the next restore.
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Restore(ctx, a.Name, nil); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(db.Path), ".*.restore-*")); len(left) != 0 {
		t.Fatalf("staging files left: %v", left)
	}
}
