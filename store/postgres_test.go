package store_test

import (
	"context"
	"errors"
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
		runWorkers(t, workers, func(w int) error {
			tasks := store.NewTaskService(dbs[w%2])
			for {
				task, err := tasks.ClaimTask(ctx, domain.ClaimRequest{Worker: fmt.Sprintf("worker-%d", w)})
				if err != nil || task == nil {
					return err
				}
				claimed[w] = append(claimed[w], task.TaskID)
			}
		})

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

	t.Run("BatchesKeepEachClaimApart", func(t *testing.T) {
		// Many claimers at once in two processes, of three queues (the
		// owner's and two users'), each with its own worker name and lease:
		// the claims that travel together in one statement still each get
		// a task of their own queue, leased to their worker for their
		// lease, with their own event, and no task twice.
		dbs := mustOpenPostgres(t, 2)
		users := store.NewUserService(dbs[0])
		uctx := map[string]context.Context{}
		for _, name := range []string{"alice", "bob"} {
			u, _, err := users.CreateUser(ctx, domain.UserCreate{Username: name, Quota: ptr(1000)})
			if err != nil {
				t.Fatal(err)
			}
			uctx[name] = domain.WithUser(context.Background(), u.ID)
		}
		const perUser = 120
		for i := range 2 * perUser {
			name := []string{"alice", "bob"}[i%2]
			if _, err := store.NewTaskService(dbs[i%2]).CreateTask(ctx, domain.TaskCreate{Username: name, Prompt: fmt.Sprintf("task %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		type claim struct {
			worker string
			queue  string // "" for the owner's
			lease  time.Duration
			task   *domain.Task
		}
		const workers = 24
		var mu sync.Mutex
		var claims []claim
		runWorkers(t, workers, func(w int) error {
			queue := []string{"", "alice", "bob"}[w%3]
			cctx := ctx
			if queue != "" {
				cctx = uctx[queue]
			}
			worker := fmt.Sprintf("worker-%d", w)
			lease := time.Duration(60+w) * time.Second
			tasks := store.NewTaskService(dbs[w%2])
			for {
				task, err := tasks.ClaimTask(cctx, domain.ClaimRequest{Worker: worker, Lease: lease})
				if err != nil || task == nil {
					return err
				}
				mu.Lock()
				claims = append(claims, claim{worker, queue, lease, task})
				mu.Unlock()
			}
		})
		if got, want := len(claims), 2*perUser; got != want {
			t.Fatalf("%d claims, want %d (every task once)", got, want)
		}
		seen := map[string]string{}
		for _, c := range claims {
			if prev, ok := seen[c.task.TaskID]; ok {
				t.Fatalf("task %s handed to %s and %s", c.task.TaskID, prev, c.worker)
			}
			seen[c.task.TaskID] = c.worker
			if c.queue != "" && c.task.Username != c.queue {
				t.Fatalf("%s claimed for %s a task of %s", c.worker, c.queue, c.task.Username)
			}
			if c.task.LeaseOwner != c.worker || c.task.Status != domain.StatusProcessing || c.task.Attempts != 1 || c.task.StartedAt == nil {
				t.Fatalf("%s got %+v, want it processing, attempt 1, leased to it", c.worker, c.task)
			}
			if c.task.LeaseExpiresAt == nil || c.task.LeaseExpiresAt.Sub(*c.task.StartedAt) != c.lease {
				t.Fatalf("%s got a lease from %v to %v, want %v", c.worker, c.task.StartedAt, c.task.LeaseExpiresAt, c.lease)
			}
		}
		var mismatched int
		if err := dbs[1].Read(context.Background(), func(r *sqlx.DB) error {
			return r.Get(&mismatched, `
				SELECT count(*) FROM tasks t
				WHERE t.status <> 'processing'
				OR (SELECT count(*) FROM task_events e
					WHERE e.task_id = t.id AND e.type = $1
					AND e.message = 'claimed by ' || t.lease_owner || ', attempt 1') <> 1`, domain.EventClaimed)
		}); err != nil {
			t.Fatal(err)
		}
		if mismatched != 0 {
			t.Fatalf("%d tasks without exactly one claimed event naming their worker", mismatched)
		}
	})

	t.Run("GivingUpInLineClaimsNothing", func(t *testing.T) {
		// While a claim statement is held up (here by a lock on the row
		// counters its trigger adds to), the claims that arrive wait in
		// line: one whose context ends leaves the line and claims nothing,
		// the others are handed out together once the statement is done,
		// each its own task.
		dbs := mustOpenPostgres(t, 1)
		if _, _, err := store.NewUserService(dbs[0]).CreateUser(ctx, domain.UserCreate{Username: "alice", Quota: ptr(100)}); err != nil {
			t.Fatal(err)
		}
		tasks := store.NewTaskService(dbs[0])
		for i := range 5 {
			if _, err := tasks.CreateTask(ctx, domain.TaskCreate{Username: "alice", Prompt: fmt.Sprintf("task %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		raw, holder := holdTx(t, dbs[0].Path)
		if _, err := holder.Exec(`
			INSERT INTO row_counts (name, shard, n)
			SELECT name, shard, 0 FROM unnest(ARRAY['tasks:pending', 'tasks:processing', 'task_events']) AS name, generate_series(0, 63) AS shard
			ON CONFLICT DO NOTHING`); err != nil {
			t.Fatal(err)
		}
		if _, err := holder.Exec(`SELECT 1 FROM row_counts FOR UPDATE`); err != nil {
			t.Fatal(err)
		}

		type result struct {
			task *domain.Task
			err  error
		}
		claim := func(cctx context.Context, worker string) chan result {
			ch := make(chan result, 1)
			go func() {
				task, err := tasks.ClaimTask(cctx, domain.ClaimRequest{Worker: worker})
				ch <- result{task, err}
			}()
			return ch
		}
		first := claim(ctx, "first")
		// Wait until the first claim's statement waits on the lock.
		for deadline := time.Now().Add(10 * time.Second); ; {
			var waiting int
			if err := raw.Get(&waiting, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
				t.Fatal(err)
			}
			if waiting > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the first claim never reached the lock")
			}
			time.Sleep(5 * time.Millisecond)
		}
		gone, cancel := context.WithCancel(ctx)
		cancel()
		if r := <-claim(gone, "gone"); r.task != nil || !errors.Is(r.err, context.Canceled) {
			t.Fatalf("a claim given up in line returned %v, %v; want no task and context.Canceled", r.task, r.err)
		}
		second, third := claim(ctx, "second"), claim(ctx, "third")
		if err := holder.Rollback(); err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		for worker, ch := range map[string]chan result{"first": first, "second": second, "third": third} {
			r := <-ch
			if r.err != nil || r.task == nil {
				t.Fatalf("%s claimed %v, %v; want a task", worker, r.task, r.err)
			}
			if r.task.LeaseOwner != worker {
				t.Fatalf("%s got a task leased to %q", worker, r.task.LeaseOwner)
			}
			if prev, ok := seen[r.task.TaskID]; ok {
				t.Fatalf("task %s handed to %s and %s", r.task.TaskID, prev, worker)
			}
			seen[r.task.TaskID] = worker
		}
		var pending, gaveUp int
		if err := raw.Get(&pending, `SELECT count(*) FROM tasks WHERE status = 'pending'`); err != nil {
			t.Fatal(err)
		}
		if err := raw.Get(&gaveUp, `SELECT count(*) FROM tasks WHERE lease_owner = 'gone'`); err != nil {
			t.Fatal(err)
		}
		if pending != 2 || gaveUp != 0 {
			t.Fatalf("%d tasks pending and %d leased to the claim given up, want 2 and 0", pending, gaveUp)
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

		_, holder := holdTx(t, dbs[0].Path)
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

// notes collects notifications.
type notes struct {
	mu  sync.Mutex
	got []domain.Notification
	c   chan struct{}
}

func newNotes() *notes { return &notes{c: make(chan struct{}, 100)} }

func (n *notes) Notify(x domain.Notification) {
	n.mu.Lock()
	n.got = append(n.got, x)
	n.mu.Unlock()
	select {
	case n.c <- struct{}{}:
	default:
	}
}

// waitFor waits until a notification about taskID with status arrives and
// returns how many such notifications arrived.
func (n *notes) waitFor(t *testing.T, taskID string, status domain.Status) int {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		n.mu.Lock()
		count := 0
		for _, x := range n.got {
			if x.TaskID == taskID && x.Status == status {
				count++
			}
		}
		n.mu.Unlock()
		if count > 0 {
			return count
		}
		select {
		case <-n.c:
		case <-deadline:
			t.Fatalf("no notification for task %s %s", taskID, status)
		}
	}
}

func TestPostgres_Notify(t *testing.T) {
	ctx := domain.WithOwner(context.Background())
	u := pgtest.NewDatabase(t)
	var dbs [2]*store.DB
	var heard [2]*notes
	for i := range dbs {
		heard[i] = newNotes()
		dbs[i] = store.NewDB(u)
		dbs[i].Notifier = heard[i]
		if err := dbs[i].Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer dbs[i].Close()
	}
	if _, _, err := store.NewUserService(dbs[0]).CreateUser(ctx, domain.UserCreate{Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	a, b := store.NewTaskService(dbs[0]), store.NewTaskService(dbs[1])

	// A change committed through one process reaches the other's notifier.
	task, err := a.CreateTask(ctx, domain.TaskCreate{Username: "alice", Prompt: "通知"})
	if err != nil {
		t.Fatal(err)
	}
	heard[1].waitFor(t, task.TaskID, domain.StatusPending)
	if _, err := b.StartTask(ctx, task.TaskID); err != nil {
		t.Fatal(err)
	}
	heard[0].waitFor(t, task.TaskID, domain.StatusProcessing)

	// A rolled-back change announces nothing: completing a pending task is
	// refused, so its transaction never commits.
	other, err := a.CreateTask(ctx, domain.TaskCreate{Username: "alice", Prompt: "second"})
	if err != nil {
		t.Fatal(err)
	}
	heard[1].waitFor(t, other.TaskID, domain.StatusPending)
	_, err = a.CompleteTask(ctx, other.TaskID, "/v.mp4")
	AssertCode(t, err, domain.ECONFLICT, "")

	// Let anything in flight arrive, then check that each process heard its
	// own change once (in-process) and nothing of the refused one.
	if _, err := a.CancelTask(ctx, other.TaskID); err != nil {
		t.Fatal(err)
	}
	heard[1].waitFor(t, other.TaskID, domain.StatusCancelled)
	if n := heard[0].waitFor(t, task.TaskID, domain.StatusPending); n != 1 {
		t.Fatalf("the creating process heard its own change %d times, want 1", n)
	}
	heard[0].mu.Lock()
	defer heard[0].mu.Unlock()
	for _, x := range append(heard[0].got, heard[1].got...) {
		if x.TaskID == other.TaskID && x.Status == domain.StatusCompleted {
			t.Fatalf("a rolled-back change was announced: %+v", x)
		}
	}
}

func TestPostgres_ErrorCodes(t *testing.T) {
	// PostgreSQL's SQLSTATEs map to the same domain codes as SQLite's.
	ctx := domain.WithOwner(context.Background())
	db := mustOpenPostgres(t, 1)[0]
	users := store.NewUserService(db)
	if _, _, err := users.CreateUser(ctx, domain.UserCreate{Username: "alice", Email: "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	_, _, err := users.CreateUser(ctx, domain.UserCreate{Username: "alice"})
	AssertCode(t, err, domain.ECONFLICT, "")
	_, _, err = users.CreateUser(ctx, domain.UserCreate{Username: "alice2", Email: "a@example.com"})
	AssertCode(t, err, domain.ECONFLICT, "")
	if !strings.Contains(domain.ErrorMessage(err), "email") {
		t.Fatalf("message %q does not name the email", domain.ErrorMessage(err))
	}
	// Text PostgreSQL cannot store is bad input, not an internal error.
	err = store.NewSettings(db).Set(ctx, map[string]string{"note": "nul\x00byte"})
	AssertCode(t, err, domain.EINVALID, "")
}

// holdTx opens a pool of its own on the database at path and begins a
// transaction on it, for a test to hold locks with; both end with the test.
func holdTx(t *testing.T, path string) (*sqlx.DB, *sqlx.Tx) {
	t.Helper()
	raw, err := sqlx.Open("pgx", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	holder, err := raw.BeginTxx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Rollback() })
	return raw, holder
}
