package cli_test

import (
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
)

func TestRestoreTasks(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	r.fails(cli.ExitError, "error: There is no backup to drill yet; take one first.\n", "drill")
	keep := r.createTask("alice", "kept as it is")
	id := r.createTask("alice", "the one to restore")
	b := decode[domain.Backup](t, r.ok("--json", "backup"))
	r.ok("task", "cancel", id)
	later := r.createTask("alice", "made after the backup")

	p := decode[domain.TaskPreview](t, r.ok("--json", "restore", b.Name, "--preview"))
	if p.Changed != 1 || p.Same != 1 || p.OnlyHere != 1 || len(p.Tasks) != 1 || p.Tasks[0].TaskID != id {
		t.Fatalf("preview=%+v", p)
	}
	out := r.ok("restore", b.Name, "--preview").Stdout
	if !strings.Contains(out, "1 changed") || !strings.Contains(out, id) || !strings.Contains(out, "Nothing was changed") {
		t.Fatalf("preview:\n%s", out)
	}

	// Without --yes and with no "y" on stdin, nothing happens.
	res := r.run("restore", b.Name, "--task", id)
	if res.Code != cli.ExitError || !strings.Contains(res.Stderr, "nothing was changed") {
		t.Fatalf("unconfirmed: exit %d, stderr %q", res.Code, res.Stderr)
	}
	r.fails(cli.ExitUsage, "error: give either --preview or --task\nusage: reelvault restore NAME|PATH [--into DIR] [--db-only] [--yes] | NAME --task ID [ID…] [--yes] | NAME --preview | --undo [--yes]\n",
		"restore", b.Name, "--preview", "--task", id)
	res = r.run("restore", b.Name, "--task", later, "--yes")
	if res.Code != cli.ExitError || !strings.Contains(res.Stderr, "holds no task "+later) {
		t.Fatalf("task not in the set: exit %d, stderr %q", res.Code, res.Stderr)
	}

	got := decode[domain.TaskRestoreResult](t, r.ok("--json", "restore", b.Name, "--task", id, "--yes"))
	if len(got.Replaced) != 1 || got.Replaced[0] != id {
		t.Fatalf("restore --task=%+v", got)
	}
	for task, want := range map[string]string{id: "pending", keep: "pending", later: "pending"} {
		if out := r.ok("task", "show", task).Stdout; !strings.Contains(out, want) {
			t.Fatalf("task %s after the restore:\n%s", task, out)
		}
	}
	if out := r.ok("restore", "--undo", "--yes").Stdout; !strings.Contains(out, "Put back 1 tasks") {
		t.Fatalf("undo: %q", out)
	}
	if out := r.ok("task", "show", id).Stdout; !strings.Contains(out, "cancelled") {
		t.Fatalf("undo did not put the cancelled task back:\n%s", out)
	}

	t.Run("Drill", func(t *testing.T) {
		d := decode[domain.DrillResult](t, r.ok("--json", "drill", b.Name))
		if !d.OK || d.Tasks != 2 || d.Backup != b.Name {
			t.Fatalf("drill=%+v", d)
		}
		if out := r.ok("status").Stdout; !strings.Contains(out, "Last proven restorable:") || !strings.Contains(out, b.Name) {
			t.Fatalf("status:\n%s", out)
		}
		r.fails(cli.ExitError, "error: There is no backup called \"nope\".\n", "drill", "nope")
	})
}
