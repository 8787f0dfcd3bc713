package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/domain"
)

func TestServer_Media(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 10)
	_, kb := e.MustCreateUser("bob", 10)
	task := e.MustCreateTask(ka, "clip", 1)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+task.TaskID+"/start", nil, key(ka))

	data := make([]byte, 4096)
	for i := range data {
		data[i] = byte(i % 251)
	}
	clip := e.MustClip(t, "scene1.mp4", data)
	var v domain.Video
	e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": 1, "file_path": clip}, key(ka)).Decode(t, &v)
	path := fmt.Sprintf("/media/%d", v.ID)

	t.Run("Whole", func(t *testing.T) {
		r := e.MustDo(http.StatusOK, "GET", path, nil, key(ka))
		if string(r.Body) != string(data) {
			t.Fatalf("body is %d bytes, want the file's %d", len(r.Body), len(data))
		}
		if got, want := r.Header.Get("Accept-Ranges"), "bytes"; got != want {
			t.Fatalf("Accept-Ranges=%q, want %q", got, want)
		}
	})
	t.Run("Range", func(t *testing.T) {
		r := e.MustDo(http.StatusPartialContent, "GET", path, nil, &Auth{Key: ka, Headers: map[string]string{"Range": "bytes=1000-1099"}})
		if string(r.Body) != string(data[1000:1100]) {
			t.Fatalf("range body differs: %d bytes", len(r.Body))
		}
		if got, want := r.Header.Get("Content-Range"), "bytes 1000-1099/4096"; got != want {
			t.Fatalf("Content-Range=%q, want %q", got, want)
		}
	})
	t.Run("RangeOutside", func(t *testing.T) {
		e.MustDo(http.StatusRequestedRangeNotSatisfiable, "GET", path, nil, &Auth{Key: ka, Headers: map[string]string{"Range": "bytes=5000-6000"}})
	})
	t.Run("OwnerSession", func(t *testing.T) {
		e.MustDo(http.StatusOK, "GET", path, nil, owner)
	})
	t.Run("OtherUser", func(t *testing.T) {
		r := e.MustDo(http.StatusNotFound, "GET", path, nil, key(kb))
		if got, want := r.Err(t).Error.Code, domain.ENOTFOUND; got != want {
			t.Fatalf("code=%q, want %q", got, want)
		}
	})
	t.Run("NoAuth", func(t *testing.T) {
		e.MustDo(http.StatusUnauthorized, "GET", path, nil, nil)
	})
	t.Run("UnknownID", func(t *testing.T) {
		e.MustDo(http.StatusNotFound, "GET", "/media/999999", nil, owner)
	})
	t.Run("NotAnID", func(t *testing.T) {
		for _, p := range []string{"/media/abc", "/media/-1", "/media/..%2f..%2fetc%2fpasswd"} {
			r := e.Do("GET", p, nil, owner)
			if r.Status != http.StatusBadRequest && r.Status != http.StatusNotFound {
				t.Fatalf("GET %s: status=%d, want 400 or 404", p, r.Status)
			}
			if len(r.Body) > 0 && r.Body[0] != '{' {
				t.Fatalf("GET %s served something: %.40q", p, r.Body)
			}
		}
	})
	t.Run("FileGone", func(t *testing.T) {
		if err := os.Remove(clip); err != nil {
			t.Fatal(err)
		}
		r := e.MustDo(http.StatusNotFound, "GET", path, nil, key(ka))
		if got, want := r.Err(t).Error.Code, domain.ENOTFOUND; got != want {
			t.Fatalf("code=%q, want %q", got, want)
		}
	})
}

// MediaHandler on its own (as the window mounts it) acts as the actor in the
// request context: the task's user and the owner get the file, another user
// gets 404 and a request without an actor 401.
func TestMediaHandler(t *testing.T) {
	e := MustOpenEnv(t)
	alice, ka := e.MustCreateUser("alice", 10)
	bob, _ := e.MustCreateUser("bob", 10)
	task := e.MustCreateTask(ka, "clip", 1)
	clip := e.MustClip(t, "scene1.webm", []byte("0123456789"))
	var v domain.Video
	e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": 1, "file_path": clip}, key(ka)).Decode(t, &v)

	h := server.MediaHandler(e.tasks, nil)
	for _, tt := range []struct {
		name   string
		actor  *domain.Actor
		status int
		code   string
	}{
		{"User", &domain.Actor{UserID: alice.ID}, http.StatusPartialContent, ""},
		{"Owner", &domain.Actor{Owner: true}, http.StatusPartialContent, ""},
		{"ErrOtherUser", &domain.Actor{UserID: bob.ID}, http.StatusNotFound, domain.ENOTFOUND},
		{"ErrNoActor", nil, http.StatusUnauthorized, domain.EUNAUTHORIZED},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", fmt.Sprintf("/media/%d", v.ID), nil)
			r.Header.Set("Range", "bytes=2-4")
			if tt.actor != nil {
				r = r.WithContext(domain.WithActor(r.Context(), *tt.actor))
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Fatalf("status=%d, want %d; body=%s", w.Code, tt.status, w.Body)
			}
			if tt.code == "" {
				if got := w.Body.String(); got != "234" {
					t.Fatalf("body=%q, want bytes 2-4 %q", got, "234")
				}
				return
			}
			var body struct{ Error domain.Error }
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("decode error body %q: %v", w.Body, err)
			}
			if body.Error.Code != tt.code {
				t.Fatalf("code=%q, want %q", body.Error.Code, tt.code)
			}
		})
	}
}
