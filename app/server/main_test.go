package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/hub"
	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/app/server/internal/apitest"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// routesHit records the routes the tests called.
var routesHit sync.Map

// recordRoutes notes the route of every request before serving it.
func recordRoutes(srv *server.Server, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt, ok := srv.Match(r); ok {
			routesHit.Store(rt.Method+" "+rt.Pattern, true)
		}
		next.ServeHTTP(w, r)
	})
}

// TestMain runs the tests and, when the whole suite ran and passed, fails if
// some route was never called: every route has an HTTP-level test. The
// backup routes are exercised in package backupapi, which checks them.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
		srv := server.New(server.Config{})
		var missing []string
		for _, rt := range srv.Routes() {
			k := rt.Method + " " + rt.Pattern
			if _, ok := routesHit.Load(k); !ok && rt.Tag != "backups" {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			fmt.Fprintf(os.Stderr, "FAIL: routes no test called:\n  %s\n", strings.Join(missing, "\n  "))
			code = 1
		}
	}
	os.Exit(code)
}

// clock is a settable time source shared by the store and the server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a server on a real store file, reached over real loopback HTTP.
type env struct {
	t      testing.TB
	db     *store.DB
	hub    *hub.Hub
	clock  *clock
	tasks  domain.TaskService
	users  domain.UserService
	srv    *server.Server
	ts     *httptest.Server
	client *http.Client
	// session is the owner session cookie value.
	session string
	dataDir string
}

// envOption adjusts the server config before New.
type envOption func(*server.Config)

// MustOpenEnv starts a server on a new database in a temporary folder and
// signs in as the owner. Everything is closed when the test ends.
func MustOpenEnv(tb testing.TB, opts ...envOption) *env {
	tb.Helper()
	dir := tb.TempDir()
	e := &env{t: tb, hub: hub.New(), dataDir: dir, clock: &clock{t: time.Now().UTC()}}
	e.db = store.NewDB(filepath.Join(dir, "reelvault.db"))
	e.db.Notifier = e.hub
	e.db.Now = e.clock.Now
	if err := e.db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := e.db.Close(); err != nil {
			tb.Error(err)
		}
	})
	tasks := store.NewTaskService(e.db)
	tasks.Media = store.NewMediaService(e.db, dir)
	tasks.Posters = store.NewPosterCache(filepath.Join(dir, "posters"))
	tasks.Posters.Notifier = e.hub
	e.tasks = tasks
	e.users = store.NewUserService(e.db)
	library := store.NewLibraryService(e.db)
	library.Media = tasks.Media
	cfg := server.Config{
		Library: library,
		Media:   tasks.Media,
		Tasks:   e.tasks,
		Users:   e.users,
		Stats:   store.NewStatsService(e.db),
		Hub:     e.hub,
		DataDir: dir,
		Now:     e.clock.Now,
		// Owner sessions are kept in the store, as serve keeps them.
		Sessions: store.NewSessionService(e.db),
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.srv = server.New(cfg)
	e.ts = httptest.NewServer(recordRoutes(e.srv, e.srv.Handler()))
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.srv.Shutdown(ctx)
		e.ts.Close()
	})
	e.client = e.ts.Client()
	// Every request and response of every test is checked against
	// openapi.json by kin-openapi.
	e.client.Transport = apitest.Transport(func() testing.TB { return e.t }, e.srv, e.client.Transport)
	e.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	resp := e.Do("POST", "/api/v1/session", map[string]string{"token": e.srv.OwnerToken()}, nil)
	if resp.Status != http.StatusNoContent {
		tb.Fatalf("owner sign-in: status=%d body=%s", resp.Status, resp.Body)
	}
	for _, c := range resp.Cookies {
		if c.Name == server.SessionCookie {
			e.session = c.Value
		}
	}
	if e.session == "" {
		tb.Fatal("owner sign-in set no session cookie")
	}
	return e
}

// Response is a finished HTTP exchange.
type Response struct {
	Status  int
	Header  http.Header
	Body    []byte
	Cookies []*http.Cookie
}

