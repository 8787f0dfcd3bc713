package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/pgtest"
)

// These tests run on PostgreSQL whatever TestDBEnv says: they test what
// only PostgreSQL does (several processes sharing one database).

// mustOpenPostgres opens n DBs on one fresh PostgreSQL database, as n
// Reelvault processes on several machines would.
func mustOpenPostgres(tb testing.TB, n int) []*store.DB {
	tb.Helper()
	u := pgtest.NewDatabase(tb)
	dbs := make([]*store.DB, n)
	for i := range dbs {
		dbs[i] = store.NewDB(u)
		if err := dbs[i].Open(context.Background()); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { dbs[i].Close() })
	}
	return dbs
}

func TestPostgres_ClaimTask(t *testing.T) {
	ctx := domain.WithOwner(context.Background())

	t.Run("NoTaskHandedOutTwice", func(t *testing.T) {
		dbs := mustOpenPostgres(t, 2)
		users := store.NewUserService(dbs[0])
		if _, _, err := users.CreateUser(ctx, domain.UserCreate{Username: "alice", Quota: ptr(1000)}); err != nil {
			t.Fatal(err)
		}
		const tasks = 300
		for i := range tasks {
			if _, err := store.NewTaskService(dbs[i%2]).CreateTask(ctx, domain.TaskCreate{Username: "alice", Prompt: fmt.Sprintf("任务 %d", i)}); err != nil {
				t.Fatal(err)
			}
		}

		// Eight claimers, four per instance, claim until nothing is left.
		const workers = 8
		claimed := make([][]string, workers)
		errs := make(chan error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tasks := store.NewTaskService(dbs[w%2])
				for {
					task, err := tasks.ClaimTask(ctx, domain.ClaimRequest{Worker: fmt.Sprintf("worker-%d", w)})
					if err != nil {
						errs <- err
						return
					}
					if task == nil {
						return
					}
					claimed[w] = append(claimed[w], task.TaskID)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}

		seen := map[string]int{}
		busy := 0
		for w, ids := range claimed {
			if len(ids) > 0 {
				busy++
			}
			for _, id := range ids {
				if prev, ok := seen[id]; ok {
					t.Fatalf("task %s handed to worker %d and worker %d", id, prev, w)
				}
				seen[id] = w
			}
		}
		if len(seen) != tasks {
			t.Fatalf("claimed %d distinct tasks, want %d", len(seen), tasks)
		}
		if busy < 2 {
			t.Fatalf("only %d of %d workers got a task", busy, workers)
		}
		var claims, pending int
		if err := dbs[1].Read(context.Background(), func(r *sqlx.DB) error {
			if err := r.Get(&claims, `SELECT count(*) FROM task_events WHERE type = $1`, domain.EventClaimed); err != nil {
				return err
			}
			return r.Get(&pending, `SELECT count(*) FROM tasks WHERE status <> 'processing' OR attempts <> 1 OR lease_owner = ''`)
		}); err != nil {
			t.Fatal(err)
		}
		if claims != tasks || pending != 0 {
			t.Fatalf("claimed events=%d (want %d), tasks not claimed exactly once=%d", claims, tasks, pending)
		}
	})

	t.Run("SkipsLockedRow", func(t *testing.T) {
		// A claimer that has locked the oldest pending task in an open
		// transaction does not hold up the next claimer: it gets the next
		// task at once instead of waiting.
		dbs := mustOpenPostgres(t, 1)
		if _, _, err := store.NewUserService(dbs[0]).CreateUser(ctx, domain.UserCreate{Username: "alice"}); err != nil {
			t.Fatal(err)
		}
		tasks := store.NewTaskService(dbs[0])
		first, err := tasks.CreateTask(ctx, domain.TaskCreate{Username: "alice", Prompt: "first"})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond) // a later created_at
		second, err := tasks.CreateTask(ctx, domain.TaskCreate{Username: "alice", Prompt: "second"})
		if err != nil {
			t.Fatal(err)
		}

		raw, err := sqlx.Open("pgx", dbs[0].Path)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		holder, err := raw.BeginTxx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Rollback()
		if _, err := holder.Exec(`SELECT id FROM tasks WHERE task_id = $1 FOR UPDATE`, first.TaskID); err != nil {
			t.Fatal(err)
		}

		claimCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		got, err := tasks.ClaimTask(claimCtx, domain.ClaimRequest{Worker: "w2"})
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || got.TaskID != second.TaskID {
			t.Fatalf("claimed %+v, want the second task %s (the first is locked)", got, second.TaskID)
		}
		if err := holder.Rollback(); err != nil {
			t.Fatal(err)
		}
		got, err = tasks.ClaimTask(ctx, domain.ClaimRequest{Worker: "w3"})
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || got.TaskID != first.TaskID {
			t.Fatalf("claimed %+v, want the first task %s once unlocked", got, first.TaskID)
		}
	})
}

func TestPostgres_Open(t *testing.T) {
	ctx := context.Background()

	t.Run("ErrBadURL", func(t *testing.T) {
		err := store.NewDB("postgres://").Open(ctx)
		AssertCode(t, err, domain.EINVALID, "db")
	})

	t.Run("ErrUnreachable", func(t *testing.T) {
		// Port 1 on loopback refuses connections at once.
		err := store.NewDB("postgres://reelvault:secret@127.0.0.1:1/reelvault?connect_timeout=2").Open(ctx)
		AssertCode(t, err, domain.EINVALID, "")
		if msg := domain.ErrorMessage(err); msg == "" || strings.Contains(msg, "secret") {
			t.Fatalf("message %q leaks the password or is empty", msg)
		}
	})

	t.Run("ErrExclusive", func(t *testing.T) {
		db := mustOpenPostgres(t, 1)[0]
		called := false
		err := db.Exclusive(ctx, func(string) error { called = true; return nil })
		AssertCode(t, err, domain.EINVALID, "")
		if called {
			t.Fatal("Exclusive ran fn on PostgreSQL")
		}
		if got, want := db.Engine(), store.EnginePostgres; got != want {
			t.Fatalf("engine=%q, want %q", got, want)
		}
	})

	t.Run("ReopenIsIdempotent", func(t *testing.T) {
		db := mustOpenPostgres(t, 1)[0]
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != store.LatestSchemaVersion() {
			t.Fatalf("version=%d, want %d", v, store.LatestSchemaVersion())
		}
	})
}

func ptr[T any](v T) *T { return &v }
