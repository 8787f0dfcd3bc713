package backup_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
)

func TestManager_Delete(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	clock := time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC)
	m.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	Seed(t, db, 2)
	older, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	newest, err := m.Backup(ctx, backup.Options{Kind: domain.BackupScheduled})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ErrNewestVerified", func(t *testing.T) {
		assertCode(t, m.Delete(ctx, newest.Name), domain.ECONFLICT)
		if _, err := os.Stat(newest.Path); err != nil {
			t.Fatalf("the newest backup is gone: %v", err)
		}
	})
	t.Run("ErrBadName", func(t *testing.T) {
		assertCode(t, m.Delete(ctx, "../reelvault.db"), domain.EINVALID)
		assertCode(t, m.Delete(ctx, "catalog.json"), domain.EINVALID)
		assertCode(t, m.Delete(ctx, filepath.Join("x", newest.Name)), domain.EINVALID)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		assertCode(t, m.Delete(ctx, "reelvault-20200101T000000.000Z-manual.db.zst"), domain.ENOTFOUND)
	})
	t.Run("Older", func(t *testing.T) {
		if err := m.Delete(ctx, older.Name); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(older.Path); !os.IsNotExist(err) {
			t.Fatalf("file still there: %v", err)
		}
		list, err := m.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Name != newest.Name {
			t.Fatalf("list=%v, want only the newest", list)
		}
	})
	t.Run("ErrUndoTarget", func(t *testing.T) {
		if last, err := m.LastRestore(); err != nil || last != nil {
			t.Fatalf("before a restore: last=%v err=%v", last, err)
		}
		res, err := m.Restore(ctx, newest.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		last, err := m.LastRestore()
		if err != nil || last == nil || last.PreRestore != res.PreRestore.Name {
			t.Fatalf("last=%+v err=%v, want the pre-restore %s", last, err, res.PreRestore.Name)
		}
		// A newer backup exists now, so only the undo rule protects it.
		if _, err := m.Backup(ctx, backup.Options{}); err != nil {
			t.Fatal(err)
		}
		assertCode(t, m.Delete(ctx, res.PreRestore.Name), domain.ECONFLICT)
	})
}

func TestManager_PreRestoreRetention(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	clock := time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC)
	m.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	Seed(t, db, 1)
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var last string
	for range backup.DefaultKeepPreRestore + 2 {
		res, err := m.Restore(ctx, b.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.PreRestore.VerifiedAt.IsZero() || filepath.Ext(res.PreRestore.Name) != ".zst" {
			t.Fatalf("pre-restore %+v is not compressed and verified", res.PreRestore)
		}
		last = res.PreRestore.Name
	}
	list, err := m.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pre := 0
	found := false
	for _, x := range list {
		if x.Kind == domain.BackupPreRestore {
			pre++
			found = found || x.Name == last
			if x.VerifiedAt.IsZero() {
				t.Fatalf("%s is listed unverified", x.Name)
			}
		}
	}
	if pre != backup.DefaultKeepPreRestore || !found {
		t.Fatalf("pre-restore backups kept=%d (undo target kept: %v), want %d", pre, found, backup.DefaultKeepPreRestore)
	}
	// Undo still returns to the newest.
	if _, err := m.Undo(ctx, nil); err != nil {
		t.Fatal(err)
	}
}