// Decode unmarshals the body into v, failing the test on bad JSON.
func (r *Response) Decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// ErrorBody is the API's error shape.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// Err decodes an error body.
func (r *Response) Err(tb testing.TB) ErrorBody {
	tb.Helper()
	var e ErrorBody
	r.Decode(tb, &e)
	if e.Error.Code == "" || e.Error.Message == "" {
		tb.Fatalf("error body without code or message: %s", r.Body)
	}
	return e
}

// Auth says how a request authenticates.
type Auth struct {
	Key     string // API key, sent as Bearer
	Owner   bool   // send the owner session cookie
	Headers map[string]string
}

// owner is the Auth of the signed-in owner.
var owner = &Auth{Owner: true}

// key returns the Auth of an API key.
func key(k string) *Auth { return &Auth{Key: k} }

// Do sends a request. body may be nil, a []byte / string (sent as is) or a
// value encoded as JSON.
func (e *env) Do(method, path string, body any, auth *Auth) *Response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != nil {
		if auth.Key != "" {
			req.Header.Set("Authorization", "Bearer "+auth.Key)
		}
		if auth.Owner {
			req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: e.session})
		}
		for k, v := range auth.Headers {
			if k == "Host" {
				req.Host = v
				continue
			}
			req.Header.Set(k, v)
		}
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data, Cookies: resp.Cookies()}
}

// MustDo sends a request and fails the test unless the status is want.
func (e *env) MustDo(want int, method, path string, body any, auth *Auth) *Response {
	e.t.Helper()
	r := e.Do(method, path, body, auth)
	if r.Status != want {
		e.t.Fatalf("%s %s: status=%d, want %d; body=%s", method, path, r.Status, want, r.Body)
	}
	return r
}

// MustCreateUser creates a user through the API and returns it with its key.
func (e *env) MustCreateUser(name string, quota int) (*domain.User, string) {
	e.t.Helper()
	var out struct {
		User   *domain.User `json:"user"`
		APIKey string       `json:"api_key"`
	}
	e.MustDo(http.StatusCreated, "POST", "/api/v1/users", map[string]any{"username": name, "quota": quota}, owner).Decode(e.t, &out)
	if !strings.HasPrefix(out.APIKey, domain.APIKeyPrefix) {
		e.t.Fatalf("api_key=%q, want prefix %q", out.APIKey, domain.APIKeyPrefix)
	}
	return out.User, out.APIKey
}

// MustCreateTask creates a task through the API with the given key.
func (e *env) MustCreateTask(apiKey, prompt string, scenes int) *domain.Task {
	e.t.Helper()
	var t domain.Task
	e.MustDo(http.StatusCreated, "POST", "/api/v1/tasks", map[string]any{"prompt": prompt, "total_scenes": scenes}, key(apiKey)).Decode(e.t, &t)
	return &t
}

// MustGetTask reads a task straight from the store as the owner.
func (e *env) MustGetTask(taskID string) *domain.Task {
	e.t.Helper()
	t, err := e.tasks.FindTaskByID(domain.WithOwner(context.Background()), taskID)
	if err != nil {
		e.t.Fatal(err)
	}
	return t
}

// waitFor polls cond until it holds or ten seconds pass (a loaded CI
// machine can be slow; only a failure waits that long).
func waitFor(tb testing.TB, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// startServing runs a second server on e's services with a real listener,
// Serve's background loops and http.Server timeouts, and stops it when the
// test ends.
func startServing(tb testing.TB, e *env, opts ...envOption) *server.Server {
	tb.Helper()
	cfg := server.Config{
		Tasks: e.tasks, Users: e.users, Stats: store.NewStatsService(e.db), Hub: e.hub,
		Addr: "127.0.0.1:0", Now: e.clock.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv := server.New(cfg)
	ln, err := srv.Listen()
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			tb.Error(err)
		}
		if err := <-done; err != nil {
			tb.Error(err)
		}
	})
	return srv
}

// MustClip writes a video file in the data directory's media folder, the
// default media root, where users' keys may register it.
func (e *env) MustClip(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	dir := filepath.Join(e.dataDir, domain.MediaFolder)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}
