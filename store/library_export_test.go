package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// libraryOf returns every task's library fields as ctx sees them, by task_id.
func libraryOf(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	ctx := domain.WithOwner(context.Background())
	out := map[string]string{}
	for _, trashed := range []bool{false, true} {
		p, err := store.NewTaskService(db).FindTasks(ctx, domain.TaskFilter{Trashed: trashed, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range p.Tasks {
			b, _ := json.Marshal(struct {
				Starred     bool
				Rating      int
				Tags        []string
				Collections []string
				RerunOf     string
				Trashed     bool
			}{task.Starred, task.Rating, task.Tags, task.Collections, task.RerunOf, task.TrashedAt != nil})
			out[task.TaskID] = string(b)
		}
	}
	return out
}

func TestExportService_Library(t *testing.T) {
	ctx := domain.WithOwner(context.Background())
	db := openAt(t)
	importFile(t, db, filepath.Join("testdata", "import.json"))

	t.Run("OldExport", func(t *testing.T) {
		lib := libraryOf(t, db)
		if len(lib) != 3 {
			t.Fatalf("%d tasks imported, want 3", len(lib))
		}
		for id, l := range lib {
			if l != `{"Starred":false,"Rating":0,"Tags":null,"Collections":null,"RerunOf":"","Trashed":false}` {
				t.Fatalf("task %s imported from an old export: %s", id, l)
			}
		}
	})

	p, err := store.NewTaskService(db).FindTasks(ctx, domain.TaskFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids, terminal []string
	for _, task := range p.Tasks {
		ids = append(ids, task.TaskID)
		if task.Status.Terminal() && task.Username == "alice" {
			terminal = append(terminal, task.TaskID)
		}
	}
	lib := store.NewLibraryService(db)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(lib.SetStar(ctx, ids[0], true))
	must(lib.SetRating(ctx, ids[1], 5))
	must(lib.TagTask(ctx, ids[0], []string{"夜景", "Drone"}, nil))
	must(lib.TagTask(ctx, ids[1], []string{"drone"}, nil))
	must(lib.CreateCollection(ctx, "Trailer v2"))
	must(lib.CreateCollection(ctx, "预告片"))
	must(lib.AddToCollection(ctx, "Trailer v2", ids[:2]))
	must(lib.AddToCollection(ctx, "预告片", ids[1:2]))
	rerun, err := lib.RerunTask(ctx, terminal[0], domain.RerunInput{})
	if err != nil {
		t.Fatal(err)
	}
	must(lib.TrashTasks(ctx, ids[2:3], domain.TrashOptions{}))
	want := libraryOf(t, db)

	out := exportAll(t, db, domain.ExportFilter{})
	for _, s := range []string{`"starred":true`, `"rating":5`, `"tags":["Drone","夜景"]`, `"collections":["Trailer v2","预告片"]`, `"rerun_of":"` + terminal[0] + `"`, `"trashed_at":"`} {
		if !bytes.Contains(out, []byte(s)) {
			t.Fatalf("the export has no %s:\n%s", s, out)
		}
	}

	t.Run("RoundTrip", func(t *testing.T) {
		db2 := openAt(t)
		res, err := store.NewExportService(db2).Import(ctx, bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if res.Tasks != len(want) {
			t.Fatalf("imported %d tasks, want %d", res.Tasks, len(want))
		}
		if got := libraryOf(t, db2); !reflect.DeepEqual(got, want) {
			t.Fatalf("library after the round trip:\n%v\nwant\n%v", got, want)
		}
		if got := exportAll(t, db2, domain.ExportFilter{}); !bytes.Equal(got, out) {
			t.Fatalf("second export differs:\n%s\nfirst:\n%s", got, out)
		}
	})

	t.Run("RerunBeforeOrigin", func(t *testing.T) {
		nd := exportAll(t, db, domain.ExportFilter{NDJSON: true})
		lines := strings.Split(strings.TrimSpace(string(nd)), "\n")
		slices.Reverse(lines[1:])
		db2 := openAt(t)
		if _, err := store.NewExportService(db2).Import(ctx, strings.NewReader(strings.Join(lines, "\n")+"\n")); err != nil {
			t.Fatal(err)
		}
		if got := libraryOf(t, db2); !reflect.DeepEqual(got, want) {
			t.Fatalf("library after importing reruns before their origins:\n%v\nwant\n%v", got, want)
		}
	})

	t.Run("TaskIDs", func(t *testing.T) {
		nd := exportAll(t, db, domain.ExportFilter{NDJSON: true, TaskIDs: []string{ids[0], rerun.TaskID}})
		if got := bytes.Count(nd, []byte("\n")) - 1; got != 2 {
			t.Fatalf("exported %d tasks, want 2", got)
		}
		err := store.NewExportService(db).Export(ctx, &bytes.Buffer{}, domain.ExportFilter{TaskIDs: make([]string, domain.MaxSelection+1)})
		AssertCode(t, err, domain.EINVALID, "task_ids")
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for field, edit := range map[string]func(string) string{
			"tasks[1].rating":      func(s string) string { return strings.Replace(s, `"rating":5`, `"rating":9`, 1) },
			"tasks[1].tags":        func(s string) string { return strings.Replace(s, `"夜景"`, `"a,b"`, 1) },
			"tasks[1].collections": func(s string) string { return strings.Replace(s, `"预告片"`, `"\u0007"`, 1) },
		} {
			bad := edit(string(out))
			if bad == string(out) {
				t.Fatalf("%s: the edit changed nothing", field)
			}
			db2 := openAt(t)
			_, err := store.NewExportService(db2).Import(ctx, strings.NewReader(bad))
			AssertCode(t, err, domain.EINVALID, "")
			if got := domain.ErrorField(err); !strings.HasSuffix(got, strings.TrimPrefix(field, "tasks[1]")) {
				t.Fatalf("field=%q, want …%s", got, strings.TrimPrefix(field, "tasks[1]"))
			}
			if n := len(libraryOf(t, db2)); n != 0 {
				t.Fatalf("%d tasks written by a refused import", n)
			}
		}
	})
}
