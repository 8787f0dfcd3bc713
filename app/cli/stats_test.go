package cli_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
)

// statusJSON is what "status --json" prints.
type statusJSON struct {
	domain.DBStatus
	TasksByStatus map[domain.Status]int `json:"tasks_by_status"`
	Proven        []*domain.Proven      `json:"proven"`
}

// seedHistory makes one task in each end state plus a pending one, with videos.
func seedHistory(t *testing.T, r *runner) {
	t.Helper()
	r.addUser("alice")
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	if err := os.WriteFile(clip, []byte("clip"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := r.createTask("alice", "completed one", "--scenes", "1")
	r.ok("task", "start", done)
	r.ok("video", "add", done, "--scene", "1", "--file", clip, "--duration", "6")
	r.ok("task", "complete", done, "--video", clip)
	failed := r.createTask("alice", "failed one")
	r.ok("task", "start", failed)
	r.ok("task", "fail", failed, "--error", "boom")
	r.ok("task", "cancel", r.createTask("alice", "cancelled one"))
	r.createTask("alice", "pending one")
}

func TestStats(t *testing.T) {
	r := newRunner(t)
	today := time.Now().UTC().Format(time.DateOnly)

	if got, want := r.ok("stats").Stdout, "No activity in this period.\n"; got != want {
		t.Fatalf("stats on an empty database: %q, want %q", got, want)
	}
	if got, want := r.ok("stats", "--json").Stdout, "[]\n"; got != want {
		t.Fatalf("stats --json on an empty database: %q, want %q", got, want)
	}

	seedHistory(t, r)
	days := decode[[]domain.DayStats](t, r.ok("--json", "stats", "--from", today, "--to", today))
	if len(days) != 1 {
		t.Fatalf("%d days, want 1: %+v", len(days), days)
	}
	d := days[0]
	if d.Date != today || d.TotalTasks != 4 || d.CompletedTasks != 1 || d.FailedTasks != 1 || d.CancelledTasks != 1 {
		t.Fatalf("today's stats: %+v", d)
	}
	if d.TotalVideos < 1 || d.TotalVideoSeconds < 6 {
		t.Fatalf("today's videos: %+v", d)
	}

	t.Run("Human", func(t *testing.T) {
		r := r.with(t)
		res := r.ok("stats")
		lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
		if len(lines) != 2 {
			t.Fatalf("stats printed:\n%s", res.Stdout)
		}
		if !regexp.MustCompile(`^DATE +TASKS +COMPLETED +FAILED +CANCELLED +VIDEOS +VIDEO_TIME +AVG_GEN +P95_GEN$`).MatchString(lines[0]) {
			t.Fatalf("header %q", lines[0])
		}
		if !regexp.MustCompile(`^` + today + ` +4 +1 +1 +1 +\d+ +\d+\.\ds +\d+\.\ds +\d+\.\ds$`).MatchString(lines[1]) {
			t.Fatalf("row %q", lines[1])
		}
	})

	t.Run("Range", func(t *testing.T) {
		r := r.with(t)
		if got := decode[[]domain.DayStats](t, r.ok("--json", "stats", "--to", "2000-01-01")); len(got) != 0 {
			t.Fatalf("stats before 2000: %+v", got)
		}
		// An RFC 3339 instant selects its UTC day.
		at := time.Now().UTC().Format(time.RFC3339)
		if got := decode[[]domain.DayStats](t, r.ok("--json", "stats", "--from", at)); len(got) != 1 || got[0].Date != today {
			t.Fatalf("stats --from %s: %+v", at, got)
		}
	})

	t.Run("Rebuild", func(t *testing.T) {
		r := r.with(t)
		before := decode[[]domain.DayStats](t, r.ok("--json", "stats"))
		if got, want := r.ok("stats", "rebuild").Stdout, "Rebuilt the statistics of 1 day from the tasks.\n"; got != want {
			t.Fatalf("stats rebuild: %q, want %q", got, want)
		}
		after := decode[[]domain.DayStats](t, r.ok("--json", "stats"))
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("rebuilt statistics differ:\nbefore %+v\nafter  %+v", before, after)
		}
		if got, want := r.ok("stats", "rebuild", "--json").Stdout, "{\n  \"days\": 1,\n  \"rebuilt\": true\n}\n"; got != want {
			t.Fatalf("stats rebuild --json: %q, want %q", got, want)
		}
	})

	t.Run("BadDates", func(t *testing.T) {
		r := r.with(t)
		usage := "usage: reelvault stats [--from DATE] [--to DATE]\n"
		r.fails(cli.ExitUsage, "error: invalid value \"2026-02-30\" for --from: want a date as YYYY-MM-DD or RFC 3339 (2006-01-02T15:04:05Z)\n"+usage,
			"stats", "--from", "2026-02-30")
		r.fails(cli.ExitUsage, "error: invalid value \"26/11/2026\" for --to: want a date as YYYY-MM-DD or RFC 3339 (2006-01-02T15:04:05Z)\n"+usage,
			"stats", "--to", "26/11/2026")
		r.fails(cli.ExitUsage, "error: unexpected argument \"now\"\nusage: reelvault stats rebuild\n", "stats", "rebuild", "now")
	})
}

func TestStatus(t *testing.T) {
	r := newRunner(t)
	seedHistory(t, r)

	st := decode[statusJSON](t, r.ok("status", "--json"))
	if st.Engine != "sqlite" || st.Path != filepath.Join(r.dir, cli.DBFile) || st.SchemaVersion <= 0 || st.FileSize <= 0 || st.PageSize <= 0 {
		t.Fatalf("status: %+v", st.DBStatus)
	}
	if st.Counts["tasks"] != 4 || st.Counts["users"] != 1 {
		t.Fatalf("counts=%v", st.Counts)
	}
	want := map[domain.Status]int{domain.StatusPending: 1, domain.StatusProcessing: 0, domain.StatusCompleted: 1, domain.StatusFailed: 1, domain.StatusCancelled: 1}
	if !reflect.DeepEqual(st.TasksByStatus, want) {
		t.Fatalf("tasks_by_status=%v, want %v", st.TasksByStatus, want)
	}
	var tasksTable bool
	for _, tb := range st.Tables {
		tasksTable = tasksTable || (tb.Name == "tasks" && tb.Bytes > 0)
	}
	if !tasksTable {
		t.Fatalf("tables=%+v lacks tasks", st.Tables)
	}

	res := r.ok("status")
	for _, re := range []string{
		`(?m)^Database: +` + regexp.QuoteMeta(st.Path) + ` \(sqlite\)$`,
		`(?m)^Schema version: +\d+$`,
		`(?m)^File size: +\d+(\.\d)? (B|KiB|MiB)$`,
		`(?m)^WAL size: +\d+(\.\d)? (B|KiB|MiB)$`,
		`(?m)^Page size: +4\.0 KiB \(\d+ free pages\)$`,
		`(?m)^Tasks: +4 \(1 pending, 0 processing, 1 completed, 1 failed, 1 cancelled\)$`,
		`(?m)^TABLE +ROWS +SIZE$`,
		`(?m)^tasks +4 +\d+(\.\d)? (B|KiB|MiB)$`,
		`(?m)^users +1 +\d+(\.\d)? (B|KiB|MiB)$`,
		`(?m)^\(\d+ indexes, internal\) +- +\d+(\.\d)? (B|KiB|MiB)$`,
	} {
		if !regexp.MustCompile(re).MatchString(res.Stdout) {
			t.Fatalf("status lacks %s:\n%s", re, res.Stdout)
		}
	}
	if strings.Contains(res.Stdout, "tasks_user_created") {
		t.Fatalf("status without --all lists indexes:\n%s", res.Stdout)
	}

	// --all lists every table and index dbstat reports, with the same sizes.
	all := r.ok("status", "--all").Stdout
	rows := 0
	for _, tb := range st.Tables {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(tb.Name) + ` +(\d+|-) +\d`).MatchString(all) {
			t.Fatalf("status --all lacks %s:\n%s", tb.Name, all)
		}
		rows++
	}
	if rows < 10 || strings.Contains(all, "indexes, internal") {
		t.Fatalf("status --all:\n%s", all)
	}
}
