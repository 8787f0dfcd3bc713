package cli

import (
	"context"
	"fmt"
	"strconv"

	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "task star",
		Args:    "ID",
		Summary: "Star a task.",
		Run:     func(ctx context.Context, env *Env, args []string) error { return runTaskStar(ctx, env, args, true) },
	})
	Register(&Command{
		Name:    "task unstar",
		Args:    "ID",
		Summary: "Take the star off a task.",
		Run:     func(ctx context.Context, env *Env, args []string) error { return runTaskStar(ctx, env, args, false) },
	})
	Register(&Command{
		Name:    "task rate",
		Args:    "ID N",
		Summary: "Rate a task from 1 to 5 stars; 0 clears the rating.",
		Run:     runTaskRate,
	})
	Register(&Command{
		Name:    "task tag",
		Args:    "ID [--add TAG]… [--remove TAG]…",
		Summary: "Add and remove a task's tags (free text, Chinese included).",
		Run:     runTaskTag,
	})
	Register(&Command{
		Name:    "tag list",
		Summary: "List the tags in use with how many tasks carry each, most used first.",
		Run:     runTagList,
	})
}

// printLibraryState prints a task after a library change: one line, or the
// task as JSON.
func (env *Env) printLibraryState(t *domain.Task, err error) error {
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(t)
	}
	star := "not starred"
	if t.Starred {
		star = "starred"
	}
	env.Printf("Task %s: %s, rating %s, tags %s\n", t.TaskID, star, fmtRating(t.Rating), listOrDash(t.Tags))
	return nil
}

// fmtRating is "4/5", or "-" when unrated.
func fmtRating(r int) string {
	if r == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d", r, domain.MaxRating)
}

func runTaskStar(ctx context.Context, env *Env, args []string, starred bool) error {
	id, _, lib, err := env.parseLibraryTask(ctx, env.FlagSet(), args)
	if err != nil {
		return err
	}
	return env.printLibraryState(lib.SetStar(ctx, id, starred))
}

func runTaskRate(ctx context.Context, env *Env, args []string) error {
	id, rest, lib, err := env.parseLibraryTask(ctx, env.FlagSet(), args, "N")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(rest[0])
	if err != nil {
		return domain.Invalidf("rating", "The rating must be a whole number from 1 to %d, or 0 to clear it; not %q.", domain.MaxRating, rest[0])
	}
	return env.printLibraryState(lib.SetRating(ctx, id, n))
}

func runTaskTag(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	var add, remove listFlag
	fs.Var(&add, "add", "a tag to add; repeat for more")
	fs.Var(&remove, "remove", "a tag to remove; repeat for more")
	id, _, lib, err := env.parseLibraryTask(ctx, fs, args)
	if err != nil {
		return err
	}
	if len(add) == 0 && len(remove) == 0 {
		return env.UsageErrorf("give --add TAG or --remove TAG")
	}
	return env.printLibraryState(lib.TagTask(ctx, id, add, remove))
}

// tagList is what "tag list --json" prints: the shape of GET /api/v1/tags.
type tagList struct {
	Tags []domain.TagCount `json:"tags"`
}

func runTagList(ctx context.Context, env *Env, args []string) error {
	lib, err := env.plainLibrary(ctx, args)
	if err != nil {
		return err
	}
	tags, err := lib.ListTags(ctx)
	if err != nil {
		return err
	}
	tags = nonNil(tags)
	if env.Config.JSON {
		return env.PrintJSON(tagList{Tags: tags})
	}
	if len(tags) == 0 {
		env.Printf("No tags yet. Tag a task with: reelvault task tag ID --add TAG\n")
		return nil
	}
	tb := env.Table("TAG", "TASKS")
	for _, t := range tags {
		tb.Row(t.Tag, t.Count)
	}
	return tb.Flush()
}
