package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/domain/domaintest"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/pgtest"
)

// TestMain stops the PostgreSQL test cluster, if the run started one.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestDBEnv selects the engine of the suite: "postgres" runs every test that
// uses MustOpenDB or newEnv on a fresh database of a throwaway PostgreSQL
// cluster (see store/pgtest); anything else, on a SQLite file.
const TestDBEnv = "REELVAULT_TEST_DB"

// onPostgres reports whether the suite runs on PostgreSQL.
func onPostgres() bool { return os.Getenv(TestDBEnv) == store.EnginePostgres }

// newTestDB returns an unopened DB on a fresh database of the suite's engine.
func newTestDB(tb testing.TB) *store.DB {
	tb.Helper()
	if onPostgres() {
		return store.NewDB(pgtest.NewDatabase(tb))
	}
	return store.NewDB(filepath.Join(tb.TempDir(), "reelvault.db"))
}

// sqliteOnly skips a test of SQLite's file handling when the suite runs on
// PostgreSQL.
func sqliteOnly(tb testing.TB) {
	tb.Helper()
	if onPostgres() {
		tb.Skip("tests SQLite file handling")
	}
}

// clock is a settable time source for DB.Now, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// MustOpenDB opens a new database of the suite's engine (see TestDBEnv) and
// closes it when the test ends.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db := newTestDB(tb)
	if err := db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	checkRowCountsAtEnd(tb, db)
	return db
}

// checkRowCountsAtEnd makes the end of the test fail unless the row counts
// status reports (kept by triggers) equal count(*) over every counted
// table, and the label entries' copies of their task's filters (kept by
// triggers too) equal the task's, whatever the test wrote. It runs before the cleanups registered
// earlier (Close) and skips a database the test closed itself.
func checkRowCountsAtEnd(tb testing.TB, db *store.DB) {
	tb.Cleanup(func() {
		if v, err := db.SchemaVersion(context.Background()); err != nil || v < store.LatestSchemaVersion() {
			return // closed, replaced or kept at an older version by the test
		}
		bad, err := db.CheckRowCounts(context.Background(), false)
		if err != nil {
			tb.Errorf("check row counts: %v", err)
			return
		}
		for _, b := range bad {
			tb.Errorf("row count %s", b)
		}
		n, err := db.CheckLabelFilters(context.Background(), false)
		if err != nil {
			tb.Errorf("check label filters: %v", err)
		} else if n != 0 {
			tb.Errorf("%d label entries whose copies of the task's filters differ from the task's", n)
		}
	})
}

// env is an open database with its services and a controllable clock.
type env struct {
	DB    *store.DB
	Clock *clock
	Tasks *store.TaskService
	Users *store.UserService
	Stats *store.StatsService
	Owner context.Context
}

// newEnv opens a database whose clock the test controls.
func newEnv(tb testing.TB) *env {
	tb.Helper()
	c := newClock()
	db := newTestDB(tb)
	db.Now = c.Now
	if err := db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	checkRowCountsAtEnd(tb, db)
	return &env{
		DB:    db,
		Clock: c,
		Tasks: store.NewTaskService(db),
		Users: store.NewUserService(db),
		Stats: store.NewStatsService(db),
		Owner: domain.WithOwner(context.Background()),
	}
}

// MustCreateUser creates a user with the given quota and returns it, its key
// and a context acting as it.
func (e *env) MustCreateUser(tb testing.TB, name string, quota int) (*domain.User, string, context.Context) {
	tb.Helper()
	u, key, err := e.Users.CreateUser(e.Owner, domain.UserCreate{Username: name, Quota: &quota})
	if err != nil {
		tb.Fatal(err)
	}
	return u, key, domain.WithUser(context.Background(), u.ID)
}

// MustCreateTask creates a task as ctx.
func (e *env) MustCreateTask(tb testing.TB, ctx context.Context, in domain.TaskCreate) *domain.Task {
	tb.Helper()
	t, err := e.Tasks.CreateTask(ctx, in)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// Count returns the number of rows of table.
func (e *env) Count(tb testing.TB, table string) int {
	tb.Helper()
	var n int
	if err := e.DB.Read(context.Background(), func(r *sqlx.DB) error {
		return r.Get(&n, "SELECT count(*) FROM "+table)
	}); err != nil {
		tb.Fatal(err)
	}
	return n
}

// Counts returns the row counts of every table that a write could touch.
func (e *env) Counts(tb testing.TB) map[string]int {
	tb.Helper()
	m := map[string]int{}
	for _, t := range []string{"users", "tasks", "scripts", "videos", "task_events", "statistics"} {
		m[t] = e.Count(tb, t)
	}
	return m
}

// AssertCode fails unless err carries code (and, if field is set, field).
var AssertCode = domaintest.AssertCode
