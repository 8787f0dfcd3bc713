package server_test

import (
	"net/http"
	"testing"
)

// JSON field names are matched exactly: encoding/json alone would take
// "quotA" for "quota", so a misspelt field would silently change data.
func TestServer_FieldNamesExact(t *testing.T) {
	e := MustOpenEnv(t)
	_, k := e.MustCreateUser("alice", 5)
	task := e.MustCreateTask(k, "a night market", 2)

	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+task.TaskID+"/start", nil, key(k))
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+task.TaskID+"/progress", map[string]any{"progress": 40}, key(k))
	for _, tc := range []struct {
		name, method, path string
		body               any
		auth               *Auth
		field              string
	}{
		{"TopLevel", "POST", "/api/v1/users/alice/quota", map[string]any{"quotA": 10}, owner, "quotA"},
		{"Nested", "PUT", "/api/v1/tasks/" + task.TaskID + "/scripts",
			map[string]any{"scripts": []map[string]any{{"Scene_Number": 1, "description": "x", "duration": 2}}}, key(k), "Scene_Number"},
	} {
		r := e.MustDo(http.StatusBadRequest, tc.method, tc.path, tc.body, tc.auth)
		if got := r.Err(t).Error.Field; got != tc.field {
			t.Fatalf("%s: field=%q, want %q", tc.name, got, tc.field)
		}
	}

	// A progress update must say the progress: {} is not "progress 0".
	r := e.MustDo(http.StatusBadRequest, "POST", "/api/v1/tasks/"+task.TaskID+"/progress", map[string]any{}, key(k))
	if got := r.Err(t).Error.Field; got != "progress" {
		t.Fatalf("empty progress: field=%q, want progress", got)
	}
	if got := e.MustGetTask(task.TaskID); got.Progress != 40 {
		t.Fatalf("progress=%d after refused bodies, want 40", got.Progress)
	}
}
