package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
)

func TestTaskCommands_Lifecycle(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")

	id := r.createTask("alice", "制作森林探险视频", "--scenes", "2")
	if !uuidRE.MatchString(id) || len(id) != 36 {
		t.Fatalf("task create printed %q, want a task_id", id)
	}
	if got := r.showTask(id); got.Status != domain.StatusPending || got.Prompt != "制作森林探险视频" || got.TotalScenes != 2 || got.Username != "alice" {
		t.Fatalf("created task: %+v", got)
	}

	if got, want := r.ok("task", "start", id).Stdout, fmt.Sprintf("Task %s: processing, 0%%, 0/2 scenes\n", id); got != want {
		t.Fatalf("start: stdout=%q, want %q", got, want)
	}
	// Flags may come before or after the ID.
	if got, want := r.ok("task", "progress", id, "--percent", "40").Stdout, fmt.Sprintf("Task %s: processing, 40%%, 0/2 scenes\n", id); got != want {
		t.Fatalf("progress: stdout=%q, want %q", got, want)
	}
	got := decode[domain.Task](t, r.ok("task", "progress", "--percent", "60", "--scenes-done=1", "--json", id))
	if got.Progress != 60 || got.CompletedScenes != 1 || got.Status != domain.StatusProcessing {
		t.Fatalf("progress --json: %+v", got)
	}

	video := filepath.Join(t.TempDir(), "final.mp4")
	if err := os.WriteFile(video, []byte("not really a video"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := r.ok("task", "complete", id, "--video", video)
	if !regexp.MustCompile(`^Task ` + id + `: completed, 100%, \d/2 scenes, took \d+\.\ds, video ` + regexp.QuoteMeta(video) + "\n$").MatchString(res.Stdout) {
		t.Fatalf("complete: stdout=%q", res.Stdout)
	}

	done := r.showTask(id)
	if done.Status != domain.StatusCompleted || done.FinalVideoPath != video || done.CompletedAt == nil || done.StartedAt == nil || done.Duration == nil {
		t.Fatalf("completed task: %+v", done)
	}
	var types []string
	for _, e := range done.Events {
		types = append(types, e.Type)
	}
	if got, want := strings.Join(types, ","), "created,started,progress,progress,completed"; !strings.HasPrefix(got, "created,started") || !strings.HasSuffix(got, "completed") {
		t.Fatalf("events=%s, want like %s", got, want)
	}

	t.Run("ErrAlreadyTerminal", func(t *testing.T) {
		r := r.with(t)
		for _, args := range [][]string{
			{"task", "start", id},
			{"task", "cancel", id},
			{"task", "fail", id, "--error", "late"},
			{"task", "progress", id, "--percent", "10"},
			{"task", "complete", id, "--video", video},
		} {
			res := r.run(args...)
			if res.Code != cli.ExitError || !strings.HasPrefix(res.Stderr, "error: Task "+id+" is completed") {
				t.Fatalf("%v: exit %d, stderr %q", args, res.Code, res.Stderr)
			}
		}
		after := r.showTask(id)
		if after.Status != done.Status || after.Progress != done.Progress || after.ErrorMessage != "" || len(after.Events) != len(done.Events) {
			t.Fatalf("refused changes wrote: before %+v, after %+v", done, after)
		}
	})

	t.Run("FailAndCancel", func(t *testing.T) {
		r := r.with(t)
		failed := r.createTask("alice", "a failing task")
		r.ok("task", "start", failed)
		res := r.ok("task", "fail", failed, "--error", "the model timed out")
		if want := fmt.Sprintf("Task %s: failed, 0%%: the model timed out\n", failed); res.Stdout != want {
			t.Fatalf("fail: stdout=%q, want %q", res.Stdout, want)
		}
		if got := r.showTask(failed); got.Status != domain.StatusFailed || got.ErrorMessage != "the model timed out" {
			t.Fatalf("failed task: %+v", got)
		}

		cancelled := r.createTask("alice", "a cancelled task")
		if got, want := r.ok("task", "cancel", cancelled).Stdout, fmt.Sprintf("Task %s: cancelled, 0%%\n", cancelled); got != want {
			t.Fatalf("cancel: stdout=%q, want %q", got, want)
		}
	})

	t.Run("ErrConflictFromPending", func(t *testing.T) {
		r := r.with(t)
		pending := r.createTask("alice", "still pending")
		before := r.showTask(pending)
		r.fails(cli.ExitError, fmt.Sprintf("error: Task %s is pending and cannot become completed.\n", pending),
			"task", "complete", pending, "--video", video)
		after := r.showTask(pending)
		if after.Status != domain.StatusPending || after.FinalVideoPath != "" || len(after.Events) != len(before.Events) {
			t.Fatalf("refused complete wrote: %+v", after)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		r := r.with(t)
		for _, args := range [][]string{
			{"task", "show", "nope"},
			{"task", "start", "nope"},
			{"task", "cancel", "nope"},
			{"task", "progress", "nope", "--percent", "5"},
			{"task", "fail", "nope", "--error", "x"},
			{"task", "complete", "nope", "--video", video},
		} {
			r.fails(cli.ExitError, "error: Task nope not found.\n", args...)
		}
	})
}

func TestTaskCommands_BadInput(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice", "--quota", "3")
	id := r.createTask("alice", "a task")
	r.ok("task", "start", id)
	r.ok("task", "progress", id, "--percent", "30")
	before := r.showTask(id)

	t.Run("Usage", func(t *testing.T) {
		r := r.with(t)
		for _, tt := range []struct {
			name string
			args []string
			want string
		}{
			{"PercentNotANumber", []string{"task", "progress", id, "--percent", "abc"},
				"error: invalid value \"abc\" for --percent: want a whole number\nusage: reelvault task progress ID --percent P [--scenes-done N]\n"},
			{"PercentMissing", []string{"task", "progress", id},
				"error: missing required flag --percent\nusage: reelvault task progress ID --percent P [--scenes-done N]\n"},
			{"PercentWithoutValue", []string{"task", "progress", id, "--percent"},
				"error: flag --percent needs a value\nusage: reelvault task progress ID --percent P [--scenes-done N]\n"},
			{"PromptMissing", []string{"task", "create", "--user", "alice"},
				"error: missing required flag --prompt\nusage: reelvault task create --user NAME --prompt TEXT [--scenes N]\n"},
			{"UserMissing", []string{"task", "create", "--prompt", "x"},
				"error: missing required flag --user\nusage: reelvault task create --user NAME --prompt TEXT [--scenes N]\n"},
			{"ScenesNotANumber", []string{"task", "create", "--user", "alice", "--prompt", "x", "--scenes", "four"},
				"error: invalid value \"four\" for --scenes: want a whole number\nusage: reelvault task create --user NAME --prompt TEXT [--scenes N]\n"},
			{"VideoMissing", []string{"task", "complete", id},
				"error: missing required flag --video\nusage: reelvault task complete ID --video PATH [--strict]\n"},
			{"ErrorMissing", []string{"task", "fail", id},
				"error: missing required flag --error\nusage: reelvault task fail ID --error TEXT\n"},
			{"TwoIDs", []string{"task", "start", id, id},
				"error: unexpected argument \"" + id + "\"\nusage: reelvault task start ID\n"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := r.with(t)
				r.fails(cli.ExitUsage, tt.want, tt.args...)
			})
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		r := r.with(t)
		for _, tt := range []struct {
			name  string
			args  []string
			field string // a word the message must contain
		}{
			{"PercentAbove100", []string{"task", "progress", id, "--percent", "150"}, "progress"},
			{"PercentNegative", []string{"task", "progress", id, "--percent", "-1"}, "progress"},
			{"ScenesDoneAboveTotal", []string{"task", "progress", id, "--percent", "50", "--scenes-done", "5"}, "scene"},
			{"EmptyPrompt", []string{"task", "create", "--user", "alice", "--prompt", ""}, "prompt"},
			{"LongPrompt", []string{"task", "create", "--user", "alice", "--prompt", strings.Repeat("x", domain.MaxPromptChars+1)}, "prompt"},
			{"InvalidUTF8Prompt", []string{"task", "create", "--user", "alice", "--prompt", "bad \xff byte"}, "prompt"},
			{"NegativeScenes", []string{"task", "create", "--user", "alice", "--prompt", "x", "--scenes", "-2"}, "scene"},
			{"EmptyError", []string{"task", "fail", id, "--error", ""}, "error"},
			{"EmptyVideo", []string{"task", "complete", id, "--video", ""}, "video"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := r.with(t)
				res := r.run(tt.args...)
				if res.Code != cli.ExitError || !strings.HasPrefix(res.Stderr, "error: ") || !strings.Contains(strings.ToLower(res.Stderr), tt.field) || res.Stdout != "" {
					t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 naming %q", res.Code, res.Stdout, res.Stderr, tt.field)
				}
			})
		}
	})

	t.Run("NothingWritten", func(t *testing.T) {
		r := r.with(t)
		after := r.showTask(id)
		if after.Status != before.Status || after.Progress != before.Progress || after.CompletedScenes != before.CompletedScenes ||
			after.ErrorMessage != "" || after.FinalVideoPath != "" || len(after.Events) != len(before.Events) {
			t.Fatalf("bad input changed the task:\nbefore %+v\nafter  %+v", before, after)
		}
		page := decode[domain.TaskPage](t, r.ok("--json", "task", "list"))
		if len(page.Tasks) != 1 {
			t.Fatalf("bad input created tasks: %d tasks", len(page.Tasks))
		}
		users := decode[[]domain.User](t, r.ok("--json", "user", "list"))
		if users[0].UsedQuota != 1 {
			t.Fatalf("used_quota=%d after refused creates, want 1", users[0].UsedQuota)
		}
	})

	t.Run("ErrQuotaExceeded", func(t *testing.T) {
		r := r.with(t)
		r.createTask("alice", "second")
		r.createTask("alice", "third")
		res := r.run("task", "create", "--user", "alice", "--prompt", "fourth")
		if res.Code != cli.ExitError || !strings.HasPrefix(res.Stderr, "error: ") || !strings.Contains(res.Stderr, "quota") {
			t.Fatalf("exit %d, stderr %q; want a quota error", res.Code, res.Stderr)
		}
		r.fails(cli.ExitError, "error: User zed not found.\n", "task", "create", "--user", "zed", "--prompt", "x")
	})
}

func TestTaskCommands_PromptFromStdin(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	r.stdin = "line one\nline two; DROP TABLE tasks; --\n"
	id := r.createTask("alice", "-")
	r.stdin = ""
	if got, want := r.showTask(id).Prompt, "line one\nline two; DROP TABLE tasks; --"; got != want {
		t.Fatalf("prompt=%q, want %q", got, want)
	}

	r.stdin = strings.Repeat("森", domain.MaxPromptChars+1) // 3 bytes each
	res := r.run("task", "create", "--user", "alice", "--prompt", "-")
	r.stdin = strings.Repeat("x", 4*domain.MaxPromptChars+10)
	res2 := r.run("task", "create", "--user", "alice", "--prompt", "-")
	r.stdin = ""
	for _, res := range []result{res, res2} {
		if res.Code != cli.ExitError || !strings.HasPrefix(res.Stderr, "error: --prompt: ") || !strings.Contains(res.Stderr, "longer than 20000 characters") {
			t.Fatalf("a long prompt on stdin: exit %d, stderr %q", res.Code, res.Stderr)
		}
	}
}

func TestTaskCommands_Show(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	id := r.createTask("alice", "A forest expedition at dawn\nwith mist", "--scenes", "2")
	r.ok("task", "start", id)
	r.ok("scene", "set", id, "--file", filepath.Join("testdata", "scenes.json"))
	clip := filepath.Join(r.dir, "clips", "1.mp4")
	if err := os.MkdirAll(filepath.Dir(clip), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(clip, make([]byte, 1536), 0o644); err != nil {
		t.Fatal(err)
	}
	r.ok("video", "add", id, "--scene", "1", "--file", clip, "--duration", "5", "--width", "1920", "--height", "1080", "--fps", "30")
	gone := filepath.Join(r.dir, "clips", "gone.mp4")
	if res := r.run("video", "add", id, "--scene", "2", "--file", gone); res.Code != cli.ExitOK || res.Stderr != "warning: --file: the file "+gone+" does not exist; recorded anyway (pass --strict to refuse).\n" {
		t.Fatalf("video add of a missing file: exit %d, stderr %q", res.Code, res.Stderr)
	}
	r.ok("task", "fail", id, "--error", "the renderer crashed")
	r.ok("task", "star", id)
	r.ok("task", "rate", id, "3")
	r.ok("task", "tag", id, "--add", "夜景", "--add", "dawn")
	r.ok("collection", "create", "Trailer v2")
	r.ok("collection", "add", "Trailer v2", id)

	res := r.ok("task", "show", id)
	out := normalise(res.Stdout, r.dir)
	out = regexp.MustCompile(`(Duration: +)\S+`).ReplaceAllString(out, "${1}<SECONDS>")
	golden(t, "task_show.txt", out)
}

func TestTaskCommands_List(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	r.addUser("bob")
	var ids []string
	for i := range 5 {
		ids = append(ids, r.createTask("alice", fmt.Sprintf("alice task %d about a forest", i)))
	}
	bobs := r.createTask("bob", "bob's 制作森林探险视频")
	r.ok("task", "start", ids[0])
	r.ok("task", "cancel", ids[1])

	t.Run("Pages", func(t *testing.T) {
		r := r.with(t)
		var seen []string
		cursor := ""
		for page := 0; ; page++ {
			args := []string{"--json", "task", "list", "--user", "alice", "--limit", "2"}
			if cursor != "" {
				args = append(args, "--cursor", cursor)
			}
			p := decode[domain.TaskPage](t, r.ok(args...))
			for _, task := range p.Tasks {
				seen = append(seen, task.TaskID)
			}
			if p.NextCursor == "" {
				break
			}
			if page > 5 {
				t.Fatal("pagination does not end")
			}
			cursor = p.NextCursor
		}
		// Newest first: the reverse of creation order, each task once.
		if len(seen) != 5 {
			t.Fatalf("pages held %d tasks, want 5: %v", len(seen), seen)
		}
		for i, id := range seen {
			if want := ids[4-i]; id != want {
				t.Fatalf("task %d of the listing is %s, want %s", i, id, want)
			}
		}
	})

	t.Run("HumanCursor", func(t *testing.T) {
		r := r.with(t)
		res := r.ok("task", "list", "--limit", "2")
		lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
		if len(lines) != 5 || !strings.HasPrefix(lines[0], "TASK_ID") || lines[3] != "" ||
			!strings.HasPrefix(lines[4], "Next page: --cursor ") {
			t.Fatalf("task list printed:\n%s", res.Stdout)
		}
		if !strings.HasPrefix(lines[1], bobs+"  bob ") {
			t.Fatalf("first row %q, want bob's newest task", lines[1])
		}
		cursor := strings.TrimPrefix(lines[4], "Next page: --cursor ")
		next := r.ok("task", "list", "--limit", "2", "--cursor", cursor).Stdout
		if !strings.Contains(next, ids[3]) || !strings.Contains(next, ids[2]) || strings.Contains(next, bobs) {
			t.Fatalf("second page:\n%s", next)
		}
	})

	t.Run("Filters", func(t *testing.T) {
		r := r.with(t)
		today := time.Now().UTC().Format(time.DateOnly)
		tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
		for _, tt := range []struct {
			name string
			args []string
			want []string
		}{
			{"Status", []string{"--status", "processing"}, []string{ids[0]}},
			{"Statuses", []string{"--status", "cancelled,processing"}, []string{ids[1], ids[0]}},
			{"UserAndStatus", []string{"--user", "alice", "--status", "pending"}, []string{ids[4], ids[3], ids[2]}},
			{"SearchEnglish", []string{"--search", "forest", "--user", "alice", "--limit", "1"}, []string{ids[4]}},
			{"SearchChinese", []string{"--search", "森林"}, []string{bobs}},
			{"SinceToday", []string{"--since", today, "--user", "bob"}, []string{bobs}},
			{"UntilToday", []string{"--until", today, "--user", "bob"}, []string{bobs}},
			{"SinceTomorrow", []string{"--since", tomorrow}, nil},
			{"UntilRFC3339", []string{"--until", "2000-01-01T00:00:00Z"}, nil},
			{"SQLLiteral", []string{"--search", "'; DROP TABLE tasks; --"}, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := r.with(t)
				p := decode[domain.TaskPage](t, r.ok(append([]string{"task", "list", "--json"}, tt.args...)...))
				var got []string
				for _, task := range p.Tasks {
					got = append(got, task.TaskID)
				}
				if strings.Join(got, " ") != strings.Join(tt.want, " ") {
					t.Fatalf("task list %v = %v, want %v", tt.args, got, tt.want)
				}
			})
		}
		if got, want := r.ok("task", "list", "--since", tomorrow).Stdout, "No tasks found.\n"; got != want {
			t.Fatalf("stdout=%q, want %q", got, want)
		}
		if got, want := r.ok("task", "list", "--since", tomorrow, "--json").Stdout, "{\n  \"tasks\": []\n}\n"; got != want {
			t.Fatalf("stdout=%q, want %q", got, want)
		}
	})

	t.Run("BadFilters", func(t *testing.T) {
		r := r.with(t)
		usage := "usage: reelvault task list [--user NAME] [--status S] [--search TEXT] [--since DATE] [--until DATE] [--starred] [--rating N] [--tag T]… [--collection NAME] [--limit N] [--cursor C]\n"
		r.fails(cli.ExitUsage, "error: invalid value \"2026-13-01\" for --since: want a date as YYYY-MM-DD or RFC 3339 (2006-01-02T15:04:05Z)\n"+usage,
			"task", "list", "--since", "2026-13-01")
		r.fails(cli.ExitUsage, "error: invalid value \"yesterday\" for --until: want a date as YYYY-MM-DD or RFC 3339 (2006-01-02T15:04:05Z)\n"+usage,
			"task", "list", "--until", "yesterday")
		r.fails(cli.ExitUsage, "error: invalid value \"done\" for --status: unknown status \"done\"; want one of pending, processing, completed, failed, cancelled\n"+usage,
			"task", "list", "--status", "done")
		r.fails(cli.ExitUsage, "error: invalid value \"ten\" for --limit: want a whole number\n"+usage,
			"task", "list", "--limit", "ten")
		for _, args := range [][]string{{"--limit", "501"}, {"--limit", "-1"}, {"--cursor", "garbage"}} {
			res := r.run(append([]string{"task", "list"}, args...)...)
			if res.Code != cli.ExitError || !strings.Contains(res.Stderr, strings.TrimPrefix(args[0], "--")) {
				t.Fatalf("task list %v: exit %d, stderr %q", args, res.Code, res.Stderr)
			}
		}
	})
}

func TestTaskCommands_JSON(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	clip := filepath.Join(t.TempDir(), "final.mp4")
	if err := os.WriteFile(clip, []byte("video"), 0o644); err != nil {
		t.Fatal(err)
	}

	created := decode[domain.Task](t, r.ok("--json", "task", "create", "--user", "alice", "--prompt", "json", "--scenes", "3"))
	if !uuidRE.MatchString(created.TaskID) || created.Status != domain.StatusPending || created.TotalScenes != 3 || created.Username != "alice" {
		t.Fatalf("task create --json: %+v", created)
	}
	id := created.TaskID
	for _, step := range []struct {
		args []string
		want domain.Status
	}{
		{[]string{"task", "start", id}, domain.StatusProcessing},
		{[]string{"task", "progress", id, "--percent", "10"}, domain.StatusProcessing},
		{[]string{"task", "complete", id, "--video", clip}, domain.StatusCompleted},
	} {
		got := decode[domain.Task](t, r.ok(append(step.args, "--json")...))
		if got.TaskID != id || got.Status != step.want {
			t.Fatalf("%v --json: task_id %s, status %s; want %s", step.args, got.TaskID, got.Status, step.want)
		}
	}

	failed := r.createTask("alice", "to fail")
	if got := decode[domain.Task](t, r.ok("--json", "task", "fail", failed, "--error", "boom")); got.Status != domain.StatusFailed || got.ErrorMessage != "boom" || got.CompletedAt == nil {
		t.Fatalf("task fail --json: %+v", got)
	}
	cancelled := r.createTask("alice", "to cancel")
	if got := decode[domain.Task](t, r.ok("--json", "task", "cancel", cancelled)); got.Status != domain.StatusCancelled || got.CompletedAt == nil {
		t.Fatalf("task cancel --json: %+v", got)
	}

	// The JSON field names are the domain's snake_case tags.
	var raw map[string]any
	if err := json.Unmarshal([]byte(r.ok("--json", "task", "show", id).Stdout), &raw); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"task_id", "user_id", "username", "prompt", "status", "progress", "total_scenes", "completed_scenes", "final_video_path", "created_at", "started_at", "completed_at", "duration", "videos", "events"} {
		if _, ok := raw[key]; !ok {
			t.Fatalf("task show --json lacks %q: %v", key, raw)
		}
	}
}
