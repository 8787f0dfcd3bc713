package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// finishedTask creates a task with the key and fails it, so that it can be
// run again.
func (e *env) finishedTask(apiKey, prompt string) *domain.Task {
	e.t.Helper()
	t := e.MustCreateTask(apiKey, prompt, 1)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+t.TaskID+"/start", nil, key(apiKey))
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+t.TaskID+"/fail", map[string]string{"message": "CUDA out of memory"}, key(apiKey))
	return t
}

// listIDs lists the task IDs GET /api/v1/tasks answers for the query.
func (e *env) listIDs(query string, auth *Auth) []string {
	e.t.Helper()
	var page domain.TaskPage
	e.MustDo(http.StatusOK, "GET", "/api/v1/tasks?"+query, nil, auth).Decode(e.t, &page)
	ids := []string{}
	for _, t := range page.Tasks {
		ids = append(ids, t.TaskID)
	}
	return ids
}

func TestServer_LibraryStarsRatingsTags(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 100)
	a1 := e.MustCreateTask(ka, "a night forest", 1)
	a2 := e.MustCreateTask(ka, "a day forest", 1)
	task := "/api/v1/tasks/" + a1.TaskID

	var got domain.Task
	e.MustDo(http.StatusOK, "PUT", task+"/star", map[string]bool{"starred": true}, key(ka)).Decode(t, &got)
	if !got.Starred {
		t.Fatalf("after star: %+v", got)
	}
	e.MustDo(http.StatusOK, "PUT", task+"/rating", map[string]int{"rating": 4}, key(ka)).Decode(t, &got)
	if got.Rating != 4 {
		t.Fatalf("rating=%d, want 4", got.Rating)
	}
	e.MustDo(http.StatusOK, "POST", task+"/tags", map[string][]string{"add": {"夜景", "night", "draft"}}, key(ka))
	var tagged domain.Task
	e.MustDo(http.StatusOK, "POST", task+"/tags", map[string][]string{"remove": {"draft"}}, key(ka)).Decode(t, &tagged)
	slices.Sort(tagged.Tags)
	if want := []string{"night", "夜景"}; !slices.Equal(tagged.Tags, want) || !tagged.Starred || tagged.Rating != 4 {
		t.Fatalf("tagged: %+v, want tags %q, starred, rated 4", tagged, want)
	}
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+a2.TaskID+"/tags", map[string][]string{"add": {"night"}}, key(ka))

	// The filters combine with each other and with the existing ones.
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"starred=true", []string{a1.TaskID}},
		{"rating=4", []string{a1.TaskID}},
		{"rating=5", []string{}},
		{"tag=night", []string{a2.TaskID, a1.TaskID}},
		{"tag=night&tag=" + url.QueryEscape("夜景"), []string{a1.TaskID}},
		{"tag=night&starred=false&status=pending", []string{a2.TaskID, a1.TaskID}},
		{"tag=night&status=completed", []string{}},
		{"starred=true&search=forest&tag=night", []string{a1.TaskID}},
	} {
		if got := e.listIDs(c.query, key(ka)); !slices.Equal(got, c.want) {
			t.Errorf("GET /tasks?%s = %q, want %q", c.query, got, c.want)
		}
	}
	var counts map[string]int
	e.MustDo(http.StatusOK, "GET", "/api/v1/tasks/counts?tag=night&starred=true", nil, key(ka)).Decode(t, &counts)
	if counts["pending"] != 1 {
		t.Fatalf("counts=%v, want pending 1", counts)
	}

	var tags struct {
		Tags []domain.TagCount `json:"tags"`
	}
	e.MustDo(http.StatusOK, "GET", "/api/v1/tags", nil, key(ka)).Decode(t, &tags)
	if len(tags.Tags) != 2 || tags.Tags[0] != (domain.TagCount{Tag: "night", Count: 2}) {
		t.Fatalf("tags=%+v, want night (2) first", tags.Tags)
	}

	// 0 clears the rating; the owner may unstar anyone's task.
	var cleared, unstarred domain.Task
	e.MustDo(http.StatusOK, "PUT", task+"/rating", map[string]int{"rating": 0}, key(ka)).Decode(t, &cleared)
	e.MustDo(http.StatusOK, "PUT", task+"/star", map[string]bool{"starred": false}, owner).Decode(t, &unstarred)
	if cleared.Rating != 0 || unstarred.Starred || unstarred.Rating != 0 {
		t.Fatalf("after clearing: rating %d, then %+v", cleared.Rating, unstarred)
	}
}

