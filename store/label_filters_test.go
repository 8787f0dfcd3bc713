package store_test

import (
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// assertLabelFilters fails unless every label entry's copies of its task's
// filters equal the task's.
func assertLabelFilters(tb testing.TB, e *libEnv, step string) {
	tb.Helper()
	n, err := e.DB.CheckLabelFilters(e.Owner, false)
	if err != nil {
		tb.Fatalf("%s: %v", step, err)
	}
	if n != 0 {
		tb.Errorf("%s: %d label entries differ from their task", step, n)
	}
}

// TestDB_LabelFilters follows the copies of a task's status, star, rating
// and trash on its tag and collection entries through each kind of write,
// and checks that a filtered page (which tests the copies) finds the task.
func TestDB_LabelFilters(t *testing.T) {
	e := newLibEnv(t)
	ctx := e.AliceCtx
	task := e.MustCreateTask(t, ctx, domain.TaskCreate{Prompt: "a heron"})
	other := e.MustCreateTask(t, ctx, domain.TaskCreate{Prompt: "a crane"})
	if _, err := e.Lib.SetStar(ctx, task.TaskID, true); err != nil {
		t.Fatal(err)
	}
	// Entries made after the task's changes take its values.
	if _, err := e.Lib.TagTask(ctx, task.TaskID, []string{"birds"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Lib.CreateCollection(ctx, "Trailer v2"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Lib.AddToCollection(ctx, "Trailer v2", []string{task.TaskID, other.TaskID}); err != nil {
		t.Fatal(err)
	}
	assertLabelFilters(t, e, "labelled")
	find := func(step string, f domain.TaskFilter, want ...string) {
		t.Helper()
		assertLabelFilters(t, e, step)
		f.Tags = []string{"birds"}
		for _, coll := range []string{"", "Trailer v2"} {
			f.Collection = coll
			got := e.page(t, ctx, f)
			if len(got) != len(want) || (len(want) == 1 && got[0] != want[0]) {
				t.Errorf("%s: %+v: %v, want %v", step, f, got, want)
			}
		}
	}
	find("starred", domain.TaskFilter{Starred: true}, task.TaskID)
	steps := []struct {
		name string
		do   func() error
		f    domain.TaskFilter
	}{
		{"rated", func() error { _, err := e.Lib.SetRating(ctx, task.TaskID, 4); return err }, domain.TaskFilter{MinRating: 4, Starred: true}},
		{"started", func() error { _, err := e.Tasks.StartTask(ctx, task.TaskID); return err }, domain.TaskFilter{Status: []domain.Status{domain.StatusProcessing}}},
		{"completed", func() error { _, err := e.Tasks.CompleteTask(ctx, task.TaskID, "/videos/a.mp4"); return err },
			domain.TaskFilter{Status: []domain.Status{domain.StatusCompleted}, MinRating: 4}},
		{"trashed", func() error {
			_, err := e.Lib.TrashTasks(ctx, []string{task.TaskID}, domain.TrashOptions{})
			return err
		},
			domain.TaskFilter{Trashed: true, Starred: true}},
		{"restored", func() error { _, err := e.Lib.RestoreTasks(ctx, []string{task.TaskID}); return err },
			domain.TaskFilter{Status: []domain.Status{domain.StatusCompleted}, Starred: true}},
		{"bulk unstar", func() error {
			_, err := e.Lib.Bulk(ctx, domain.BulkRequest{Selection: domain.Selection{TaskIDs: []string{task.TaskID}}, Action: domain.BulkUnstar})
			return err
		}, domain.TaskFilter{MinRating: 4}},
		{"bulk rate", func() error {
			_, err := e.Lib.Bulk(ctx, domain.BulkRequest{Selection: domain.Selection{TaskIDs: []string{task.TaskID}}, Action: domain.BulkRate, Rating: 5})
			return err
		}, domain.TaskFilter{MinRating: 5}},
		{"bulk trash", func() error {
			_, err := e.Lib.Bulk(ctx, domain.BulkRequest{Selection: domain.Selection{TaskIDs: []string{task.TaskID}}, Action: domain.BulkTrash})
			return err
		}, domain.TaskFilter{Trashed: true, MinRating: 5}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		find(s.name, s.f, task.TaskID)
	}
	// The live history no longer has it; nor does a stale filter.
	find("bulk trash, live", domain.TaskFilter{MinRating: 5})
	find("bulk trash, starred", domain.TaskFilter{Trashed: true, Starred: true})

	// The check sees a copy that went wrong, and a task's label count.
	if err := e.DB.Write(e.Owner, func(w *sqlx.DB) error {
		if _, err := w.Exec(`UPDATE collection_tasks SET task_rating = 1`); err != nil {
			return err
		}
		_, err := w.Exec(w.Rebind(`UPDATE tasks SET labels = labels + 5 WHERE task_id = ?`), other.TaskID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := e.DB.CheckLabelFilters(e.Owner, false); err != nil || n != 3 {
		t.Fatalf("CheckLabelFilters after a tampered copy and count = %d, %v; want 3", n, err)
	}
	if n, err := e.DB.CheckLabelFilters(e.Owner, true); err != nil || n != 3 {
		t.Fatalf("CheckLabelFilters(repair) = %d, %v; want 3", n, err)
	}
	if n, err := e.DB.CheckLabelFilters(e.Owner, false); err != nil || n != 0 {
		t.Fatalf("CheckLabelFilters after the repair = %d, %v; want 0", n, err)
	}
}
