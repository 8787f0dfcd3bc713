package cli

import (
	"context"
	"net/url"
	"strings"
)

func init() {
	Register(&Command{
		Name:    "open",
		Args:    "[TASK_ID]",
		Summary: "Open the window on the history or on one task; a window already open comes to the front there.",
		Run:     runOpen,
	})
}

// runOpen opens the window (Options.OpenWindow) on the history, or on the
// task TASK_ID, which must exist. Without a window it shows the status view,
// as reelvault without a command does.
func runOpen(ctx context.Context, env *Env, args []string) error {
	var names []string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		names = []string{"TASK_ID"}
	}
	pos, err := env.Parse(env.FlagSet(), args, names...)
	if err != nil {
		return err
	}
	env.WindowRoute = "#/history"
	if len(pos) == 1 {
		svc, err := env.Services(ctx)
		if err != nil {
			return err
		}
		id, err := env.resolveTaskID(ctx, svc, pos[0])
		if err != nil {
			return err
		}
		t, err := svc.Tasks.FindTaskByID(ctx, id)
		if err != nil {
			return err
		}
		env.WindowRoute = "#/task/" + url.PathEscape(t.TaskID)
	}
	return env.openWindow(ctx)
}