func TestServer_LibraryTrash(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 100)
	a1 := e.MustCreateTask(ka, "first", 1)
	a2 := e.MustCreateTask(ka, "second", 1)

	var res domain.TrashResult
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/trash", map[string]any{"task_ids": []string{a1.TaskID}}, key(ka)).Decode(t, &res)
	if res.Changed != 1 {
		t.Fatalf("trash: %+v", res)
	}
	if got := e.listIDs("", key(ka)); !slices.Equal(got, []string{a2.TaskID}) {
		t.Fatalf("history after trash=%q, want only %s", got, a2.TaskID)
	}
	if got := e.listIDs("trashed=true", key(ka)); !slices.Equal(got, []string{a1.TaskID}) {
		t.Fatalf("trash=%q, want %s", got, a1.TaskID)
	}
	var counts map[string]int
	e.MustDo(http.StatusOK, "GET", "/api/v1/tasks/counts", nil, key(ka)).Decode(t, &counts)
	if counts["pending"] != 1 {
		t.Fatalf("counts after trash=%v, want pending 1", counts)
	}

	e.MustDo(http.StatusOK, "POST", "/api/v1/trash/restore", map[string]any{"task_ids": []string{a1.TaskID}}, key(ka)).Decode(t, &res)
	if res.Changed != 1 {
		t.Fatalf("restore: %+v", res)
	}
	if got := e.listIDs("", key(ka)); len(got) != 2 {
		t.Fatalf("history after restore=%q, want both", got)
	}

	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/trash", map[string]any{"task_ids": []string{a1.TaskID, a2.TaskID}}, key(ka))
	e.MustDo(http.StatusOK, "DELETE", "/api/v1/trash", nil, key(ka)).Decode(t, &res)
	if res.Changed != 2 {
		t.Fatalf("empty trash: %+v, want 2 purged", res)
	}
	if got := e.listIDs("trashed=true", key(ka)); len(got) != 0 {
		t.Fatalf("trash after emptying=%q", got)
	}
	e.MustDo(http.StatusNotFound, "GET", "/api/v1/tasks/"+a1.TaskID, nil, key(ka))
}

func TestServer_LibraryCollections(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 100)
	a1 := e.MustCreateTask(ka, "first", 1)
	a2 := e.MustCreateTask(ka, "second", 1)
	name := "Trailer v2/草稿"
	path := "/api/v1/collections/" + url.PathEscape(name)

	var c domain.Collection
	r := e.MustDo(http.StatusCreated, "POST", "/api/v1/collections", map[string]string{"name": " " + name + " "}, key(ka))
	r.Decode(t, &c)
	if c.Name != name || c.Count != 0 || r.Header.Get("Location") != path {
		t.Fatalf("created %+v at %q", c, r.Header.Get("Location"))
	}
	if e.Do("POST", "/api/v1/collections", map[string]string{"name": name}, key(ka)).Status != http.StatusConflict {
		t.Fatal("a second collection of the same name was not refused with 409")
	}

	var n struct {
		Changed int `json:"changed"`
	}
	e.MustDo(http.StatusOK, "POST", path+"/tasks", map[string]any{"task_ids": []string{a1.TaskID, a2.TaskID}}, key(ka)).Decode(t, &n)
	if n.Changed != 2 {
		t.Fatalf("added %d, want 2", n.Changed)
	}
	if got := e.listIDs("collection="+url.QueryEscape(name), key(ka)); !slices.Equal(got, []string{a2.TaskID, a1.TaskID}) {
		t.Fatalf("in the collection: %q", got)
	}
	e.MustDo(http.StatusOK, "DELETE", path+"/tasks", map[string]any{"task_ids": []string{a2.TaskID}}, key(ka)).Decode(t, &n)
	if n.Changed != 1 {
		t.Fatalf("removed %d, want 1", n.Changed)
	}
	if got := e.MustGetTask(a1.TaskID).Collections; !slices.Equal(got, []string{name}) {
		t.Fatalf("task's collections=%q", got)
	}

	e.MustDo(http.StatusOK, "PATCH", path, map[string]string{"cover_task_id": a1.TaskID}, key(ka)).Decode(t, &c)
	if c.CoverTaskID != a1.TaskID {
		t.Fatalf("cover=%q, want %s", c.CoverTaskID, a1.TaskID)
	}
	// Collections are shared: a user may fill one, only the owner rename or delete it.
	if r := e.Do("PATCH", path, map[string]string{"name": "Final"}, key(ka)); r.Status != http.StatusForbidden {
		t.Fatalf("alice renamed a shared collection: status=%d body=%s", r.Status, r.Body)
	}
	if r := e.Do("DELETE", path, nil, key(ka)); r.Status != http.StatusForbidden {
		t.Fatalf("alice deleted a shared collection: status=%d body=%s", r.Status, r.Body)
	}
	e.MustDo(http.StatusOK, "PATCH", path, map[string]string{"name": "Final"}, owner).Decode(t, &c)
	if c.Name != "Final" || c.Count != 1 {
		t.Fatalf("renamed: %+v", c)
	}
	var list struct {
		Collections []domain.Collection `json:"collections"`
	}
	e.MustDo(http.StatusOK, "GET", "/api/v1/collections", nil, key(ka)).Decode(t, &list)
	if len(list.Collections) != 1 || list.Collections[0].Name != "Final" || list.Collections[0].Count != 1 {
		t.Fatalf("collections=%+v", list.Collections)
	}
	e.MustDo(http.StatusNoContent, "DELETE", "/api/v1/collections/Final", nil, owner)
	e.MustDo(http.StatusNotFound, "DELETE", "/api/v1/collections/Final", nil, owner)
	if got := e.MustGetTask(a1.TaskID); len(got.Collections) != 0 {
		t.Fatalf("task still in a deleted collection: %q", got.Collections)
	}
}

