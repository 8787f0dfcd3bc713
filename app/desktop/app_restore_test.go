package desktop_test

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/probe/probetest"
)

// The window previews a backup against the live history and restores
// chosen tasks from it, with the shapes of the HTTP API.
func TestApp_PreviewAndRestoreTasks(t *testing.T) {
	f := newFixture(t)
	tasks := f.createTasks(t, 3)
	b, err := f.app.CreateBackup()
	if err != nil {
		t.Fatal(err)
	}
	changed := tasks[1].TaskID
	if _, err := f.app.SetStar(changed, true); err != nil {
		t.Fatal(err)
	}
	f.createTasks(t, 1) // only here

	p, err := f.app.PreviewTasks(b.Name)
	if err != nil {
		t.Fatal(err)
	}
	if p.Backup != b.Name || p.SetTasks != 3 || p.LiveTasks != 4 || p.Same != 2 || p.Changed != 1 || p.OnlyHere != 1 || p.Missing != 0 {
		t.Fatalf("preview=%+v, want 3 in the set, 4 here, 2 same, 1 changed, 1 only here", p)
	}
	if len(p.Tasks) != 1 || p.Tasks[0].TaskID != changed {
		t.Fatalf("preview lists %+v, want just the starred task %s", p.Tasks, changed)
	}
	if _, err := f.app.PreviewTasks("no-such-backup.db.zst"); code(err) != domain.ENOTFOUND {
		t.Fatalf("preview of an unknown backup: %v, want not_found", err)
	}

	t.Run("ErrNoTasks", func(t *testing.T) {
		for _, ids := range [][]string{nil, {"not a task id"}} {
			_, err := f.app.RestoreTasks(b.Name, ids)
			ui := desktop.FormatError(err).(domain.Error)
			if ui.Code != domain.EINVALID || ui.Field != "task" {
				t.Fatalf("ids %q: error=%+v, want invalid naming task", ids, ui)
			}
		}
		if got, _ := f.app.GetTask(changed); got == nil || !got.Starred {
			t.Fatalf("a refused restore changed the task: %+v", got)
		}
	})

	res, err := f.app.RestoreTasks(b.Name, []string{changed})
	if err != nil {
		t.Fatal(err)
	}
	if res.Backup != b.Name || !slices.Equal(res.Replaced, []string{changed}) || len(res.Added) != 0 || res.Undo == "" {
		t.Fatalf("restore=%+v, want %s replaced and an undo file", res, changed)
	}
	got, err := f.app.GetTask(changed)
	if err != nil {
		t.Fatal(err)
	}
	if got.Starred {
		t.Fatal("the restored task is still starred; the backup's copy is not")
	}
	if n := countTasks(t, f.app); n != 4 {
		t.Fatalf("after a task restore: %d tasks, want 4 (the one only here stays)", n)
	}
}

// A drill proves the newest backup restorable and the window's list of
// proven destinations says so.
func TestApp_Drill(t *testing.T) {
	f := newFixture(t)
	if _, err := f.app.RunDrill(""); code(err) != domain.ENOTFOUND {
		t.Fatalf("drill without a backup: %v, want not_found", err)
	}
	f.createTasks(t, 2)
	b, err := f.app.CreateBackup()
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.app.RunDrill("")
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.Backup != b.Name || res.Tasks != 2 || len(res.Checks) == 0 {
		t.Fatalf("drill=%+v, want ok over %s with 2 tasks", res, b.Name)
	}
	proven, err := f.app.ListProven()
	if err != nil {
		t.Fatal(err)
	}
	if len(proven) == 0 || proven[0].LastOK == nil || proven[0].Backup != b.Name || proven[0].Failed {
		t.Fatalf("proven=%+v, want %s proven by the drill", proven, b.Name)
	}
	if _, err := f.app.RunDrill("no-such-backup.db.zst"); code(err) != domain.ENOTFOUND {
		t.Fatalf("drill of an unknown backup: %v, want not_found", err)
	}
}

