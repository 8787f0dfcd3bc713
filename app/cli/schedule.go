package cli

import (
	"context"
	"flag"
	"time"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "schedule",
		Args:    "[--backup CRON] [--keep N] [--keep-daily N] [--keep-weekly N] [--optimize CRON] [--vacuum CRON] [--checkpoint CRON] [--drill CRON]",
		Summary: "Show the maintenance schedule, or change it (an empty CRON disables a job).",
		Run:     runSchedule,
	})
}

// scheduleOutput is what "schedule" prints: the schedule and the next run of
// each enabled job (in local time, as cron reads it).
type scheduleOutput struct {
	domain.Schedule
	Next map[string]time.Time `json:"next"`
}

func runSchedule(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	backupCron := fs.String("backup", "", "backup `CRON` (e.g. \"0 3 * * *\" or @daily)")
	optimizeCron := fs.String("optimize", "", "optimize `CRON`")
	vacuumCron := fs.String("vacuum", "", "VACUUM `CRON` (runs only when enough pages are free)")
	checkpointCron := fs.String("checkpoint", "", "WAL checkpoint `CRON`")
	drillCron := fs.String("drill", "", "restore drill `CRON` (proves the newest backup restorable)")
	keep := fs.Int("keep", 0, "keep the newest `N` scheduled backups")
	keepDaily := fs.Int("keep-daily", 0, "also keep the newest backup of each of the last `N` days")
	keepWeekly := fs.Int("keep-weekly", 0, "also keep the newest backup of each of the last `N` weeks")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	s := backup.NewScheduler(m)
	sch, err := s.Schedule(ctx)
	if err != nil {
		return err
	}
	changed := false
	fs.Visit(func(f *flag.Flag) {
		changed = true
		switch f.Name {
		case "backup":
			sch.Backup = *backupCron
		case "optimize":
			sch.Optimize = *optimizeCron
		case "vacuum":
			sch.Vacuum = *vacuumCron
		case "checkpoint":
			sch.Checkpoint = *checkpointCron
		case "drill":
			sch.Drill = *drillCron
		case "keep":
			sch.Keep = *keep
		case "keep-daily":
			sch.KeepDaily = *keepDaily
		case "keep-weekly":
			sch.KeepWeekly = *keepWeekly
		default:
			changed = changed && !globalFlags[f.Name]
		}
	})
	if changed {
		if sch, err = s.SetSchedule(ctx, sch); err != nil {
			return err
		}
	}
	out := scheduleOutput{Schedule: sch, Next: nextRuns(sch)}
	if env.Config.JSON {
		return env.PrintJSON(out)
	}
	if changed {
		env.Printf("Schedule saved; a running Reelvault applies it at once.\n\n")
	}
	tb := env.Table("JOB", "CRON", "NEXT RUN")
	for _, j := range []struct{ id, expr string }{
		{backup.JobBackup, sch.Backup}, {backup.JobOptimize, sch.Optimize},
		{backup.JobVacuum, sch.Vacuum}, {backup.JobCheckpoint, sch.Checkpoint}, {backup.JobDrill, sch.Drill},
	} {
		next := "disabled"
		if t, ok := out.Next[j.id]; ok {
			next = t.Format("2006-01-02 15:04 MST")
		}
		tb.Row(j.id, dash(j.expr), next)
	}
	if err := tb.Flush(); err != nil {
		return err
	}
	env.Printf("\nRetention: the newest %d scheduled backups", sch.Keep)
	if sch.KeepDaily > 0 {
		env.Printf(", one per day for %d days", sch.KeepDaily)
	}
	if sch.KeepWeekly > 0 {
		env.Printf(", one per week for %d weeks", sch.KeepWeekly)
	}
	env.Printf("; manual backups are never pruned.\n")
	return nil
}

// nextRuns returns when each enabled job of sch runs next.
func nextRuns(sch domain.Schedule) map[string]time.Time {
	out := map[string]time.Time{}
	for id, runs := range backup.NextRuns(sch, time.Now(), 1) {
		if len(runs) > 0 {
			out[id] = runs[0]
		}
	}
	return out
}
