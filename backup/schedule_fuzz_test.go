package backup_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// FuzzSaveSchedule sends arbitrary cron expressions and retention counts
// through the schedule setting. A bad value is refused with EINVALID naming
// its field and leaves the stored schedule as it was; a value accepted is
// stored and read back unchanged (trimmed), and its next run can be computed
// without panicking.
func FuzzSaveSchedule(f *testing.F) {
	db, _ := MustOpen(f)
	settings := store.NewSettings(db)
	ctx := domain.WithOwner(context.Background())
	for _, s := range []string{
		"0 3 * * *", "@daily", "@every 1h", "@every 0s", "@every -1s", "@every 1ns", "*/0 * * * *",
		"0 0 30 2 *", "60 * * * *", "* * * * * *", "TZ=Europe/Paris 0 3 * * *", "TZ=Nowhere/City 0 3 * * *",
		"CRON_TZ=", "TZ=", "@reboot", "@yearly", "1-0 * * * *", "0-59/60 * * * *", "? * * * *",
		"0 3 * * MON-FRI", "0 3 * JAN,FEB *", "0 3 L * *", "0 3 * * 7", "'; DROP TABLE settings; --",
		"\x00", "", " ", strings.Repeat("*/1 ", 200),
	} {
		f.Add(s, 7, 0, 0)
	}
	f.Add("0 3 * * *", 0, -1, 1<<40)
	f.Fuzz(func(t *testing.T, expr string, keep, daily, weekly int) {
		before, err := backup.LoadSchedule(ctx, settings)
		if err != nil {
			t.Fatal(err)
		}
		s := backup.DefaultSchedule()
		s.Backup, s.Vacuum = expr, expr
		s.Keep, s.KeepDaily, s.KeepWeekly = keep, daily, weekly
		err = backup.SaveSchedule(ctx, settings, s)
		if err != nil {
			field := domain.ErrorField(err)
			if domain.ErrorCode(err) != domain.EINVALID || (field != "backup" && field != "vacuum" && field != "keep" && field != "keep_daily" && field != "keep_weekly") {
				t.Fatalf("SaveSchedule(%q, %d, %d, %d): code %q field %q: %v", expr, keep, daily, weekly, domain.ErrorCode(err), field, err)
			}
			after, err := backup.LoadSchedule(ctx, settings)
			if err != nil {
				t.Fatal(err)
			}
			if after != before {
				t.Fatalf("a refused schedule changed the stored one: %+v → %+v", before, after)
			}
			return
		}
		got, err := backup.LoadSchedule(ctx, settings)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSpace(expr); got.Backup != want || got.Vacuum != want || got.Keep != keep || got.KeepDaily != daily || got.KeepWeekly != weekly {
			t.Fatalf("saved %q/%d/%d/%d, read back %+v", expr, keep, daily, weekly, got)
		}
		if strings.TrimSpace(expr) != "" {
			sched, err := cron.ParseStandard(expr)
			if err != nil {
				t.Fatalf("accepted %q, which cron cannot parse: %v", expr, err)
			}
			sched.Next(time.Date(2026, 2, 28, 23, 59, 0, 0, time.UTC))
		}
	})
}

// A time zone prefix with no schedule after it made the cron parser panic;
// it is refused with EINVALID naming the field. Found by FuzzSaveSchedule.
func TestValidateSchedule_TimeZoneWithoutSpec(t *testing.T) {
	for _, expr := range []string{"TZ=", "CRON_TZ=", "TZ=UTC", "CRON_TZ=Europe/Paris"} {
		s := backup.DefaultSchedule()
		s.Optimize = expr
		err := backup.ValidateSchedule(s)
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "optimize" {
			t.Errorf("ValidateSchedule(optimize=%q) = %v, want EINVALID on optimize", expr, err)
		}
	}
}
