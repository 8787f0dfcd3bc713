package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// An import's chunks hold the row triggers back and do their work once per
// chunk (store/import_triggers.go): afterwards the row counts equal
// count(*) (checked at the end of every test by MustOpenDB), the late
// tasks are those tasks_late would have marked, and the triggers are back
// and fire for the next write.
func TestExportService_ImportTriggers(t *testing.T) {
	sqliteOnly(t)
	file := bigExport(t, 50) // the sample tasks over and over: creation times go back and forth
	db := openAt(t)
	importFile(t, db, filepath.Join("testdata", "import.json"))
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	exp := store.NewExportService(db)
	exp.ImportChunk = 7
	res, err := exp.Import(domain.WithOwner(context.Background()), f)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Tasks, 50; got != want {
		t.Fatalf("tasks=%d, want %d", got, want)
	}

	var late, want []int64
	var triggers int
	err = db.Read(context.Background(), func(r *sqlx.DB) error {
		if err := r.Select(&late, `SELECT task_id FROM task_search_late ORDER BY task_id`); err != nil {
			return err
		}
		// tasks_late: a task created before a task of a smaller id.
		if err := r.Select(&want, `
			SELECT t.id FROM tasks t
			WHERE EXISTS (SELECT 1 FROM tasks o WHERE o.id < t.id AND o.created_at > t.created_at)
			ORDER BY t.id`); err != nil {
			return err
		}
		return r.Get(&triggers, `SELECT count(*) FROM sqlite_master WHERE type = 'trigger'
			AND name IN ('tasks_count_insert', 'tasks_late', 'scripts_count_insert', 'videos_count_insert', 'task_events_count_insert')`)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("the file has no late task: the test proves nothing")
	}
	if !slices.Equal(late, want) {
		t.Fatalf("late tasks=%v, want %v", late, want)
	}
	if got, want := triggers, 5; got != want {
		t.Fatalf("triggers after the import=%d, want %d", got, want)
	}
	// The next import of the same file skips every task and changes no count.
	if _, err := f.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	if res, err := exp.Import(domain.WithOwner(context.Background()), f); err != nil {
		t.Fatal(err)
	} else if got, want := res.Skipped, 50; got != want {
		t.Fatalf("skipped=%d, want %d", got, want)
	}
}

// A bad task after some chunks were written is refused naming the record,
// and what the chunks wrote is taken back: the history is as before.
func TestExportService_Import_BadRecordLate(t *testing.T) {
	sqliteOnly(t)
	file := bigExport(t, 30)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// Task 25 (line 26) gets a progress out of range.
	lines := bytes.Split(data, []byte("\n"))
	loc := regexp.MustCompile(`"progress":[0-9]+`).FindIndex(lines[25])
	lines[25] = slices.Concat(lines[25][:loc[0]], []byte(`"progress":1000`), lines[25][loc[1]:])
	bad := filepath.Join(t.TempDir(), "bad.ndjson")
	if err := os.WriteFile(bad, bytes.Join(lines, []byte("\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	db := openAt(t)
	importFile(t, db, filepath.Join("testdata", "import.json"))
	before := historyOf(t, db)
	f, err := os.Open(bad)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	exp := store.NewExportService(db)
	exp.ImportChunk = 4
	_, err = exp.Import(domain.WithOwner(context.Background()), f)
	if got, want := domain.ErrorCode(err), domain.EINVALID; got != want {
		t.Fatalf("code=%q (%v), want %q", got, err, want)
	}
	if got, want := domain.ErrorField(err), "tasks[25].progress"; got != want {
		t.Fatalf("field=%q, want %q", got, want)
	}
	if got := historyOf(t, db); !bytes.Equal(got, before) {
		t.Fatal("after the refused import the history differs from before it")
	}
}
