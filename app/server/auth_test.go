package server_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/domain"
)

func TestServer_AuthMatrix(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 10)
	_, kb := e.MustCreateUser("bob", 10)
	_, kd := e.MustCreateUser("dan", 10)
	task := e.MustCreateTask(ka, "alice's task", 1)
	e.MustDo(http.StatusOK, "POST", "/api/v1/users/dan/deactivate", nil, owner)
	taskPath := "/api/v1/tasks/" + task.TaskID
	host := strings.TrimPrefix(e.ts.URL, "http://")

	for _, tt := range []struct {
		name         string
		method, path string
		body         any
		auth         *Auth
		status       int
		code         string
	}{
		{"NoKey", "GET", taskPath, nil, nil, 401, domain.EUNAUTHORIZED},
		{"BadKey", "GET", taskPath, nil, key("rv_not-a-real-key"), 401, domain.EUNAUTHORIZED},
		{"NotBearer", "GET", taskPath, nil, &Auth{Headers: map[string]string{"Authorization": "Basic YWxpY2U6eA=="}}, 401, domain.EUNAUTHORIZED},
		{"OwnKey", "GET", taskPath, nil, key(ka), 200, ""},
		{"OtherUsersTask", "GET", taskPath, nil, key(kb), 404, domain.ENOTFOUND},
		{"OtherUsersTaskWrite", "POST", taskPath + "/cancel", nil, key(kb), 404, domain.ENOTFOUND},
		{"DeactivatedUser", "GET", "/api/v1/tasks", nil, key(kd), 403, domain.EFORBIDDEN},
		{"APIKeyOnOwnerRoute", "GET", "/api/v1/users", nil, key(ka), 403, domain.EFORBIDDEN},
		{"APIKeyCreatesUser", "POST", "/api/v1/users", map[string]any{"username": "mallory"}, key(ka), 403, domain.EFORBIDDEN},
		{"APIKeyOnStatus", "GET", "/api/v1/status", nil, key(ka), 403, domain.EFORBIDDEN},
		{"APIKeyOnBackups", "GET", "/api/v1/backups", nil, key(ka), 403, domain.EFORBIDDEN},
		{"OwnerSeesAll", "GET", taskPath, nil, owner, 200, ""},
		{"BadSession", "GET", "/api/v1/users", nil, &Auth{Headers: map[string]string{"Cookie": server.SessionCookie + "=forged"}}, 401, domain.EUNAUTHORIZED},
		{"ForeignHost", "GET", "/healthz", nil, &Auth{Headers: map[string]string{"Host": "evil.example:80"}}, 403, domain.EFORBIDDEN},
		{"ForeignHostWithKey", "GET", taskPath, nil, &Auth{Key: ka, Headers: map[string]string{"Host": "rebind.attacker.test"}}, 403, domain.EFORBIDDEN},
		{"LocalhostHost", "GET", "/healthz", nil, &Auth{Headers: map[string]string{"Host": "localhost:7788"}}, 200, ""},
		{"ForeignOrigin", "POST", "/api/v1/users", map[string]any{"username": "mallory"}, &Auth{Owner: true, Headers: map[string]string{"Origin": "https://evil.example"}}, 403, domain.EFORBIDDEN},
		{"ForeignOriginOtherPort", "POST", taskPath + "/cancel", nil, &Auth{Key: ka, Headers: map[string]string{"Origin": "http://127.0.0.1:1"}}, 403, domain.EFORBIDDEN},
		{"NullOrigin", "POST", taskPath + "/cancel", nil, &Auth{Key: ka, Headers: map[string]string{"Origin": "null"}}, 403, domain.EFORBIDDEN},
		{"CrossSiteFetch", "POST", taskPath + "/cancel", nil, &Auth{Key: ka, Headers: map[string]string{"Sec-Fetch-Site": "cross-site"}}, 403, domain.EFORBIDDEN},
		{"ForeignOriginOnRead", "GET", "/api/v1/me", nil, &Auth{Key: ka, Headers: map[string]string{"Origin": "https://evil.example"}}, 200, ""},
		{"SameOrigin", "POST", "/api/v1/users", map[string]any{"username": "grace"}, &Auth{Owner: true, Headers: map[string]string{"Origin": "http://" + host}}, 201, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.MustDo(tt.status, tt.method, tt.path, tt.body, tt.auth)
			if tt.code != "" {
				if got, want := r.Err(t).Error.Code, tt.code; got != want {
					t.Fatalf("code=%q, want %q", got, want)
				}
			}
			if tt.status == 401 && r.Header.Get("WWW-Authenticate") == "" && tt.name != "BadSession" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}

	// Nothing the refused requests tried happened.
	if got := e.MustGetTask(task.TaskID).Status; got != domain.StatusPending {
		t.Fatalf("alice's task status=%q after refused cancels, want pending", got)
	}
	if _, err := e.users.FindUserByName(domain.WithOwner(t.Context()), "mallory"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("mallory: err=%v, want not_found", err)
	}

	t.Run("DeactivationStopsKeyAtOnce", func(t *testing.T) {
		e.MustDo(http.StatusOK, "GET", "/api/v1/me", nil, key(kb))
		e.MustDo(http.StatusOK, "POST", "/api/v1/users/bob/deactivate", nil, owner)
		e.MustDo(http.StatusForbidden, "GET", "/api/v1/me", nil, key(kb))
		e.MustDo(http.StatusOK, "POST", "/api/v1/users/bob/activate", nil, owner)
		e.MustDo(http.StatusOK, "GET", "/api/v1/me", nil, key(kb))
	})

	t.Run("RotatedKeyStopsAtOnce", func(t *testing.T) {
		var out struct {
			APIKey string `json:"api_key"`
		}
		e.MustDo(http.StatusOK, "POST", "/api/v1/users/bob/rotate-key", nil, owner).Decode(t, &out)
		e.MustDo(http.StatusUnauthorized, "GET", "/api/v1/me", nil, key(kb))
		e.MustDo(http.StatusOK, "GET", "/api/v1/me", nil, key(out.APIKey))
	})
}

