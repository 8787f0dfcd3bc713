package backup

import (
	"context"
	"fmt"
	"strconv"
	"strings"

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
	keyKeep       = "retention.keep"
	keyKeepDaily  = "retention.keep_daily"
	keyKeepWeekly = "retention.keep_weekly"
	keySince      = "schedule.since" // when the scheduler first ran (RFC 3339)
)

// MaxKeep bounds each retention count.
const MaxKeep = 1000

// DefaultSchedule returns the schedule used for settings never set: backup
// daily at 03:00, optimize daily at 03:30, VACUUM (when worth it) on Sunday
// at 04:00, WAL checkpoint hourly; keep 7 scheduled backups.
func DefaultSchedule() domain.Schedule {
	return domain.Schedule{
		Backup:     "0 3 * * *",
		Keep:       DefaultKeep,
		Optimize:   "30 3 * * *",
		Vacuum:     "0 4 * * 0",
		Checkpoint: "15 * * * *",
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

// ValidateSchedule checks every field of s. Returns EINVALID naming the
// first bad field.
func ValidateSchedule(s domain.Schedule) error {
	for _, f := range []struct{ name, expr string }{
		{"backup", s.Backup}, {"optimize", s.Optimize}, {"vacuum", s.Vacuum}, {"checkpoint", s.Checkpoint},
	} {
		if _, err := parseCron(f.name, f.expr); err != nil {
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
