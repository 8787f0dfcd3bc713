package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// assertRowCounts fails unless the counts Status and the owner's
// CountTasksByStatus report (kept by triggers) equal count(*).
func assertRowCounts(tb testing.TB, e *env, step string) {
	tb.Helper()
	bad, err := e.DB.CheckRowCounts(context.Background(), false)
	if err != nil {
		tb.Fatalf("%s: %v", step, err)
	}
	for _, b := range bad {
		tb.Errorf("%s: row count %s", step, b)
	}
	st, err := e.Stats.Status(e.Owner)
	if err != nil {
		tb.Fatalf("%s: %v", step, err)
	}
	for table, n := range e.Counts(tb) {
		if got := st.Counts[table]; got != int64(n) {
			tb.Errorf("%s: status counts %d %s, count(*) %d", step, got, table, n)
		}
	}
	fast, err := e.Tasks.CountTasksByStatus(e.Owner, domain.TaskFilter{})
	if err != nil {
		tb.Fatalf("%s: %v", step, err)
	}
	// Naming every status is a filter: the counts come from the tasks.
	slow, err := e.Tasks.CountTasksByStatus(e.Owner, domain.TaskFilter{Status: domain.Statuses})
	if err != nil {
		tb.Fatalf("%s: %v", step, err)
	}
	if fmt.Sprint(fast) != fmt.Sprint(slow) {
		tb.Errorf("%s: kept status counts %v, counted %v", step, fast, slow)
	}
}

func TestDB_RowCounts(t *testing.T) {
	e := newLibEnv(t)
	assertRowCounts(t, e.env, "users created")

	var ids []string
	for i, status := range []domain.Status{domain.StatusPending, domain.StatusCompleted, domain.StatusFailed, domain.StatusCancelled, domain.StatusCompleted, domain.StatusCompleted} {
		task := e.finished(t, e.AliceCtx, fmt.Sprintf("a lighthouse %d", i), status)
		ids = append(ids, task.TaskID)
	}
	assertRowCounts(t, e.env, "tasks created and finished")
	processing := e.MustCreateTask(t, e.AliceCtx, domain.TaskCreate{Prompt: "running"})
	if _, err := e.Tasks.StartTask(e.AliceCtx, processing.TaskID); err != nil {
		t.Fatal(err)
	}
	assertRowCounts(t, e.env, "task started")

	if _, err := e.Tasks.SetScripts(e.AliceCtx, processing.TaskID, []domain.ScriptInput{
		{SceneNumber: 1, Description: "dawn", Duration: 2},
		{SceneNumber: 2, Description: "dusk", Duration: 3},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Tasks.AddVideo(e.AliceCtx, processing.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: "/videos/scene1.mp4"}); err != nil {
		t.Fatal(err)
	}
	assertRowCounts(t, e.env, "scenes and a video added")
	if _, err := e.Tasks.SetScripts(e.AliceCtx, processing.TaskID, []domain.ScriptInput{{SceneNumber: 1, Description: "noon", Duration: 1}}); err != nil {
		t.Fatal(err)
	}
	assertRowCounts(t, e.env, "scenes replaced")

	if _, err := e.Lib.TrashTasks(e.AliceCtx, ids[:3], domain.TrashOptions{}); err != nil {
		t.Fatal(err)
	}
	assertRowCounts(t, e.env, "tasks trashed")
	if _, err := e.Lib.RestoreTasks(e.AliceCtx, ids[:1]); err != nil {
		t.Fatal(err)
	}
	assertRowCounts(t, e.env, "a task restored from the trash")
	if _, err := e.Lib.EmptyTrash(e.AliceCtx); err != nil {
		t.Fatal(err)
	}
	assertRowCounts(t, e.env, "trash emptied (tasks, scenes, videos and events deleted)")

	if _, err := e.Lib.RerunTask(e.AliceCtx, ids[4], domain.RerunInput{}); err != nil {
		t.Fatal(err)
	}
	assertRowCounts(t, e.env, "task run again")

	{
		fresh := newEnv(t)
		importFile(t, fresh.DB, filepath.Join("testdata", "import.json"))
		assertRowCounts(t, fresh, "export imported")
	}

	if err := e.Stats.RebuildStats(e.Owner); err != nil {
		t.Fatal(err)
	}
	assertRowCounts(t, e.env, "statistics rebuilt")

	t.Run("Repair", func(t *testing.T) {
		if err := e.DB.Write(context.Background(), func(w *sqlx.DB) error {
			_, err := w.Exec(`UPDATE row_counts SET n = n + 5 WHERE name = 'videos' AND shard = 0`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		bad, err := e.DB.CheckRowCounts(context.Background(), true)
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) != 1 || bad[0].Name != "videos" || bad[0].Kept != bad[0].Actual+5 {
			t.Fatalf("mismatches %+v, want videos off by 5", bad)
		}
		assertRowCounts(t, e.env, "repaired")
	})
}

// TestDB_RowCountsMigration proves that migration 00013 fills the counts of
// a database written before it.
func TestDB_RowCountsMigration(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reelvault.db")
	if err := store.CreateAtVersion(ctx, path, 12); err != nil {
		t.Fatal(err)
	}
	db := store.NewDB(path)
	db.SchemaTarget = 12
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	owner := domain.WithOwner(ctx)
	u, _, err := store.NewUserService(db).CreateUser(owner, domain.UserCreate{Username: "old", Quota: ptr(10)})
	if err != nil {
		t.Fatal(err)
	}
	uctx := domain.WithUser(ctx, u.ID)
	for i := range 3 {
		if _, err := store.NewTaskService(db).CreateTask(uctx, domain.TaskCreate{Prompt: fmt.Sprintf("old %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	c := newClock()
	db = store.NewDB(path)
	db.Now = c.Now
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{DB: db, Clock: c, Tasks: store.NewTaskService(db), Users: store.NewUserService(db), Stats: store.NewStatsService(db), Owner: owner}
	assertRowCounts(t, e, "migrated")
	st, err := e.Stats.Status(owner)
	if err != nil {
		t.Fatal(err)
	}
	if st.Counts["tasks"] != 3 || st.Counts["users"] != 1 {
		t.Fatalf("counts %v after the migration, want 3 tasks of 1 user", st.Counts)
	}
}
