package server_test

import (
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// TestServer_MediaConditional checks the answers to conditional and
// unsatisfiable requests for a video: 304 and 412 as the document declares
// them, and 416 and 412 with the API's JSON error body, not Go's text/plain.
// The API tests' transport validates each exchange against openapi.json.
func TestServer_MediaConditional(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 10)
	task := e.MustCreateTask(ka, "clip", 1)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+task.TaskID+"/start", nil, key(ka))
	clip := e.MustClip(t, "scene1.mp4", make([]byte, 4096))
	modified := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(clip, modified, modified); err != nil {
		t.Fatal(err)
	}
	var v domain.Video
	e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": 1, "file_path": clip}, key(ka)).Decode(t, &v)
	path := fmt.Sprintf("/media/%d", v.ID)
	with := func(name, value string) *Auth { return &Auth{Key: ka, Headers: map[string]string{name: value}} }

	t.Run("NotModified", func(t *testing.T) {
		r := e.MustDo(http.StatusNotModified, "GET", path, nil, with("If-Modified-Since", modified.Format(http.TimeFormat)))
		if len(r.Body) != 0 {
			t.Fatalf("304 with a body: %q", r.Body)
		}
	})
	t.Run("Modified", func(t *testing.T) {
		e.MustDo(http.StatusOK, "GET", path, nil, with("If-Modified-Since", modified.Add(-time.Hour).Format(http.TimeFormat)))
	})
	t.Run("PreconditionFailed", func(t *testing.T) {
		r := e.MustDo(http.StatusPreconditionFailed, "GET", path, nil, with("If-Unmodified-Since", modified.Add(-time.Hour).Format(http.TimeFormat)))
		if got, want := r.Err(t).Error.Code, domain.ECONFLICT; got != want {
			t.Fatalf("code=%q, want %q", got, want)
		}
	})
	t.Run("RangeNotSatisfiable", func(t *testing.T) {
		r := e.MustDo(http.StatusRequestedRangeNotSatisfiable, "GET", path, nil, with("Range", "bytes=5000-6000"))
		if got, want := r.Header.Get("Content-Type"), "application/json; charset=utf-8"; got != want {
			t.Fatalf("Content-Type=%q, want %q", got, want)
		}
		if got, want := r.Header.Get("Content-Range"), "bytes */4096"; got != want {
			t.Fatalf("Content-Range=%q, want %q", got, want)
		}
		body := r.Err(t)
		if body.Error.Code != domain.EINVALID || body.Error.Field != "range" {
			t.Fatalf("error=%+v, want code invalid, field range", body.Error)
		}
	})
	t.Run("HeadRangeNotSatisfiable", func(t *testing.T) {
		r := e.Do("HEAD", path, nil, with("Range", "bytes=5000-6000"))
		if r.Status != http.StatusRequestedRangeNotSatisfiable || len(r.Body) != 0 {
			t.Fatalf("HEAD: status=%d body=%q, want 416 without a body", r.Status, r.Body)
		}
	})
}