func TestServer_LibraryBulk(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 100)
	var ids []string
	for range 3 {
		ids = append(ids, e.MustCreateTask(ka, "bulk", 1).TaskID)
	}
	var res domain.BulkResult
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/bulk", domain.BulkRequest{Selection: domain.Selection{TaskIDs: ids[:2]}, Action: domain.BulkTag, Tag: "夜景"}, key(ka)).Decode(t, &res)
	if res.Matched != 2 || res.Changed != 2 {
		t.Fatalf("bulk tag: %+v", res)
	}
	// Everything a filter matches.
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/bulk", domain.BulkRequest{Selection: domain.Selection{Filter: &domain.TaskFilter{Tags: []string{"夜景"}}}, Action: domain.BulkStar}, key(ka)).Decode(t, &res)
	if res.Matched != 2 || res.Changed != 2 {
		t.Fatalf("bulk star by filter: %+v", res)
	}
	if got := e.listIDs("starred=true", key(ka)); len(got) != 2 {
		t.Fatalf("starred=%q, want 2", got)
	}
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/bulk", map[string]any{"task_ids": ids, "action": "trash"}, key(ka)).Decode(t, &res)
	if got := e.listIDs("trashed=true", key(ka)); len(got) != 3 {
		t.Fatalf("trashed=%q, want 3", got)
	}
}

func TestServer_LibraryRerun(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 100)
	origin := e.finishedTask(ka, "a fox at dusk")

	var take domain.Task
	r := e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks/"+origin.TaskID+"/rerun", nil, key(ka))
	r.Decode(t, &take)
	if take.RerunOf != origin.TaskID || take.Status != domain.StatusPending || take.Prompt != origin.Prompt || r.Header.Get("Location") != "/api/v1/tasks/"+take.TaskID {
		t.Fatalf("rerun: %+v (Location %q)", take, r.Header.Get("Location"))
	}
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+take.TaskID+"/cancel", nil, key(ka))
	var edited domain.Task
	e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks/"+origin.TaskID+"/rerun", map[string]any{"prompt": "a fox at dawn"}, key(ka)).Decode(t, &edited)
	if edited.Prompt != "a fox at dawn" || edited.RerunOf != origin.TaskID {
		t.Fatalf("edited rerun: %+v", edited)
	}
	// A pending task cannot be run again.
	if got := e.Do("POST", "/api/v1/tasks/"+edited.TaskID+"/rerun", nil, key(ka)); got.Status != http.StatusConflict {
		t.Fatalf("rerun of a pending task: status=%d, want 409", got.Status)
	}

	var takes struct {
		Tasks []domain.Task `json:"tasks"`
	}
	e.MustDo(http.StatusOK, "GET", "/api/v1/tasks/"+edited.TaskID+"/takes", nil, key(ka)).Decode(t, &takes)
	var got []string
	for _, t := range takes.Tasks {
		got = append(got, t.TaskID)
	}
	if want := []string{origin.TaskID, take.TaskID, edited.TaskID}; !slices.Equal(got, want) {
		t.Fatalf("takes=%q, want %q", got, want)
	}
}

