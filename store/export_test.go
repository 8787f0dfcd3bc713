package store_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// exportAll exports db as JSON (or NDJSON) at the fixed test clock.
func exportAll(t *testing.T, db *store.DB, f domain.ExportFilter) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := store.NewExportService(db).Export(domain.WithOwner(context.Background()), &buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importFile imports the file at path into db.
func importFile(t *testing.T, db *store.DB, path string) *domain.ImportResult {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := store.NewExportService(db).Import(domain.WithOwner(context.Background()), f)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// openAt opens a new database whose clock is fixed.
func openAt(t *testing.T) *store.DB {
	t.Helper()
	db := MustOpenDB(t)
	db.Now = newClock().Now
	return db
}

// Export → import into an empty store → export gives the same document.
func TestExportService_RoundTrip(t *testing.T) {
	golden := filepath.Join("testdata", "export.golden.json")
	db := openAt(t)
	res := importFile(t, db, filepath.Join("testdata", "import.json"))
	if *res != (domain.ImportResult{Users: 2, Tasks: 3}) {
		t.Fatalf("import=%+v, want 2 users and 3 tasks", *res)
	}
	got := exportAll(t, db, domain.ExportFilter{})
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("export differs from %s (run with -update if intended):\n%s", golden, got)
	}
	if bytes.Contains(got, []byte("imported:")) || bytes.Contains(got, []byte("api_key")) {
		t.Fatal("export contains key material")
	}

	t.Run("JSON", func(t *testing.T) {
		db2 := openAt(t)
		importFile(t, db2, golden)
		if again := exportAll(t, db2, domain.ExportFilter{}); !bytes.Equal(again, want) {
			t.Fatalf("round trip differs:\n%s", again)
		}
	})
	t.Run("NDJSON", func(t *testing.T) {
		nd := exportAll(t, db, domain.ExportFilter{NDJSON: true})
		if lines := bytes.Count(nd, []byte("\n")); lines != 4 {
			t.Fatalf("ndjson lines=%d, want header + 3 tasks", lines)
		}
		p := filepath.Join(t.TempDir(), "export.ndjson")
		if err := os.WriteFile(p, nd, 0o600); err != nil {
			t.Fatal(err)
		}
		db3 := openAt(t)
		importFile(t, db3, p)
		if again := exportAll(t, db3, domain.ExportFilter{}); !bytes.Equal(again, want) {
			t.Fatalf("ndjson round trip differs:\n%s", again)
		}
	})
	t.Run("Idempotent", func(t *testing.T) {
		res := importFile(t, db, golden)
		if *res != (domain.ImportResult{Skipped: 3}) {
			t.Fatalf("second import=%+v, want 3 skipped", *res)
		}
		if again := exportAll(t, db, domain.ExportFilter{}); !bytes.Equal(again, want) {
			t.Fatal("a second import changed the data")
		}
	})
	t.Run("Searchable", func(t *testing.T) {
		page, err := store.NewTaskService(db).FindTasks(domain.WithOwner(context.Background()), domain.TaskFilter{Search: "fox"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tasks) != 1 {
			t.Fatalf("search hits=%d, want the imported fox task", len(page.Tasks))
		}
		// The error message of an imported failed task, and word forms.
		for search, field := range map[string]string{"out of memory": domain.MatchError, "renderers": domain.MatchError, "foxes": domain.MatchPrompt} {
			page, err := store.NewTaskService(db).FindTasks(domain.WithOwner(context.Background()), domain.TaskFilter{Search: search})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Tasks) != 1 || page.Tasks[0].Match.Field != field {
				t.Fatalf("search %q: %d hits, want the imported task matched in its %s", search, len(page.Tasks), field)
			}
		}
	})
}

func TestExportService_Export_Filter(t *testing.T) {
	ctx := domain.WithOwner(context.Background())
	db := openAt(t)
	importFile(t, db, filepath.Join("testdata", "import.json"))
	day := func(s string) *time.Time {
		d, _ := time.Parse(time.DateOnly, s)
		return &d
	}
	tests := []struct {
		name   string
		filter domain.ExportFilter
		tasks  int
	}{
		{"All", domain.ExportFilter{}, 3},
		{"User", domain.ExportFilter{Username: "alice"}, 2},
		{"Status", domain.ExportFilter{Status: []domain.Status{domain.StatusFailed, domain.StatusPending}}, 2},
		{"Since", domain.ExportFilter{Since: day("2026-03-11")}, 2},
		{"Range", domain.ExportFilter{Since: day("2026-03-11"), Until: day("2026-03-12")}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.filter.NDJSON = true
			out := exportAll(t, db, tt.filter)
			if got := bytes.Count(out, []byte("\n")) - 1; got != tt.tasks {
				t.Fatalf("tasks=%d, want %d", got, tt.tasks)
			}
		})
	}
	t.Run("ErrInvalidStatus", func(t *testing.T) {
		err := store.NewExportService(db).Export(ctx, &bytes.Buffer{}, domain.ExportFilter{Status: []domain.Status{"done"}})
		AssertCode(t, err, domain.EINVALID, "")
		if domain.ErrorField(err) != "status" {
			t.Fatalf("field=%q, want status", domain.ErrorField(err))
		}
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		err := store.NewExportService(db).Export(ctx, &bytes.Buffer{}, domain.ExportFilter{Username: "carol"})
		AssertCode(t, err, domain.ENOTFOUND, "")
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		err := store.NewExportService(db).Export(domain.WithUser(context.Background(), 1), &bytes.Buffer{}, domain.ExportFilter{})
		AssertCode(t, err, domain.EFORBIDDEN, "")
	})
}

