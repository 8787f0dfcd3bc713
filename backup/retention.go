package backup

import (
	"fmt"
	"sort"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// Retention says which scheduled backups to keep. Backups of other kinds
// (manual, pre-migration, pre-restore) are never pruned automatically.
type Retention struct {
	Keep   int // the newest N scheduled backups
	Daily  int // plus the newest scheduled backup of each of the last N days
	Weekly int // plus the newest scheduled backup of each of the last N ISO weeks
}

// DefaultKeep is the number of scheduled backups kept by default.
const DefaultKeep = 7

// prunable returns the backups that r does not keep, given the time now.
// Days and weeks are counted in UTC back from now, today included.
func (r Retention) prunable(backups []*domain.Backup, now time.Time) []*domain.Backup {
	var sched []*domain.Backup
	for _, b := range backups {
		if b.Kind == domain.BackupScheduled {
			sched = append(sched, b)
		}
	}
	sort.SliceStable(sched, func(i, j int) bool { return sched[i].CreatedAt.After(sched[j].CreatedAt) })

	keep := make(map[string]bool)
	for i, b := range sched {
		if i < r.Keep {
			keep[b.Name] = true
		}
	}
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7)) // ISO weeks start on Monday
	seenDay := make(map[string]bool)
	seenWeek := make(map[string]bool)
	for _, b := range sched { // newest first: the first seen of a period is its newest
		t := b.CreatedAt.UTC()
		day := t.Format("2006-01-02")
		if r.Daily > 0 && !seenDay[day] && !t.Before(today.AddDate(0, 0, -(r.Daily-1))) {
			keep[b.Name] = true
		}
		seenDay[day] = true

		y, w := t.ISOWeek()
		week := fmt.Sprintf("%d-W%02d", y, w)
		if r.Weekly > 0 && !seenWeek[week] && !t.Before(monday.AddDate(0, 0, -7*(r.Weekly-1))) {
			keep[b.Name] = true
		}
		seenWeek[week] = true
	}

	var out []*domain.Backup
	for _, b := range sched {
		if !keep[b.Name] {
			out = append(out, b)
		}
	}
	return out
}
