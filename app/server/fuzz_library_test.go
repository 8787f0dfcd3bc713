package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// The library's bodies are fuzzed like the others: below 500, a field named
// on every 400, and a refused body changes nothing.

func FuzzStarBody(f *testing.F) {
	fuzzTaskBody(f, "PUT", "/star", false, `{"starred":true}`, `{"starred":false}`, `{}`, `{"starred":1}`, `{"starred":null}`, `{"Starred":true}`, `[]`, ``)
}

func FuzzRatingBody(f *testing.F) {
	fuzzTaskBody(f, "PUT", "/rating", false, `{"rating":3}`, `{"rating":0}`, `{"rating":6}`, `{"rating":-1}`, `{"rating":1e9}`, `{"rating":2.5}`, `{}`, `{"rating":"4"}`)
}

func FuzzTagsBody(f *testing.F) {
	fuzzTaskBody(f, "POST", "/tags", false, `{"add":["夜景"]}`, `{"add":["a"],"remove":["b"]}`, `{"add":["a,b"]}`, `{"add":[""]}`, `{"add":["\u0001"]}`, `{"remove":[1]}`, `{}`, `{"add":"x"}`, `{"add":null,"remove":null}`)
}

func FuzzRerunBody(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"prompt":"again"}`, `{"prompt":""}`, `{"scripts":[{"scene_number":1,"description":"d","duration":2}]}`, `{"scripts":[{"scene_number":0}]}`, `{"prompt":1}`, `{"extra":true}`, `null`, `[]`} {
		f.Add([]byte(s))
	}
	e := MustOpenEnv(f)
	_, k := e.MustCreateUser("fuzz", 1<<30)
	origin := e.finishedTask(k, "the origin")
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		before := countTasks(e)
		r := e.Do("POST", "/api/v1/tasks/"+origin.TaskID+"/rerun", body, key(k))
		checkReply(t, r, body)
		grew := countTasks(e) - before
		if (r.Status == http.StatusCreated) != (grew == 1) || grew > 1 {
			t.Fatalf("status %d but %d tasks were added for %q", r.Status, grew, body)
		}
	})
}

func FuzzBulkBody(f *testing.F) {
	for _, s := range []string{`{"task_ids":["ID"],"action":"star"}`, `{"filter":{},"action":"tag","tag":"x"}`, `{"filter":{"rating":9},"action":"star"}`, `{"action":"star"}`, `{"task_ids":["ID"],"filter":{},"action":"star"}`, `{"task_ids":["ID"],"action":"rate","rating":7}`, `{"task_ids":["ID"],"action":"collect","collection":"nope"}`, `{"task_ids":["ID"],"action":"boom"}`, `{"task_ids":"ID","action":"star"}`, `{}`} {
		f.Add([]byte(s))
	}
	e := MustOpenEnv(f)
	_, k := e.MustCreateUser("fuzz", 1<<30)
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		task := e.MustCreateTask(k, "fuzzed", 1)
		body = []byte(strings.ReplaceAll(string(body), `"ID"`, `"`+task.TaskID+`"`))
		before := snap(e, task.TaskID)
		r := e.Do("POST", "/api/v1/tasks/bulk", body, key(k))
		checkReply(t, r, body)
		if r.Status >= 400 {
			if after := snap(e, task.TaskID); after != before {
				t.Fatalf("refused %q (%d) but the task changed: %+v → %+v", body, r.Status, before, after)
			}
		}
	})
}
