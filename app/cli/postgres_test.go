package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/pgtest"
)

// TestPostgres runs the commands against a real PostgreSQL database given by
// --db and by $REELVAULT_DB. It skips when PostgreSQL is not installed,
// unless $REELVAULT_REQUIRE_POSTGRES is set.
func TestPostgres(t *testing.T) {
	url := pgtest.NewDatabase(t)
	r := newRunner(t)
	r.env[cli.EnvDB] = url

	key := r.addUser("alice", "--quota", "2")
	if !strings.HasPrefix(key, domain.APIKeyPrefix) {
		t.Fatalf("key %q", key)
	}
	id := r.createTask("alice", "制作森林探险视频 on PostgreSQL")
	r.ok("task", "start", id)
	r.ok("scene", "set", id, "--file", filepath.Join("testdata", "scenes.json"))
	r.ok("task", "progress", id, "--percent", "50")
	video := filepath.Join(t.TempDir(), "final.mp4")
	if err := os.WriteFile(video, []byte("video"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.ok("task", "complete", id, "--video", video)

	got := r.showTask(id)
	if got.Status != domain.StatusCompleted || len(got.Scripts) != 2 || got.FinalVideoPath != video {
		t.Fatalf("task on PostgreSQL: %+v", got)
	}
	page := decode[domain.TaskPage](t, r.ok("--json", "task", "list", "--search", "森林"))
	if len(page.Tasks) != 1 || page.Tasks[0].TaskID != id {
		t.Fatalf("search on PostgreSQL: %+v", page)
	}
	r.createTask("alice", "second")
	res := r.run("task", "create", "--user", "alice", "--prompt", "third")
	if res.Code != cli.ExitError || !strings.Contains(res.Stderr, "quota") {
		t.Fatalf("quota on PostgreSQL: exit %d, stderr %q", res.Code, res.Stderr)
	}

	st := decode[statusJSON](t, r.ok("--json", "status"))
	if st.Engine != "postgres" || st.Counts["tasks"] != 2 || st.TasksByStatus[domain.StatusCompleted] != 1 {
		t.Fatalf("status on PostgreSQL: %+v", st)
	}
	if days := decode[[]domain.DayStats](t, r.ok("--json", "stats")); len(days) != 1 || days[0].CompletedTasks != 1 {
		t.Fatalf("stats on PostgreSQL: %+v", days)
	}
	if _, err := os.Stat(filepath.Join(r.dir, cli.DBFile)); !os.IsNotExist(err) {
		t.Fatalf("a SQLite file was written next to a PostgreSQL store: %v", err)
	}

	t.Run("EngineIsPostgres", func(t *testing.T) {
		// The services carry the store on PostgreSQL, and say so; serve
		// and the window get the backup service there too (logical dumps).
		r := r.with(t)
		var engine string
		var hasBackup bool
		r.opts = func(o *cli.Options) {
			o.OpenWindow = func(ctx context.Context, env *cli.Env) error {
				svc, err := env.Services(ctx)
				if err == nil {
					engine = svc.DB.Engine()
					hasBackup = svc.Backup() != nil
				}
				return err
			}
		}
		if res := r.run(); res.Code != cli.ExitOK || engine != store.EnginePostgres || !hasBackup {
			t.Fatalf("exit %d, engine %q, backup service %v, stderr %q", res.Code, engine, hasBackup, res.Stderr)
		}
	})
	t.Run("Flag", func(t *testing.T) {
		// --db wins over $REELVAULT_DB.
		r := r.with(t)
		r.env[cli.EnvDB] = "postgres://127.0.0.1:1/nothing-listens-here"
		users := decode[[]domain.User](t, r.ok("--json", "--db", url, "user", "list"))
		if len(users) != 1 || users[0].UsedQuota != 2 {
			t.Fatalf("users=%+v", users)
		}
	})
	t.Run("ErrUnreachable", func(t *testing.T) {
		r := newRunner(t)
		res := r.run("--db", "postgres://reelvault:secret@127.0.0.1:1/none", "status")
		if res.Code != cli.ExitError || !strings.HasPrefix(res.Stderr, "error: Cannot connect to the PostgreSQL database ") || strings.Contains(res.Stderr, "secret") {
			t.Fatalf("exit %d, stderr %q; want an open error without the password", res.Code, res.Stderr)
		}
	})
}
