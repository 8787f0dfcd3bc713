package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// cliError is what an error looks like on stderr with --json.
type cliError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
		Usage   string `json:"usage"`
	} `json:"error"`
}

// jsonErr decodes the one JSON error line of stderr.
func jsonErr(t *testing.T, res result) cliError {
	t.Helper()
	var e cliError
	if strings.Count(res.Stderr, "\n") != 1 {
		t.Fatalf("stderr is not one line:\n%s", res.Stderr)
	}
	if err := json.Unmarshal([]byte(res.Stderr), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("stderr is not a JSON error (%v):\n%s", err, res.Stderr)
	}
	return e
}

func TestCLI_JSONErrors(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	id := r.createTask("alice", "a cat")

	for _, tt := range []struct {
		name        string
		args        []string
		exit        int
		code, field string
	}{
		{"NotFound", []string{"--json", "task", "show", "00000000-0000-0000-0000-000000000000"}, cli.ExitError, domain.ENOTFOUND, ""},
		{"Invalid", []string{"--json", "task", "progress", id, "--percent", "150"}, cli.ExitError, domain.EINVALID, "percent"},
		{"Usage", []string{"--json", "task", "complete", id}, cli.ExitUsage, domain.EINVALID, ""},
		{"JSONAfterCommand", []string{"task", "show", "nope-nope-nope", "--json"}, cli.ExitError, domain.ENOTFOUND, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := r.run(tt.args...)
			if res.Code != tt.exit {
				t.Fatalf("exit %d, want %d; stderr %s", res.Code, tt.exit, res.Stderr)
			}
			e := jsonErr(t, res)
			if e.Error.Code != tt.code || e.Error.Field != tt.field {
				t.Fatalf("error=%+v, want code %q field %q", e.Error, tt.code, tt.field)
			}
			if tt.exit == cli.ExitUsage && !strings.HasPrefix(e.Error.Usage, "reelvault task complete") {
				t.Fatalf("usage=%q", e.Error.Usage)
			}
			if res.Stdout != "" {
				t.Fatalf("stdout=%q", res.Stdout)
			}
		})
	}
}

