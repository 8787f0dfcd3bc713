package backup_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
		// The parent times its kill by these lines.
		fmt.Printf("%s %d\n", stepDone, i)
	}
}

// stepDone starts the line a crash child prints after each step.
const stepDone = "crash-child step done"

// killMidStep starts cmd, a crash child, waits until it has finished after
// steps (two or more), then kills it with SIGKILL at a random moment within
// the next one and a half steps, timed by the steps it has taken. Timing the
// kill by the child's own progress, not by the clock from its start, lands
// kills both between and inside steps on a fast machine and a loaded one.
func killMidStep(t *testing.T, cmd *exec.Cmd, after int) {
	t.Helper()
	if after < 2 {
		t.Fatalf("killMidStep: after = %d, want 2 or more to time a step", after)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan time.Time, 64)
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), stepDone) {
				select {
				case done <- time.Now():
				default:
				}
			}
		}
	}()
	var first, last time.Time
	for n := 1; n <= after; n++ {
		select {
		case at := <-done:
			if n == 1 {
				first = at
			}
			last = at
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
			<-read
			cmd.Wait()
			t.Fatalf("the crash child finished %d steps in two minutes, want %d:\n%s", n-1, after, stderr.String())
		}
	}
	step := last.Sub(first) / time.Duration(after-1)
	time.Sleep(time.Duration(rand.Int64N(int64(step)*3/2 + 1)))
	cmd.Process.Kill() // SIGKILL
	<-read
	cmd.Wait()
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
	// Twelve kills, more (up to 36) until one lands after A's restore.
	for i := 0; i < 12 || (seen[3] == 0 && i < 36); i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRestoreCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+db.Path, crashEnv+"_A="+a.Name, crashEnv+"_B="+b.Name)
		killMidStep(t, cmd, 2+i%3)

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
