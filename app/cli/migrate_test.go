package cli_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/pgtest"
)

// migrateJSON is what "migrate --json" prints.
type migrateJSON struct {
	From     string              `json:"from"`
	To       string              `json:"to"`
	Rows     int64               `json:"rows"`
	Tables   []store.CopiedTable `json:"tables"`
	Resumed  bool                `json:"resumed"`
	Phases   []store.CopyPhase   `json:"phases"`
	Duration int64               `json:"duration_ns"`
}

// TestPostgres_Migrate copies a history made with the commands on SQLite
// into PostgreSQL, and finds it there, task by task, through the commands.
func TestPostgres_Migrate(t *testing.T) {
	url := pgtest.NewDatabase(t)
	r := newRunner(t)
	r.addUser("alice", "--quota", "10")
	r.addUser("bob", "--email", "bob@example.com")
	var ids []string
	for _, prompt := range []string{"制作森林探险视频", "A lighthouse in a storm", "霓虹灯下的城市 café"} {
		ids = append(ids, r.createTask("alice", prompt, "--scenes", "2"))
	}
	r.ok("task", "start", ids[0])
	r.ok("scene", "set", ids[0], "--file", filepath.Join("testdata", "scenes.json"))
	r.ok("task", "progress", ids[0], "--percent", "50", "--scenes-done", "1")
	video := filepath.Join(t.TempDir(), "final.mp4")
	if err := os.WriteFile(video, []byte("video"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.ok("task", "complete", ids[0], "--video", video)
	r.ok("task", "cancel", ids[1])

	res := r.run("migrate", "--to", url, "--batch", "3")
	if res.Code != cli.ExitOK {
		t.Fatalf("migrate: exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
	if !strings.Contains(res.Stdout, "Copied and verified") || !strings.Contains(res.Stdout, "task_events") {
		t.Fatalf("stdout:\n%s", res.Stdout)
	}
	if res.Stderr != "" {
		t.Fatalf("progress or log lines on a stderr that is not a terminal:\n%s", res.Stderr)
	}
	if strings.Contains(res.Stdout+res.Stderr, "sslmode=disable&") {
		t.Fatalf("output shows the raw URL:\n%s", res.Stdout)
	}

	pg := r.with(t)
	pg.env = map[string]string{cli.EnvDB: url}
	for _, id := range ids {
		want, got := r.showTask(id), pg.showTask(id)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("task %s:\nSQLite     %+v\nPostgreSQL %+v", id, want, got)
		}
	}
	page := decode[domain.TaskPage](t, pg.ok("--json", "task", "list", "--search", "森林"))
	if len(page.Tasks) != 1 || page.Tasks[0].TaskID != ids[0] {
		t.Fatalf("search on the migrated database: %+v", page)
	}
	users := decode[[]domain.User](t, pg.ok("--json", "user", "list"))
	if len(users) != 2 || users[0].UsedQuota != 3 || users[1].Email != "bob@example.com" {
		t.Fatalf("users on the migrated database: %+v", users)
	}
	// The copy goes on working: new tasks get new ids.
	pg.createTask("bob", "after the migration")

	t.Run("ErrNotEmpty", func(t *testing.T) {
		res := r.with(t).run("migrate", "--to", url)
		if res.Code != cli.ExitError || !strings.Contains(res.Stderr, "not empty") || !strings.Contains(res.Stderr, "--resume") {
			t.Fatalf("exit %d, stderr %q; want a refusal that names --resume", res.Code, res.Stderr)
		}
	})

	t.Run("Resume", func(t *testing.T) {
		// The PostgreSQL copy has a task SQLite lacks, so resuming cannot
		// verify; it says so instead of claiming success.
		res := r.with(t).run("migrate", "--to", url, "--resume")
		if res.Code != cli.ExitError || !strings.Contains(res.Stderr, "Verification failed") {
			t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
		}

		fresh := pgtest.NewDatabase(t)
		out := decode[migrateJSON](t, r.with(t).ok("--json", "migrate", "--to", fresh))
		again := decode[migrateJSON](t, r.with(t).ok("--json", "migrate", "--to", fresh, "--resume"))
		if !again.Resumed || out.Rows == 0 || out.Rows != again.Rows || !reflect.DeepEqual(out.Tables, again.Tables) {
			t.Fatalf("first %+v\nresumed %+v", out, again)
		}
	})

	t.Run("ErrBadInput", func(t *testing.T) {
		r := r.with(t)
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"migrate"}, "--to"},
			{[]string{"migrate", "--to", filepath.Join(t.TempDir(), "x.db")}, "--to must be a PostgreSQL URL"},
			{[]string{"migrate", "--to", url, "--batch", "0"}, "--batch"},
			{[]string{"--db", url, "migrate", "--to", url}, "leave out --db"},
		} {
			res := r.run(tt.args...)
			if res.Code == cli.ExitOK || !strings.Contains(res.Stderr, tt.want) {
				t.Errorf("%v: exit %d, stderr %q; want a failure naming %q", tt.args, res.Code, res.Stderr, tt.want)
			}
		}
	})

	t.Run("ErrNoSQLiteDatabase", func(t *testing.T) {
		empty := newRunner(t)
		res := empty.run("migrate", "--to", pgtest.NewDatabase(t))
		if res.Code != cli.ExitError || !strings.Contains(res.Stderr, "no Reelvault database") {
			t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
		}
		if _, err := os.Stat(filepath.Join(empty.dir, cli.DBFile)); !os.IsNotExist(err) {
			t.Fatalf("migrate created a SQLite database: %v", err)
		}
	})
}
