package cli_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// TestExamples runs the pipeline examples of examples/ (the README's) as a
// user would: against the real binary serving on loopback, with a key made
// by "reelvault user add", and checks that each recorded a completed task.
// make test-go installs python3, curl and jq.
func TestExamples(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	p := startServe(t, bin, data)
	rv := proc{t: t, bin: bin, env: []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "REELVAULT_DATA_DIR=" + data, "REELVAULT_SLOW_QUERY=1h"}}
	var added userKey
	if err := json.Unmarshal([]byte(rv.ok("--json", "user", "add", "my-pipeline")), &added); err != nil {
		t.Fatal(err)
	}
	media := filepath.Join(data, "media") // the media root every data folder has
	env := append(os.Environ(), "REELVAULT_URL="+p.out.URL, "REELVAULT_KEY="+added.APIKey, "REELVAULT_MEDIA="+media)
	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}

	// run runs an example and returns the task it reports ("TASK_ID completed").
	run := func(t *testing.T, name string, args ...string) domain.Task {
		t.Helper()
		if _, err := exec.LookPath(name); err != nil {
			t.Fatalf("%s is not installed (make test-go installs it): %v", name, err)
		}
		cmd := exec.Command(name, args...)
		cmd.Env = env
		cmd.Dir = t.TempDir()
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if exit, ok := err.(*exec.ExitError); ok {
				stderr = exit.Stderr
			}
			t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr)
		}
		fields := strings.Fields(string(out))
		if len(fields) != 2 || fields[1] != "completed" {
			t.Fatalf("%s printed %q, want \"TASK_ID completed\"", name, out)
		}
		var task domain.Task
		p.call(t, 200, "GET", "/api/v1/tasks/"+fields[0], added.APIKey, nil, &task)
		if task.Status != domain.StatusCompleted || task.Progress != 100 || task.Username != "my-pipeline" {
			t.Fatalf("task %s: status %q, progress %d, user %q", fields[0], task.Status, task.Progress, task.Username)
		}
		return task
	}

	t.Run("Python", func(t *testing.T) {
		task := run(t, "python3", filepath.Join(examples, "pipeline.py"), "制作森林探险视频")
		if task.Prompt != "制作森林探险视频" || len(task.Scripts) != 2 || len(task.Videos) != 3 || task.CompletedScenes != 2 {
			t.Fatalf("task %+v: want the prompt, 2 scripts, 2 clips and the final video", task)
		}
		if dir := filepath.Dir(task.FinalVideoPath); dir != media {
			t.Fatalf("final video in %s, want the media root %s", dir, media)
		}
	})
	t.Run("README", func(t *testing.T) {
		// The README shows the curl example's script after its `set` line.
		script, err := os.ReadFile(filepath.Join(examples, "pipeline.sh"))
		if err != nil {
			t.Fatal(err)
		}
		_, body, ok := strings.Cut(string(script), "set -euo pipefail\n")
		readme, err := os.ReadFile(filepath.Join(examples, "..", "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		if !ok || !strings.Contains(string(readme), "```sh\n"+body+"```\n") {
			t.Fatalf("README.md does not show examples/pipeline.sh as it is (from the line after `set -euo pipefail`):\n%s", body)
		}
	})
	t.Run("Curl", func(t *testing.T) {
		final := filepath.Join(media, "lighthouse.mp4")
		if err := os.MkdirAll(media, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(final, make([]byte, 1024), 0o644); err != nil {
			t.Fatal(err)
		}
		task := run(t, "bash", filepath.Join(examples, "pipeline.sh"), final)
		if task.FinalVideoPath != final {
			t.Fatalf("final video %q, want %q", task.FinalVideoPath, final)
		}
	})
}