// A user's API key cannot see or change another user's task through the
// library: each answer is 404, as if the task did not exist, and nothing
// changes.
func TestServer_LibraryOtherUser(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 100)
	_, kb := e.MustCreateUser("bob", 100)
	a := e.finishedTask(ka, "alice's")
	e.MustDo(http.StatusCreated, "POST", "/api/v1/collections", map[string]string{"name": "bob's"}, key(kb))
	task := "/api/v1/tasks/" + a.TaskID
	ids := map[string]any{"task_ids": []string{a.TaskID}}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"PUT", task + "/star", map[string]bool{"starred": true}},
		{"PUT", task + "/rating", map[string]int{"rating": 5}},
		{"POST", task + "/tags", map[string][]string{"add": {"mine"}}},
		{"POST", task + "/rerun", nil},
		{"GET", task + "/takes", nil},
		{"POST", "/api/v1/tasks/trash", ids},
		{"POST", "/api/v1/trash/restore", ids},
		{"POST", "/api/v1/collections/bob's/tasks", ids},
		{"PATCH", "/api/v1/collections/bob's", map[string]string{"cover_task_id": a.TaskID}},
	} {
		r := e.Do(c.method, c.path, c.body, key(kb))
		if r.Status != http.StatusNotFound || r.Err(t).Error.Code != domain.ENOTFOUND {
			t.Errorf("bob %s %s: status=%d body=%s, want 404", c.method, c.path, r.Status, r.Body)
		}
	}
	var res domain.BulkResult
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/bulk", map[string]any{"filter": map[string]any{}, "action": "star"}, key(kb)).Decode(t, &res)
	if res.Matched != 0 {
		t.Fatalf("bob's bulk star of everything matched %d, want none of alice's", res.Matched)
	}
	got := e.MustGetTask(a.TaskID)
	if got.Starred || got.Rating != 0 || len(got.Tags) != 0 || got.TrashedAt != nil || len(got.Collections) != 0 {
		t.Fatalf("bob changed alice's task: %+v", got)
	}
	if got := e.listIDs("", key(ka)); len(got) != 1 {
		t.Fatalf("alice's tasks=%q: bob's refused rerun created one", got)
	}
}

