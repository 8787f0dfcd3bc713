package server_test

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/domain"
)

func TestServer_Users(t *testing.T) {
	e := MustOpenEnv(t)
	u, k := e.MustCreateUser("alice", 5)
	if u.Quota != 5 || !u.IsActive || !strings.HasPrefix(k, u.KeyPrefix) {
		t.Fatalf("user quota=%d active=%v key_prefix=%q", u.Quota, u.IsActive, u.KeyPrefix)
	}

	r := e.MustDo(http.StatusConflict, "POST", "/api/v1/users", map[string]any{"username": "alice"}, owner)
	if got, want := r.Err(t).Error.Code, domain.ECONFLICT; got != want {
		t.Fatalf("duplicate: code=%q, want %q", got, want)
	}
	r = e.MustDo(http.StatusBadRequest, "POST", "/api/v1/users", map[string]any{"username": ""}, owner)
	if got, want := r.Err(t).Error.Field, "username"; got != want {
		t.Fatalf("empty name: field=%q, want %q", got, want)
	}

	var list struct{ Users []*domain.User }
	e.MustDo(http.StatusOK, "GET", "/api/v1/users", nil, owner).Decode(t, &list)
	if len(list.Users) != 1 || list.Users[0].Username != "alice" {
		t.Fatalf("users=%v, want alice", list.Users)
	}
	if strings.Contains(string(e.MustDo(http.StatusOK, "GET", "/api/v1/users", nil, owner).Body), k) {
		t.Fatal("the user list shows the API key")
	}

	var got domain.User
	e.MustDo(http.StatusOK, "POST", "/api/v1/users/alice/quota", map[string]any{"quota": 50}, owner).Decode(t, &got)
	if got.Quota != 50 {
		t.Fatalf("quota=%d, want 50", got.Quota)
	}
	r = e.MustDo(http.StatusBadRequest, "POST", "/api/v1/users/alice/quota", map[string]any{"quota": -1}, owner)
	if got, want := r.Err(t).Error.Field, "quota"; got != want {
		t.Fatalf("negative quota: field=%q, want %q", got, want)
	}
	e.MustDo(http.StatusBadRequest, "POST", "/api/v1/users/alice/quota", map[string]any{}, owner)
	if u, _ := e.users.FindUserByName(domain.WithOwner(t.Context()), "alice"); u.Quota != 50 {
		t.Fatalf("refused quota changes changed it to %d", u.Quota)
	}

	e.MustDo(http.StatusOK, "POST", "/api/v1/users/alice/deactivate", nil, owner).Decode(t, &got)
	if got.IsActive {
		t.Fatal("deactivate left the user active")
	}
	e.MustDo(http.StatusNotFound, "POST", "/api/v1/users/nobody/deactivate", nil, owner)
	e.MustDo(http.StatusNotFound, "POST", "/api/v1/users/nobody/rotate-key", nil, owner)

	t.Run("Me", func(t *testing.T) {
		_, kb := e.MustCreateUser("bob", 3)
		var me struct {
			Owner bool
			User  *domain.User
		}
		e.MustDo(http.StatusOK, "GET", "/api/v1/me", nil, key(kb)).Decode(t, &me)
		if me.Owner || me.User == nil || me.User.Username != "bob" {
			t.Fatalf("me=%+v, want bob", me)
		}
	})
}

