package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

func TestServer_TaskLifecycle(t *testing.T) {
	e := MustOpenEnv(t)
	_, k := e.MustCreateUser("alice", 10)

	resp := e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks", map[string]any{"prompt": "A fox crosses a snowy field", "total_scenes": 2}, key(k))
	var task domain.Task
	resp.Decode(t, &task)
	if got, want := resp.Header.Get("Location"), "/api/v1/tasks/"+task.TaskID; got != want {
		t.Fatalf("Location=%q, want %q", got, want)
	}
	if got, want := task.Status, domain.StatusPending; got != want {
		t.Fatalf("status=%q, want %q", got, want)
	}
	if got, want := task.Username, "alice"; got != want {
		t.Fatalf("username=%q, want %q", got, want)
	}
	base := "/api/v1/tasks/" + task.TaskID

	e.MustDo(http.StatusOK, "POST", base+"/start", nil, key(k)).Decode(t, &task)
	if got, want := task.Status, domain.StatusProcessing; got != want {
		t.Fatalf("after start: status=%q, want %q", got, want)
	}

	var scripts struct{ Scripts []*domain.Script }
	e.MustDo(http.StatusOK, "PUT", base+"/scripts", map[string]any{"scripts": []map[string]any{
		{"scene_number": 1, "description": "Snow falls", "duration": 4.5, "camera_movement": "pan"},
		{"scene_number": 2, "description": "The fox runs", "duration": 3},
	}}, key(k)).Decode(t, &scripts)
	if got, want := len(scripts.Scripts), 2; got != want {
		t.Fatalf("scripts=%d, want %d", got, want)
	}

	clip := e.MustClip(t, "scene1.mp4", []byte("0123456789"))
	var video domain.Video
	e.MustDo(http.StatusCreated, "POST", base+"/videos", map[string]any{"scene_number": 1, "file_path": clip, "duration": 4.5, "width": 1920, "height": 1080, "fps": 24}, key(k)).Decode(t, &video)
	if video.FileSize == nil || *video.FileSize != 10 {
		t.Fatalf("file_size=%v, want 10", video.FileSize)
	}

	e.MustDo(http.StatusOK, "POST", base+"/progress", map[string]any{"progress": 50, "completed_scenes": 1}, key(k)).Decode(t, &task)
	if got, want := task.Progress, 50; got != want {
		t.Fatalf("progress=%d, want %d", got, want)
	}
	e.MustDo(http.StatusOK, "POST", base+"/complete", map[string]any{"final_video_path": clip}, key(k)).Decode(t, &task)
	if got, want := task.Status, domain.StatusCompleted; got != want {
		t.Fatalf("after complete: status=%q, want %q", got, want)
	}

	e.MustDo(http.StatusOK, "GET", base, nil, key(k)).Decode(t, &task)
	if got, want := len(task.Scripts), 2; got != want {
		t.Fatalf("GET scripts=%d, want %d", got, want)
	}
	if len(task.Videos) == 0 || len(task.Events) < 4 {
		t.Fatalf("GET videos=%d events=%d, want videos and ≥ 4 events", len(task.Videos), len(task.Events))
	}

	t.Run("ErrAlreadyTerminal", func(t *testing.T) {
		for _, op := range []string{"start", "cancel"} {
			r := e.MustDo(http.StatusConflict, "POST", base+"/"+op, nil, key(k))
			if got, want := r.Err(t).Error.Code, domain.ECONFLICT; got != want {
				t.Fatalf("%s: code=%q, want %q", op, got, want)
			}
		}
		r := e.MustDo(http.StatusConflict, "POST", base+"/fail", map[string]any{"message": "late"}, key(k))
		if got, want := r.Err(t).Error.Code, domain.ECONFLICT; got != want {
			t.Fatalf("fail: code=%q, want %q", got, want)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		r := e.MustDo(http.StatusNotFound, "GET", "/api/v1/tasks/00000000-0000-0000-0000-000000000000", nil, key(k))
		if got, want := r.Err(t).Error.Code, domain.ENOTFOUND; got != want {
			t.Fatalf("code=%q, want %q", got, want)
		}
	})
}

func TestServer_TaskFailAndCancel(t *testing.T) {
	e := MustOpenEnv(t)
	_, k := e.MustCreateUser("bob", 10)

	a := e.MustCreateTask(k, "first", 1)
	var got domain.Task
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+a.TaskID+"/cancel", nil, key(k)).Decode(t, &got)
	if got.Status != domain.StatusCancelled {
		t.Fatalf("status=%q, want cancelled", got.Status)
	}

	b := e.MustCreateTask(k, "second", 1)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+b.TaskID+"/start", nil, key(k))
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+b.TaskID+"/fail", map[string]any{"message": "model out of memory"}, key(k)).Decode(t, &got)
	if got.Status != domain.StatusFailed || got.ErrorMessage != "model out of memory" {
		t.Fatalf("status=%q error=%q, want failed with the message", got.Status, got.ErrorMessage)
	}
}

