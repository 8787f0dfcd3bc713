package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// The fuzz targets send arbitrary bytes as the JSON body of each endpoint that
// takes one. Whatever the input, the server must answer with a status below
// 500 and a well-formed body, name the field of every 400, and leave the data
// untouched when it refuses. `go test` runs the seeds and testdata/fuzz;
// `go test -fuzz FuzzCreateTaskBody` explores further.

// snapshot is the part of a task a refused request must not change.
type snapshot struct {
	Status                    domain.Status
	Progress, Scenes, Scripts int
	Videos, Events            int
	Final, Error              string
	// The library's part.
	Starred, Trashed  bool
	Rating            int
	Tags, Collections string
}

func snap(e *env, taskID string) snapshot {
	t := e.MustGetTask(taskID)
	return snapshot{t.Status, t.Progress, t.CompletedScenes, len(t.Scripts), len(t.Videos), len(t.Events), t.FinalVideoPath, t.ErrorMessage,
		t.Starred, t.TrashedAt != nil, t.Rating, strings.Join(t.Tags, ","), strings.Join(t.Collections, ",")}
}

// checkReply asserts the reply invariants for any input.
func checkReply(t *testing.T, r *Response, body []byte) {
	t.Helper()
	if r.Status >= 500 {
		t.Fatalf("status %d for body %q: %s", r.Status, body, r.Body)
	}
	if r.Status >= 400 {
		var e ErrorBody
		if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("status %d with a malformed error body %q for %q", r.Status, r.Body, body)
		}
		if r.Status == http.StatusBadRequest && e.Error.Field == "" {
			t.Fatalf("400 without a field for %q: %s", body, r.Body)
		}
	} else if len(r.Body) > 0 && !json.Valid(r.Body) {
		t.Fatalf("status %d with invalid JSON %q", r.Status, r.Body)
	}
}

// fuzzTaskBody fuzzes a body sent to a task endpoint. Each input gets a fresh
// task in the given state, so earlier inputs cannot hide later bugs.
func fuzzTaskBody(f *testing.F, method, op string, start bool, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	e := MustOpenEnv(f)
	_, k := e.MustCreateUser("fuzz", 1<<30)
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		task := e.MustCreateTask(k, "fuzzed", 4)
		if start {
			e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+task.TaskID+"/start", nil, key(k))
		}
		before := snap(e, task.TaskID)
		r := e.Do(method, "/api/v1/tasks/"+task.TaskID+op, body, key(k))
		checkReply(t, r, body)
		if r.Status >= 400 {
			if after := snap(e, task.TaskID); after != before {
				t.Fatalf("refused %q (%d) but the task changed: %+v → %+v", body, r.Status, before, after)
			}
		}
	})
}

func FuzzCreateTaskBody(f *testing.F) {
	for _, s := range []string{`{"prompt":"a cat","total_scenes":3}`, `{"prompt":""}`, `{"prompt":"x","user_id":99}`, `{"prompt":"x","username":"nobody"}`, `{"prompt":1}`, `{}`, `[]`, `null`, ``, `{"prompt":"x","total_scenes":-1}`, `{"prompt":"x","extra":true}`} {
		f.Add([]byte(s))
	}
	e := MustOpenEnv(f)
	_, k := e.MustCreateUser("fuzz", 1<<30)
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		before := countTasks(e)
		r := e.Do("POST", "/api/v1/tasks", body, key(k))
		checkReply(t, r, body)
		grew := countTasks(e) - before
		if (r.Status == http.StatusCreated) != (grew == 1) || grew > 1 {
			t.Fatalf("status %d but %d tasks were added for %q", r.Status, grew, body)
		}
	})
}

func FuzzProgressBody(f *testing.F) {
	fuzzTaskBody(f, "POST", "/progress", true, `{"progress":50}`, `{"progress":50,"completed_scenes":2}`, `{"progress":101}`, `{"progress":-1}`, `{"progress":50,"completed_scenes":9}`, `{"progress":1e3}`, `{"progress":"5"}`, `{"progress":50}{}`)
}

func FuzzCompleteBody(f *testing.F) {
	fuzzTaskBody(f, "POST", "/complete", true, `{"final_video_path":"/tmp/final.mp4"}`, `{"final_video_path":""}`, `{"final_video_path":null}`, `{"final_video_path":"\u0000"}`)
}

func FuzzFailBody(f *testing.F) {
	fuzzTaskBody(f, "POST", "/fail", true, `{"message":"out of memory"}`, `{"message":""}`, `{"message":["a"]}`)
}

