package desktop_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
)

func TestApp_ExportTasks(t *testing.T) {
	f := newFixture(t)
	created := f.createTasks(t, 3)
	a, c := created[0].TaskID, created[2].TaskID
	dir := t.TempDir()

	t.Run("NoDialog", func(t *testing.T) {
		_, err := f.app.ExportTasks([]string{a})
		if got := desktop.FormatError(err).(domain.Error); got.Code != domain.ENOTFOUND {
			t.Fatalf("error=%+v, want not_found outside the window", got)
		}
	})

	t.Run("Saved", func(t *testing.T) {
		path := filepath.Join(dir, "picked.json")
		var suggested string
		desktop.SetSaver(f.app, func(_ context.Context, _, name string) (string, error) {
			suggested = name
			return path, nil
		})
		saved, err := f.app.ExportTasks([]string{a, c})
		if err != nil {
			t.Fatal(err)
		}
		if saved.Path != path || suggested != "reelvault-export.json" {
			t.Fatalf("saved=%+v suggested=%q, want %s and reelvault-export.json", saved, suggested, path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(data)) != saved.Bytes {
			t.Fatalf("bytes=%d, file holds %d", saved.Bytes, len(data))
		}
		var doc struct {
			Tasks []struct {
				TaskID string `json:"task_id"`
			} `json:"tasks"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("the export is not JSON: %v", err)
		}
		var ids []string
		for _, x := range doc.Tasks {
			ids = append(ids, x.TaskID)
		}
		slices.Sort(ids)
		want := []string{a, c}
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Fatalf("exported %q, want %q", ids, want)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, ".reelvault-export-*")); len(left) != 0 {
			t.Fatalf("temporary files left behind: %q", left)
		}
	})

	t.Run("Cancelled", func(t *testing.T) {
		desktop.SetSaver(f.app, func(context.Context, string, string) (string, error) { return "", nil })
		saved, err := f.app.ExportTasks([]string{a})
		if err != nil || saved.Path != "" {
			t.Fatalf("cancelled dialog: %+v, %v; want an empty path", saved, err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		desktop.SetSaver(f.app, func(context.Context, string, string) (string, error) {
			t.Fatal("the dialog opened for a refused selection")
			return "", nil
		})
		for _, ids := range [][]string{nil, make([]string, domain.MaxSelection+1)} {
			_, err := f.app.ExportTasks(ids)
			if got := desktop.FormatError(err).(domain.Error); got.Code != domain.EINVALID || got.Field != "task_ids" {
				t.Errorf("%d IDs: error=%+v, want invalid naming task_ids", len(ids), got)
			}
		}
	})

	t.Run("UnwritableFolder", func(t *testing.T) {
		path := filepath.Join(dir, "missing", "export.json")
		desktop.SetSaver(f.app, func(context.Context, string, string) (string, error) { return path, nil })
		_, err := f.app.ExportTasks([]string{a})
		if got := desktop.FormatError(err).(domain.Error); got.Code != domain.EINVALID {
			t.Fatalf("error=%+v, want invalid for a folder that does not exist", got)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("an export appeared at %s", path)
		}
	})
}

func TestApp_TrashRetention(t *testing.T) {
	f := newFixture(t)
	got, err := f.app.TrashRetention()
	if err != nil || got.RetentionDays != 30 {
		t.Fatalf("TrashRetention: %+v, %v; want the default 30 days", got, err)
	}
	if got, err = f.app.SetTrashRetention(14); err != nil || got.RetentionDays != 14 {
		t.Fatalf("SetTrashRetention(14): %+v, %v", got, err)
	}
	for _, days := range []int{0, -1, domain.MaxTrashRetentionDays + 1} {
		_, err := f.app.SetTrashRetention(days)
		if ui := desktop.FormatError(err).(domain.Error); ui.Code != domain.EINVALID || ui.Field != "trash_retention_days" {
			t.Errorf("SetTrashRetention(%d): %+v, want invalid naming trash_retention_days", days, ui)
		}
	}
	if got, err = f.app.TrashRetention(); err != nil || got.RetentionDays != 14 {
		t.Fatalf("after refused changes: %+v, %v; want 14 days", got, err)
	}
}
