package cli

import (
	"context"
	"fmt"

	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "task rerun",
		Args:    "ID [--prompt TEXT]",
		Summary: "Run a finished task again: create a pending task from its prompt and scenes, and print the new task_id.",
		Run:     runTaskRerun,
	})
	Register(&Command{
		Name:    "task takes",
		Args:    "ID",
		Summary: "List a task's takes: the first of its reruns and every rerun of it, oldest first.",
		Run:     runTaskTakes,
	})
}

func runTaskRerun(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	prompt := fs.String("prompt", "", "a new prompt instead of the origin's; - reads it from stdin")
	id, _, lib, err := env.parseLibraryTask(ctx, fs, args)
	if err != nil {
		return err
	}
	var in domain.RerunInput
	if isSet(fs, "prompt") {
		text, err := env.promptText(*prompt)
		if err != nil {
			return err
		}
		in.Prompt = &text
	}
	t, err := lib.RerunTask(ctx, id, in)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(t)
	}
	// Just the ID, so that scripts can write ID=$(reelvault task rerun …).
	env.Printf("%s\n", t.TaskID)
	return nil
}

// takesList is what "task takes --json" prints: the shape of
// GET /api/v1/tasks/{task_id}/takes.
type takesList struct {
	Tasks []*domain.Task `json:"tasks"`
}

func runTaskTakes(ctx context.Context, env *Env, args []string) error {
	id, _, lib, err := env.parseLibraryTask(ctx, env.FlagSet(), args)
	if err != nil {
		return err
	}
	takes, err := lib.Takes(ctx, id)
	if err != nil {
		return err
	}
	takes = nonNil(takes)
	if env.Config.JSON {
		return env.PrintJSON(takesList{Tasks: takes})
	}
	tb := env.Table("TAKE", "TASK_ID", "STATUS", "CREATED", "DURATION", "RATING", "PROMPT")
	for i, t := range takes {
		take := fmt.Sprint(i + 1)
		if t.TaskID == id {
			take += " *"
		}
		tb.Row(take, t.TaskID, t.Status, fmtTime(t.CreatedAt), fmtSecondsPtr(t.Duration), fmtRating(t.Rating), oneLine(t.Prompt, 50))
	}
	return tb.Flush()
}
