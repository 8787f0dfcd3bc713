package backup_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
)

// A restore killed after it swapped the file in but before it catalogued
// the pre-restore backup leaves that backup in the folder, uncatalogued.
// Undo still finds it by name and brings the old data back. Found by
// app/crashtest's TestCrash_KillDuringRestore.
func TestManager_Undo_PreRestoreNotCatalogued(t *testing.T) {
	db, m := MustOpen(t)
	ctx := context.Background()
	Seed(t, db, 2)
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	Seed(t, db, 3)
	if _, err := m.Restore(ctx, b.Name, nil); err != nil {
		t.Fatal(err)
	}
	if got := CountTasks(t, db); got != 2 {
		t.Fatalf("after the restore: %d tasks, want 2", got)
	}
	// What a kill before the catalogue write leaves: no catalogue entry.
	if err := os.Remove(filepath.Join(m.Dir, "catalog.json")); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if _, err := m.Undo(ctx, nil); err != nil {
		t.Fatalf("undo with the pre-restore backup uncatalogued (working directory %s): %v", wd, err)
	}
	if got := CountTasks(t, db); got != 5 {
		t.Fatalf("after the undo: %d tasks, want the 5 from before the restore", got)
	}
}

// A restore killed after writing its journal but before replacing anything
// leaves a journal naming a pre-restore backup that never came to be: undo
// says there is nothing to undo and changes nothing.
func TestManager_Undo_RestoreStoppedBeforeSwap(t *testing.T) {
	db, m := MustOpen(t)
	ctx := context.Background()
	Seed(t, db, 2)
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Restore(ctx, b.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(m.Dir, res.PreRestore.Name)); err != nil {
		t.Fatal(err)
	}
	before := FileSum(t, db)
	_, err = m.Undo(ctx, nil)
	if got := domain.ErrorCode(err); got != domain.ENOTFOUND {
		t.Fatalf("Undo = %v, want %s", err, domain.ENOTFOUND)
	}
	if FileSum(t, db) != before {
		t.Fatalf("a refused undo changed the database")
	}
}
