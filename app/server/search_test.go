package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// TestServer_SearchErrors searches failed tasks by their error messages
// over HTTP; every result names the field it matched in with a marked
// snippet (the responses are validated against openapi.json by Do).
func TestServer_SearchErrors(t *testing.T) {
	e := MustOpenEnv(t)
	_, k := e.MustCreateUser("mia", 10)
	oom := e.MustCreateTask(k, "A night train through the mountains", 0)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+oom.TaskID+"/fail", map[string]any{"message": "CUDA error: out of memory"}, key(k))
	zh := e.MustCreateTask(k, "制作森林探险视频", 0)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+zh.TaskID+"/fail", map[string]any{"message": "显存不足"}, key(k))
	plain := e.MustCreateTask(k, "Expedition to the glacier", 0)

	for _, tt := range []struct {
		search, want, field, hit string
	}{
		{"out of memory", oom.TaskID, domain.MatchError, "memory"},
		{"显存", zh.TaskID, domain.MatchError, "显存"},
		{"expeditions", plain.TaskID, domain.MatchPrompt, "Expedition"},
	} {
		t.Run(tt.search, func(t *testing.T) {
			var page domain.TaskPage
			e.MustDo(http.StatusOK, "GET", "/api/v1/tasks?search="+url.QueryEscape(tt.search), nil, key(k)).Decode(t, &page)
			if len(page.Tasks) != 1 || page.Tasks[0].TaskID != tt.want {
				t.Fatalf("search %q found %d tasks, want %s", tt.search, len(page.Tasks), tt.want)
			}
			m := page.Tasks[0].Match
			if m == nil || m.Field != tt.field {
				t.Fatalf("search %q: match %+v, want field %s", tt.search, m, tt.field)
			}
			var marked bool
			for _, p := range m.Snippet {
				marked = marked || p.Hit && p.Text == tt.hit
			}
			if !marked {
				t.Fatalf("search %q: snippet %+v does not mark %q", tt.search, m.Snippet, tt.hit)
			}
		})
	}
}
