package backup

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/robfig/cron/v3"
)

// Setting keys under which the schedule is stored.
const (
	keyBackup     = "schedule.backup"
	keyOptimize   = "schedule.optimize"
	keyVacuum     = "schedule.vacuum"
	keyCheckpoint = "schedule.checkpoint"
	keyDrill      = "schedule.drill"
	keyKeep       = "retention.keep"
	keyKeepDaily  = "retention.keep_daily"
	keyKeepWeekly = "retention.keep_weekly"
	keySince      = "schedule.since" // when the scheduler first ran (RFC 3339)
)

// MaxKeep bounds each retention count.
const MaxKeep = 1000

// DefaultSchedule returns the schedule used for settings never set: backup
// daily at 03:00, optimize daily at 03:30, VACUUM (when worth it) on Sunday
// at 04:00, WAL checkpoint hourly, a restore drill on Sunday at 05:00; keep
// 7 scheduled backups.
func DefaultSchedule() domain.Schedule {
	return domain.Schedule{
		Backup:     "0 3 * * *",
		Keep:       DefaultKeep,
		Optimize:   "30 3 * * *",
		Vacuum:     "0 4 * * 0",
		Checkpoint: "15 * * * *",
		Drill:      "0 5 * * 0",
	}
}

// parseCron parses a standard five-field expression or a descriptor
// (@daily, @every 1h). An empty expression is a disabled job (nil schedule).
func parseCron(field, expr string) (s cron.Schedule, err error) {
	if strings.TrimSpace(expr) == "" {
		return nil, nil
	}
	// cron v3.0.1 panics (slice bounds) on a time zone prefix with nothing
	// after it, such as "TZ=" or "CRON_TZ=": refuse such input like any
	// other bad expression instead of taking the process down.
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, domain.Invalidf(field, "The %s schedule %q is not a valid cron expression; use five fields like \"0 3 * * *\" or @daily.", field, expr)
		}
	}()
	s, err = cron.ParseStandard(expr)
	if err != nil {
		return nil, domain.Invalidf(field, "The %s schedule %q is not a valid cron expression (%v); use five fields like \"0 3 * * *\" or @daily.", field, expr, err)
	}
	return s, nil
}

// NextRunsShown is how many next runs of each job a schedule answer
// (domain.ScheduleRuns) carries.
const NextRunsShown = 3

// NextRuns returns the next n runs after now of each enabled job of s,
// keyed by job ID, soonest first. A job whose expression does not parse is
// left out (a stored schedule was validated; this is the guard).
func NextRuns(s domain.Schedule, now time.Time, n int) map[string][]time.Time {
	out := map[string][]time.Time{}
	for _, j := range []struct{ id, expr string }{
		{JobBackup, s.Backup}, {JobOptimize, s.Optimize}, {JobVacuum, s.Vacuum}, {JobCheckpoint, s.Checkpoint}, {JobDrill, s.Drill},
	} {
		spec, err := parseCron(j.id, j.expr)
		if err != nil || spec == nil {
			continue
		}
		runs := make([]time.Time, 0, n)
		for t := now; len(runs) < n; {
			t = spec.Next(t)
			if t.IsZero() {
				break
			}
			runs = append(runs, t)
		}
		out[j.id] = runs
	}
	return out
}

// MinInterval is the shortest time allowed between two runs of each job. A
// backup copies and verifies the whole database and VACUUM rewrites it, so
// neither may run more than hourly; optimize likewise; a WAL checkpoint is
// cheap and may run every minute.
var MinInterval = map[string]time.Duration{
	"backup":     time.Hour,
	"optimize":   time.Hour,
	"vacuum":     time.Hour,
	"checkpoint": time.Minute,
	"drill":      time.Hour,
}

// MinIntervalEnv names an environment variable that, set to a Go duration
// such as "1s", replaces every job's minimum interval. It exists for crash
// and soak tests that need backups every few seconds; never set it in use.
const MinIntervalEnv = "REELVAULT_MIN_SCHEDULE_INTERVAL"

// intervalRuns is how many upcoming runs checkInterval looks at: enough to
// see every gap of a schedule that repeats daily at most hourly (and far
// more), at a bounded cost.
const intervalRuns = 400