func FuzzScriptsBody(f *testing.F) {
	fuzzTaskBody(f, "PUT", "/scripts", false,
		`{"scripts":[{"scene_number":1,"description":"a","duration":2}]}`,
		`{"scripts":[{"scene_number":1,"description":"a"},{"scene_number":1,"description":"b"}]}`,
		`{"scripts":[{"scene_number":0,"description":"a"}]}`,
		`{"scripts":[{"scene_number":1,"description":"a","duration":-1}]}`,
		`{"scripts":[]}`, `{"scripts":null}`, `{"scripts":{}}`)
}

func FuzzVideoBody(f *testing.F) {
	fuzzTaskBody(f, "POST", "/videos", true,
		`{"scene_number":1,"file_path":"/tmp/a.mp4","duration":2.5,"width":1920,"height":1080,"fps":24}`,
		`{"scene_number":-1,"file_path":"/tmp/a.mp4"}`, `{"scene_number":1,"file_path":""}`,
		`{"scene_number":1,"file_path":"/tmp/a.mp4","width":-5}`, `{"scene_number":99,"file_path":"x"}`)
}

func FuzzHeartbeatBody(f *testing.F) {
	fuzzTaskBody(f, "POST", "/heartbeat", true, `{"worker":"w1"}`, `{"worker":"w1","lease_seconds":30}`, `{"worker":""}`, `{"worker":"w1","lease_seconds":-1}`, `{"worker":"w1","lease_seconds":99999999999}`)
}

func FuzzStartBody(f *testing.F) {
	fuzzTaskBody(f, "POST", "/start", false, ``, `{}`, `{"force":true}`, `[]`)
}

func FuzzClaimBody(f *testing.F) {
	for _, s := range []string{`{"worker":"w1"}`, `{"worker":"w1","lease_seconds":5,"max_attempts":2}`, `{"worker":""}`, `{"worker":"w1","max_attempts":-3}`, `{"worker":"w1","lease":60}`} {
		f.Add([]byte(s))
	}
	e := MustOpenEnv(f)
	_, k := e.MustCreateUser("fuzz", 1<<30)
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		task := e.MustCreateTask(k, "claimable", 1)
		r := e.Do("POST", "/api/v1/tasks/claim", body, key(k))
		checkReply(t, r, body)
		got := e.MustGetTask(task.TaskID)
		if r.Status >= 400 && got.Status != domain.StatusPending {
			t.Fatalf("refused %q (%d) but a task was claimed", body, r.Status)
		}
		if r.Status == http.StatusOK {
			// Leave nothing pending for the next input.
			e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+got.TaskID+"/cancel", nil, key(k))
		} else if got.Status == domain.StatusPending {
			e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+task.TaskID+"/cancel", nil, key(k))
		}
	})
}

func FuzzCreateUserBody(f *testing.F) {
	for _, s := range []string{`{"username":"zoe","email":"zoe@example.com","quota":5}`, `{"username":""}`, `{"username":"a b"}`, `{"username":"x","quota":-1}`, `{"username":"x","email":"not-mail"}`, `{"username":"x","api_key":"rv_1"}`} {
		f.Add([]byte(s))
	}
	e := MustOpenEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		before, _ := e.users.FindUsers(domain.WithOwner(t.Context()))
		r := e.Do("POST", "/api/v1/users", body, owner)
		checkReply(t, r, body)
		after, _ := e.users.FindUsers(domain.WithOwner(t.Context()))
		if grew := len(after) - len(before); (r.Status == http.StatusCreated) != (grew == 1) {
			t.Fatalf("status %d but %d users were added for %q", r.Status, grew, body)
		}
	})
}

func FuzzQuotaBody(f *testing.F) {
	for _, s := range []string{`{"quota":10}`, `{"quota":-1}`, `{"quota":null}`, `{"quota":1.5}`, `{}`} {
		f.Add([]byte(s))
	}
	e := MustOpenEnv(f)
	e.MustCreateUser("fuzz", 7)
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		before, _ := e.users.FindUserByName(domain.WithOwner(t.Context()), "fuzz")
		r := e.Do("POST", "/api/v1/users/fuzz/quota", body, owner)
		checkReply(t, r, body)
		after, _ := e.users.FindUserByName(domain.WithOwner(t.Context()), "fuzz")
		if r.Status >= 400 && after.Quota != before.Quota {
			t.Fatalf("refused %q but the quota changed %d → %d", body, before.Quota, after.Quota)
		}
	})
}

func FuzzSessionBody(f *testing.F) {
	for _, s := range []string{`{"token":"guess"}`, `{"token":""}`, `{}`, `{"token":1}`} {
		f.Add([]byte(s))
	}
	e := MustOpenEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		r := e.Do("POST", "/api/v1/session", body, nil)
		checkReply(t, r, body)
		if r.Status < 300 {
			t.Fatalf("a fuzzed token %q opened an owner session", body)
		}
	})
}

// countTasks counts every task in the store.
func countTasks(e *env) int {
	counts, err := e.tasks.CountTasksByStatus(domain.WithOwner(context.Background()), domain.TaskFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}