// One bad record rejects the whole file, names its position and reason, and
// writes nothing.
func TestExportService_Import_Invalid(t *testing.T) {
	ctx := domain.WithOwner(context.Background())
	fixture, err := os.ReadFile(filepath.Join("testdata", "import.json"))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		if !strings.Contains(string(fixture), old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(string(fixture), old, new, 1)
	}
	tests := []struct {
		name, doc, field, message string
	}{
		{"BadStatus", edit(`"status": "failed", "progress": 40`, `"status": "broken", "progress": 40`),
			"tasks[2].status", "Task 2 (3f6c1d2e-0000-4000-8000-000000000002)"},
		{"DuplicateScene", edit(`{"scene_number": 2, "description": "Close-up`, `{"scene_number": 1, "description": "Close-up`),
			"tasks[1].scripts[1].scene_number", "Task 1"},
		{"UnknownUser", edit(`"username": "bob",
     "prompt"`, `"username": "carol",
     "prompt"`), "tasks[2].username", `user "carol"`},
		{"BadProgress", edit(`"status": "pending", "progress": 0,
     "total_scenes"`, `"status": "pending", "progress": 120,
     "total_scenes"`), "tasks[3].progress", "Task 3"},
		{"UnknownField", edit(`"attempts": 0,`, `"attempts": 0, "colour": "red",`), "tasks[3]", "Task 3 cannot be read"},
		{"Truncated", string(fixture[:len(fixture)*2/3]), "", "truncated"},
		{"NewerVersion", edit(`"version": 1`, `"version": 9`), "version", "not supported"},
		{"NotExport", `[1, 2, 3]`, "file", "not a Reelvault export"},
		{"OtherFormat", edit(`"format": "reelvault-export"`, `"format": "other"`), "format", "not a Reelvault export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openAt(t)
			_, err := store.NewExportService(db).Import(ctx, strings.NewReader(tt.doc))
			AssertCode(t, err, domain.EINVALID, "")
			if tt.field != "" && domain.ErrorField(err) != tt.field {
				t.Fatalf("field=%q, want %q (%v)", domain.ErrorField(err), tt.field, err)
			}
			if msg := domain.ErrorMessage(err); !strings.Contains(msg, tt.message) {
				t.Fatalf("message=%q, want it to contain %q", msg, tt.message)
			}
			var users, tasks int
			err = db.Read(ctx, func(r *sqlx.DB) error {
				if err := r.Get(&users, `SELECT count(*) FROM users`); err != nil {
					return err
				}
				return r.Get(&tasks, `SELECT count(*) FROM tasks`)
			})
			if err != nil {
				t.Fatal(err)
			}
			if users != 0 || tasks != 0 {
				t.Fatalf("users=%d tasks=%d after a refused import, want none", users, tasks)
			}
		})
	}
}

// Data written through the services survives the round trip too.
func TestExportService_RoundTrip_Services(t *testing.T) {
	ctx := domain.WithOwner(context.Background())
	db := openAt(t)
	if _, _, err := store.NewUserService(db).CreateUser(ctx, domain.UserCreate{Username: "dana"}); err != nil {
		t.Fatal(err)
	}
	tasks := store.NewTaskService(db)
	for i := range 3 {
		task, err := tasks.CreateTask(ctx, domain.TaskCreate{Username: "dana", Prompt: "prompt " + string(rune('a'+i))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tasks.StartTask(ctx, task.TaskID); err != nil {
			t.Fatal(err)
		}
		if _, err := tasks.SetScripts(ctx, task.TaskID, []domain.ScriptInput{{SceneNumber: 1, Description: "one", Duration: 2}}); err != nil {
			t.Fatal(err)
		}
		if _, err := tasks.AddVideo(ctx, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: "/v/" + task.TaskID + ".mp4"}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := tasks.CompleteTask(ctx, task.TaskID, "/v/final-"+task.TaskID+".mp4"); err != nil {
				t.Fatal(err)
			}
		}
	}
	first := exportAll(t, db, domain.ExportFilter{})
	p := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(p, first, 0o600); err != nil {
		t.Fatal(err)
	}
	db2 := openAt(t)
	if res := importFile(t, db2, p); res.Tasks != 3 || res.Users != 1 {
		t.Fatalf("import=%+v", res)
	}
	if again := exportAll(t, db2, domain.ExportFilter{}); !bytes.Equal(again, first) {
		t.Fatalf("round trip differs:\n%s\nvs\n%s", first, again)
	}
	// Statistics were rebuilt from the imported tasks.
	want, err := store.NewStatsService(db).DailyStats(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.NewStatsService(db2).DailyStats(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) == 0 || *got[0] != *want[0] {
		t.Fatalf("stats after import=%+v, want %+v", got, want)
	}
}
