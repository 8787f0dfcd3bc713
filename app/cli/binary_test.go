package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// binary is the reelvault binary built once for the package's tests.
var binary struct {
	once sync.Once
	dir  string // removed by TestMain
	path string
	out  []byte
	err  error
}

// buildBinary builds the real reelvault binary (once per test run) and
// returns its path.
func buildBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	binary.once.Do(func() {
		if binary.dir, binary.err = os.MkdirTemp("", "reelvault-cli-test-"); binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "reelvault")
		cmd := exec.Command("go", "build", "-o", binary.path, ".")
		cmd.Dir = filepath.Join("..", "..")
		binary.out, binary.err = cmd.CombinedOutput()
	})
	if binary.err != nil {
		t.Fatalf("go build: %v\n%s", binary.err, binary.out)
	}
	return binary.path
}

// proc runs the binary as its own process with a minimal environment.
type proc struct {
	t   *testing.T
	bin string
	env []string
}

func (p proc) run(stdin string, args ...string) (stdout, stderr string, code int) {
	p.t.Helper()
	// A command that hangs fails the test instead of stalling the suite.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = p.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		p.t.Fatalf("reelvault %s did not finish within a minute", strings.Join(args, " "))
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		p.t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

func (p proc) ok(args ...string) string {
	p.t.Helper()
	stdout, stderr, code := p.run("", args...)
	if code != 0 {
		p.t.Fatalf("reelvault %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

func TestBinary_Lifecycle(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	home := t.TempDir()
	// No DISPLAY: the window cannot open. The data dir comes from the environment.
	p := proc{t: t, bin: bin, env: []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "REELVAULT_DATA_DIR=" + data, "REELVAULT_SLOW_QUERY=1h"}}

	var added userKey
	if err := json.Unmarshal([]byte(p.ok("--json", "user", "add", "alice", "--quota", "5")), &added); err != nil || !strings.HasPrefix(added.APIKey, "rv_") {
		t.Fatalf("user add: %v, %+v", err, added)
	}
	id := strings.TrimSpace(p.ok("task", "create", "--user", "alice", "--prompt", "制作森林探险视频", "--scenes", "2"))
	p.ok("task", "start", id)

	scenes := filepath.Join(t.TempDir(), "scenes.json")
	if err := os.WriteFile(scenes, []byte(`[{"scene_number":1,"description":"森林","duration":3},{"scene_number":2,"description":"river","duration":4}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	p.ok("scene", "set", id, "--file", scenes)
	clip := filepath.Join(t.TempDir(), "1.mp4")
	if err := os.WriteFile(clip, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	p.ok("video", "add", id, "--scene", "1", "--file", clip, "--duration", "3")
	p.ok("task", "progress", id, "--percent", "75", "--scenes-done", "1")
	p.ok("task", "complete", id, "--video", clip)

	// Another process, the same data: everything persisted.
	var task domain.Task
	if err := json.Unmarshal([]byte(p.ok("task", "show", id, "--json")), &task); err != nil {
		t.Fatal(err)
	}
	if task.Status != domain.StatusCompleted || task.Progress != 100 || len(task.Scripts) != 2 || len(task.Videos) != 2 || task.FinalVideoPath != clip {
		t.Fatalf("task after restart: %+v", task)
	}
	var page domain.TaskPage
	if err := json.Unmarshal([]byte(p.ok("--json", "task", "list", "--search", "森林")), &page); err != nil || len(page.Tasks) != 1 || page.Tasks[0].TaskID != id {
		t.Fatalf("search after restart: %v, %+v", err, page)
	}
	var users []domain.User
	if err := json.Unmarshal([]byte(p.ok("user", "list", "--json")), &users); err != nil || len(users) != 1 || users[0].UsedQuota != 1 {
		t.Fatalf("users after restart: %v, %+v", err, users)
	}
	if _, err := os.Stat(filepath.Join(data, "reelvault.db")); err != nil {
		t.Fatalf("database not in $REELVAULT_DATA_DIR: %v", err)
	}

	t.Run("NoCommandWithoutDesktopBuild", func(t *testing.T) {
		// A display is set, but this binary was built without the desktop
		// tag: it says so and exits non-zero, so a broken build is noticed.
		p := p
		p.env = append(append([]string(nil), p.env...), "DISPLAY=:99")
		stdout, stderr, code := p.run("")
		if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "error: ") || !strings.Contains(stderr, "desktop") {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})
	t.Run("ExitCodes", func(t *testing.T) {
		_, stderr, code := p.run("", "frob")
		if code != 2 || !strings.HasPrefix(stderr, "error: unknown command \"frob\"") {
			t.Fatalf("unknown command: exit %d, stderr %q", code, stderr)
		}
		_, stderr, code = p.run("", "task", "start", id)
		if want := "error: Task " + id + " is completed and cannot become processing.\n"; code != 1 || stderr != want {
			t.Fatalf("illegal transition: exit %d, stderr %q, want 1, %q", code, stderr, want)
		}
	})
	t.Run("PromptFromStdin", func(t *testing.T) {
		stdout, stderr, code := p.run("a prompt piped in\n", "task", "create", "--user", "alice", "--prompt", "-")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var got domain.Task
		if err := json.Unmarshal([]byte(p.ok("--json", "task", "show", strings.TrimSpace(stdout))), &got); err != nil || got.Prompt != "a prompt piped in" {
			t.Fatalf("prompt %q, %v", got.Prompt, err)
		}
	})
	// The library across processes; last, since it trashes the task.
	t.Run("Library", func(t *testing.T) {
		p.ok("task", "star", id[:8])
		p.ok("task", "tag", id, "--add", "夜景")
		p.ok("collection", "create", "Trailer v2")
		p.ok("collection", "add", "Trailer v2", id)
		var page domain.TaskPage
		if err := json.Unmarshal([]byte(p.ok("--json", "task", "list", "--starred", "--tag", "夜景", "--collection", "Trailer v2")), &page); err != nil || len(page.Tasks) != 1 || page.Tasks[0].TaskID != id {
			t.Fatalf("library filters after restart: %v, %+v", err, page)
		}
		stdout, stderr, code := p.run("a new take\n", "task", "rerun", id, "--prompt", "-")
		if code != 0 {
			t.Fatalf("task rerun: exit %d: %s", code, stderr)
		}
		var take domain.Task
		if err := json.Unmarshal([]byte(p.ok("--json", "task", "show", strings.TrimSpace(stdout))), &take); err != nil || take.Prompt != "a new take" || take.RerunOf != id || len(take.Scripts) != 2 {
			t.Fatalf("rerun: %v, %+v", err, take)
		}
		// The video files go to the freedesktop trash in $HOME.
		var res domain.TrashResult
		if err := json.Unmarshal([]byte(p.ok("--json", "task", "delete", id, "--files")), &res); err != nil || res.Changed != 1 || res.FilesTrashed+res.FilesLeft == 0 {
			t.Fatalf("task delete --files: %v, %+v", err, res)
		}
		t.Logf("task delete --files: %+v", res)
		if _, err := os.Stat(clip); res.FilesTrashed > 0 && !os.IsNotExist(err) {
			t.Fatalf("%d files trashed but the clip is still in place: %v", res.FilesTrashed, err)
		}
		if out := p.ok("trash", "list"); !strings.Contains(out, id) {
			t.Fatalf("trash list:\n%s", out)
		}
		if out := p.ok("trash", "restore", id); out != "Restored 1 task from the trash.\n" {
			t.Fatalf("trash restore: %q", out)
		}
	})
}
