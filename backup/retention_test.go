package backup_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
)

func TestRetention(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) // a Thursday
	at := func(kind domain.BackupKind, hoursAgo int) *domain.Backup {
		ts := now.Add(-time.Duration(hoursAgo) * time.Hour)
		return &domain.Backup{Name: fmt.Sprintf("%s-%03d", kind, hoursAgo), Kind: kind, CreatedAt: ts}
	}
	// Scheduled backups every 12 hours for 30 days, plus other kinds.
	var all []*domain.Backup
	for h := 0; h < 30*24; h += 12 {
		all = append(all, at(domain.BackupScheduled, h))
	}
	all = append(all, at(domain.BackupManual, 700), at(domain.BackupPreRestore, 600), at(domain.BackupPreMigration, 500))

	tests := []struct {
		name string
		r    backup.Retention
		keep []string // scheduled backups kept
	}{
		{"NewestN", backup.Retention{Keep: 3}, []string{"scheduled-000", "scheduled-012", "scheduled-024"}},
		{"Daily", backup.Retention{Keep: 1, Daily: 3}, []string{
			"scheduled-000",                  // newest, and today's newest
			"scheduled-024", "scheduled-048", // newest of yesterday (12:00) and the day before
		}},
		{"Weekly", backup.Retention{Keep: 1, Weekly: 2}, []string{
			"scheduled-000", // newest, and this week's
			"scheduled-096", // Sunday 12:00: newest of the previous ISO week
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			drop := backup.Prunable(tt.r, all, now)
			dropped := map[string]bool{}
			for _, b := range drop {
				if b.Kind != domain.BackupScheduled {
					t.Fatalf("pruned %s of kind %s; only scheduled backups may be pruned", b.Name, b.Kind)
				}
				dropped[b.Name] = true
			}
			var kept []string
			for _, b := range all {
				if b.Kind == domain.BackupScheduled && !dropped[b.Name] {
					kept = append(kept, b.Name)
				}
			}
			sort.Strings(kept)
			want := slices.Clone(tt.keep)
			sort.Strings(want)
			if !slices.Equal(kept, want) {
				t.Fatalf("kept=%v, want %v", kept, want)
			}
		})
	}
}

// A scheduled backup prunes older scheduled backups beyond Keep; manual ones stay.
func TestManager_Backup_Prunes(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 2)
	clock := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	m.Now = func() time.Time { return clock }
	m.Retention = backup.Retention{Keep: 2}

	manual, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for range 4 {
		clock = clock.Add(24 * time.Hour)
		b, err := m.Backup(ctx, backup.Options{Kind: domain.BackupScheduled})
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, b.Name)
	}
	list, err := m.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range list {
		got = append(got, b.Name)
	}
	want := []string{names[3], names[2], manual.Name} // newest first
	if !slices.Equal(got, want) {
		t.Fatalf("listed=%v, want %v", got, want)
	}
}
