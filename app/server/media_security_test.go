package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// uniformRefusal is the one answer a user's key gets for any path it may
// not register, so registering cannot probe the file system.
const uniformRefusal = `{"error":{"code":"invalid","message":"file_path must name an existing video file under one of the media roots the owner allows.","field":"file_path"}}`

// A key may register only regular video files under the media roots: a
// key file, a link with a video name, a file in the data directory, the
// owner token, /etc/shadow and missing paths all get the same 400 with the
// same body — no size, no hint of existence. The owner may register them
// (the owner's own files), but streams only regular video files outside
// the data directory; the key gets one 404 for each of them.
func TestServer_Media_Refused(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 10)
	task := e.MustCreateTask(ka, "innocent", 20)
	dir := t.TempDir()
	secret := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(secret, []byte("PRIVATE KEY"), 0o600); err != nil {
		t.Fatal(err)
	}
	inData := filepath.Join(e.dataDir, "backup.mp4")
	if err := os.WriteFile(inData, []byte("not for streaming"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.MustClip(t, "placeholder.mp4", nil)
	linkInRoot := filepath.Join(e.dataDir, domain.MediaFolder, "holiday.mp4")
	if err := os.Symlink(secret, linkInRoot); err != nil {
		t.Fatal(err)
	}
	linkOutside := filepath.Join(dir, "holiday.mp4")
	if err := os.Symlink(inData, linkOutside); err != nil {
		t.Fatal(err)
	}
	paths := []string{
		secret, linkInRoot, linkOutside, inData, filepath.Join(e.dataDir, "owner-token"), "/etc/shadow", "/etc/passwd",
		filepath.Join(dir, "missing.mp4"), filepath.Join(e.dataDir, domain.MediaFolder, "missing.mp4"),
	}
	for i, path := range paths {
		r := e.MustDo(http.StatusBadRequest, "POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": i + 1, "file_path": path}, key(ka))
		if got := strings.TrimSpace(string(r.Body)); got != uniformRefusal {
			t.Fatalf("register %s: %s\nwant the uniform %s", path, got, uniformRefusal)
		}
	}
	for i, path := range paths[:4] {
		var v domain.Video
		e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": i + 1, "file_path": path}, owner).Decode(t, &v)
		e.MustDo(http.StatusForbidden, "GET", fmt.Sprintf("/media/%d", v.ID), nil, owner)
		r := e.MustDo(http.StatusNotFound, "GET", fmt.Sprintf("/media/%d", v.ID), nil, key(ka))
		if bytes.Contains(r.Body, []byte("PRIVATE")) || bytes.Contains(r.Body, []byte(path)) {
			t.Fatalf("%s: the refusal tells something: %s", path, r.Body)
		}
	}
}

// A FIFO registered as a video is refused at once with a 4xx, for the owner
// and the key alike, however many requests come: it used to hold one server
// goroutine per request forever.
func TestServer_Media_FIFO(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 10)
	task := e.MustCreateTask(ka, "pipe", 2)
	e.MustClip(t, "placeholder.mp4", nil)
	fifo := filepath.Join(e.dataDir, domain.MediaFolder, "scene1.mp4")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { releaseFIFO(fifo) })
	// A key cannot register it; the owner can (it might become a file).
	e.MustDo(http.StatusBadRequest, "POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": 1, "file_path": fifo}, key(ka))
	var v domain.Video
	e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": 1, "file_path": fifo}, owner).Decode(t, &v)

	done := make(chan error, 1)
	go func() {
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				auth, want := owner, http.StatusForbidden
				if i%2 == 1 {
					auth, want = key(ka), http.StatusNotFound
				}
				if r := e.Do("GET", fmt.Sprintf("/media/%d", v.ID), nil, auth); r.Status != want {
					errs <- fmt.Errorf("status=%d, want %d: %s", r.Status, want, r.Body)
				}
			}()
		}
		wg.Wait()
		close(errs)
		done <- <-errs
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("requests for a FIFO blocked")
	}
	e.MustDo(http.StatusOK, "GET", "/healthz", nil, nil)
}

