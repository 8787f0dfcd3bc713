package desktop_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
)

func TestApp_Library(t *testing.T) {
	f := newFixture(t)
	created := f.createTasks(t, 3)
	a, b, c := created[0].TaskID, created[1].TaskID, created[2].TaskID

	t.Run("StarRateTag", func(t *testing.T) {
		if got, err := f.app.SetStar(a, true); err != nil || !got.Starred {
			t.Fatalf("SetStar: %+v, %v", got, err)
		}
		if got, err := f.app.SetRating(a, 5); err != nil || got.Rating != 5 {
			t.Fatalf("SetRating: %+v, %v", got, err)
		}
		got, err := f.app.TagTask(a, []string{"夜景", "night"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got.Tags)
		if want := []string{"night", "夜景"}; !slices.Equal(got.Tags, want) {
			t.Fatalf("tags=%q, want %q", got.Tags, want)
		}
		tags, err := f.app.ListTags()
		if err != nil || len(tags.Tags) != 2 {
			t.Fatalf("ListTags: %+v, %v", tags, err)
		}
		page, err := f.app.ListTasks(domain.TaskFilter{Starred: true, MinRating: 5, Tags: []string{"夜景"}})
		if err != nil || len(page.Tasks) != 1 || page.Tasks[0].TaskID != a {
			t.Fatalf("ListTasks by the library's filters: %+v, %v", page, err)
		}
		counts, err := f.app.CountTasks(domain.TaskFilter{Tags: []string{"night"}})
		if err != nil || counts[domain.StatusPending] != 1 {
			t.Fatalf("CountTasks by tag: %v, %v", counts, err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, c := range []struct {
			err   error
			field string
		}{
			{second(f.app.SetRating(a, 6)), "rating"},
			{second(f.app.TagTask(a, []string{"a,b"}, nil)), "tag"},
			{second(f.app.CreateCollection("  ")), "name"},
			{second(f.app.BulkTasks(domain.BulkRequest{Action: domain.BulkStar})), "task_ids"},
			{second(f.app.BulkTasks(domain.BulkRequest{Selection: domain.Selection{TaskIDs: []string{a}}, Action: "explode"})), "action"},
		} {
			ui := desktop.FormatError(c.err).(domain.Error)
			if ui.Code != domain.EINVALID || ui.Field != c.field {
				t.Errorf("error=%+v, want invalid naming %q", ui, c.field)
			}
		}
		if got, err := f.app.GetTask(a); err != nil || got.Rating != 5 {
			t.Fatalf("refused input changed the task: %+v, %v", got, err)
		}
	})

	t.Run("Collections", func(t *testing.T) {
		if _, err := f.app.CreateCollection("Trailer v2"); err != nil {
			t.Fatal(err)
		}
		if n, err := f.app.AddToCollection("Trailer v2", []string{a, b}); err != nil || n.Changed != 2 {
			t.Fatalf("AddToCollection: %+v, %v", n, err)
		}
		if n, err := f.app.RemoveFromCollection("Trailer v2", []string{b}); err != nil || n.Changed != 1 {
			t.Fatalf("RemoveFromCollection: %+v, %v", n, err)
		}
		if col, err := f.app.SetCollectionCover("Trailer v2", a); err != nil || col.CoverTaskID != a {
			t.Fatalf("SetCollectionCover: %+v, %v", col, err)
		}
		if col, err := f.app.RenameCollection("Trailer v2", "Final"); err != nil || col.Name != "Final" || col.Count != 1 {
			t.Fatalf("RenameCollection: %+v, %v", col, err)
		}
		list, err := f.app.ListCollections()
		if err != nil || len(list.Collections) != 1 {
			t.Fatalf("ListCollections: %+v, %v", list, err)
		}
		// The JSON is the HTTP API's.
		data, _ := json.Marshal(list)
		var shape map[string]json.RawMessage
		if err := json.Unmarshal(data, &shape); err != nil || shape["collections"] == nil {
			t.Fatalf("ListCollections JSON=%s, want {\"collections\": …}", data)
		}
		if err := f.app.DeleteCollection("Final"); err != nil {
			t.Fatal(err)
		}
		if err := f.app.DeleteCollection("Final"); code(err) != domain.ENOTFOUND {
			t.Fatalf("second delete: %v, want not found", err)
		}
	})

	t.Run("BulkAndTrash", func(t *testing.T) {
		res, err := f.app.BulkTasks(domain.BulkRequest{Selection: domain.Selection{TaskIDs: []string{b, c}}, Action: domain.BulkTag, Tag: "batch"})
		if err != nil || res.Matched != 2 || res.Changed != 2 {
			t.Fatalf("BulkTasks: %+v, %v", res, err)
		}
		tr, err := f.app.TrashTasks([]string{b, c}, false)
		if err != nil || tr.Changed != 2 {
			t.Fatalf("TrashTasks: %+v, %v", tr, err)
		}
		page, err := f.app.ListTasks(domain.TaskFilter{Trashed: true})
		if err != nil || len(page.Tasks) != 2 {
			t.Fatalf("the trash: %+v, %v", page, err)
		}
		if tr, err := f.app.RestoreFromTrash([]string{b}); err != nil || tr.Changed != 1 {
			t.Fatalf("RestoreFromTrash: %+v, %v", tr, err)
		}
		if tr, err := f.app.EmptyTrash(); err != nil || tr.Changed != 1 {
			t.Fatalf("EmptyTrash: %+v, %v", tr, err)
		}
		if _, err := f.app.GetTask(c); code(err) != domain.ENOTFOUND {
			t.Fatalf("a purged task: %v, want not found", err)
		}
	})

	t.Run("RerunAndTakes", func(t *testing.T) {
		if _, err := f.app.CancelTask(a); err != nil {
			t.Fatal(err)
		}
		prompt := "一只猫 in the sun"
		take, err := f.app.RerunTask(a, domain.RerunInput{Prompt: &prompt})
		if err != nil || take.RerunOf != a || take.Prompt != prompt || take.Status != domain.StatusPending {
			t.Fatalf("RerunTask: %+v, %v", take, err)
		}
		if _, err := f.app.RerunTask(take.TaskID, domain.RerunInput{}); code(err) != domain.ECONFLICT {
			t.Fatalf("rerun of a pending task: %v, want conflict", err)
		}
		takes, err := f.app.Takes(take.TaskID)
		if err != nil || len(takes.Tasks) != 2 || takes.Tasks[0].TaskID != a || takes.Tasks[1].TaskID != take.TaskID {
			t.Fatalf("Takes: %+v, %v", takes, err)
		}
	})

	t.Run("ErrNoLibrary", func(t *testing.T) {
		app := desktop.NewApp(desktop.Services{Tasks: f.tasks}, desktop.Info{})
		if _, err := app.ListTags(); code(err) != domain.ENOTFOUND {
			t.Fatalf("ListTags without a library: %v, want not found", err)
		}
	})
}

// second returns the error of a two-valued call.
func second[T any](_ T, err error) error { return err }
