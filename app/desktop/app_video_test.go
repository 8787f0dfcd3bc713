package desktop_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
)

// Open in player and Show in folder start the system's opener on a video
// the media handler would stream, and on nothing else: a path registered
// by an API key's user that is not a video file never reaches the opener.
func TestApp_OpenVideo(t *testing.T) {
	f := newFixture(t)
	task := f.createTasks(t, 1)[0]
	ctx := domain.WithOwner(context.Background())
	if _, err := f.tasks.StartTask(ctx, task.TaskID); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	video, script := filepath.Join(dir, "final.mp4"), filepath.Join(dir, "evil.desktop")
	for _, p := range []string{video, script} {
		if err := os.WriteFile(p, []byte("data"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good, err := f.tasks.AddVideo(ctx, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: video})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := f.tasks.AddVideo(ctx, task.TaskID, domain.VideoInput{SceneNumber: 2, FilePath: script})
	if err != nil {
		t.Fatal(err)
	}
	var launched [][]string
	desktop.SetLaunch(f.app, func(name string, args ...string) error {
		launched = append(launched, append([]string{name}, args...))
		return nil
	})

	desktop.SetMedia(f.app, "http://127.0.0.1:1/s")
	if got := f.app.MediaBaseURL(); got != "http://127.0.0.1:1/s" {
		t.Fatalf("MediaBaseURL=%q", got)
	}
	if err := f.app.OpenVideo(good.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.app.ShowVideo(good.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.app.OpenVideo(bad.ID); code(err) != domain.EFORBIDDEN {
		t.Fatalf("open a .desktop file: %v, want forbidden", err)
	}
	if err := f.app.ShowVideo(999); code(err) != domain.ENOTFOUND {
		t.Fatalf("show an unknown video: %v, want not_found", err)
	}
	want := [][]string{{"xdg-open", video}, {"xdg-open", dir}}
	if !reflect.DeepEqual(launched, want) {
		t.Fatalf("launched %q, want %q", launched, want)
	}

	desktop.SetLaunch(f.app, func(string, ...string) error { return os.ErrNotExist })
	if err := f.app.OpenVideo(good.ID); code(err) != domain.ECONFLICT {
		t.Fatalf("opener missing: %v, want conflict", err)
	}
}

func TestOpenCommand(t *testing.T) {
	for _, tc := range []struct {
		goos   string
		folder bool
		want   []string
	}{
		{"linux", false, []string{"xdg-open", "/v/a.mp4"}},
		{"linux", true, []string{"xdg-open", "/v"}},
		{"darwin", false, []string{"open", "/v/a.mp4"}},
		{"darwin", true, []string{"open", "-R", "/v/a.mp4"}},
		{"windows", false, []string{"rundll32", "url.dll,FileProtocolHandler", "/v/a.mp4"}},
		{"windows", true, []string{"explorer", "/select,/v/a.mp4"}},
	} {
		name, args := desktop.OpenCommand(tc.goos, "/v/a.mp4", tc.folder)
		if got := append([]string{name}, args...); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s folder=%v: %q, want %q", tc.goos, tc.folder, got, tc.want)
		}
	}
}

func TestApp_Probe(t *testing.T) {
	f := newFixture(t)
	f.app.Probe("nobody listens") // without a hook: nothing
}
