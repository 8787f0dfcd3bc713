package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "task create",
		Args:    "--user NAME --prompt TEXT [--scenes N]",
		Summary: "Create a pending task and print its task_id.",
		Run:     runTaskCreate,
	})
	Register(&Command{
		Name:    "task start",
		Args:    "ID",
		Summary: "Move a pending task to processing.",
		Run:     runTaskStart,
	})
	Register(&Command{
		Name:    "task progress",
		Args:    "ID --percent P [--scenes-done N]",
		Summary: "Record progress (0-100) of a processing task.",
		Run:     runTaskProgress,
	})
	Register(&Command{
		Name:    "task complete",
		Args:    "ID --video PATH [--strict]",
		Summary: "Finish a processing task with its final video.",
		Run:     runTaskComplete,
	})
	Register(&Command{
		Name:    "task fail",
		Args:    "ID --error TEXT",
		Summary: "Fail a pending or processing task with a message.",
		Run:     runTaskFail,
	})
	Register(&Command{
		Name:    "task cancel",
		Args:    "ID",
		Summary: "Cancel a pending or processing task.",
		Run:     runTaskCancel,
	})
	Register(&Command{
		Name:    "task show",
		Args:    "ID",
		Summary: "Show a task with its scenes, videos and events.",
		Run:     runTaskShow,
	})
	Register(&Command{
		Name:    "task list",
		Args:    "[--user NAME] [--status S] [--search TEXT] [--since DATE] [--until DATE] [--starred] [--rating N] [--tag T]… [--collection NAME] [--limit N] [--cursor C]",
		Summary: "List tasks, newest first, one page at a time.",
		Run:     runTaskList,
	})
}

func runTaskCreate(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	user := fs.String("user", "", "the user the task belongs to")
	prompt := fs.String("prompt", "", "the prompt; - reads it from stdin")
	scenes := fs.Int("scenes", 0, "how many scenes the task will have")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	if err := env.Require(fs, "user", "prompt"); err != nil {
		return err
	}
	text, err := env.promptText(*prompt)
	if err != nil {
		return err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	t, err := svc.Tasks.CreateTask(ctx, domain.TaskCreate{Username: *user, Prompt: text, TotalScenes: *scenes})
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(t)
	}
	// Just the ID, so that scripts can write ID=$(reelvault task create …).
	env.Printf("%s\n", t.TaskID)
	return nil
}