// Bad input is refused with 400 naming the field, and changes nothing.
func TestServer_LibraryInvalidInput(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 100)
	a := e.MustCreateTask(ka, "a task", 1)
	task := "/api/v1/tasks/" + a.TaskID
	long := make([]byte, domain.MaxTagChars+1)
	for i := range long {
		long[i] = 'x'
	}
	for _, c := range []struct {
		method, path string
		body         any
		field        string
	}{
		{"PUT", task + "/star", map[string]any{}, "starred"},
		{"PUT", task + "/star", map[string]any{"starred": "yes"}, "starred"},
		{"PUT", task + "/rating", map[string]int{"rating": 6}, "rating"},
		{"PUT", task + "/rating", map[string]int{"rating": -1}, "rating"},
		{"PUT", task + "/rating", map[string]any{}, "rating"},
		{"POST", task + "/tags", map[string][]string{"add": {"a,b"}}, "tag"},
		{"POST", task + "/tags", map[string][]string{"add": {"  "}}, "tag"},
		{"POST", task + "/tags", map[string][]string{"add": {string(long)}}, "tag"},
		{"POST", task + "/tags", map[string]any{}, "add"},
		{"POST", task + "/tags", map[string]any{"add": []string{"x"}, "colour": "red"}, "colour"},
		{"POST", "/api/v1/tasks/trash", map[string]any{"task_ids": []string{}}, "task_ids"},
		{"POST", "/api/v1/tasks/trash", map[string]any{"task_ids": a.TaskID}, "task_ids"},
		{"POST", "/api/v1/trash/restore", map[string]any{}, "task_ids"},
		{"POST", "/api/v1/collections", map[string]string{"name": " "}, "name"},
		{"POST", "/api/v1/collections", map[string]string{"name": "a\x01b"}, "name"},
		{"PATCH", "/api/v1/collections/x", map[string]any{}, "name"},
		{"POST", "/api/v1/collections/x/tasks", map[string]any{"task_ids": []string{}}, "task_ids"},
		{"POST", "/api/v1/tasks/bulk", map[string]any{"action": "star"}, "task_ids"},
		{"POST", "/api/v1/tasks/bulk", map[string]any{"task_ids": []string{a.TaskID}, "action": "explode"}, "action"},
		{"POST", "/api/v1/tasks/bulk", map[string]any{"task_ids": []string{a.TaskID}, "filter": map[string]any{}, "action": "star"}, "filter"},
		{"POST", "/api/v1/tasks/bulk", map[string]any{"task_ids": []string{a.TaskID}, "action": "rate", "rating": 9}, "rating"},
		{"POST", "/api/v1/tasks/bulk", map[string]any{"task_ids": []string{a.TaskID}, "action": "tag", "tag": ""}, "tag"},
		{"POST", "/api/v1/tasks/bulk", map[string]any{"task_ids": []string{a.TaskID}, "action": "collect", "collection": ""}, "collection"},
		{"POST", "/api/v1/tasks/bulk", map[string]any{"filter": map[string]any{"rating": 7}, "action": "star"}, "rating"},
		{"POST", task + "/rerun", map[string]any{"prompt": 5}, "prompt"},
	} {
		r := e.Do(c.method, c.path, c.body, key(ka))
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s %s %v: status=%d body=%s, want 400", c.method, c.path, c.body, r.Status, r.Body)
			continue
		}
		if got := r.Err(t).Error; got.Code != domain.EINVALID || got.Field != c.field {
			t.Errorf("%s %s %v: error %+v, want invalid naming %q", c.method, c.path, c.body, got, c.field)
		}
	}
	for _, c := range []struct{ query, field string }{
		{"starred=maybe", "starred"},
		{"trashed=2", "trashed"},
		{"rating=0", "rating"},
		{"rating=6", "rating"},
		{"rating=x", "rating"},
		{"tag=", "tag"},
		{"tag=a%2Cb", "tag"},
		{"collection=", "collection"},
		{"colour=red", "colour"},
	} {
		for _, path := range []string{"/api/v1/tasks?", "/api/v1/tasks/counts?"} {
			r := e.Do("GET", path+c.query, nil, key(ka))
			if r.Status != http.StatusBadRequest || r.Err(t).Error.Field != c.field {
				t.Errorf("GET %s%s: status=%d body=%s, want 400 naming %q", path, c.query, r.Status, r.Body, c.field)
			}
		}
	}
	tooMany := "/api/v1/tasks?"
	for i := 0; i <= domain.MaxTagsPerTask; i++ {
		tooMany += "tag=t&"
	}
	if r := e.Do("GET", tooMany, nil, key(ka)); r.Status != http.StatusBadRequest || r.Err(t).Error.Field != "tag" {
		t.Errorf("%d tag filters: status=%d body=%s, want 400 naming tag", domain.MaxTagsPerTask+1, r.Status, r.Body)
	}

	got := e.MustGetTask(a.TaskID)
	if got.Starred || got.Rating != 0 || len(got.Tags) != 0 || got.TrashedAt != nil {
		t.Fatalf("refused input changed the task: %+v", got)
	}
	if got := e.listIDs("", key(ka)); len(got) != 1 {
		t.Fatalf("tasks=%q, want the one", got)
	}
}

