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
	// Each user's, kept by migration 00020's triggers, against the same
	// counted from the tasks.
	var users []struct {
		ID   int64  `db:"id"`
		Name string `db:"username"`
	}
	if err := e.DB.Read(context.Background(), func(r *sqlx.DB) error {
		return r.Select(&users, `SELECT id, username FROM users ORDER BY id`)
	}); err != nil {
		tb.Fatalf("%s: %v", step, err)
	}
	for _, u := range users {
		slow, err := e.Tasks.CountTasksByStatus(e.Owner, domain.TaskFilter{UserID: &u.ID, Status: domain.Statuses})
		if err != nil {
			tb.Fatalf("%s: %v", step, err)
		}
		for _, f := range []domain.TaskFilter{{UserID: &u.ID}, {Username: u.Name}} {
			fast, err := e.Tasks.CountTasksByStatus(e.Owner, f)
			if err != nil {
				tb.Fatalf("%s: %v", step, err)
			}
			if fmt.Sprint(fast) != fmt.Sprint(slow) {
				tb.Errorf("%s: user %d (%s): kept status counts %v, counted %v", step, u.ID, u.Name, fast, slow)
			}
		}
	}
}

// TestTaskService_CountTasksByStatus_User proves that a user's counts,
// read from the kept counts, are what the user sees of its own tasks and
// only that, whoever asks.
func TestTaskService_CountTasksByStatus_User(t *testing.T) {
	e := newLibEnv(t)
	for i, status := range []domain.Status{domain.StatusPending, domain.StatusCompleted, domain.StatusCompleted, domain.StatusFailed} {
		e.finished(t, e.AliceCtx, fmt.Sprintf("alice %d", i), status)
	}
	e.finished(t, e.BobCtx, "bob", domain.StatusCancelled)
	aliceID, bobID := e.Alice.ID, e.Alice.ID+1
	want := map[domain.Status]int{domain.StatusPending: 1, domain.StatusProcessing: 0, domain.StatusCompleted: 2, domain.StatusFailed: 1, domain.StatusCancelled: 0}
	none := map[domain.Status]int{domain.StatusPending: 0, domain.StatusProcessing: 0, domain.StatusCompleted: 0, domain.StatusFailed: 0, domain.StatusCancelled: 0}
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		filter domain.TaskFilter
		want   map[domain.Status]int
	}{
		{"owner, alice's", e.Owner, domain.TaskFilter{UserID: &aliceID}, want},
		{"owner, alice's by name", e.Owner, domain.TaskFilter{Username: "alice"}, want},
		{"owner, a name nobody has", e.Owner, domain.TaskFilter{Username: "nobody"}, none},
		{"owner, alice's ID and bob's name", e.Owner, domain.TaskFilter{UserID: &aliceID, Username: "bob"}, none},
		{"alice, naming bob by name", e.AliceCtx, domain.TaskFilter{Username: "bob"}, none},
		{"alice, her own", e.AliceCtx, domain.TaskFilter{}, want},
		{"alice, naming herself", e.AliceCtx, domain.TaskFilter{UserID: &aliceID}, want},
		{"alice, naming bob", e.AliceCtx, domain.TaskFilter{UserID: &bobID}, none},
		{"bob, his own", e.BobCtx, domain.TaskFilter{}, map[domain.Status]int{domain.StatusPending: 0, domain.StatusProcessing: 0, domain.StatusCompleted: 0, domain.StatusFailed: 0, domain.StatusCancelled: 1}},
	} {
		got, err := e.Tasks.CountTasksByStatus(tc.ctx, tc.filter)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	assertRowCounts(t, e.env, "users' tasks")
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

	t.Run("RepairUserCounts", func(t *testing.T) {
		// One user's count off by 3, and a count kept for a status the
		// user has no task in.
		if err := e.DB.Write(context.Background(), func(w *sqlx.DB) error {
			add := w.Rebind(`INSERT INTO user_status_counts (user_id, status, shard, n) VALUES (?, ?, 0, ?)
				ON CONFLICT (user_id, status, shard) DO UPDATE SET n = user_status_counts.n + excluded.n`)
			if _, err := w.Exec(add, e.Alice.ID, "completed", 3); err != nil {
				return err
			}
			_, err := w.Exec(add, e.Alice.ID+1, "processing", 2)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		bad, err := e.DB.CheckRowCounts(context.Background(), true)
		if err != nil {
			t.Fatal(err)
		}
		completed := fmt.Sprintf("tasks:completed of user %d", e.Alice.ID)
		processing := fmt.Sprintf("tasks:processing of user %d", e.Alice.ID+1)
		if len(bad) != 2 || bad[0].Name != completed || bad[0].Kept != bad[0].Actual+3 ||
			bad[1].Name != processing || bad[1].Kept != 2 || bad[1].Actual != 0 {
			t.Fatalf("mismatches %+v, want %s off by 3 and %s kept 2", bad, completed, processing)
		}
		assertRowCounts(t, e.env, "user counts repaired")
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
