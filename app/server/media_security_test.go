package server_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// An API key holder registers files that are not videos (a key, a token, a
// database) as a task's videos, directly or through a symbolic link with a
// video name: the media endpoint refuses them for the user and the owner
// alike, so the path column cannot be used to read arbitrary files. Found by
// app/crashtest's TestSecurity_PathTraversal, which read the owner token
// this way.
func TestServer_Media_NotAVideo(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 10)
	task := e.MustCreateTask(ka, "innocent", 3)
	dir := t.TempDir()
	secret := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(secret, []byte("PRIVATE KEY"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "holiday.mp4")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	for i, path := range []string{secret, link} {
		var v domain.Video
		e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": i + 1, "file_path": path}, key(ka)).Decode(t, &v)
		for _, who := range []*Auth{key(ka), owner} {
			r := e.MustDo(http.StatusForbidden, "GET", fmt.Sprintf("/media/%d", v.ID), nil, who)
			if got, want := r.Err(t).Error.Code, domain.EFORBIDDEN; got != want {
				t.Fatalf("%s: code=%q, want %q", path, got, want)
			}
		}
	}
}

// A video inside the data directory (where the database, the backups and the
// owner token live), named directly or through a symbolic link from outside,
// is refused for the user and the owner alike.
func TestServer_Media_InsideDataDir(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 10)
	task := e.MustCreateTask(ka, "innocent", 2)
	inside := filepath.Join(e.dataDir, "backup.mp4")
	if err := os.WriteFile(inside, []byte("not for streaming"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "holiday.mp4")
	if err := os.Symlink(inside, link); err != nil {
		t.Fatal(err)
	}
	for i, path := range []string{inside, link} {
		var v domain.Video
		e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": i + 1, "file_path": path}, key(ka)).Decode(t, &v)
		for _, who := range []*Auth{key(ka), owner} {
			r := e.MustDo(http.StatusForbidden, "GET", fmt.Sprintf("/media/%d", v.ID), nil, who)
			if got, want := r.Err(t).Error.Code, domain.EFORBIDDEN; got != want {
				t.Fatalf("%s: code=%q, want %q", path, got, want)
			}
		}
	}
}
