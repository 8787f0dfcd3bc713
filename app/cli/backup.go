package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/robfig/cron/v3"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func init() {
	Register(&Command{
		Name:    "backup",
		Args:    "[--out PATH]",
		Summary: "Take a verified, compressed backup while the database stays in use.",
		Run:     runBackup,
	})
	Register(&Command{
		Name:    "backups",
		Summary: "List the verified backups in the backups folder, newest first.",
		Run:     runBackups,
	})
	Register(&Command{
		Name:    "restore",
		Args:    "NAME|PATH [--yes] | --undo [--yes]",
		Summary: "Replace the database with a backup (after a pre-restore backup), or undo the last restore.",
		Run:     runRestore,
	})
	Register(&Command{
		Name:    "export",
		Args:    "[--out PATH] [--ndjson] [--user NAME] [--status S] [--since DATE] [--until DATE]",
		Summary: "Write the history (users without keys; tasks with scripts, videos, events) as JSON.",
		Run:     runExport,
	})
	Register(&Command{
		Name:    "import",
		Args:    "PATH",
		Summary: "Add the users and tasks of an export file, all or nothing; tasks already present are skipped.",
		Run:     runImport,
	})
	Register(&Command{
		Name:    "maintain",
		Args:    "optimize|analyze|vacuum|check|checkpoint",
		Summary: "Run one maintenance operation now and record it.",
		Run:     runMaintain,
	})
	Register(&Command{
		Name:    "schedule",
		Args:    "[--backup CRON] [--keep N] [--keep-daily N] [--keep-weekly N] [--optimize CRON] [--vacuum CRON] [--checkpoint CRON]",
		Summary: "Show the maintenance schedule, or change it (an empty CRON disables a job).",
		Run:     runSchedule,
	})
	Register(&Command{
		Name:    "jobs",
		Args:    "[--limit N]",
		Summary: "List recent runs of the maintenance jobs, newest first.",
		Run:     runJobs,
	})
}

// backupManager opens the store and returns a backup Manager on it. Backups
// are of the SQLite file; a PostgreSQL database is backed up with pg_dump.
func (env *Env) backupManager(ctx context.Context) (*backup.Manager, error) {
	db, err := env.storeDB(ctx, "Backups, restores and maintenance")
	if err != nil {
		return nil, err
	}
	if db.Engine() != store.EngineSQLite {
		return nil, domain.Errorf(domain.EINVALID, "This Reelvault keeps its data in PostgreSQL, whose server does its own backups and maintenance: back it up with pg_dump (or your provider's snapshots), or write the history as JSON with \"reelvault export\".")
	}
	return env.svc.BackupManager(env.Logger), nil
}

// storeDB opens the services and returns the store's DB; what names the
// feature in the error when the backend has none.
func (env *Env) storeDB(ctx context.Context, what string) (*store.DB, error) {
	svc, err := env.Services(ctx)
	if err != nil {
		return nil, err
	}
	if svc.DB == nil {
		return nil, domain.Errorf(domain.EINVALID, "%s need Reelvault's own store, which this backend does not provide.", what)
	}
	return svc.DB, nil
}

// progress returns a callback that shows backup progress on stderr: a bar
// on a terminal, a plain line per phase (and per quarter of the copy)
// otherwise; nothing with --json.
func (env *Env) progress() (func(domain.BackupProgress), func()) {
	if env.Config.JSON {
		return nil, func() {}
	}
	if f, ok := env.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		var bar *progressbar.ProgressBar
		return func(p domain.BackupProgress) {
				if bar == nil {
					bar = progressbar.NewOptions64(max(p.Total, 1),
						progressbar.OptionSetWriter(env.Stderr),
						progressbar.OptionSetDescription(p.Phase),
						progressbar.OptionSetPredictTime(true),
						progressbar.OptionClearOnFinish())
				}
				bar.Describe(p.Phase)
				if p.Total > 0 {
					bar.ChangeMax64(p.Total)
					bar.Set64(p.Done)
				}
			}, func() {
				if bar != nil {
					bar.Finish()
				}
			}
	}
	last := ""
	return func(p domain.BackupProgress) {
		line := p.Phase
		if p.Total > 0 {
			line = fmt.Sprintf("%s %d%%", p.Phase, p.Done*100/p.Total/25*25)
		}
		if line != last {
			fmt.Fprintln(env.Stderr, line)
			last = line
		}
	}, func() {}
}

func runBackup(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	out := fs.String("out", "", "write the backup to `PATH` (a file or a folder) instead of the backups folder")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	show, done := env.progress()
	b, err := m.Backup(ctx, backup.Options{Out: *out, Progress: show})
	done()
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(b)
	}
	env.Printf("Backed up to %s (%s, %d tasks, verified).\n", b.Path, fmtBytes(b.Size), b.Rows["tasks"])
	return nil
}