// checkInterval refuses a schedule that fires more often than the job's
// MinInterval: it computes the next runs after from and checks the gap
// between each two (so "@every 1s" and "0,1 3 * * *" are both caught).
func checkInterval(field, expr string, sch cron.Schedule, from time.Time) error {
	min := MinInterval[field]
	if v, err := time.ParseDuration(os.Getenv(MinIntervalEnv)); err == nil && v >= 0 {
		min = v
	}
	if sch == nil || min == 0 {
		return nil
	}
	prev := sch.Next(from)
	for range intervalRuns {
		if prev.IsZero() {
			return nil
		}
		next := sch.Next(prev)
		if next.IsZero() {
			return nil
		}
		if gap := next.Sub(prev); gap < min {
			return domain.Invalidf(field, "The %s schedule %q runs %s apart (at %s and %s); the minimum for %s is %s.",
				field, expr, gap, prev.Format("15:04:05"), next.Format("15:04:05"), field, fmtInterval(min))
		}
		prev = next
	}
	return nil
}

// fmtInterval names a whole number of hours or minutes.
func fmtInterval(d time.Duration) string {
	if d%time.Hour == 0 {
		if d == time.Hour {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	if d == time.Minute {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", d/time.Minute)
}

// ValidateSchedule checks every field of s. Returns EINVALID naming the
// first bad field.
func ValidateSchedule(s domain.Schedule) error {
	for _, f := range []struct{ name, expr string }{
		{"backup", s.Backup}, {"optimize", s.Optimize}, {"vacuum", s.Vacuum}, {"checkpoint", s.Checkpoint}, {"drill", s.Drill},
	} {
		sch, err := parseCron(f.name, f.expr)
		if err != nil {
			return err
		}
		if err := checkInterval(f.name, f.expr, sch, time.Now()); err != nil {
			return err
		}
	}
	if s.Keep < 1 || s.Keep > MaxKeep {
		return domain.Invalidf("keep", "Keep must be between 1 and %d scheduled backups, not %d.", MaxKeep, s.Keep)
	}
	if s.KeepDaily < 0 || s.KeepDaily > MaxKeep {
		return domain.Invalidf("keep_daily", "Keep daily must be between 0 and %d days, not %d.", MaxKeep, s.KeepDaily)
	}
	if s.KeepWeekly < 0 || s.KeepWeekly > MaxKeep {
		return domain.Invalidf("keep_weekly", "Keep weekly must be between 0 and %d weeks, not %d.", MaxKeep, s.KeepWeekly)
	}
	return nil
}

// LoadSchedule reads the schedule from the settings, with defaults for what
// was never set.
func LoadSchedule(ctx context.Context, settings *store.Settings) (domain.Schedule, error) {
	s := DefaultSchedule()
	all, err := settings.All(ctx)
	if err != nil {
		return s, fmt.Errorf("load schedule: %w", err)
	}
	str := func(key string, dst *string) {
		if v, ok := all[key]; ok {
			*dst = v
		}
	}
	num := func(key string, dst *int) {
		if v, ok := all[key]; ok {
			if n, err := strconv.Atoi(v); err == nil {
				*dst = n
			}
		}
	}
	str(keyBackup, &s.Backup)
	str(keyOptimize, &s.Optimize)
	str(keyVacuum, &s.Vacuum)
	str(keyCheckpoint, &s.Checkpoint)
	str(keyDrill, &s.Drill)
	num(keyKeep, &s.Keep)
	num(keyKeepDaily, &s.KeepDaily)
	num(keyKeepWeekly, &s.KeepWeekly)
	return s, nil
}

// SaveSchedule validates s and stores it. Returns EINVALID naming the bad field.
func SaveSchedule(ctx context.Context, settings *store.Settings, s domain.Schedule) error {
	if err := ValidateSchedule(s); err != nil {
		return err
	}
	err := settings.Set(ctx, map[string]string{
		keyBackup:     strings.TrimSpace(s.Backup),
		keyOptimize:   strings.TrimSpace(s.Optimize),
		keyVacuum:     strings.TrimSpace(s.Vacuum),
		keyCheckpoint: strings.TrimSpace(s.Checkpoint),
		keyDrill:      strings.TrimSpace(s.Drill),
		keyKeep:       strconv.Itoa(s.Keep),
		keyKeepDaily:  strconv.Itoa(s.KeepDaily),
		keyKeepWeekly: strconv.Itoa(s.KeepWeekly),
	})
	if err != nil {
		return fmt.Errorf("save schedule: %w", err)
	}
	return nil
}

// retentionOf returns the retention part of s.
func retentionOf(s domain.Schedule) Retention {
	return Retention{Keep: s.Keep, Daily: s.KeepDaily, Weekly: s.KeepWeekly}
}
