package crashtest_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	_ "modernc.org/sqlite" // the checks open the database file directly
)

// vault is one data directory that the binary under test runs on.
type vault struct {
	t    testing.TB
	dir  string   // --data-dir
	home string   // $HOME of every process
	env  []string // more environment for every process (NAME=value)
}

// newVault returns a vault on a new temporary data directory.
func newVault(t testing.TB) *vault {
	t.Helper()
	binary(t)
	return &vault{t: t, dir: filepath.Join(t.TempDir(), "data"), home: t.TempDir()}
}

// dbPath is the SQLite database file of the vault.
func (v *vault) dbPath() string { return filepath.Join(v.dir, "reelvault.db") }

// environ is the environment of every process: no display (so nothing tries
// to open a window), a private HOME and XDG folders.
func (v *vault) environ() []string {
	return append([]string{
		"HOME=" + v.home,
		"PATH=" + os.Getenv("PATH"),
		"XDG_DATA_HOME=" + filepath.Join(v.home, "xdg-data"),
		"XDG_CACHE_HOME=" + filepath.Join(v.home, "xdg-cache"),
		"TZ=UTC",
		// The tests schedule backups every second or so, far below the
		// production minimum.
		backup.MinIntervalEnv + "=1s",
		// make cover runs a binary built with -cover: its processes write
		// their coverage here.
		"GOCOVERDIR=" + os.Getenv("GOCOVERDIR"),
	}, v.env...)
}

// cliResult is what one command-line run printed and returned.
type cliResult struct {
	Stdout, Stderr string
	Code           int
}