func TestServer_RateLimit(t *testing.T) {
	e := MustOpenEnv(t)
	_, k := e.MustCreateUser("alice", 10)
	// An ended session (a tab left open) is refused but uses none of the
	// client's failures: the key guesses below still get their full burst.
	for i := 0; i < 3*server.FailedAuthBurst; i++ {
		e.MustDo(http.StatusUnauthorized, "GET", "/api/v1/me", nil, &Auth{Headers: map[string]string{"Cookie": server.SessionCookie + "=ended"}})
	}
	for i := 0; i < server.FailedAuthBurst; i++ {
		e.MustDo(http.StatusUnauthorized, "GET", "/api/v1/me", nil, key("rv_guess"))
	}
	r := e.MustDo(http.StatusTooManyRequests, "GET", "/api/v1/me", nil, key("rv_guess"))
	if got, want := r.Err(t).Error.Code, server.ERATELIMITED; got != want {
		t.Fatalf("code=%q, want %q", got, want)
	}
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Token guesses and forged sessions from the same address are limited too.
	e.MustDo(http.StatusTooManyRequests, "POST", "/api/v1/session", map[string]string{"token": "guess"}, nil)
	e.MustDo(http.StatusTooManyRequests, "GET", "/api/v1/users", nil, &Auth{Headers: map[string]string{"Cookie": server.SessionCookie + "=forged"}})

	// Right credentials still work: other pipelines on this machine share
	// the address and must not be locked out by one that keeps failing.
	e.MustDo(http.StatusOK, "GET", "/api/v1/me", nil, key(k))
	e.MustDo(http.StatusOK, "GET", "/api/v1/me", nil, owner)

	// Failures earn one more try every FailedAuthEvery.
	e.clock.Advance(server.FailedAuthEvery)
	e.MustDo(http.StatusUnauthorized, "GET", "/api/v1/me", nil, key("rv_guess"))
	e.MustDo(http.StatusTooManyRequests, "GET", "/api/v1/me", nil, key("rv_guess"))
}