func runBackups(ctx context.Context, env *Env, args []string) error {
	if _, err := env.Parse(env.FlagSet(), args); err != nil {
		return err
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	list, err := m.List(ctx)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(nonNil(list))
	}
	if len(list) == 0 {
		env.Printf("No backups yet in %s. Run \"reelvault backup\" to take one.\n", m.Dir)
		return nil
	}
	tb := env.Table("NAME", "KIND", "CREATED", "SIZE", "SCHEMA", "TASKS", "VERIFIED")
	for _, b := range list {
		tb.Row(b.Name, b.Kind, fmtTime(b.CreatedAt), fmtBytes(b.Size), b.SchemaVersion, b.Rows["tasks"], fmtTime(b.VerifiedAt))
	}
	return tb.Flush()
}

// confirm asks a yes/no question on stderr and reads the answer from stdin.
func (env *Env) confirm(question string) bool {
	fmt.Fprintf(env.Stderr, "%s [y/N] ", question)
	line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}

func runRestore(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	undo := fs.Bool("undo", false, "return to the state before the last restore")
	pos, err := parseArgsUpTo(env, fs, args, 1)
	if err != nil {
		return err
	}
	if *undo == (len(pos) == 1) {
		return env.UsageErrorf("give either a backup NAME or PATH, or --undo")
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	what := "the state before the last restore"
	if !*undo {
		what = pos[0]
	}
	if !*yes && !env.confirm(fmt.Sprintf("Replace the current database with %s? A pre-restore backup is taken first.", what)) {
		return domain.Errorf(domain.ECONFLICT, "Restore cancelled; nothing was changed.")
	}
	show, done := env.progress()
	var res *backup.RestoreResult
	if *undo {
		res, err = m.Undo(ctx, show)
	} else {
		res, err = m.Restore(ctx, pos[0], show)
	}
	done()
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(res)
	}
	env.Printf("Restored %s (%d tasks). The previous data is in %s; \"reelvault restore --undo\" brings it back.\n",
		res.Source, res.Rows["tasks"], res.PreRestore.Name)
	return nil
}

// parseArgsUpTo parses flags and allows at most n positional arguments.
func parseArgsUpTo(env *Env, fs *flag.FlagSet, args []string, n int) ([]string, error) {
	pos, err := parseArgs(fs, args, true)
	env.flags = fs
	if err == flag.ErrHelp {
		env.printCommandHelp(fs)
		return nil, &usageError{help: true}
	} else if err != nil {
		return nil, env.UsageErrorf("%v", err)
	}
	if len(pos) > n {
		return nil, env.UsageErrorf("unexpected argument %q", pos[n])
	}
	return pos, nil
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
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	db, err := env.storeDB(ctx, "Exports")
	if err != nil {
		return err
	}
	filter := store.ExportFilter{Username: *user, Status: status, Since: since.from(), Until: until.until(), NDJSON: *ndjson}
	exp := store.NewExportService(db)
	if *out == "" {
		return exp.Export(ctx, env.Stdout, filter)
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
	if err := exp.Export(ctx, f, filter); err != nil {
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

func runImport(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	pos, err := env.Parse(fs, args, "PATH")
	if err != nil {
		return err
	}
	db, err := env.storeDB(ctx, "Imports")
	if err != nil {
		return err
	}
	f, err := os.Open(pos[0])
	if os.IsNotExist(err) {
		return domain.Errorf(domain.ENOTFOUND, "Export file %s does not exist.", pos[0])
	} else if err != nil {
		return fmt.Errorf("open export file: %w", err)
	}
	defer f.Close()
	res, err := store.NewExportService(db).Import(ctx, f)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(res)
	}
	env.Printf("Imported %d tasks and %d new users; %d tasks were already present.\n", res.Tasks, res.Users, res.Skipped)
	return nil
}

func runMaintain(ctx context.Context, env *Env, args []string) error {
	pos, err := env.Parse(env.FlagSet(), args, "OPERATION")
	if err != nil {
		return err
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	s := backup.NewScheduler(m)
	run, err := s.Maintain(ctx, pos[0])
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(run)
	}
	env.Printf("%s: %s", run.JobID, run.Result)
	if run.Detail != "" {
		env.Printf(" (%s)", run.Detail)
	}
	if run.Bytes > 0 {
		env.Printf(", %s", fmtBytes(run.Bytes))
	}
	env.Printf(".\n")
	return nil
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
		{backup.JobVacuum, sch.Vacuum}, {backup.JobCheckpoint, sch.Checkpoint},
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
	now := time.Now()
	for id, expr := range map[string]string{
		backup.JobBackup: sch.Backup, backup.JobOptimize: sch.Optimize,
		backup.JobVacuum: sch.Vacuum, backup.JobCheckpoint: sch.Checkpoint,
	} {
		if strings.TrimSpace(expr) == "" {
			continue
		}
		if spec, err := cron.ParseStandard(expr); err == nil {
			out[id] = spec.Next(now)
		}
	}
	return out
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
