package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

func init() {
	Register(&Command{
		Name:    "export",
		Args:    "[--out PATH] [--ndjson] [--user NAME] [--status S] [--since DATE] [--until DATE] [--task ID]…",
		Summary: "Write the history (users without keys; tasks with scripts, videos, events) as JSON.",
		Run:     runExport,
	})
}

func runExport(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	out := fs.String("out", "", "write to `PATH` instead of standard output")
	ndjson := fs.Bool("ndjson", false, "one task per line after a header line")
	user := fs.String("user", "", "only the tasks of user `NAME`")
	var status statusFlag
	var since, until dateFlag
	fs.Var(&status, "status", "only tasks in these `STATUSES` (comma-separated)")
	fs.Var(&since, "since", "only tasks created on or after `DATE`")
	fs.Var(&until, "until", "only tasks created up to `DATE` (the whole day when YYYY-MM-DD)")
	var tasks listFlag
	fs.Var(&tasks, "task", "only this task (its `ID` or first characters); repeat for a selection")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	db, err := env.storeDB(ctx, "Exports")
	if err != nil {
		return err
	}
	filter := domain.ExportFilter{Username: *user, Status: status, Since: since.from(), Until: until.until(), NDJSON: *ndjson}
	if len(tasks) > 0 {
		svc, err := env.Services(ctx)
		if err != nil {
			return err
		}
		for _, typed := range tasks {
			id, err := env.resolveTaskID(ctx, svc, typed)
			if err != nil {
				return err
			}
			filter.TaskIDs = append(filter.TaskIDs, id)
		}
	}
	exp := store.NewExportService(db)
	if *out == "" {
		// A bar on stderr only when the export goes to a file or a pipe,
		// never between the lines of an export shown on the terminal.
		var b *bar
		if !isTerminal(env.Stdout) {
			b = env.newBar("export", -1, true)
		}
		err := exp.Export(ctx, b.writer(env.Stdout), filter)
		b.finish()
		return err
	}
	// Write next to the target and rename, so a failed export never leaves
	// half a file under the name the user asked for.
	abs, err := filepath.Abs(*out)
	if err != nil {
		return domain.Invalidf("out", "Output path %q is not usable: %v.", *out, err)
	}
	f, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create export file: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	b := env.newBar("export", -1, true)
	err = exp.Export(ctx, b.writer(f), filter)
	b.finish()
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync export file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close export file: %w", err)
	}
	if err := os.Rename(f.Name(), abs); err != nil {
		return fmt.Errorf("rename export file: %w", err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("stat export file: %w", err)
	}
	if env.Config.JSON {
		return env.PrintJSON(map[string]any{"path": abs, "size": fi.Size()})
	}
	env.Printf("Exported to %s (%s).\n", abs, fmtBytes(fi.Size()))
	return nil
}
