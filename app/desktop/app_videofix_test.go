package desktop_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/probe/probetest"
)

// The window replaces and removes a scene's video with the shapes of the
// HTTP API, and offers the system's file dialog only inside the window.
func TestApp_ReplaceVideo(t *testing.T) {
	f := newFixture(t)
	task := f.createTasks(t, 1)[0]
	ctx := domain.WithOwner(context.Background())
	if _, err := f.tasks.StartTask(ctx, task.TaskID); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	first := probetest.Make(t, dir, "first.mp4", probetest.Clip{Width: 320, Height: 180, FPS: 25, Seconds: 1, Codec: "h264"})
	second := probetest.Make(t, dir, "second.mp4", probetest.Clip{Width: 160, Height: 90, FPS: 25, Seconds: 1, Codec: "h264"})
	if _, err := f.tasks.AddVideo(ctx, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: first}); err != nil {
		t.Fatal(err)
	}

	width := 160
	v, err := f.app.ReplaceVideo(task.TaskID, 1, desktop.VideoFix{FilePath: second, Width: &width})
	if err != nil {
		t.Fatal(err)
	}
	if v.FilePath != second || v.Width == nil || *v.Width != 160 || *v.Height != 90 || v.SceneNumber != 1 {
		t.Fatalf("replaced=%+v", v)
	}
	if _, err := f.app.ReplaceVideo(task.TaskID, 1, desktop.VideoFix{FilePath: ""}); code(err) != domain.EINVALID {
		t.Fatalf("no path: %v, want invalid", err)
	}
	if _, err := f.app.ReplaceVideo(task.TaskID, 2, desktop.VideoFix{FilePath: first}); code(err) != domain.ENOTFOUND {
		t.Fatalf("scene without a video: %v, want not_found", err)
	}
	if err := f.app.RemoveVideo(task.TaskID, 1); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.tasks.FindTaskByID(ctx, task.TaskID); len(got.Videos) != 0 {
		t.Fatalf("videos=%d after removal", len(got.Videos))
	}

	t.Run("ChooseVideoFile", func(t *testing.T) {
		if _, err := f.app.ChooseVideoFile(); code(err) != domain.ENOTFOUND {
			t.Fatalf("outside the window: %v, want not_found", err)
		}
		desktop.SetChooser(f.app, func(context.Context, string) (string, error) { return filepath.Join(dir, "picked.mp4"), nil })
		if got, err := f.app.ChooseVideoFile(); err != nil || got != filepath.Join(dir, "picked.mp4") {
			t.Fatalf("ChooseVideoFile=%q, %v", got, err)
		}
		desktop.SetChooser(f.app, func(context.Context, string) (string, error) { return "", errors.New("no display") })
		if _, err := f.app.ChooseVideoFile(); err == nil {
			t.Fatal("a failed dialog reported no error")
		}
	})
}