// setTaskID gives a task a chosen ID, straight in the database file.
func setTaskID(t *testing.T, r *runner, from, to string) {
	t.Helper()
	db := store.NewDB(filepath.Join(r.dir, cli.DBFile))
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Write(context.Background(), func(w *sqlx.DB) error {
		_, err := w.Exec(`UPDATE tasks SET task_id = ? WHERE task_id = ?`, to, from)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestCLI_TaskIDPrefix(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	a := r.createTask("alice", "first")
	b := r.createTask("alice", "second")
	c := r.createTask("alice", "third")
	setTaskID(t, r, b, "abcdef12-0000-4000-8000-000000000001")
	setTaskID(t, r, c, "abcdef12-0000-4000-8000-000000000012")

	if got := r.showTask(a[:6]).TaskID; got != a {
		t.Fatalf("show %s: task %s, want %s", a[:6], got, a)
	}
	if res := r.ok("task", "start", a[:8]); !strings.Contains(res.Stdout, a) {
		t.Fatalf("start by prefix: %q", res.Stdout)
	}
	if got := r.showTask("abcdef12-0000-4000-8000-000000000012").Prompt; got != "third" {
		t.Fatalf("whole ID: prompt %q", got)
	}
	if got := r.showTask("abcdef12-0000-4000-8000-00000000000").TaskID; got != "abcdef12-0000-4000-8000-000000000001" {
		t.Fatalf("a 35-character prefix found %q", got)
	}

	t.Run("Ambiguous", func(t *testing.T) {
		want := "error: The task ID \"abcdef\" is ambiguous: it starts abcdef12-0000-4000-8000-000000000001, abcdef12-0000-4000-8000-000000000012. Type more characters.\n"
		r.fails(cli.ExitError, want, "task", "cancel", "abcdef")
		if got := r.showTask("abcdef12-0000-4000-8000-000000000001").Status; got != domain.StatusPending {
			t.Fatalf("an ambiguous cancel changed a task: %s", got)
		}
		e := jsonErr(t, r.run("--json", "task", "show", "abcdef12"))
		if e.Error.Code != domain.EINVALID || e.Error.Field != "id" || !strings.Contains(e.Error.Message, "000000000012") {
			t.Fatalf("json error=%+v", e.Error)
		}
	})
	t.Run("TooShortOrUnknown", func(t *testing.T) {
		res := r.run("task", "show", a[:5])
		if res.Code != cli.ExitError || !strings.Contains(res.Stderr, "not found") {
			t.Fatalf("five characters: exit %d, stderr %q", res.Code, res.Stderr)
		}
		res = r.run("task", "show", "ffffff")
		if res.Code != cli.ExitError || !strings.Contains(res.Stderr, "not found") {
			t.Fatalf("unknown prefix: exit %d, stderr %q", res.Code, res.Stderr)
		}
	})
}

func TestCLI_MissingFiles(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	id := r.createTask("alice", "a cat")
	r.ok("task", "start", id)
	gone := filepath.Join(r.dir, "renders", "final.mp4")

	t.Run("Strict", func(t *testing.T) {
		r.fails(cli.ExitError, "error: --video: The file "+gone+" does not exist; nothing was recorded.\n", "task", "complete", id, "--video", gone, "--strict")
		r.fails(cli.ExitError, "error: --file: The file "+gone+" does not exist; nothing was recorded.\n", "video", "add", id, "--scene", "1", "--file", gone, "--strict")
		task := r.showTask(id)
		if task.Status != domain.StatusProcessing || len(task.Videos) != 0 {
			t.Fatalf("a refused command changed the task: status %s, %d videos", task.Status, len(task.Videos))
		}
	})
	t.Run("Warn", func(t *testing.T) {
		res := r.run("--json", "video", "add", id, "--scene", "1", "--file", gone)
		if res.Code != cli.ExitOK {
			t.Fatalf("exit %d: %s", res.Code, res.Stderr)
		}
		var w struct {
			Warning struct{ Code, Message, Field string }
		}
		if err := json.Unmarshal([]byte(res.Stderr), &w); err != nil || w.Warning.Field != "file_path" || !strings.Contains(w.Warning.Message, gone) {
			t.Fatalf("--json warning: %v %q", err, res.Stderr)
		}
		res = r.run("task", "complete", id, "--video", gone)
		if res.Code != cli.ExitOK || res.Stderr != "warning: --video: the file "+gone+" does not exist; recorded anyway (pass --strict to refuse).\n" {
			t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
		}
		if got := r.showTask(id).Status; got != domain.StatusCompleted {
			t.Fatalf("status %s, want completed", got)
		}
	})
	t.Run("ExistingFileIsQuiet", func(t *testing.T) {
		id := r.createTask("alice", "another")
		r.ok("task", "start", id)
		file := filepath.Join(t.TempDir(), "here.mp4")
		if err := os.WriteFile(file, []byte("video"), 0o644); err != nil {
			t.Fatal(err)
		}
		r.ok("task", "complete", id, "--video", file, "--strict")
	})
}

// TestCLI_ProgressOnTerminal runs import, export and restore of the real
// binary under a pseudo-terminal (script(1)) and finds a progress bar on it;
// the same commands with --json, or without a terminal, print none.
func TestCLI_ProgressOnTerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script(1) is not installed")
	}
	bin := buildBinary(t)
	r := newRunner(t)
	r.addUser("alice", "--quota", "1000")
	for i := range 200 {
		r.createTask("alice", fmt.Sprintf("task %d with a longer prompt to give the export some bytes", i))
	}
	export := filepath.Join(t.TempDir(), "history.json")
	onTerminal := func(args ...string) string {
		t.Helper()
		cmd := []string{bin, "--data-dir", r.dir}
		cmd = append(cmd, args...)
		out, err := exec.Command("script", "-qec", strings.Join(cmd, " "), "/dev/null").CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := onTerminal("export", "--out", export); !strings.Contains(out, "export") || !strings.Contains(out, "\r") {
		t.Fatalf("export on a terminal drew no bar:\n%q", out)
	}
	other := newRunner(t)
	out, err := exec.Command("script", "-qec", strings.Join([]string{bin, "--data-dir", other.dir, "import", export}, " "), "/dev/null").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "import") || !strings.Contains(string(out), "\r") || !strings.Contains(string(out), "Imported 200 tasks") {
		t.Fatalf("import on a terminal: %v\n%q", err, out)
	}
	if out := onTerminal("--json", "export", "--out", export); strings.Contains(out, "\r\x1b") || strings.Contains(out, "export ") {
		t.Fatalf("--json drew a bar:\n%q", out)
	}

	// Not a terminal: nothing on stderr.
	res := other.run("export", "--out", filepath.Join(t.TempDir(), "again.json"))
	if res.Code != cli.ExitOK || res.Stderr != "" {
		t.Fatalf("export without a terminal: exit %d, stderr %q", res.Code, res.Stderr)
	}
	var b struct{ Name string }
	if err := json.Unmarshal([]byte(other.ok("--json", "backup").Stdout), &b); err != nil {
		t.Fatal(err)
	}
	res = other.run("restore", b.Name, "--yes")
	if res.Code != cli.ExitOK || res.Stderr != "" {
		t.Fatalf("restore without a terminal: exit %d, stderr %q", res.Code, res.Stderr)
	}
}
