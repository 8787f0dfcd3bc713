package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/domain"
)

// TestServer_NumericBounds proves every numeric input of the task and user
// endpoints is bounded: out of range is 400 naming the field and the range,
// and nothing is written.
func TestServer_NumericBounds(t *testing.T) {
	e := MustOpenEnv(t)
	_, k := e.MustCreateUser("dana", 10)
	task := e.MustCreateTask(k, "a prompt", 2)
	base := "/api/v1/tasks/" + task.TaskID
	e.MustDo(http.StatusOK, "POST", base+"/start", nil, key(k))
	owner := &Auth{Owner: true}

	for _, tt := range []struct {
		name, method, path string
		body               any
		auth               *Auth
		field              string
	}{
		{"HugeDuration", "POST", base + "/videos", `{"scene_number":1,"file_path":"/tmp/a.mp4","duration":1.7e308}`, key(k), "duration"},
		{"NegativeDuration", "POST", base + "/videos", `{"scene_number":1,"file_path":"/tmp/a.mp4","duration":-1}`, key(k), "duration"},
		{"HugeFPS", "POST", base + "/videos", `{"scene_number":1,"file_path":"/tmp/a.mp4","fps":1e300}`, key(k), "fps"},
		{"ZeroFPS", "POST", base + "/videos", `{"scene_number":1,"file_path":"/tmp/a.mp4","fps":0}`, key(k), "fps"},
		{"HugeWidth", "POST", base + "/videos", `{"scene_number":1,"file_path":"/tmp/a.mp4","width":100000}`, key(k), "width"},
		{"HugeHeight", "POST", base + "/videos", `{"scene_number":1,"file_path":"/tmp/a.mp4","height":2147483647}`, key(k), "height"},
		{"HugeSceneNumber", "POST", base + "/videos", `{"scene_number":1000000,"file_path":"/tmp/a.mp4"}`, key(k), "scene_number"},
		{"HugeScriptDuration", "PUT", base + "/scripts", `{"scripts":[{"scene_number":1,"description":"d","duration":1e308}]}`, key(k), "scripts[0].duration"},
		{"HugeCompletedScenes", "POST", base + "/progress", `{"progress":1,"completed_scenes":9999999}`, key(k), "completed_scenes"},
		{"HugeLease", "POST", base + "/heartbeat", `{"worker":"w","lease_seconds":9223372036}`, key(k), "lease_seconds"},
		{"HugeMaxAttempts", "POST", "/api/v1/tasks/claim", `{"worker":"w","max_attempts":1000000}`, key(k), "max_attempts"},
		{"HugeQuota", "POST", "/api/v1/users/dana/quota", `{"quota":2000000000}`, owner, "quota"},
		{"HugeNewUserQuota", "POST", "/api/v1/users", `{"username":"erin","quota":2000000000}`, owner, "quota"},
		{"HugeLimit", "GET", "/api/v1/tasks?limit=501", nil, key(k), "limit"},
		{"HugeRatingFilter", "GET", "/api/v1/tasks?rating=99", nil, key(k), "rating"},
		{"HugeRatingCountFilter", "GET", "/api/v1/tasks/counts?rating=-1", nil, key(k), "rating"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.MustDo(http.StatusBadRequest, tt.method, tt.path, tt.body, tt.auth)
			er := r.Err(t)
			if er.Error.Code != domain.EINVALID || er.Error.Field != tt.field {
				t.Fatalf("error=%+v, want invalid naming %q", er.Error, tt.field)
			}
			if last := tt.field[strings.LastIndex(tt.field, ".")+1:]; !strings.Contains(er.Error.Message, last) {
				t.Fatalf("message %q does not name the field %q", er.Error.Message, last)
			}
		})
	}
	after := e.MustGetTask(task.TaskID)
	if len(after.Videos) != 0 || len(after.Scripts) != 0 || after.CompletedScenes != 0 {
		t.Fatalf("refused requests wrote: %+v", after)
	}
	u, err := e.users.FindUserByName(domain.WithOwner(context.Background()), "dana")
	if err != nil || u.Quota != 10 {
		t.Fatalf("quota=%v err=%v, want 10", u, err)
	}
}

// TestServer_EncodeFailure proves a response that cannot be encoded (a +Inf
// already in the database) is answered with 500 and the error shape plus a
// log line, never with 200 and an empty body.
func TestServer_EncodeFailure(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	e := MustOpenEnv(t, func(c *server.Config) { c.Logger = logger })
	_, k := e.MustCreateUser("frank", 10)
	task := e.MustCreateTask(k, "a prompt", 1)
	clip := e.MustClip(t, "x.mp4", []byte("frames"))
	e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks/"+task.TaskID+"/videos",
		map[string]any{"scene_number": 1, "file_path": clip, "duration": 5}, key(k))
	err := e.db.Write(context.Background(), func(w *sqlx.DB) error {
		_, err := w.Exec(`UPDATE videos SET duration = ?`, math.Inf(1))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r := e.MustDo(http.StatusInternalServerError, "GET", "/api/v1/tasks/"+task.TaskID, nil, key(k))
	if er := r.Err(t); er.Error.Code != domain.EINTERNAL {
		t.Fatalf("error=%+v, want internal", er.Error)
	}
	if !strings.Contains(logs.String(), "encode response") {
		t.Fatalf("no log line for the encoding failure; log:\n%s", logs.String())
	}
}