// promptText returns the text of a --prompt flag: the flag's value, or
// stdin for "-".
func (env *Env) promptText(flagValue string) (string, error) {
	if flagValue != "-" {
		return flagValue, nil
	}
	// At most four bytes a character: more cannot be a valid prompt.
	const maxBytes = 4 * domain.MaxPromptChars
	b, err := io.ReadAll(io.LimitReader(env.Stdin, maxBytes+1))
	if err != nil {
		return "", fmt.Errorf("read prompt from stdin: %w", err)
	} else if len(b) > maxBytes {
		return "", domain.Invalidf("prompt", "The prompt on stdin is longer than %d characters.", domain.MaxPromptChars)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// parseTask parses the arguments of a command on one task (its ID, or the
// ID's first characters, and flags), checks the required flags and opens
// the services.
func (env *Env) parseTask(ctx context.Context, fs *flag.FlagSet, args []string, required ...string) (string, *Services, error) {
	pos, err := env.Parse(fs, args, "ID")
	if err != nil {
		return "", nil, err
	}
	if err := env.Require(fs, required...); err != nil {
		return "", nil, err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return "", nil, err
	}
	id, err := env.resolveTaskID(ctx, svc, pos[0])
	if err != nil {
		return "", nil, err
	}
	return id, svc, nil
}

// printTaskState prints a task after a change: one line, or the task as JSON.
func (env *Env) printTaskState(t *domain.Task, err error) error {
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(t)
	}
	line := fmt.Sprintf("Task %s: %s, %d%%", t.TaskID, t.Status, t.Progress)
	if t.TotalScenes > 0 {
		line += fmt.Sprintf(", %d/%d scenes", t.CompletedScenes, t.TotalScenes)
	}
	switch t.Status {
	case domain.StatusCompleted:
		line += fmt.Sprintf(", took %s, video %s", fmtSecondsPtr(t.Duration), t.FinalVideoPath)
	case domain.StatusFailed:
		line += ": " + t.ErrorMessage
	}
	env.Printf("%s\n", line)
	return nil
}

func runTaskStart(ctx context.Context, env *Env, args []string) error {
	id, svc, err := env.parseTask(ctx, env.FlagSet(), args)
	if err != nil {
		return err
	}
	return env.printTaskState(svc.Tasks.StartTask(ctx, id))
}

func runTaskCancel(ctx context.Context, env *Env, args []string) error {
	id, svc, err := env.parseTask(ctx, env.FlagSet(), args)
	if err != nil {
		return err
	}
	return env.printTaskState(svc.Tasks.CancelTask(ctx, id))
}

func runTaskProgress(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	percent := fs.Int("percent", 0, "progress in percent, 0 to 100")
	scenes := fs.Int("scenes-done", 0, "how many scenes are finished")
	id, svc, err := env.parseTask(ctx, fs, args, "percent")
	if err != nil {
		return err
	}
	in := domain.TaskProgress{Progress: *percent}
	if isSet(fs, "scenes-done") {
		in.CompletedScenes = scenes
	}
	return env.printTaskState(svc.Tasks.UpdateProgress(ctx, id, in))
}

func runTaskComplete(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	video := fs.String("video", "", "the final video file")
	strict := fs.Bool("strict", false, "refuse a --video file that does not exist")
	id, svc, err := env.parseTask(ctx, fs, args, "video")
	if err != nil {
		return err
	}
	path, err := absPath("video", *video)
	if err != nil {
		return err
	}
	if err := env.checkMediaFile("video", "final_video_path", path, *strict); err != nil {
		return err
	}
	return env.printTaskState(svc.Tasks.CompleteTask(ctx, id, path))
}

func runTaskFail(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	msg := fs.String("error", "", "what went wrong")
	id, svc, err := env.parseTask(ctx, fs, args, "error")
	if err != nil {
		return err
	}
	return env.printTaskState(svc.Tasks.FailTask(ctx, id, *msg))
}

// absPath makes a file path absolute, so that the database names the same
// file whatever directory the window or server later runs in.
func absPath(field, path string) (string, error) {
	if path == "" {
		return "", domain.Invalidf(field, "--%s must name a file.", field)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolve --%s: %w", field, err)
	}
	return abs, nil
}

func runTaskShow(ctx context.Context, env *Env, args []string) error {
	id, svc, err := env.parseTask(ctx, env.FlagSet(), args)
	if err != nil {
		return err
	}
	t, err := svc.Tasks.FindTaskByID(ctx, id)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(t)
	}
	kv := env.Table()
	kv.Row("Task:", t.TaskID)
	kv.Row("User:", t.Username)
	kv.Row("Status:", t.Status)
	kv.Row("Progress:", fmt.Sprintf("%d%%, %d/%d scenes", t.Progress, t.CompletedScenes, t.TotalScenes))
	kv.Row("Created:", fmtTime(t.CreatedAt))
	kv.Row("Started:", fmtTimePtr(t.StartedAt))
	kv.Row("Finished:", fmtTimePtr(t.CompletedAt))
	kv.Row("Duration:", fmtSecondsPtr(t.Duration))
	if t.FinalVideoPath != "" {
		kv.Row("Video:", t.FinalVideoPath)
	}
	if t.ErrorMessage != "" {
		kv.Row("Error:", oneLine(t.ErrorMessage, 200))
	}
	if t.Attempts > 0 {
		kv.Row("Attempts:", t.Attempts)
	}
	kv.Row("Starred:", yesNo(t.Starred))
	kv.Row("Rating:", fmtRating(t.Rating))
	kv.Row("Tags:", listOrDash(t.Tags))
	kv.Row("Collections:", listOrDash(t.Collections))
	kv.Row("Rerun of:", dash(t.RerunOf))
	if t.TrashedAt != nil {
		kv.Row("Trashed:", fmtTimePtr(t.TrashedAt)+" (reelvault trash restore "+t.TaskID+" brings it back)")
	}
	if err := kv.Flush(); err != nil {
		return err
	}
	env.Printf("\nPrompt:\n  %s\n", strings.ReplaceAll(t.Prompt, "\n", "\n  "))

	if len(t.Scripts) > 0 {
		env.Printf("\nScenes:\n")
		tb := env.Table("  SCENE", "DURATION", "CAMERA", "LIGHTING", "DESCRIPTION")
		for _, s := range t.Scripts {
			tb.Row(fmt.Sprintf("  %d", s.SceneNumber), fmtSeconds(s.Duration), dash(s.CameraMovement), dash(s.Lighting), oneLine(s.Description, 60))
		}
		if err := tb.Flush(); err != nil {
			return err
		}
	}
	if len(t.Videos) > 0 {
		env.Printf("\nVideos:\n")
		tb := env.Table("  ID", "SCENE", "SIZE", "DURATION", "FORMAT", "CODEC", "FACTS", "FILE")
		for _, v := range t.Videos {
			scene := fmt.Sprint(v.SceneNumber)
			if v.SceneNumber == domain.FinalScene {
				scene = "final"
			}
			size := "-"
			if v.FileSize != nil {
				size = fmtBytes(*v.FileSize)
			}
			file := v.FilePath
			if v.Missing {
				file += " (missing)"
			}
			tb.Row(fmt.Sprintf("  %d", v.ID), scene, size, fmtSecondsPtr(v.Duration), videoFormat(v), dash(v.Codec), videoCheck(v), file)
		}
		if err := tb.Flush(); err != nil {
			return err
		}
	}
	if len(t.Events) > 0 {
		env.Printf("\nEvents:\n")
		tb := env.Table("  TIME", "EVENT", "STATUS", "PROGRESS", "MESSAGE")
		for _, e := range t.Events {
			tb.Row("  "+fmtTime(e.CreatedAt), e.Type, e.Status, fmt.Sprintf("%d%%", e.Progress), dash(oneLine(e.Message, 200)))
		}
		if err := tb.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// videoFormat is "1920x1080@30" with the parts that are known, or "-".
func videoFormat(v *domain.Video) string {
	var s string
	if v.Width != nil && v.Height != nil {
		s = fmt.Sprintf("%dx%d", *v.Width, *v.Height)
	}
	if v.FPS != nil {
		s += fmt.Sprintf("@%g", *v.FPS)
	}
	return dash(s)
}

// matchText shows why a task matched a search on one line: the field, then
// the snippet with the matching words in «».
func matchText(m *domain.SearchMatch) string {
	var b strings.Builder
	b.WriteString(m.Field)
	if m.Field == domain.MatchScene {
		fmt.Fprintf(&b, " %d", m.SceneNumber)
	}
	b.WriteString(": ")
	for _, p := range m.Snippet {
		if p.Hit {
			b.WriteString("«" + p.Text + "»")
		} else {
			b.WriteString(p.Text)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// yesNo is "yes" or "no".
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// dash returns s, or "-" for an empty cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runTaskList(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	ff := defineFilterFlags(fs, "full-text search in prompts, scene descriptions and error messages (word forms and Chinese too); the MATCH column shows why each task matched")
	limit := fs.Int("limit", 0, "tasks per page (default 50, at most 500)")
	cursor := fs.String("cursor", "", "the next page's cursor, as the previous page printed it")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	filter, err := ff.filter()
	if err != nil {
		return err
	}
	filter.Cursor, filter.Limit = *cursor, *limit
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	page, err := svc.Tasks.FindTasks(ctx, filter)
	if err != nil {
		return err
	}
	page.Tasks = nonNil(page.Tasks)
	if env.Config.JSON {
		return env.PrintJSON(page)
	}
	if len(page.Tasks) == 0 {
		env.Printf("No tasks found.\n")
		return nil
	}
	last := "PROMPT"
	if filter.Search != "" {
		last = "MATCH"
	}
	tb := env.Table("TASK_ID", "USER", "STATUS", "PROGRESS", "SCENES", "CREATED", last)
	for _, t := range page.Tasks {
		text := oneLine(t.Prompt, 50)
		if t.Match != nil {
			text = matchText(t.Match)
		}
		tb.Row(t.TaskID, t.Username, t.Status, fmt.Sprintf("%d%%", t.Progress), fmt.Sprintf("%d/%d", t.CompletedScenes, t.TotalScenes), fmtTime(t.CreatedAt), text)
	}
	if err := tb.Flush(); err != nil {
		return err
	}
	if page.NextCursor != "" {
		env.Printf("\nNext page: --cursor %s\n", page.NextCursor)
	}
	return nil
}
