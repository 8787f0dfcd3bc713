package cli_test

import (
	"context"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
)

// reelvault open [TASK_ID] hands the window the screen to open on; an
// unknown task is refused before any window opens.
func TestOpen(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	id := r.createTask("alice", "A kite over the dunes")
	var route string
	calls := 0
	r.opts = func(o *cli.Options) {
		o.OpenWindow = func(ctx context.Context, env *cli.Env) error {
			calls++
			route = env.WindowRoute
			return nil
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"open"}, "#/history"},
		{[]string{"open", id}, "#/task/" + id},
	} {
		if res := r.run(tc.args...); res.Code != cli.ExitOK {
			t.Fatalf("%v: exit %d: %s", tc.args, res.Code, res.Stderr)
		}
		if route != tc.want {
			t.Fatalf("%v: window route %q, want %q", tc.args, route, tc.want)
		}
	}
	before := calls
	r.fails(cli.ExitError, "error: Task 00000000-0000-0000-0000-000000000000 not found.\n", "open", "00000000-0000-0000-0000-000000000000")
	if res := r.run("open", id, "extra"); res.Code != cli.ExitUsage {
		t.Fatalf("open with two arguments: exit %d, want %d", res.Code, cli.ExitUsage)
	}
	if calls != before {
		t.Fatal("the window opened for a refused command")
	}
}
