package cli

import (
	"context"
	"fmt"
	"github.com/reelvault/reelvault/backup"
	"sort"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "stats",
		Args:    "[--from DATE] [--to DATE]",
		Summary: "Show per-day totals: tasks, outcomes, videos, generation times.",
		Run:     runStats,
	})
	Register(&Command{
		Name:    "stats rebuild",
		Summary: "Recompute every day's statistics from the tasks.",
		Run:     runStatsRebuild,
	})
	Register(&Command{
		Name:    "status",
		Args:    "[--all]",
		Summary: "Show the database: path, sizes, WAL, tables, schema version, counts.",
		Run:     runStatus,
	})
}

func runStats(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	var from, to dateFlag
	fs.Var(&from, "from", "the first day (YYYY-MM-DD, UTC)")
	fs.Var(&to, "to", "the last day, included (YYYY-MM-DD, UTC)")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	days, err := svc.Stats.DailyStats(ctx, from.day(), to.day())
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(nonNil(days))
	}
	if len(days) == 0 {
		env.Printf("No activity in this period.\n")
		return nil
	}
	tb := env.Table("DATE", "TASKS", "COMPLETED", "FAILED", "CANCELLED", "VIDEOS", "VIDEO_TIME", "AVG_GEN", "P95_GEN")
	var sum domain.DayStats
	for _, d := range days {
		tb.Row(d.Date, d.TotalTasks, d.CompletedTasks, d.FailedTasks, d.CancelledTasks, d.TotalVideos,
			fmtSeconds(d.TotalVideoSeconds), fmtSeconds(d.AvgGenerationTime), fmtSeconds(d.P95GenerationTime))
		sum.TotalTasks += d.TotalTasks
		sum.CompletedTasks += d.CompletedTasks
		sum.FailedTasks += d.FailedTasks
		sum.CancelledTasks += d.CancelledTasks
		sum.TotalVideos += d.TotalVideos
		sum.TotalVideoSeconds += d.TotalVideoSeconds
	}
	if len(days) > 1 {
		// Averages and percentiles of days do not add up, so the total row leaves them out.
		tb.Row("TOTAL", sum.TotalTasks, sum.CompletedTasks, sum.FailedTasks, sum.CancelledTasks, sum.TotalVideos,
			fmtSeconds(sum.TotalVideoSeconds), "", "")
	}
	return tb.Flush()
}

func runStatsRebuild(ctx context.Context, env *Env, args []string) error {
	svc, err := env.parsePlain(ctx, args)
	if err != nil {
		return err
	}
	if err := svc.Stats.RebuildStats(ctx); err != nil {
		return err
	}
	days, err := svc.Stats.DailyStats(ctx, "", "")
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(map[string]any{"rebuilt": true, "days": len(days)})
	}
	unit := "days"
	if len(days) == 1 {
		unit = "day"
	}
	env.Printf("Rebuilt the statistics of %d %s from the tasks.\n", len(days), unit)
	return nil
}

// statusOutput is the JSON of "status": the database status and the number
// of tasks in each state.
type statusOutput struct {
	*domain.DBStatus
	TasksByStatus map[domain.Status]int `json:"tasks_by_status"`
	// Proven says per backup destination when a backup was last proven
	// restorable by a drill, and whether the latest drill failed.
	Proven []*domain.Proven `json:"proven,omitempty"`
}

func runStatus(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	all := fs.Bool("all", false, "list every table and index, not only the main tables")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	st, err := svc.Stats.Status(ctx)
	if err != nil {
		return err
	}
	counts, err := svc.Tasks.CountTasksByStatus(ctx, domain.TaskFilter{})
	if err != nil {
		return err
	}
	var proven []*domain.Proven
	if m, err := env.backupManager(ctx); err == nil {
		if proven, err = backup.NewScheduler(m).Proven(ctx); err != nil {
			return err
		}
	}
	if env.Config.JSON {
		return env.PrintJSON(statusOutput{DBStatus: st, TasksByStatus: counts, Proven: proven})
	}

	kv := env.Table()
	kv.Row("Database:", fmt.Sprintf("%s (%s)", dash(st.Path), st.Engine))
	kv.Row("Schema version:", st.SchemaVersion)
	kv.Row("File size:", fmtBytes(st.FileSize))
	kv.Row("WAL size:", fmtBytes(st.WALSize))
	kv.Row("Page size:", fmt.Sprintf("%s (%d free pages)", fmtBytes(st.PageSize), st.FreePages))
	var tasks []string
	total := 0
	for _, s := range domain.Statuses {
		tasks = append(tasks, fmt.Sprintf("%d %s", counts[s], s))
		total += counts[s]
	}
	kv.Row("Tasks:", fmt.Sprintf("%d (%s)", total, strings.Join(tasks, ", ")))
	for _, p := range proven {
		kv.Row("Last proven restorable:", provenLine(p))
	}
	if err := kv.Flush(); err != nil {
		return err
	}
	if len(st.Tables) == 0 {
		return nil
	}

	// The main tables are the ones with a row count; indexes, the search
	// index's shadow tables and SQLite's own add up in one line unless --all.
	tables := append([]domain.TableSize(nil), st.Tables...)
	sort.SliceStable(tables, func(i, j int) bool { return tables[i].Bytes > tables[j].Bytes })
	env.Printf("\n")
	tb := env.Table("TABLE", "ROWS", "SIZE")
	var other, otherBytes int64
	for _, t := range tables {
		n, main := st.Counts[t.Name]
		switch {
		case main:
			tb.Row(t.Name, n, fmtBytes(t.Bytes))
		case *all:
			tb.Row(t.Name, "-", fmtBytes(t.Bytes))
		default:
			other++
			otherBytes += t.Bytes
		}
	}
	if other > 0 {
		tb.Row(fmt.Sprintf("(%d indexes, internal)", other), "-", fmtBytes(otherBytes))
	}
	return tb.Flush()
}

// provenLine describes when a destination's backups were last proven
// restorable; a failed latest drill comes first, in capitals.
func provenLine(p *domain.Proven) string {
	var b strings.Builder
	if p.Failed {
		fmt.Fprintf(&b, "THE LAST RESTORE DRILL FAILED (%s): %s; ", fmtTime(*p.Last), p.Error)
	}
	if p.LastOK == nil {
		drill := "reelvault drill"
		if p.Destination != domain.DestinationLocal {
			drill += " --to " + p.Destination
		}
		fmt.Fprintf(&b, "never (%s); run %q", p.Destination, drill)
	} else {
		fmt.Fprintf(&b, "%s (%s, %s)", fmtTime(*p.LastOK), p.Backup, p.Destination)
	}
	if p.Skipped != "" {
		fmt.Fprintf(&b, "; latest drill skipped (%s): %s", fmtTime(*p.SkippedAt), p.Skipped)
	}
	return b.String()
}