// run runs the binary with args on the vault's data directory.
func (v *vault) run(args ...string) cliResult {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, append([]string{"--data-dir", v.dir}, args...)...)
	cmd.Env = v.environ()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := cliResult{Stdout: out.String(), Stderr: errb.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.Code = exit.ExitCode()
	default:
		v.t.Fatalf("run reelvault %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// ok runs the binary and fails the test unless it exits 0; it returns stdout.
func (v *vault) ok(args ...string) string {
	v.t.Helper()
	res := v.run(args...)
	if res.Code != 0 {
		v.t.Fatalf("reelvault %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.Code, res.Stdout, res.Stderr)
	}
	return res.Stdout
}

// okJSON runs the binary with --json and decodes its stdout into v.
func (v *vault) okJSON(out any, args ...string) {
	v.t.Helper()
	stdout := v.ok(append([]string{"--json"}, args...)...)
	if err := json.Unmarshal([]byte(stdout), out); err != nil {
		v.t.Fatalf("reelvault %s: decode output: %v\n%s", strings.Join(args, " "), err, stdout)
	}
}

// addUser creates a user through the command line and returns its API key.
func (v *vault) addUser(name string, quota int) string {
	v.t.Helper()
	var added struct {
		User   domain.User `json:"user"`
		APIKey string      `json:"api_key"`
	}
	v.okJSON(&added, "user", "add", name, "--quota", strconv.Itoa(quota))
	if !strings.HasPrefix(added.APIKey, domain.APIKeyPrefix) {
		v.t.Fatalf("user add %s: no API key in %+v", name, added)
	}
	return added.APIKey
}

// hasCommand reports whether the binary knows the command (its help works).
func (v *vault) hasCommand(name ...string) bool {
	v.t.Helper()
	return v.run(append([]string{"help"}, name...)...).Code == 0
}

// lockedBuffer is a bytes.Buffer safe for a process to write while a test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is one running "reelvault serve" process.
type server struct {
	t    testing.TB
	v    *vault
	cmd  *exec.Cmd
	base string        // http://127.0.0.1:port
	out  *lockedBuffer // stdout and stderr together
	done chan struct{}
	err  error // Wait's result, once done is closed
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// serve starts "reelvault serve" on a free loopback port and waits until
// /healthz answers. extra are more arguments for serve.
func (v *vault) serve(extra ...string) *server {
	v.t.Helper()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := v.startServe(extra...)
		if err == nil {
			return s
		}
		lastErr = err
	}
	v.t.Fatalf("start reelvault serve: %v", lastErr)
	return nil
}

func (v *vault) startServe(extra ...string) (*server, error) {
	port := freePort(v.t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	args := append([]string{"--data-dir", v.dir, "serve", "--addr", addr}, extra...)
	cmd := exec.Command(binPath, args...)
	cmd.Env = v.environ()
	s := &server{t: v.t, v: v, cmd: cmd, base: "http://" + addr, out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	v.t.Cleanup(s.kill)
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return nil, fmt.Errorf("serve exited early (%v):\n%s", s.err, s.out.String())
		default:
		}
		resp, err := hc.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.kill()
	return nil, fmt.Errorf("serve did not answer /healthz within 20 s:\n%s", s.out.String())
}

// kill sends SIGKILL and waits for the process to be gone. It is safe to
// call more than once.
func (s *server) kill() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// stop sends SIGTERM and waits for a clean exit (status 0).
func (s *server) stop() {
	s.t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.kill()
		s.t.Fatalf("serve did not stop within 30 s of SIGTERM:\n%s", s.out.String())
	}
	if s.err != nil {
		s.t.Fatalf("serve exited with %v after SIGTERM:\n%s", s.err, s.out.String())
	}
}

// client is an HTTP client of one server with one identity: an API key, or
// the owner session (cookies).
type client struct {
	base string
	key  string
	hc   *http.Client
}

// newHTTPClient returns an HTTP client with a connection pool big enough for
// the concurrent tests.
func newHTTPClient(jar http.CookieJar) *http.Client {
	return &http.Client{
		Timeout:   20 * time.Second,
		Jar:       jar,
		Transport: &http.Transport{MaxIdleConnsPerHost: 32, DisableCompression: true},
	}
}

// client returns a client that authenticates with an API key.
func (s *server) client(key string) *client {
	return &client{base: s.base, key: key, hc: newHTTPClient(nil)}
}

// owner returns a client with an owner session: it reads the one-time token
// from the data directory and exchanges it for the session cookie.
func (s *server) owner() *client {
	s.t.Helper()
	token, err := os.ReadFile(filepath.Join(s.v.dir, "owner-token"))
	if err != nil {
		s.t.Fatalf("read owner token: %v", err)
	}
	jar, _ := cookiejar.New(nil)
	c := &client{base: s.base, hc: newHTTPClient(jar)}
	var none struct{}
	if st, err := c.do("POST", "/api/v1/session", map[string]string{"token": strings.TrimSpace(string(token))}, &none); err != nil || st != http.StatusNoContent {
		s.t.Fatalf("owner session: status %d, %v", st, err)
	}
	return c
}

// apiError is the error body of the API.
type apiError struct {
	Status int
	Err    domain.Error `json:"error"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s (field %q)", e.Status, e.Err.Code, e.Err.Message, e.Err.Field)
}

// errTransport marks a request whose outcome is unknown: the connection
// failed before a response arrived (the server was killed, for example).
var errTransport = errors.New("transport error")

// do sends a JSON request and decodes a 2xx response into out. It returns
// the status; err wraps errTransport when no response arrived, and is an
// *apiError for a non-2xx response.
func (c *client) do(method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errTransport, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		// Headers arrived, the body did not: the outcome is as unknown as
		// if nothing had arrived.
		return resp.StatusCode, fmt.Errorf("%w: read body: %v", errTransport, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &apiError{Status: resp.StatusCode}
		if err := json.Unmarshal(data, ae); err != nil {
			return resp.StatusCode, fmt.Errorf("HTTP %d with a body that is not an error: %q", resp.StatusCode, data)
		}
		return resp.StatusCode, ae
	}
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s %s: %v: %q", method, path, err, data)
		}
	}
	return resp.StatusCode, nil
}

// raw sends a request with a raw body and headers and returns the status and body.
func (c *client) raw(method, path string, body []byte, header http.Header) (int, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if c.key != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// errCode returns the API error code of err, "" for nil, "transport" for a
// lost response.
func errCode(err error) string {
	var ae *apiError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ae):
		return ae.Err.Code
	case errors.Is(err, errTransport):
		return "transport"
	}
	return "other"
}

// openDB opens the vault's database file directly (no server may be running
// on it while the checks write, but reading alongside one is fine).
func (v *vault) openDB() *sql.DB {
	v.t.Helper()
	db, err := sql.Open("sqlite", "file:"+v.dbPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		v.t.Fatalf("open %s: %v", v.dbPath(), err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// integrityCheck runs PRAGMA integrity_check and foreign_key_check on the
// database file and fails the test unless both are clean.
func (v *vault) integrityCheck() {
	v.t.Helper()
	db := v.openDB()
	defer db.Close()
	checkIntegrity(v.t, db)
}

func checkIntegrity(t testing.TB, db *sql.DB) {
	t.Helper()
	rows, err := db.Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	rows.Close()
	if len(msgs) != 1 || msgs[0] != "ok" {
		t.Fatalf("integrity_check: %q", msgs)
	}
	rows, err = db.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatalf("foreign_key_check: %v", err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Fatalf("foreign_key_check found violations")
	}
}

// requireCommand skips the test when the binary under test lacks a command
// the test drives, saying which.
func requireCommand(t testing.TB, v *vault, name ...string) {
	t.Helper()
	if !v.hasCommand(name...) {
		t.Skipf("the binary has no %q command", strings.Join(name, " "))
	}
}

// runKilledAfter starts the binary with args and sends SIGKILL after delay
// unless it finished first. killed reports whether the kill landed.
func (v *vault) runKilledAfter(delay time.Duration, args ...string) (res cliResult, killed bool) {
	v.t.Helper()
	cmd := exec.Command(binPath, append([]string{"--data-dir", v.dir}, args...)...)
	cmd.Env = v.environ()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		v.t.Fatalf("start reelvault %s: %v", strings.Join(args, " "), err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(delay):
		killed = cmd.Process.Signal(syscall.SIGKILL) == nil
		err = <-done
	}
	res = cliResult{Stdout: out.String(), Stderr: errb.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		res.Code = exit.ExitCode()
		if st, ok := exit.Sys().(syscall.WaitStatus); !ok || !st.Signaled() {
			killed = false // it exited on its own before the signal
		}
	} else {
		killed = false
	}
	return res, killed
}

// openDBFile opens any SQLite file for the checks.
func (v *vault) openDBFile(path string) *sql.DB {
	v.t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		v.t.Fatalf("open %s: %v", path, err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// jsonUnmarshal decodes a JSON document held in a string.
func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// mustURL parses a URL or fails the test.
func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
