package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// A missing video Relink cannot place is reported with the reason, and a
// relink that places none changes nothing: no known size, a file of its
// size with other content, two files of its size and name and no hash to
// choose, or files of its size under other names and no hash.
func TestTaskService_Relink_Unmatched(t *testing.T) {
	mp4, webm, other := testClips(t)
	e := newEnv(t)
	task := startTask(t, e, 4)
	old := t.TempDir()
	paths := []string{
		copyClip(t, mp4, old, "unsized.mp4"),
		copyClip(t, other, old, "hashed.mp4"),
		copyClip(t, webm, old, "dup.webm"),
		copyClip(t, mp4, old, "named.mp4"),
	}
	for i, p := range paths {
		if _, err := e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: i + 1, FilePath: p}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.DB.Write(context.Background(), func(x *sqlx.DB) error {
		if _, err := x.ExecContext(context.Background(), `UPDATE videos SET file_size = NULL WHERE scene_number = 1`); err != nil {
			return err
		}
		_, err := x.ExecContext(context.Background(), `UPDATE videos SET content_hash = '' WHERE scene_number IN (3, 4)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		os.Remove(p)
	}
	moved := t.TempDir()
	// Same size as hashed.mp4, other content.
	data, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(filepath.Join(moved, "hashed.mp4"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"a", "b"} {
		if err := os.MkdirAll(filepath.Join(moved, sub), 0o700); err != nil {
			t.Fatal(err)
		}
		copyClip(t, webm, filepath.Join(moved, sub), "dup.webm")
	}
	copyClip(t, mp4, moved, "renamed.mp4")
	copyClip(t, mp4, moved, "notes.txt") // not a video file: not looked at

	want := map[int]string{
		1: "its size was never known, so it cannot be recognised",
		2: "files of its size were found, but none has its content",
		3: "several files have its size and name; it has no hash to tell them apart",
		4: "files of its size were found, but none has its name, and it has no hash to compare",
	}
	rep, err := e.Tasks.Relink(e.Owner, domain.RelinkRequest{Folder: moved})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Missing != 4 || len(rep.Relinked) != 0 || len(rep.Unmatched) != 4 || rep.FilesScanned != 4 {
		t.Fatalf("report=%+v, want 4 missing, 4 video files scanned, none placed", rep)
	}
	for _, u := range rep.Unmatched {
		if u.Reason != want[u.SceneNumber] || u.To != "" || u.From != paths[u.SceneNumber-1] {
			t.Fatalf("scene %d: %+v, want reason %q", u.SceneNumber, u, want[u.SceneNumber])
		}
	}
	got, err := e.Tasks.FindTaskByID(e.Owner, task.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got.Videos {
		if v.FilePath != paths[i] || !v.Missing {
			t.Fatalf("video %d after a relink that placed none: %+v", i+1, v)
		}
	}
	if ev := got.Events[len(got.Events)-1]; ev.Type == domain.EventVideoRelinked {
		t.Fatal("a relink that placed nothing recorded an event")
	}
}
