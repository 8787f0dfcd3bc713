package cli

import (
	"context"
	"fmt"
	"strconv"

	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "task delete",
		Args:    "ID… [--files]",
		Summary: "Move tasks to the trash, where they stay restorable until purged; --files also moves their videos to the system trash.",
		Run:     runTaskDelete,
	})
	Register(&Command{
		Name:    "trash list",
		Args:    "[--user NAME] [--limit N] [--cursor C]",
		Summary: "List the tasks in the trash, most recently created first.",
		Run:     runTrashList,
	})
	Register(&Command{
		Name:    "trash restore",
		Args:    "ID…",
		Summary: "Bring tasks back from the trash.",
		Run:     runTrashRestore,
	})
	Register(&Command{
		Name:    "trash retention",
		Args:    "[DAYS]",
		Summary: "Show, or set, how many days a task stays in the trash before it is purged (default 30).",
		Run:     runTrashRetention,
	})
	Register(&Command{
		Name:    "trash empty",
		Summary: "Delete every task in the trash for good.",
		Run:     runTrashEmpty,
	})
}

func runTaskDelete(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	files := fs.Bool("files", false, "also move the tasks' video files to the system trash (where there is one)")
	_, ids, svc, err := env.parseTaskIDs(ctx, fs, args)
	if err != nil {
		return err
	}
	lib, err := env.libraryService(svc)
	if err != nil {
		return err
	}
	res, err := lib.TrashTasks(ctx, ids, domain.TrashOptions{DeleteFiles: *files})
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(res)
	}
	env.Printf("Moved %s to the trash%s. Undo with: reelvault trash restore ID…\n", tasksWord(res.Changed), filesNote(res, *files))
	return nil
}

// filesNote says what became of the video files of trashed tasks.
func filesNote(res *domain.TrashResult, asked bool) string {
	if !asked {
		return ""
	}
	s := fmt.Sprintf("; moved %s to the system trash", plural(res.FilesTrashed, "video file", "video files"))
	if res.FilesLeft > 0 {
		s += fmt.Sprintf(", left %s in place (no system trash, or missing)", plural(res.FilesLeft, "file", "files"))
	}
	return s
}

func runTrashList(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	user := fs.String("user", "", "only the tasks of this user")
	limit := fs.Int("limit", 0, "tasks per page (default 50, at most 500)")
	cursor := fs.String("cursor", "", "the next page's cursor, as the previous page printed it")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	page, err := svc.Tasks.FindTasks(ctx, domain.TaskFilter{Username: *user, Trashed: true, Cursor: *cursor, Limit: *limit})
	if err != nil {
		return err
	}
	page.Tasks = nonNil(page.Tasks)
	if env.Config.JSON {
		return env.PrintJSON(page)
	}
	if len(page.Tasks) == 0 {
		env.Printf("The trash is empty.\n")
		return nil
	}
	tb := env.Table("TASK_ID", "USER", "STATUS", "CREATED", "TRASHED", "PROMPT")
	for _, t := range page.Tasks {
		tb.Row(t.TaskID, t.Username, t.Status, fmtTime(t.CreatedAt), fmtTimePtr(t.TrashedAt), oneLine(t.Prompt, 50))
	}
	if err := tb.Flush(); err != nil {
		return err
	}
	if page.NextCursor != "" {
		env.Printf("\nNext page: --cursor %s\n", page.NextCursor)
	}
	return nil
}

func runTrashRestore(ctx context.Context, env *Env, args []string) error {
	_, ids, svc, err := env.parseTaskIDs(ctx, env.FlagSet(), args)
	if err != nil {
		return err
	}
	lib, err := env.libraryService(svc)
	if err != nil {
		return err
	}
	res, err := lib.RestoreTasks(ctx, ids)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(res)
	}
	env.Printf("Restored %s from the trash.\n", tasksWord(res.Changed))
	return nil
}

func runTrashEmpty(ctx context.Context, env *Env, args []string) error {
	lib, err := env.plainLibrary(ctx, args)
	if err != nil {
		return err
	}
	res, err := lib.EmptyTrash(ctx)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(res)
	}
	env.Printf("Deleted %s from the trash for good.\n", tasksWord(res.Changed))
	return nil
}

func runTrashRetention(ctx context.Context, env *Env, args []string) error {
	pos, err := env.parseOptional(env.FlagSet(), args, 0, "DAYS")
	if err != nil {
		return err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	lib, err := env.libraryService(svc)
	if err != nil {
		return err
	}
	if len(pos) == 1 {
		days, err := strconv.Atoi(pos[0])
		if err != nil {
			return domain.Invalidf("trash_retention_days", "DAYS must be a whole number of days from 1 to %d, not %q.", domain.MaxTrashRetentionDays, pos[0])
		}
		if err := lib.SetTrashRetention(ctx, days); err != nil {
			return err
		}
	}
	keep, err := lib.TrashRetention(ctx)
	if err != nil {
		return err
	}
	set := domain.TrashSettingsOf(keep)
	if env.Config.JSON {
		return env.PrintJSON(set)
	}
	env.Printf("Trashed tasks are purged after %s.\n", plural(set.RetentionDays, "day", "days"))
	return nil
}
