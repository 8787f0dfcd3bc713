package cli

import (
	"context"
	"sort"

	"github.com/reelvault/reelvault/backup"
)

func init() {
	Register(&Command{
		Name:    "jobs",
		Args:    "[--limit N]",
		Summary: "List recent runs of the maintenance jobs, newest first.",
		Run:     runJobs,
	})
}

func runJobs(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	limit := fs.Int("limit", 20, "show at most `N` runs")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	runs, err := backup.NewScheduler(m).Jobs(ctx, *limit)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(nonNil(runs))
	}
	if len(runs) == 0 {
		env.Printf("No job has run yet.\n")
		return nil
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].StartedAt.After(runs[j].StartedAt) })
	tb := env.Table("JOB", "STARTED", "TOOK", "RESULT", "BYTES", "DETAIL")
	for _, r := range runs {
		took := "-"
		if r.FinishedAt != nil {
			took = fmtSeconds(r.FinishedAt.Sub(r.StartedAt).Seconds())
		}
		detail := r.Detail
		if r.Error != "" {
			detail = r.Error
		}
		tb.Row(r.JobID, fmtTime(r.StartedAt), took, r.Result, fmtBytes(r.Bytes), oneLine(dash(detail), 60))
	}
	return tb.Flush()
}
