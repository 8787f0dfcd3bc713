package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// taskCount returns the number of tasks "status --json" reports.
func taskCount(t *testing.T, r *runner) int {
	t.Helper()
	var st struct {
		TasksByStatus map[string]int `json:"tasks_by_status"`
	}
	if err := json.Unmarshal([]byte(r.ok("--json", "status").Stdout), &st); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range st.TasksByStatus {
		n += c
	}
	return n
}

func TestBackupRestore(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	r.createTask("alice", "first")
	r.createTask("alice", "second")

	b := decode[domain.Backup](t, r.ok("--json", "backup"))
	if b.Kind != domain.BackupManual || b.Rows["tasks"] != 2 || filepath.Dir(b.Path) != filepath.Join(r.dir, "backups") {
		t.Fatalf("backup=%+v", b)
	}
	list := decode[[]domain.Backup](t, r.ok("--json", "backups"))
	if len(list) != 1 || list[0].Name != b.Name {
		t.Fatalf("backups=%+v", list)
	}

	// Without a terminal, progress is plain lines on stderr.
	res := r.run("backup")
	if res.Code != cli.ExitOK || !strings.Contains(res.Stderr, "copy 100%") || !strings.Contains(res.Stderr, "verify") {
		t.Fatalf("backup: exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
	if !strings.HasPrefix(res.Stdout, "Backed up to "+filepath.Join(r.dir, "backups")) {
		t.Fatalf("backup stdout=%q", res.Stdout)
	}

	r.createTask("alice", "third")
	t.Run("Cancelled", func(t *testing.T) {
		r := r.with(t)
		r.stdin = "n\n"
		res := r.run("restore", b.Name)
		if res.Code != cli.ExitError || !strings.Contains(res.Stderr, "Restore cancelled; nothing was changed.") {
			t.Fatalf("exit %d, stderr:\n%s", res.Code, res.Stderr)
		}
		if got := taskCount(t, r); got != 3 {
			t.Fatalf("tasks=%d, want 3", got)
		}
	})

	out := decode[domain.RestoreResult](t, r.ok("--json", "restore", b.Name, "--yes"))
	if out.PreRestore == nil || out.PreRestore.Kind != domain.BackupPreRestore {
		t.Fatalf("restore=%+v", out)
	}
	if got := taskCount(t, r); got != 2 {
		t.Fatalf("tasks after restore=%d, want 2", got)
	}
	r.ok("--json", "restore", "--undo", "--yes")
	if got := taskCount(t, r); got != 3 {
		t.Fatalf("tasks after undo=%d, want 3", got)
	}

	t.Run("Refused", func(t *testing.T) {
		r := r.with(t)
		junk := filepath.Join(t.TempDir(), "junk.db")
		if err := os.WriteFile(junk, []byte(strings.Repeat("junk", 100)), 0o600); err != nil {
			t.Fatal(err)
		}
		res := r.run("restore", junk, "--yes")
		if res.Code != cli.ExitError || !strings.HasSuffix(res.Stderr, "error: "+junk+" is not a SQLite database.\n") {
			t.Fatalf("restore junk: exit %d, stderr:\n%s", res.Code, res.Stderr)
		}
		missing := filepath.Join(t.TempDir(), "missing.db.zst")
		r.fails(cli.ExitError, "error: Backup file "+missing+" does not exist.\n", "restore", missing, "--yes")
		r.fails(cli.ExitUsage, "error: give either a backup NAME or PATH, or --undo\nusage: reelvault restore NAME|PATH [--into DIR] [--db-only] [--yes] | NAME --task ID [ID…] [--yes] | NAME --preview | --undo [--yes]\n", "restore")
		if got := taskCount(t, r); got != 3 {
			t.Fatalf("tasks=%d, want 3", got)
		}
	})
}

func TestExportImport(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	r.createTask("alice", "first")
	r.createTask("alice", "second")

	path := filepath.Join(t.TempDir(), "history.json")
	if res := r.ok("export", "--out", path); !strings.HasPrefix(res.Stdout, "Exported to "+path) {
		t.Fatalf("export stdout=%q", res.Stdout)
	}
	nd := r.ok("export", "--ndjson", "--status", "pending").Stdout
	if lines := strings.Count(nd, "\n"); lines != 3 {
		t.Fatalf("ndjson lines=%d, want header + 2 tasks:\n%s", lines, nd)
	}

	other := newRunner(t)
	if res := other.ok("import", path); res.Stdout != "Imported 2 tasks and 1 new users; 0 tasks were already present.\n" {
		t.Fatalf("import stdout=%q", res.Stdout)
	}
	again := decode[struct {
		Users, Tasks, Skipped int
	}](t, other.ok("--json", "import", path))
	if again.Tasks != 0 || again.Skipped != 2 {
		t.Fatalf("second import=%+v, want 2 skipped", again)
	}
	if got := taskCount(t, other); got != 2 {
		t.Fatalf("imported tasks=%d, want 2", got)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(bad, []byte(strings.Replace(string(data), `"status":"pending"`, `"status":"lost"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	res := newRunner(t).run("import", bad)
	if res.Code != cli.ExitError || !strings.Contains(res.Stderr, "Task 1 (") || !strings.Contains(res.Stderr, `status "lost"`) {
		t.Fatalf("bad import: exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
}

func TestScheduleMaintainJobs(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")

	sch := decode[struct {
		domain.Schedule
		Next map[string]string `json:"next"`
	}](t, r.ok("--json", "schedule"))
	if sch.Schedule != backup.DefaultSchedule() || sch.Next["backup"] == "" {
		t.Fatalf("schedule=%+v", sch)
	}

	res := r.run("schedule", "--backup", "0 25 * * *")
	if res.Code != cli.ExitError || !strings.Contains(res.Stderr, `"0 25 * * *" is not a valid cron expression`) {
		t.Fatalf("bad cron: exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
	sch = decode[struct {
		domain.Schedule
		Next map[string]string `json:"next"`
	}](t, r.ok("--json", "schedule", "--keep", "3", "--vacuum", ""))
	if sch.Keep != 3 || sch.Vacuum != "" || sch.Backup != backup.DefaultSchedule().Backup {
		t.Fatalf("schedule after change=%+v", sch.Schedule)
	}
	if _, ok := sch.Next["vacuum"]; ok {
		t.Fatal("disabled vacuum has a next run")
	}
	if out := r.ok("schedule").Stdout; !strings.Contains(out, "disabled") {
		t.Fatalf("schedule table:\n%s", out)
	}
	// Every job's schedule and the tiered retention, in text.
	out := r.ok("schedule", "--optimize", "0 4 * * 1", "--checkpoint", "@hourly", "--drill", "0 5 * * 0", "--keep-daily", "7", "--keep-weekly", "4").Stdout
	for _, want := range []string{"Schedule saved; a running Reelvault applies it at once.", "0 4 * * 1", "@hourly", "0 5 * * 0",
		"Retention: the newest 3 scheduled backups, one per day for 7 days, one per week for 4 weeks; manual backups are never pruned."} {
		if !strings.Contains(out, want) {
			t.Fatalf("schedule lacks %q:\n%s", want, out)
		}
	}
	sch = decode[struct {
		domain.Schedule
		Next map[string]string `json:"next"`
	}](t, r.ok("--json", "schedule"))
	if sch.Optimize != "0 4 * * 1" || sch.Checkpoint != "@hourly" || sch.Drill != "0 5 * * 0" || sch.KeepDaily != 7 || sch.KeepWeekly != 4 || sch.Keep != 3 {
		t.Fatalf("schedule after the change=%+v", sch.Schedule)
	}

	for _, op := range []string{"optimize", "analyze", "vacuum", "check", "checkpoint"} {
		run := decode[domain.JobRun](t, r.ok("--json", "maintain", op))
		if run.JobID != op || run.Result != domain.JobOK {
			t.Fatalf("maintain %s=%+v", op, run)
		}
	}
	res = r.run("maintain", "defrag")
	if res.Code != cli.ExitError || !strings.Contains(res.Stderr, `Unknown maintenance operation "defrag"`) {
		t.Fatalf("maintain defrag: exit %d, stderr:\n%s", res.Code, res.Stderr)
	}
	runs := decode[[]domain.JobRun](t, r.ok("--json", "jobs"))
	if len(runs) != 5 || runs[0].JobID != "checkpoint" {
		t.Fatalf("jobs=%+v", runs)
	}
	if out := r.ok("jobs").Stdout; !strings.HasPrefix(out, "JOB") || strings.Count(out, "\n") != 6 {
		t.Fatalf("jobs table:\n%s", out)
	}
}

// An existing database at an older schema is backed up before the command
// line migrates it, into $REELVAULT_BACKUP_DIR when that is set.
func TestBackup_PreMigration(t *testing.T) {
	for _, tt := range []struct {
		name      string
		backupDir func(r *runner) string
	}{
		{"DefaultFolder", func(r *runner) string { return filepath.Join(r.dir, "backups") }},
		{"BackupDir", func(r *runner) string {
			dir := filepath.Join(t.TempDir(), "elsewhere")
			r.env[cli.EnvBackupDir] = dir
			return dir
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRunner(t)
			want := tt.backupDir(r)
			older := store.PreviousSchemaVersion()
			if err := store.CreateAtVersion(context.Background(), filepath.Join(r.dir, cli.DBFile), older); err != nil {
				t.Fatal(err)
			}

			var st struct {
				SchemaVersion int64 `json:"schema_version"`
			}
			opened := r.ok("--json", "status")
			if err := json.Unmarshal([]byte(opened.Stdout), &st); err != nil {
				t.Fatal(err)
			}
			if got, want := st.SchemaVersion, store.LatestSchemaVersion(); got != want {
				t.Fatalf("schema=%d, want %d", got, want)
			}
			list := decode[[]domain.Backup](t, r.ok("--json", "backups"))
			if len(list) != 1 || list[0].Kind != domain.BackupPreMigration {
				t.Fatalf("backups=%+v, want one pre-migration backup", list)
			}
			// The person is told, on stderr, beside the JSON.
			if got, want := opened.Stderr, fmt.Sprintf("Upgraded the database from schema version %d to %d; the database as it was is backed up in %s.\n",
				older, store.LatestSchemaVersion(), list[0].Path); got != want {
				t.Fatalf("stderr=%q, want %q", got, want)
			}
			if got := list[0].SchemaVersion; got != older {
				t.Fatalf("backup schema=%d, want %d", got, older)
			}
			if got := filepath.Dir(list[0].Path); got != want {
				t.Fatalf("backup folder=%s, want %s", got, want)
			}

			// Opening again migrates nothing and backs up nothing.
			r.ok("status")
			if list := decode[[]domain.Backup](t, r.ok("--json", "backups")); len(list) != 1 {
				t.Fatalf("backups after a second open=%d, want 1", len(list))
			}
		})
	}
}

// Restoring a backup of an older schema migrates it forward after the swap;
// the pre-migration backup that the reopen takes must not collide with the
// restore's own hold on the backup lock.
func TestRestore_OlderSchema(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	older := store.PreviousSchemaVersion()
	file := filepath.Join(t.TempDir(), "older.db")
	if err := store.CreateAtVersion(context.Background(), file, older); err != nil {
		t.Fatal(err)
	}

	out := decode[domain.RestoreResult](t, r.ok("--json", "restore", file, "--yes"))
	if out.PreRestore == nil || out.PreRestore.Kind != domain.BackupPreRestore {
		t.Fatalf("restore=%+v", out)
	}

	var st struct {
		SchemaVersion int64 `json:"schema_version"`
	}
	if err := json.Unmarshal([]byte(r.ok("--json", "status").Stdout), &st); err != nil {
		t.Fatal(err)
	}
	if got, want := st.SchemaVersion, store.LatestSchemaVersion(); got != want {
		t.Fatalf("schema after restore=%d, want %d", got, want)
	}
	if users := decode[[]domain.User](t, r.ok("--json", "user", "list")); len(users) != 0 {
		t.Fatalf("users after restoring an empty backup=%d, want 0", len(users))
	}
	kinds := map[domain.BackupKind]int{}
	for _, b := range decode[[]domain.Backup](t, r.ok("--json", "backups")) {
		kinds[b.Kind]++
	}
	if kinds[domain.BackupPreRestore] != 1 || kinds[domain.BackupPreMigration] != 1 {
		t.Fatalf("backups by kind=%v, want one pre-restore and one pre-migration", kinds)
	}
}
