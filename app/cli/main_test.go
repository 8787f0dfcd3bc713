package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/pgtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestMain stops the PostgreSQL test cluster, if a test started one, and
// removes the binary built for the tests.
func TestMain(m *testing.M) {
	// Times print in the local zone with the zone shown; tests pin the zone
	// (eight hours east of UTC) so golden files are the same everywhere.
	time.Local = time.FixedZone("CST", 8*3600)
	code := pgtest.Main(m)
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// result is what one run of the command line printed and returned.
type result struct {
	Code   int
	Stdout string
	Stderr string
}

// runner runs the command line in-process against one data directory.
type runner struct {
	tb    testing.TB
	dir   string
	env   map[string]string
	stdin string
	opts  func(*cli.Options)
}

// newRunner returns a runner on a new temporary data directory and an
// environment that holds only the slow-query threshold.
func newRunner(tb testing.TB) *runner {
	tb.Helper()
	// A loaded machine makes slow queries; their log lines on stderr would
	// fail the exact stderr checks, so the threshold is out of reach.
	return &runner{tb: tb, dir: tb.TempDir(), env: map[string]string{cli.EnvSlowQuery: "1h"}}
}

// with returns a copy of r that reports failures to tb, for subtests.
func (r *runner) with(tb testing.TB) *runner {
	c := *r
	c.tb = tb
	return &c
}

// run runs reelvault --data-dir DIR args… and returns what it did.
func (r *runner) run(args ...string) result {
	r.tb.Helper()
	return r.runRaw(append([]string{"--data-dir", r.dir}, args...)...)
}

// runRaw runs reelvault args… without adding --data-dir.
func (r *runner) runRaw(args ...string) result {
	r.tb.Helper()
	var stdout, stderr bytes.Buffer
	opts := cli.Options{
		Version: "test",
		Stdin:   strings.NewReader(r.stdin),
		Stdout:  &stdout,
		Stderr:  &stderr,
		Getenv:  func(k string) string { return r.env[k] },
	}
	if r.opts != nil {
		r.opts(&opts)
	}
	code := cli.Main(context.Background(), args, opts)
	return result{Code: code, Stdout: stdout.String(), Stderr: stderr.String()}
}

// ok runs args and fails the test unless the command succeeded.
func (r *runner) ok(args ...string) result {
	r.tb.Helper()
	res := r.run(args...)
	if res.Code != cli.ExitOK {
		r.tb.Fatalf("reelvault %s: exit %d, stderr:\n%s", strings.Join(args, " "), res.Code, res.Stderr)
	}
	if res.Stderr != "" && !strings.Contains(strings.Join(args, " "), "--json") {
		r.tb.Fatalf("reelvault %s: unexpected stderr:\n%s", strings.Join(args, " "), res.Stderr)
	}
	return res
}

// fails runs args and checks the exit status and that stderr is exactly want.
func (r *runner) fails(code int, want string, args ...string) result {
	r.tb.Helper()
	res := r.run(args...)
	if res.Code != code {
		r.tb.Fatalf("reelvault %s: exit %d, want %d; stderr:\n%s", strings.Join(args, " "), res.Code, code, res.Stderr)
	}
	if res.Stderr != want {
		r.tb.Fatalf("reelvault %s: stderr:\n%s\nwant:\n%s", strings.Join(args, " "), res.Stderr, want)
	}
	if res.Stdout != "" {
		r.tb.Fatalf("reelvault %s: failed but printed on stdout:\n%s", strings.Join(args, " "), res.Stdout)
	}
	return res
}

// decode parses a command's JSON output into T.
func decode[T any](tb testing.TB, res result) T {
	tb.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(res.Stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("decode %T: %v\n%s", v, err, res.Stdout)
	}
	return v
}

// userKey is what "user add --json" and "user rotate-key --json" print.
type userKey struct {
	User   domain.User `json:"user"`
	APIKey string      `json:"api_key"`
}

// addUser creates a user and returns its API key.
func (r *runner) addUser(name string, args ...string) string {
	r.tb.Helper()
	res := r.ok(append([]string{"--json", "user", "add", name}, args...)...)
	return decode[userKey](r.tb, res).APIKey
}

// createTask creates a task for user and returns its task_id.
func (r *runner) createTask(user, prompt string, args ...string) string {
	r.tb.Helper()
	res := r.ok(append([]string{"task", "create", "--user", user, "--prompt", prompt}, args...)...)
	return strings.TrimSpace(res.Stdout)
}

// showTask returns the task as "task show --json" prints it.
func (r *runner) showTask(id string) domain.Task {
	r.tb.Helper()
	return decode[domain.Task](r.tb, r.ok("--json", "task", "show", id))
}

// golden compares got with testdata/NAME, or rewrites it with -update.
func golden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		tb.Fatalf("output differs from %s (run go test -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	timeRE = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d( CST)?`)
)

// normalise replaces what changes from run to run (task IDs, times, the
// temporary directory) with fixed words of the same width, so that tables
// stay aligned in golden files.
func normalise(s, dir string) string {
	s = strings.ReplaceAll(s, dir, "/DATA")
	s = uuidRE.ReplaceAllString(s, "00000000-0000-0000-0000-000000000000")
	s = timeRE.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasSuffix(m, " CST") {
			return "2026-01-02 11:04:05 CST"
		}
		return "2026-01-02 03:04:05"
	})
	return s
}