// A backup file picked in the window arrives as base64 and is catalogued
// as an uploaded set; what is not a backup is refused and nothing is kept.
func TestApp_UploadBackup(t *testing.T) {
	f := newFixture(t)
	f.createTasks(t, 2)
	b, err := f.app.CreateBackup()
	if err != nil {
		t.Fatal(err)
	}
	place, err := f.app.BackupPlace()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(place.Dir, b.Name))
	if err != nil {
		t.Fatal(err)
	}
	up, err := f.app.UploadBackup(base64.StdEncoding.EncodeToString(data))
	if err != nil {
		t.Fatal(err)
	}
	if up.Backup == nil || up.Backup.Name == b.Name || up.Set == nil || up.Set.Rows["tasks"] != 2 || up.Set.Engine != "sqlite" {
		t.Fatalf("upload=%+v set=%+v, want a new catalogued sqlite set of 2 tasks", up.Backup, up.Set)
	}
	list, err := f.app.ListBackups()
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Backups) != 2 {
		t.Fatalf("backups=%d after an upload, want 2", len(list.Backups))
	}

	t.Run("ErrNotABackup", func(t *testing.T) {
		_, err := f.app.UploadBackup(base64.StdEncoding.EncodeToString([]byte("these are not the bytes of a backup")))
		if got := code(err); got != domain.EINVALID {
			t.Fatalf("upload of plain text: %v (code %q), want invalid", err, got)
		}
		after, err := f.app.ListBackups()
		if err != nil {
			t.Fatal(err)
		}
		if len(after.Backups) != 2 {
			t.Fatalf("a refused upload changed the catalogue: %d backups, want 2", len(after.Backups))
		}
	})

	t.Run("ErrNoBackupService", func(t *testing.T) {
		app := desktop.NewApp(desktop.Services{Tasks: f.tasks}, desktop.Info{})
		calls := map[string]func() error{
			"UploadBackup": func() error { _, err := app.UploadBackup(""); return err },
			"PreviewTasks": func() error { _, err := app.PreviewTasks(b.Name); return err },
			"RestoreTasks": func() error { _, err := app.RestoreTasks(b.Name, []string{"x"}); return err },
			"RunDrill":     func() error { _, err := app.RunDrill(""); return err },
			"ListProven":   func() error { _, err := app.ListProven(); return err },
		}
		for name, call := range calls {
			if got, want := code(call()), domain.ECONFLICT; got != want {
				t.Fatalf("%s: code=%q, want %q", name, got, want)
			}
		}
	})
}

// The window reports the videos' disk use and re-links moved files, a dry
// run changing nothing.
func TestApp_StorageAndRelink(t *testing.T) {
	f := newFixture(t)
	task := f.createTasks(t, 1)[0]
	ctx := domain.WithOwner(context.Background())
	if _, err := f.tasks.StartTask(ctx, task.TaskID); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	clip := probetest.Make(t, dir, "clip.mp4", probetest.Clip{Width: 160, Height: 90, FPS: 25, Seconds: 1, Codec: "h264"})
	if _, err := f.tasks.AddVideo(ctx, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: clip}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(clip)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.app.Storage()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Videos != 1 || rep.TotalBytes != st.Size() || rep.MissingCount != 0 {
		t.Fatalf("storage=%+v, want 1 video of %d bytes, none missing", rep, st.Size())
	}

	moved := t.TempDir()
	to := filepath.Join(moved, "renamed.mp4")
	if err := os.Rename(clip, to); err != nil {
		t.Fatal(err)
	}
	if rep, err := f.app.Storage(); err != nil || rep.MissingCount != 1 {
		t.Fatalf("storage=%+v err=%v after the move, want 1 missing", rep, err)
	}

	t.Run("ErrRelativeFolder", func(t *testing.T) {
		_, err := f.app.Relink("videos", false)
		ui := desktop.FormatError(err).(domain.Error)
		if ui.Code != domain.EINVALID || ui.Field != "folder" {
			t.Fatalf("error=%+v, want invalid naming folder", ui)
		}
	})

	dry, err := f.app.Relink(moved, true)
	if err != nil {
		t.Fatal(err)
	}
	if !dry.DryRun || dry.Missing != 1 || len(dry.Relinked) != 1 || dry.Relinked[0].To != to {
		t.Fatalf("dry run=%+v, want the moved file found at %s", dry, to)
	}
	if got, _ := f.app.GetTask(task.TaskID); got.Videos[0].FilePath != clip {
		t.Fatalf("a dry run re-linked the video to %s", got.Videos[0].FilePath)
	}
	done, err := f.app.Relink(moved, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Relinked) != 1 {
		t.Fatalf("relink=%+v, want one video re-linked", done)
	}
	if got, _ := f.app.GetTask(task.TaskID); got.Videos[0].FilePath != to {
		t.Fatalf("video at %s after the relink, want %s", got.Videos[0].FilePath, to)
	}

	t.Run("ErrNoVideoFixes", func(t *testing.T) {
		app := desktop.NewApp(desktop.Services{}, desktop.Info{})
		if _, err := app.Storage(); code(err) != domain.ENOTFOUND {
			t.Fatalf("Storage without fixes: %v, want not_found", err)
		}
		if _, err := app.Relink(moved, true); code(err) != domain.ENOTFOUND {
			t.Fatalf("Relink without fixes: %v, want not_found", err)
		}
	})
}
