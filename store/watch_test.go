package store_test

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// noteChan is a Notifier that hands notifications to a channel.
type noteChan chan domain.Notification

func (c noteChan) Notify(n domain.Notification) {
	select {
	case c <- n:
	default:
	}
}

// next returns the next task notification for taskID within d.
func (c noteChan) next(tb testing.TB, taskID string, d time.Duration) domain.Notification {
	tb.Helper()
	deadline := time.After(d)
	for {
		select {
		case n := <-c:
			if n.TaskID == taskID {
				return n
			}
		case <-deadline:
			tb.Fatalf("no notification for task %s within %s", taskID, d)
		}
	}
}

// openWatched opens the SQLite file path as a second handle (another
// process, as far as SQLite can tell) with a notifier.
func openWatched(tb testing.TB, path string) (*store.DB, noteChan) {
	tb.Helper()
	db := store.NewDB(path)
	ch := make(noteChan, 1024)
	db.Notifier = ch
	if err := db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, ch
}

// A change committed through another handle of the same file (the command
// line, another window, a pipeline's serve) reaches this DB's Notifier
// within 2 s, once per change; the DB's own changes are not announced twice.
func TestDB_WatchOtherProcesses(t *testing.T) {
	sqliteOnly(t)
	e := newEnv(t)
	e.DB.Now = time.Now // updated_at must follow the wall clock the watcher compares with
	watched, ch := openWatched(t, e.DB.Path)
	ctx := e.Owner
	e.MustCreateUser(t, "studio", 100)

	task := e.MustCreateTask(t, ctx, domain.TaskCreate{Username: "studio", Prompt: "A kite over the dunes", TotalScenes: 4})
	if n := ch.next(t, task.TaskID, 2*time.Second); n.Type != "task" || n.Status != domain.StatusPending {
		t.Fatalf("created: %+v, want a task notification with status pending", n)
	}

	t.Run("Progress", func(t *testing.T) {
		// Progress between milestones writes no event; it is seen all the same.
		if _, err := e.Tasks.StartTask(ctx, task.TaskID); err != nil {
			t.Fatal(err)
		}
		if n := ch.next(t, task.TaskID, 2*time.Second); n.Status != domain.StatusProcessing {
			t.Fatalf("started: %+v", n)
		}
		if _, err := e.Tasks.UpdateProgress(ctx, task.TaskID, domain.TaskProgress{Progress: 3}); err != nil {
			t.Fatal(err)
		}
		if n := ch.next(t, task.TaskID, 2*time.Second); n.Progress != 3 {
			t.Fatalf("progress: %+v, want progress 3", n)
		}
	})

	t.Run("OwnChangesOnce", func(t *testing.T) {
		own, err := store.NewTaskService(watched).CreateTask(ctx, domain.TaskCreate{Username: "studio", Prompt: "Made here"})
		if err != nil {
			t.Fatal(err)
		}
		ch.next(t, own.TaskID, time.Second) // announced in-process at commit
		time.Sleep(4 * store.DefaultWatchInterval)
		for len(ch) > 0 {
			if n := <-ch; n.TaskID == own.TaskID {
				t.Fatalf("own change announced again by the watcher: %+v", n)
			}
		}
	})

	t.Run("Resync", func(t *testing.T) {
		// The other handle's events vanish (as when a restore elsewhere
		// puts back an older file): the listener is told to reload.
		if err := e.DB.Write(ctx, func(w *sqlx.DB) error {
			_, err := w.Exec("DELETE FROM task_events")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		deadline := time.After(2 * time.Second)
		for {
			select {
			case n := <-ch:
				if n.Type == "resync" {
					return
				}
			case <-deadline:
				t.Fatal("no resync within 2 s after the event log shrank")
			}
		}
	})
}

// Closing the DB stops its watcher; a DB without a Notifier has none.
func TestDB_WatchClose(t *testing.T) {
	sqliteOnly(t)
	path := filepath.Join(t.TempDir(), "reelvault.db")
	db, _ := openWatched(t, path)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Open(context.Background()); err != nil {
		t.Fatalf("reopen: %v", err)
	}
}

// BenchmarkWatchLatency measures how long a task created through another
// handle of the file (as by `reelvault task create`) takes to reach the
// watching DB's Notifier (which feeds the window's events and the SSE
// stream), with p50 and p99 in milliseconds.
func BenchmarkWatchLatency(b *testing.B) {
	sqliteOnly(b)
	e := newEnv(b)
	e.DB.Now = time.Now
	_, ch := openWatched(b, e.DB.Path)
	e.MustCreateUser(b, "studio", b.N+10)
	var lat []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		task := e.MustCreateTask(b, e.Owner, domain.TaskCreate{Username: "studio", Prompt: "bench"})
		ch.next(b, task.TaskID, 5*time.Second)
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
	}
	b.StopTimer()
	sort.Float64s(lat)
	b.ReportMetric(lat[len(lat)/2], "p50-ms")
	b.ReportMetric(lat[(len(lat)-1)*99/100], "p99-ms")
}