// releaseFIFO opens a FIFO for writing and closes it, so that a reader
// blocked on it (the bug) is let go and the test can end.
func releaseFIFO(path string) {
	if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		f.Close()
	}
}

// The owner manages the media roots over the API; a key may not. A root the
// owner adds lets keys register and stream files in it at once; removing it
// stops the streaming at the next request.
func TestServer_MediaRoots(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 10)
	task := e.MustCreateTask(ka, "roots", 2)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clip := filepath.Join(dir, "clip.mp4")
	if err := os.WriteFile(clip, []byte("clip"), 0o600); err != nil {
		t.Fatal(err)
	}
	var roots domain.MediaRoots
	e.MustDo(http.StatusOK, "GET", "/api/v1/media-roots", nil, owner).Decode(t, &roots)
	if want := filepath.Join(e.dataDir, domain.MediaFolder); roots.Default != want || len(roots.Roots) != 0 {
		t.Fatalf("roots=%+v, want only the default %s", roots, want)
	}
	for _, req := range []struct{ method, path string }{{"GET", "/api/v1/media-roots"}, {"POST", "/api/v1/media-roots"}, {"DELETE", "/api/v1/media-roots?path=" + url.QueryEscape(dir)}} {
		e.MustDo(http.StatusForbidden, req.method, req.path, map[string]any{"path": dir}, key(ka))
	}
	body := map[string]any{"scene_number": 1, "file_path": clip}
	e.MustDo(http.StatusBadRequest, "POST", "/api/v1/tasks/"+task.TaskID+"/videos", body, key(ka))

	e.MustDo(http.StatusOK, "POST", "/api/v1/media-roots", map[string]any{"path": dir}, owner).Decode(t, &roots)
	if len(roots.Roots) != 1 || roots.Roots[0] != dir {
		t.Fatalf("roots=%+v, want [%s]", roots, dir)
	}
	var v domain.Video
	e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks/"+task.TaskID+"/videos", body, key(ka)).Decode(t, &v)
	if r := e.MustDo(http.StatusOK, "GET", fmt.Sprintf("/media/%d", v.ID), nil, key(ka)); string(r.Body) != "clip" {
		t.Fatalf("streamed %q", r.Body)
	}

	for _, tt := range []struct {
		method, path string
		body         any
		status       int
		field        string
	}{
		{"POST", "/api/v1/media-roots", map[string]any{"path": "relative"}, http.StatusBadRequest, "path"},
		{"POST", "/api/v1/media-roots", map[string]any{"path": clip}, http.StatusBadRequest, "path"},
		{"POST", "/api/v1/media-roots", map[string]any{"dir": dir}, http.StatusBadRequest, "dir"},
		{"DELETE", "/api/v1/media-roots?path=" + url.QueryEscape(roots.Default), nil, http.StatusBadRequest, "path"},
		{"DELETE", "/api/v1/media-roots?folder=x", nil, http.StatusBadRequest, "folder"},
		{"DELETE", "/api/v1/media-roots?path=%2Fnot%2Fa%2Froot", nil, http.StatusNotFound, ""},
	} {
		r := e.MustDo(tt.status, tt.method, tt.path, tt.body, owner)
		if got := r.Err(t).Error.Field; got != tt.field {
			t.Fatalf("%s %s: field=%q, want %q", tt.method, tt.path, got, tt.field)
		}
	}

	e.MustDo(http.StatusOK, "DELETE", "/api/v1/media-roots?path="+url.QueryEscape(dir), nil, owner).Decode(t, &roots)
	if len(roots.Roots) != 0 {
		t.Fatalf("roots=%+v after removal", roots)
	}
	e.MustDo(http.StatusNotFound, "GET", fmt.Sprintf("/media/%d", v.ID), nil, key(ka))
	e.MustDo(http.StatusOK, "GET", fmt.Sprintf("/media/%d", v.ID), nil, owner)
}
