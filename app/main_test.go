package app_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app"
	"github.com/reelvault/reelvault/domain"
)

// mustOpenMain opens a Main on a SQLite file in a temporary folder.
func mustOpenMain(tb testing.TB, serving bool) *app.Main {
	dir := tb.TempDir()
	m := &app.Main{Path: filepath.Join(dir, "reelvault.db"), DataDir: dir, Serving: serving, LeaseCheckInterval: 10 * time.Millisecond}
	if err := m.Open(context.Background()); err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { _ = m.Close() })
	return m
}

func TestMain_Open(t *testing.T) {
	m := mustOpenMain(t, false)
	if m.DB == nil || m.Hub == nil || m.Tasks == nil || m.Users == nil || m.Stats == nil || m.Media == nil {
		t.Fatalf("services missing: %+v", m)
	}
	if m.Backup == nil || m.Export == nil || m.Scheduler == nil {
		t.Fatal("a SQLite store has no backup service, export service or schedule")
	}
	if m.BackupManager() != m.Backup.Manager || m.Scheduler.Manager != m.Backup.Manager {
		t.Fatal("there is more than one backup manager")
	}
	if m.DB.WatchInterval != 0 || m.DB.CheckpointOnClose {
		t.Fatalf("a one-shot Main watches (%v) or checkpoints on close (%v)", m.DB.WatchInterval, m.DB.CheckpointOnClose)
	}
	if s := mustOpenMain(t, true); s.DB.WatchInterval == 0 || !s.DB.CheckpointOnClose {
		t.Fatal("a serving Main does not watch or does not checkpoint on close")
	}
}

// Lease expiry runs in Main, with or without an HTTP server: a worker
// that dies never strands its task.
func TestMain_RunExpiresLeases(t *testing.T) {
	m := mustOpenMain(t, true)
	// The store's clock runs an hour ahead once the lease is taken.
	var ahead atomic.Bool
	m.DB.Now = func() time.Time {
		if ahead.Load() {
			return time.Now().Add(time.Hour)
		}
		return time.Now()
	}
	owner := domain.WithOwner(context.Background())
	if _, _, err := m.Users.CreateUser(owner, domain.UserCreate{Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	task, err := m.Tasks.CreateTask(owner, domain.TaskCreate{Username: "alice", Prompt: "render"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Tasks.ClaimTask(owner, domain.ClaimRequest{Worker: "w1", Lease: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	ahead.Store(true)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := m.Tasks.FindTaskByID(owner, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == domain.StatusPending {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status=%q after 10s, want pending", got.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
	m.Stop()
	m.Stop() // a second Stop does nothing
}

// Close of a serving Main folds the WAL into the database file.
func TestMain_CloseCheckpoints(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "reelvault.db")
	m := &app.Main{Path: path, DataDir: dir, Serving: true}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Users.CreateUser(domain.WithOwner(context.Background()), domain.UserCreate{Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Fatalf("WAL of %d bytes left after Close", fi.Size())
	}
}

func TestMain_OpenRefusesBadPath(t *testing.T) {
	m := &app.Main{Path: ""}
	if err := m.Open(context.Background()); err == nil {
		t.Fatal("Open with no path succeeded")
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close after a failed Open: %v", err)
	}
}