// The library's notifications reach the owner whole, and a user only for
// its own tasks: a change to many tasks arrives with the user's task IDs
// only; a collection change arrives bare.
func TestServer_LibraryEvents(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 100)
	_, kb := e.MustCreateUser("bob", 100)
	a := e.MustCreateTask(ka, "alice's", 1)
	b := e.MustCreateTask(kb, "bob's", 1)
	ownerStream := openStream(t, e, owner, "")
	bobStream := openStream(t, e, key(kb), "")

	e.hub.Notify(domain.Notification{Type: domain.NotifyLibrary, TaskID: a.TaskID})
	e.hub.Notify(domain.Notification{Type: domain.NotifyTrash, Data: []string{a.TaskID, b.TaskID}})
	e.hub.Notify(domain.Notification{Type: domain.NotifyTrash, Data: []string{a.TaskID}})
	e.hub.Notify(domain.Notification{Type: domain.NotifyCollection, Data: map[string]string{"name": "alice's secret"}})
	e.hub.Notify(domain.Notification{Type: domain.NotifyLibrary, TaskID: b.TaskID})
	e.hub.Notify(domain.Notification{Type: domain.NotifyLibrary, Data: []any{b.TaskID, 7}})
	e.hub.Notify(domain.Notification{Type: domain.NotifyTrash})

	for _, want := range []string{domain.NotifyLibrary, domain.NotifyTrash, domain.NotifyTrash, domain.NotifyCollection, domain.NotifyLibrary, domain.NotifyLibrary, domain.NotifyTrash} {
		if ev := next(t, ownerStream); ev.Event != want {
			t.Fatalf("owner got %q, want %q", ev.Event, want)
		}
	}
	ev := next(t, bobStream)
	if ev.Event != domain.NotifyTrash || ev.Data.TaskID != "" {
		t.Fatalf("bob got %+v, want the trash change with his task only", ev)
	}
	if ids, _ := ev.Data.Data.([]any); len(ids) != 1 || ids[0] != b.TaskID {
		t.Fatalf("bob's trash change carries %v, want only [%s]", ev.Data.Data, b.TaskID)
	}
	if ev := next(t, bobStream); ev.Event != domain.NotifyCollection || ev.Data.Data != nil {
		t.Fatalf("bob got %+v, want a bare collection change", ev)
	}
	if ev := next(t, bobStream); ev.Event != domain.NotifyLibrary || ev.Data.TaskID != b.TaskID {
		t.Fatalf("bob got %+v, want his own library change", ev)
	}
	// Data that is not a list of IDs hides the change; a change to tasks
	// it does not name arrives bare.
	if ev := next(t, bobStream); ev.Event != domain.NotifyTrash || ev.Data.Data != nil || ev.Data.TaskID != "" {
		t.Fatalf("bob got %+v, want a bare trash change", ev)
	}

	// A real change reaches the stream.
	e.MustDo(http.StatusOK, "PUT", "/api/v1/tasks/"+b.TaskID+"/star", map[string]bool{"starred": true}, key(kb))
	for {
		ev := next(t, bobStream)
		if ev.Event == domain.NotifyLibrary && (ev.Data.TaskID == b.TaskID || ev.Data.Data != nil) {
			break
		}
	}
}

// The trash retention: everyone reads it, the owner sets it within 1–3650
// days; bad input is refused naming the field and changes nothing.
func TestServer_LibraryTrashRetention(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 100)
	var got domain.TrashSettings
	e.MustDo(http.StatusOK, "GET", "/api/v1/trash/retention", nil, key(ka)).Decode(t, &got)
	if got.RetentionDays != 30 {
		t.Fatalf("default retention=%d days, want 30", got.RetentionDays)
	}
	e.MustDo(http.StatusOK, "PUT", "/api/v1/trash/retention", map[string]int{"trash_retention_days": 7}, owner).Decode(t, &got)
	if got.RetentionDays != 7 {
		t.Fatalf("retention after PUT=%d days, want 7", got.RetentionDays)
	}
	for _, body := range []string{`{}`, `{"trash_retention_days":0}`, `{"trash_retention_days":3651}`, `{"trash_retention_days":2.5}`, `{"trash_retention_days":"7"}`} {
		r := e.MustDo(http.StatusBadRequest, "PUT", "/api/v1/trash/retention", body, owner)
		if eb := r.Err(t); eb.Error.Code != "invalid" || eb.Error.Field != "trash_retention_days" {
			t.Fatalf("PUT %s: %+v, want invalid naming trash_retention_days", body, eb.Error)
		}
	}
	e.MustDo(http.StatusForbidden, "PUT", "/api/v1/trash/retention", map[string]int{"trash_retention_days": 9}, key(ka))
	e.MustDo(http.StatusOK, "GET", "/api/v1/trash/retention", nil, owner).Decode(t, &got)
	if got.RetentionDays != 7 {
		t.Fatalf("retention after refused changes=%d days, want 7", got.RetentionDays)
	}
	e.MustDo(http.StatusOK, "PUT", "/api/v1/trash/retention", map[string]int{"trash_retention_days": 3650}, owner).Decode(t, &got)
	if got.RetentionDays != 3650 {
		t.Fatalf("retention at the upper bound=%d days, want 3650", got.RetentionDays)
	}
}
