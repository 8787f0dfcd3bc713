package server_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/probe/probetest"
)

// realClip makes a real H.264 clip in the data directory's media folder.
func (e *env) realClip(tb testing.TB, name string, w, h int) string {
	tb.Helper()
	dir := filepath.Join(e.dataDir, domain.MediaFolder)
	os.MkdirAll(dir, 0o700)
	return probetest.Make(tb, dir, name, probetest.Clip{Width: w, Height: h, FPS: 25, Seconds: 1, Codec: "h264"})
}

func TestVideoFacts_HTTP(t *testing.T) {
	e := MustOpenEnv(t)
	// ffmpeg behind a second's wait, so the first answer is surely pending.
	slow := filepath.Join(t.TempDir(), "slow-ffmpeg")
	os.WriteFile(slow, []byte("#!/bin/sh\nsleep 1\nexec ffmpeg \"$@\"\n"), 0o700)
	e.tasks.(*store.TaskService).Posters.FFmpeg = slow
	_, k := e.MustCreateUser("alice", 10)
	task := e.MustCreateTask(k, "Facts", 1)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+task.TaskID+"/start", nil, key(k))
	clip := e.realClip(t, "facts.mp4", 320, 180)
	other := e.realClip(t, "other.mp4", 160, 90)

	var v domain.Video
	e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks/"+task.TaskID+"/videos",
		map[string]any{"scene_number": 1, "file_path": clip, "width": 1920, "height": 1080}, key(k)).Decode(t, &v)
	if *v.Width != 320 || *v.Claimed.Width != 1920 || !slices.Equal(v.Mismatch, []string{"width", "height"}) || v.Codec != "avc1" || len(v.ContentHash) != 64 {
		t.Fatalf("video=%+v", v)
	}

	t.Run("Poster", func(t *testing.T) {
		path := "/media/posters/" + task.TaskID
		// Registering the clip started the poster; until it is made the
		// answer is the pending image, never cached.
		r := e.MustDo(http.StatusOK, "GET", path, nil, key(k))
		if r.Header.Get("X-Poster") != "pending" || r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("Content-Type") != "image/gif" {
			t.Fatalf("first answer: X-Poster=%q Cache-Control=%q Content-Type=%q, want pending, no-store, image/gif", r.Header.Get("X-Poster"), r.Header.Get("Cache-Control"), r.Header.Get("Content-Type"))
		}
		var ready *Response
		waitFor(t, func() bool {
			ready = e.MustDo(http.StatusOK, "GET", path, nil, key(k))
			return ready.Header.Get("X-Poster") == "ready"
		})
		if ready.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(string(ready.Body), "\xff\xd8") || ready.Header.Get("ETag") == "" {
			t.Fatalf("poster: type=%q etag=%q", ready.Header.Get("Content-Type"), ready.Header.Get("ETag"))
		}
		if !strings.Contains(ready.Header.Get("Cache-Control"), "max-age") {
			t.Fatalf("Cache-Control=%q, want a lifetime", ready.Header.Get("Cache-Control"))
		}
		e.MustDo(http.StatusNotModified, "GET", path, nil, &Auth{Key: k, Headers: map[string]string{"If-None-Match": ready.Header.Get("ETag")}})
		// Another user's key does not see it.
		_, bk := e.MustCreateUser("bob", 1)
		e.MustDo(http.StatusNotFound, "GET", path, nil, key(bk))
		e.MustDo(http.StatusNotFound, "GET", "/media/posters/no-such-task", nil, owner)
	})
	t.Run("Replace", func(t *testing.T) {
		var v domain.Video
		e.MustDo(http.StatusOK, "PUT", "/api/v1/tasks/"+task.TaskID+"/videos/1", map[string]any{"file_path": other, "width": 160}, key(k)).Decode(t, &v)
		if v.FilePath != other || *v.Height != 90 || len(v.Mismatch) != 0 {
			t.Fatalf("replaced=%+v", v)
		}
		if got := e.Do("PUT", "/api/v1/tasks/"+task.TaskID+"/videos/x", map[string]any{"file_path": other}, key(k)).Err(t); got.Error.Field != "scene" {
			t.Fatalf("field=%q, want scene", got.Error.Field)
		}
		e.MustDo(http.StatusNotFound, "PUT", "/api/v1/tasks/"+task.TaskID+"/videos/0", map[string]any{"file_path": other}, key(k))
		// A user's key may not name a file outside the media roots.
		outside := filepath.Join(t.TempDir(), "x.mp4")
		os.WriteFile(outside, []byte("x"), 0o600)
		if got := e.Do("PUT", "/api/v1/tasks/"+task.TaskID+"/videos/1", map[string]any{"file_path": outside}, key(k)).Err(t); got.Error.Field != "file_path" {
			t.Fatalf("field=%q, want file_path", got.Error.Field)
		}
	})
	t.Run("Storage", func(t *testing.T) {
		var rep domain.StorageReport
		e.MustDo(http.StatusOK, "GET", "/api/v1/storage", nil, key(k)).Decode(t, &rep)
		if rep.Videos != 1 || rep.Users[0].Key != "alice" || rep.TotalBytes <= 0 {
			t.Fatalf("report=%+v", rep)
		}
		if len(rep.Collections) != 0 {
			t.Fatalf("collections=%+v before any", rep.Collections)
		}
		e.MustDo(http.StatusCreated, "POST", "/api/v1/collections", map[string]any{"name": "Reels"}, owner)
		e.MustDo(http.StatusOK, "POST", "/api/v1/collections/Reels/tasks", map[string]any{"task_ids": []string{task.TaskID}}, owner)
		rep = domain.StorageReport{}
		e.MustDo(http.StatusOK, "GET", "/api/v1/storage", nil, key(k)).Decode(t, &rep)
		if len(rep.Collections) != 1 || rep.Collections[0] != (domain.StorageUsage{Key: "Reels", Bytes: rep.TotalBytes, Videos: 1}) {
			t.Fatalf("collections=%+v", rep.Collections)
		}
	})
	t.Run("Relink", func(t *testing.T) {
		moved := t.TempDir()
		e.MustDo(http.StatusForbidden, "POST", "/api/v1/relink", map[string]any{"folder": moved}, key(k))
		var rep domain.RelinkReport
		e.MustDo(http.StatusOK, "POST", "/api/v1/relink", map[string]any{"folder": moved, "dry_run": true}, owner).Decode(t, &rep)
		if !rep.DryRun || rep.Missing != 0 {
			t.Fatalf("report=%+v", rep)
		}
		if got := e.Do("POST", "/api/v1/relink", map[string]any{"folder": "relative/path"}, owner).Err(t); got.Error.Field != "folder" {
			t.Fatalf("field=%q, want folder", got.Error.Field)
		}
	})
	t.Run("Remove", func(t *testing.T) {
		e.MustDo(http.StatusNoContent, "DELETE", "/api/v1/tasks/"+task.TaskID+"/videos/1", nil, key(k))
		e.MustDo(http.StatusNotFound, "DELETE", "/api/v1/tasks/"+task.TaskID+"/videos/1", nil, key(k))
		if got := e.MustGetTask(task.TaskID); len(got.Videos) != 0 {
			t.Fatalf("videos=%d after removal", len(got.Videos))
		}
	})
	_ = time.Second
}