func TestServer_TaskInvalidInput(t *testing.T) {
	e := MustOpenEnv(t)
	_, k := e.MustCreateUser("carol", 10)
	task := e.MustCreateTask(k, "a prompt", 2)
	base := "/api/v1/tasks/" + task.TaskID
	e.MustDo(http.StatusOK, "POST", base+"/start", nil, key(k))
	e.MustDo(http.StatusOK, "POST", base+"/progress", map[string]any{"progress": 40}, key(k))

	for _, tt := range []struct {
		name, method, path string
		body               any
		status             int
		code, field        string
	}{
		{"ProgressOver100", "POST", base + "/progress", `{"progress":101}`, 400, domain.EINVALID, "progress"},
		{"ProgressWrongType", "POST", base + "/progress", `{"progress":"half"}`, 400, domain.EINVALID, "progress"},
		{"UnknownField", "POST", base + "/progress", `{"progress":50,"percent":50}`, 400, domain.EINVALID, "percent"},
		{"TrailingData", "POST", base + "/progress", `{"progress":50}{"progress":60}`, 400, domain.EINVALID, "body"},
		{"NotJSON", "POST", base + "/progress", `progress=50`, 400, domain.EINVALID, "body"},
		{"EmptyBody", "POST", base + "/progress", ``, 400, domain.EINVALID, "body"},
		{"ArrayBody", "POST", base + "/progress", `[1]`, 400, domain.EINVALID, "body"},
		{"ScenesOverTotal", "POST", base + "/progress", `{"progress":50,"completed_scenes":3}`, 400, domain.EINVALID, "completed_scenes"},
		{"EmptyPrompt", "POST", "/api/v1/tasks", `{"prompt":""}`, 400, domain.EINVALID, "prompt"},
		{"TooManyScenes", "POST", "/api/v1/tasks", fmt.Sprintf(`{"prompt":"x","total_scenes":%d}`, domain.MaxScenes+1), 400, domain.EINVALID, "total_scenes"},
		{"ScriptsMissing", "PUT", base + "/scripts", `{}`, 400, domain.EINVALID, "scripts"},
		{"VideoNoPath", "POST", base + "/videos", `{"scene_number":1}`, 400, domain.EINVALID, "file_path"},
		{"BadStatusFilter", "GET", "/api/v1/tasks?status=done", nil, 400, domain.EINVALID, "status"},
		{"UnknownQuery", "GET", "/api/v1/tasks?colour=red", nil, 400, domain.EINVALID, "colour"},
		{"BadDateFilter", "GET", "/api/v1/tasks?created_from=yesterday", nil, 400, domain.EINVALID, "created_from"},
		{"BadLimit", "GET", "/api/v1/tasks?limit=ten", nil, 400, domain.EINVALID, "limit"},
		{"BadCursor", "GET", "/api/v1/tasks?cursor=not-a-cursor", nil, 400, domain.EINVALID, "cursor"},
		{"TooLarge", "POST", base + "/fail", `{"message":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "too_large", "body"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.MustDo(tt.status, tt.method, tt.path, tt.body, key(k))
			er := r.Err(t)
			if got, want := er.Error.Code, tt.code; got != want {
				t.Fatalf("code=%q, want %q (%s)", got, want, er.Error.Message)
			}
			if got, want := er.Error.Field, tt.field; got != want {
				t.Fatalf("field=%q, want %q (%s)", got, want, er.Error.Message)
			}
		})
	}

	// None of the refused requests changed the task.
	after := e.MustGetTask(task.TaskID)
	if after.Status != domain.StatusProcessing || after.Progress != 40 || after.CompletedScenes != 0 || len(after.Scripts) != 0 || len(after.Videos) != 0 {
		t.Fatalf("task changed by refused requests: status=%q progress=%d scenes=%d scripts=%d videos=%d",
			after.Status, after.Progress, after.CompletedScenes, len(after.Scripts), len(after.Videos))
	}
}

func TestServer_ListTasks(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("dora", 100)
	_, kb := e.MustCreateUser("eve", 100)
	for i := 0; i < 5; i++ {
		e.MustCreateTask(ka, fmt.Sprintf("dora's lighthouse %d", i), 1)
	}
	b := e.MustCreateTask(kb, "eve's submarine", 1)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+b.TaskID+"/start", nil, key(kb))

	var page domain.TaskPage
	e.MustDo(http.StatusOK, "GET", "/api/v1/tasks?limit=2", nil, key(ka)).Decode(t, &page)
	if got, want := len(page.Tasks), 2; got != want {
		t.Fatalf("page 1: %d tasks, want %d", got, want)
	}
	seen := map[string]bool{}
	for cursor := ""; ; {
		var p domain.TaskPage
		e.MustDo(http.StatusOK, "GET", "/api/v1/tasks?limit=2&cursor="+url.QueryEscape(cursor), nil, key(ka)).Decode(t, &p)
		for _, task := range p.Tasks {
			if task.Username != "dora" {
				t.Fatalf("dora's key listed %s's task", task.Username)
			}
			seen[task.TaskID] = true
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	if got, want := len(seen), 5; got != want {
		t.Fatalf("paged through %d tasks, want %d", got, want)
	}

	e.MustDo(http.StatusOK, "GET", "/api/v1/tasks?status=processing", nil, owner).Decode(t, &page)
	if len(page.Tasks) != 1 || page.Tasks[0].TaskID != b.TaskID {
		t.Fatalf("owner status filter: got %d tasks, want eve's one", len(page.Tasks))
	}
	e.MustDo(http.StatusOK, "GET", "/api/v1/tasks?status=pending,processing&username=eve", nil, owner).Decode(t, &page)
	if len(page.Tasks) != 1 {
		t.Fatalf("owner username filter: got %d tasks, want 1", len(page.Tasks))
	}
	e.MustDo(http.StatusOK, "GET", "/api/v1/tasks?search=submarine", nil, owner).Decode(t, &page)
	if len(page.Tasks) != 1 || page.Tasks[0].TaskID != b.TaskID {
		t.Fatalf("search: got %d tasks, want eve's submarine", len(page.Tasks))
	}
	e.MustDo(http.StatusOK, "GET", "/api/v1/tasks?search=submarine", nil, key(ka)).Decode(t, &page)
	if len(page.Tasks) != 0 {
		t.Fatalf("dora's search found %d of eve's tasks", len(page.Tasks))
	}
}

func TestServer_CountTasks(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("fay", 100)
	_, kb := e.MustCreateUser("gus", 100)
	for i := 0; i < 3; i++ {
		e.MustCreateTask(ka, fmt.Sprintf("fay's lighthouse %d", i), 1)
	}
	started := e.MustCreateTask(ka, "fay's harbour at dusk", 1)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+started.TaskID+"/start", nil, key(ka))
	cancelled := e.MustCreateTask(ka, "fay's harbour at dawn", 1)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+cancelled.TaskID+"/cancel", nil, key(ka))
	for i := 0; i < 2; i++ {
		e.MustCreateTask(kb, fmt.Sprintf("gus's lighthouse %d", i), 1)
	}
	other := e.MustCreateTask(kb, "gus's harbour", 1)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+other.TaskID+"/start", nil, key(kb))

	counts := func(t *testing.T, query string, auth *Auth) map[domain.Status]int {
		t.Helper()
		var got map[domain.Status]int
		e.MustDo(http.StatusOK, "GET", "/api/v1/tasks/counts"+query, nil, auth).Decode(t, &got)
		for _, st := range []domain.Status{domain.StatusPending, domain.StatusProcessing, domain.StatusCompleted, domain.StatusFailed, domain.StatusCancelled} {
			if _, ok := got[st]; !ok {
				t.Fatalf("counts%s: status %q missing from %v", query, st, got)
			}
		}
		return got
	}
	for _, tt := range []struct {
		name  string
		query string
		auth  *Auth
		want  map[domain.Status]int
	}{
		{"OwnerAll", "", owner, map[domain.Status]int{domain.StatusPending: 5, domain.StatusProcessing: 2, domain.StatusCancelled: 1}},
		{"OwnerSearch", "?search=harbour", owner, map[domain.Status]int{domain.StatusProcessing: 2, domain.StatusCancelled: 1}},
		{"OwnerUserAndSearch", "?username=gus&search=lighthouse", owner, map[domain.Status]int{domain.StatusPending: 2}},
		{"OwnerStatus", "?status=processing,cancelled", owner, map[domain.Status]int{domain.StatusProcessing: 2, domain.StatusCancelled: 1}},
		{"KeyOwnTasksOnly", "", key(ka), map[domain.Status]int{domain.StatusPending: 3, domain.StatusProcessing: 1, domain.StatusCancelled: 1}},
		{"KeySearch", "?q=harbour", key(ka), map[domain.Status]int{domain.StatusProcessing: 1, domain.StatusCancelled: 1}},
		{"KeyAsksForOtherUser", "?username=gus", key(ka), map[domain.Status]int{}},
		{"CursorAndLimitIgnored", "?limit=1&status=pending", key(kb), map[domain.Status]int{domain.StatusPending: 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := counts(t, tt.query, tt.auth)
			for st, n := range got {
				if n != tt.want[st] {
					t.Fatalf("counts%s: %s=%d, want %d (all: %v)", tt.query, st, n, tt.want[st], got)
				}
			}
		})
	}

	t.Run("BadFilter", func(t *testing.T) {
		for _, tt := range []struct{ query, field string }{
			{"?status=done", "status"},
			{"?colour=red", "colour"},
			{"?created_from=yesterday", "created_from"},
		} {
			er := e.MustDo(http.StatusBadRequest, "GET", "/api/v1/tasks/counts"+tt.query, nil, key(ka)).Err(t)
			if er.Error.Code != domain.EINVALID || er.Error.Field != tt.field {
				t.Fatalf("counts%s: code=%q field=%q, want %q %q", tt.query, er.Error.Code, er.Error.Field, domain.EINVALID, tt.field)
			}
		}
	})
	t.Run("Unauthenticated", func(t *testing.T) {
		er := e.MustDo(http.StatusUnauthorized, "GET", "/api/v1/tasks/counts", nil, nil).Err(t)
		if er.Error.Code != domain.EUNAUTHORIZED {
			t.Fatalf("code=%q, want %q", er.Error.Code, domain.EUNAUTHORIZED)
		}
	})
}

func TestServer_Quota(t *testing.T) {
	e := MustOpenEnv(t)
	_, k := e.MustCreateUser("frank", 1)
	e.MustCreateTask(k, "only one", 1)
	r := e.MustDo(http.StatusForbidden, "POST", "/api/v1/tasks", map[string]any{"prompt": "one too many"}, key(k))
	if got, want := r.Err(t).Error.Code, domain.EQUOTAEXCEEDED; got != want {
		t.Fatalf("code=%q, want %q", got, want)
	}
	e.MustDo(http.StatusOK, "POST", "/api/v1/users/frank/quota", map[string]any{"quota": 2}, owner)
	e.MustCreateTask(k, "now allowed", 1)
}
