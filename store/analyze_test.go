package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// TestDB_Analyze checks that both kinds of analysis leave the planner
// statistics (sqlite_stat1, or pg_stats) and, on SQLite, no sample table,
// even where a plain ANALYZE had written one.
func TestDB_Analyze(t *testing.T) {
	for _, full := range []bool{false, true} {
		t.Run(fmt.Sprintf("full=%v", full), func(t *testing.T) {
			e := newEnv(t)
			_, _, ctx := e.MustCreateUser(t, "alice", 1000)
			for i := range 20 {
				e.MustCreateTask(t, ctx, domain.TaskCreate{Prompt: fmt.Sprintf("night market %d", i)})
			}
			bg := context.Background()
			if !onPostgres() {
				// What a plain ANALYZE leaves on this build: samples too.
				mustExec(t, e, `ANALYZE`)
				if !tableExists(t, e, "sqlite_stat4") {
					t.Fatal("a plain ANALYZE wrote no sqlite_stat4; the test no longer shows what Analyze removes")
				}
			}
			if err := e.DB.Analyze(bg, full); err != nil {
				t.Fatal(err)
			}
			var stats int
			q := `SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'tasks'`
			if onPostgres() {
				q = `SELECT count(*) FROM pg_stats WHERE tablename = 'tasks'`
			}
			if err := e.DB.Read(bg, func(r *sqlx.DB) error { return r.GetContext(bg, &stats, q) }); err != nil {
				t.Fatal(err)
			}
			if stats == 0 {
				t.Fatalf("no planner statistics for tasks after Analyze(full=%v)", full)
			}
			if !onPostgres() && tableExists(t, e, "sqlite_stat4") {
				t.Fatalf("sqlite_stat4 still exists after Analyze(full=%v)", full)
			}
			// The store still reads and writes with the new statistics.
			e.MustCreateTask(t, ctx, domain.TaskCreate{Prompt: "after the analysis"})
			if p, err := e.Tasks.FindTasks(ctx, domain.TaskFilter{Limit: 50}); err != nil || len(p.Tasks) != 21 {
				t.Fatalf("page after Analyze: %d tasks, %v", len(p.Tasks), err)
			}
		})
	}
}

// mustExec runs q on the writer.
func mustExec(t *testing.T, e *env, q string) {
	t.Helper()
	if err := e.DB.Write(context.Background(), func(w *sqlx.DB) error {
		_, err := w.Exec(q)
		return err
	}); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// tableExists tells whether the SQLite file has a table named name.
func tableExists(t *testing.T, e *env, name string) bool {
	t.Helper()
	var n int
	if err := e.DB.Read(context.Background(), func(r *sqlx.DB) error {
		return r.Get(&n, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, name)
	}); err != nil {
		t.Fatal(err)
	}
	return n > 0
}