func TestServer_OwnerSession(t *testing.T) {
	e := MustOpenEnv(t)

	t.Run("TokenIsOneTime", func(t *testing.T) {
		tok := e.srv.OwnerToken()
		e.MustDo(http.StatusNoContent, "POST", "/api/v1/session", map[string]string{"token": tok}, nil)
		r := e.MustDo(http.StatusUnauthorized, "POST", "/api/v1/session", map[string]string{"token": tok}, nil)
		if got, want := r.Err(t).Error.Code, domain.EUNAUTHORIZED; got != want {
			t.Fatalf("code=%q, want %q", got, want)
		}
		if e.srv.OwnerToken() == tok {
			t.Fatal("token not rotated after use")
		}
	})

	t.Run("LinkSetsCookieAndRedirects", func(t *testing.T) {
		r := e.MustDo(http.StatusSeeOther, "GET", "/?token="+e.srv.OwnerToken(), nil, nil)
		if got, want := r.Header.Get("Location"), "/"; got != want {
			t.Fatalf("Location=%q, want %q", got, want)
		}
		var c *http.Cookie
		for _, x := range r.Cookies {
			if x.Name == server.SessionCookie {
				c = x
			}
		}
		if c == nil {
			t.Fatal("no session cookie")
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" {
			t.Fatalf("cookie HttpOnly=%v SameSite=%v Path=%q, want HttpOnly, Strict, /", c.HttpOnly, c.SameSite, c.Path)
		}
		var me struct{ Owner bool }
		e.MustDo(http.StatusOK, "GET", "/api/v1/me", nil, &Auth{Headers: map[string]string{"Cookie": c.Name + "=" + c.Value}}).Decode(t, &me)
		if !me.Owner {
			t.Fatal("session cookie does not sign in the owner")
		}
		if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Fatalf("Referrer-Policy=%q, want no-referrer (the token is in the URL)", got)
		}
	})

	t.Run("SignOut", func(t *testing.T) {
		var session string
		r := e.MustDo(http.StatusNoContent, "POST", "/api/v1/session", map[string]string{"token": e.srv.OwnerToken()}, nil)
		for _, c := range r.Cookies {
			if c.Name == server.SessionCookie {
				session = c.Value
			}
		}
		a := &Auth{Headers: map[string]string{"Cookie": server.SessionCookie + "=" + session}}
		e.MustDo(http.StatusOK, "GET", "/api/v1/users", nil, a)
		e.MustDo(http.StatusNoContent, "DELETE", "/api/v1/session", nil, a)
		e.MustDo(http.StatusUnauthorized, "GET", "/api/v1/users", nil, a)
	})

	t.Run("SessionExpires", func(t *testing.T) {
		e.clock.Advance(server.DefaultSessionTTL + 1)
		e.MustDo(http.StatusUnauthorized, "GET", "/api/v1/users", nil, owner)
	})
}

func TestServer_TokenFile(t *testing.T) {
	e := MustOpenEnv(t)
	// The file is written by Serve; run one on a free loopback port.
	srv := server.New(server.Config{Tasks: e.tasks, Users: e.users, DataDir: e.dataDir, Addr: "127.0.0.1:0"})
	ln, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(t.Context(), ln) }()
	path := filepath.Join(e.dataDir, server.TokenFile)
	waitFor(t, func() bool { _, err := os.Stat(path); return err == nil })

	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Fatalf("token file mode=%v, want %v", got, want)
	}
	data, _ := os.ReadFile(path)
	if got, want := strings.TrimSpace(string(data)), srv.OwnerToken(); got != want {
		t.Fatalf("token file holds %q, want the current token", got)
	}
	if u := srv.OwnerURL(); !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/?token="+srv.OwnerToken()) {
		t.Fatalf("OwnerURL=%q", u)
	}

	// Using the token rotates it and the file follows.
	old := srv.OwnerToken()
	resp, err := http.Post(srv.URL()+"/api/v1/session", "application/json", strings.NewReader(`{"token":"`+old+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("exchange: status=%d", resp.StatusCode)
	}
	data, _ = os.ReadFile(path)
	if got := strings.TrimSpace(string(data)); got == old || got != srv.OwnerToken() {
		t.Fatalf("token file not rotated: %q (old %q, current %q)", got, old, srv.OwnerToken())
	}

	if err := srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve returned %v after Shutdown, want nil", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("token file left after shutdown: %v", err)
	}
}

