package backup_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/reelvault/reelvault/backup"
)

// A backup killed before it finished leaves its temporary files in the
// backups folder; the next backup removes them, so repeated crashes cannot
// fill the disk. Found by app/crashtest's TestCrash_KillDuringBackup.
func TestManager_Backup_RemovesStaleTemps(t *testing.T) {
	db, m := MustOpen(t)
	Seed(t, db, 3)
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	stale := []string{".tmp-0123456789abcdef.db", ".tmp-0123456789abcdef.db-journal", ".tmp-fedcba9876543210.db.zst"}
	for _, name := range stale {
		if err := os.WriteFile(filepath.Join(m.Dir, name), make([]byte, 1024), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b, err := m.Backup(context.Background(), backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range stale {
		if _, err := os.Stat(filepath.Join(m.Dir, name)); !os.IsNotExist(err) {
			t.Fatalf("stale %s still there after a backup (stat: %v)", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(m.Dir, b.Name)); err != nil {
		t.Fatalf("the new backup: %v", err)
	}
	list, err := m.List(context.Background())
	if err != nil || len(list) != 1 || list[0].Name != b.Name {
		t.Fatalf("List = %v, %v; want the one new backup", list, err)
	}
}