func TestServer_Stats(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 10)
	_, kb := e.MustCreateUser("bob", 10)
	a := e.MustCreateTask(ka, "one", 1)
	e.MustCreateTask(ka, "two", 1)
	e.MustCreateTask(kb, "three", 1)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+a.TaskID+"/cancel", nil, key(ka))

	type stats struct {
		Days   []*domain.DayStats
		Counts map[domain.Status]int
	}
	var s stats
	e.MustDo(http.StatusOK, "GET", "/api/v1/stats", nil, owner).Decode(t, &s)
	if len(s.Days) != 1 || s.Days[0].TotalTasks != 3 || s.Days[0].CancelledTasks != 1 {
		t.Fatalf("owner days=%+v, want one day with 3 tasks, 1 cancelled", s.Days)
	}
	if s.Counts[domain.StatusPending] != 2 || s.Counts[domain.StatusCancelled] != 1 {
		t.Fatalf("owner counts=%v", s.Counts)
	}

	s = stats{}
	e.MustDo(http.StatusOK, "GET", "/api/v1/stats", nil, key(kb)).Decode(t, &s)
	if s.Days != nil || s.Counts[domain.StatusPending] != 1 || s.Counts[domain.StatusCancelled] != 0 {
		t.Fatalf("bob's stats: days=%v counts=%v, want no days and his one pending task", s.Days, s.Counts)
	}

	today := e.clock.Now().UTC().Format(time.DateOnly)
	tomorrow := e.clock.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	s = stats{}
	e.MustDo(http.StatusOK, "GET", "/api/v1/stats?from="+today+"&to="+today, nil, owner).Decode(t, &s)
	if len(s.Days) != 1 || s.Counts[domain.StatusPending] != 2 {
		t.Fatalf("today: days=%d counts=%v", len(s.Days), s.Counts)
	}
	s = stats{}
	e.MustDo(http.StatusOK, "GET", "/api/v1/stats?from="+tomorrow, nil, owner).Decode(t, &s)
	if len(s.Days) != 0 || s.Counts[domain.StatusPending] != 0 {
		t.Fatalf("from tomorrow: days=%d counts=%v, want none", len(s.Days), s.Counts)
	}
	r := e.MustDo(http.StatusBadRequest, "GET", "/api/v1/stats?from=March", nil, owner)
	if got, want := r.Err(t).Error.Field, "from"; got != want {
		t.Fatalf("field=%q, want %q", got, want)
	}

	var st domain.DBStatus
	e.MustDo(http.StatusOK, "GET", "/api/v1/status", nil, owner).Decode(t, &st)
	if st.Engine != "sqlite" || st.SchemaVersion == 0 || st.Counts["tasks"] != 3 {
		t.Fatalf("status engine=%q schema=%d counts=%v", st.Engine, st.SchemaVersion, st.Counts)
	}
}

func TestServer_Routing(t *testing.T) {
	e := MustOpenEnv(t)
	var h struct{ Status string }
	e.MustDo(http.StatusOK, "GET", "/healthz", nil, nil).Decode(t, &h)
	if h.Status != "ok" {
		t.Fatalf("healthz status=%q", h.Status)
	}
	r := e.MustDo(http.StatusMethodNotAllowed, "DELETE", "/api/v1/tasks", nil, owner)
	if got := r.Header.Get("Allow"); !strings.Contains(got, "POST") || !strings.Contains(got, "GET") {
		t.Fatalf("Allow=%q, want GET and POST", got)
	}
	r = e.MustDo(http.StatusNotFound, "GET", "/api/v1/nothing-here", nil, owner)
	if got, want := r.Err(t).Error.Code, domain.ENOTFOUND; got != want {
		t.Fatalf("code=%q, want %q", got, want)
	}
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Fatalf("API Cache-Control=%q, want no-store", got)
	}
	// Without a backup service the backup routes say so.
	r = e.MustDo(http.StatusNotFound, "GET", "/api/v1/backups", nil, owner)
	if got, want := r.Err(t).Error.Code, domain.ENOTFOUND; got != want {
		t.Fatalf("code=%q, want %q", got, want)
	}
	// No web UI built in.
	e.MustDo(http.StatusNotFound, "GET", "/", nil, nil)
}

func TestServer_Assets(t *testing.T) {
	assets := fstest.MapFS{
		"index.html":      {Data: []byte("<!doctype html><title>Reelvault</title>")},
		"assets/app.js":   {Data: []byte("console.log('app')")},
		"assets/app.css":  {Data: []byte("body{}")},
		"favicon.svg":     {Data: []byte("<svg/>")},
		"nested/dir/x.js": {Data: []byte("x")},
	}
	e := MustOpenEnv(t, func(c *server.Config) { c.Assets = assets })
	for _, tt := range []struct {
		path   string
		status int
		want   string
	}{
		{"/", 200, "<!doctype html>"},
		{"/index.html", 200, "<!doctype html>"},
		{"/assets/app.js", 200, "console.log"},
		{"/favicon.svg", 200, "<svg/>"},
		{"/tasks/123", 200, "<!doctype html>"}, // the UI's own route
		{"/history", 200, "<!doctype html>"},
		{"/assets/missing.js", 404, ""},
		{"/../../etc/passwd", 307, ""}, // cleaned by the mux, then the UI
	} {
		r := e.MustDo(tt.status, "GET", tt.path, nil, nil)
		if !strings.HasPrefix(string(r.Body), tt.want) {
			t.Errorf("GET %s: body=%.40q, want prefix %q", tt.path, r.Body, tt.want)
		}
	}
	r := e.MustDo(http.StatusOK, "GET", "/", nil, nil)
	if got := r.Header.Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'self'") {
		t.Fatalf("index CSP=%q", got)
	}
	if got := r.Header.Get("X-Frame-Options"); got != "DENY" {
		t.Fatalf("X-Frame-Options=%q", got)
	}
	e.MustDo(http.StatusNotFound, "POST", "/", "{}", nil)
}