func TestCheckAddr(t *testing.T) {
	for _, tt := range []struct {
		addr   string
		remote bool
		ok     bool
	}{
		{"127.0.0.1:7788", false, true},
		{"localhost:7788", false, true},
		{"[::1]:7788", false, true},
		{"0.0.0.0:7788", false, false},
		{":7788", false, false},
		{"192.168.1.5:7788", false, false},
		{"0.0.0.0:7788", true, true},
		{"7788", false, false},
	} {
		err := server.CheckAddr(tt.addr, tt.remote)
		if got := err == nil; got != tt.ok {
			t.Errorf("CheckAddr(%q, %v)=%v, want ok=%v", tt.addr, tt.remote, err, tt.ok)
		}
		if err != nil {
			if got, want := domain.ErrorField(err), "addr"; got != want {
				t.Errorf("CheckAddr(%q): field=%q, want %q", tt.addr, got, want)
			}
		}
	}
}

func TestServer_HostCheck(t *testing.T) {
	e := MustOpenEnv(t)
	for _, tt := range []struct {
		name   string
		cfg    server.Config
		host   string
		status int
	}{
		{"Loopback4", server.Config{}, "127.0.0.1:7788", 200},
		{"Loopback6", server.Config{}, "[::1]:7788", 200},
		{"Localhost", server.Config{}, "localhost", 200},
		{"LocalhostDot", server.Config{}, "localhost.:7788", 200},
		{"Subdomain", server.Config{}, "evil.localhost.attacker.test:7788", 403},
		{"LANIPWithoutRemote", server.Config{}, "192.168.1.5:7788", 403},
		{"Empty", server.Config{}, "", 403},
		{"ConfiguredHost", server.Config{Addr: "10.0.0.2:7788", AllowRemote: true}, "10.0.0.2:7788", 200},
		{"OtherIPOnSpecificBind", server.Config{Addr: "10.0.0.2:7788", AllowRemote: true}, "10.0.0.3:7788", 403},
		{"IPOnWildcardBind", server.Config{Addr: "0.0.0.0:7788", AllowRemote: true}, "192.168.1.5:7788", 200},
		{"NameOnWildcardBind", server.Config{Addr: "0.0.0.0:7788", AllowRemote: true}, "rebind.attacker.test:7788", 403},
		{"AllowedHost", server.Config{Addr: "0.0.0.0:7788", AllowRemote: true, AllowedHosts: []string{"studio.lan"}}, "studio.lan:7788", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Tasks, cfg.Users = e.tasks, e.users
			h := server.New(cfg).Handler()
			req := httptest.NewRequest("GET", "/healthz", nil)
			req.Host = tt.host
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("Host %q: status=%d, want %d", tt.host, rec.Code, tt.status)
			}
		})
	}
}

// A server that shuts down leaves alone a token file that is not its own:
// another server's owner token must never be deleted by another process.
func TestServer_TokenFile_OthersKept(t *testing.T) {
	e := MustOpenEnv(t)
	srv := server.New(server.Config{Tasks: e.tasks, Users: e.users, DataDir: e.dataDir, Addr: "127.0.0.1:0"})
	ln, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(t.Context(), ln) }()
	path := filepath.Join(e.dataDir, server.TokenFile)
	// Serve rewrites the file before it answers: wait for an answer.
	waitFor(t, func() bool {
		resp, err := http.Get(srv.URL() + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if err := os.WriteFile(path, []byte("another server's token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	<-done
	if b, err := os.ReadFile(path); err != nil || string(b) != "another server's token\n" {
		t.Fatalf("token file after shutdown: %q, %v; want the other server's token kept", b, err)
	}
}
