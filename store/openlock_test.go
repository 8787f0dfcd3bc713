package store_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// The database file and its -wal and -shm are private (0600), like every
// other file in the data folder; SQLite alone would create them 0644.
func TestDB_Open_FileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reelvault.db")
	db := store.NewDB(path)
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Write(context.Background(), func(w *sqlx.DB) error {
		_, err := w.Exec("CREATE TABLE t (x)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-lock"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
			t.Fatalf("%s: mode=%v, want %v", filepath.Base(p), got, want)
		}
	}
}

// Claim (what a restore takes before it swaps the file) fails with
// ECONFLICT while another opener has the database open,
// and succeeds once it is alone; it survives Exclusive's reopen.
func TestDB_Claim(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reelvault.db")
	first := store.NewDB(path)
	if err := first.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second := store.NewDB(path)
	if err := second.Open(ctx); err != nil {
		t.Fatal(err)
	}

	_, err := first.Claim()
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), "Another running process has the database "+path+" open") {
		t.Fatalf("claim with another opener: %v; want ECONFLICT", err)
	}
	// The refused claim left the shared lock in place: the other opener
	// still cannot claim either.
	if _, err := second.Claim(); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("claim of the second opener: %v; want ECONFLICT", err)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	release, err := first.Claim()
	if err != nil {
		t.Fatalf("claim when alone: %v", err)
	}
	if err := first.Exclusive(ctx, func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	release()
	// Released: another opener may open again, and then the claim fails.
	if err := second.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if _, err := first.Claim(); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("claim after release with another opener: %v; want ECONFLICT", err)
	}
}

// A database in a folder that cannot be written (a read-only mount: root
// ignores permission bits) opens for reading; writes, claims and Exclusive
// fail with ECONFLICT saying the data folder is read-only.
func TestDB_Open_ReadOnlyFolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "reelvault.db")
	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "--bind", dir, dir).CombinedOutput(); err != nil {
		t.Skipf("cannot bind-mount here (%v: %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	if out, err := exec.Command("mount", "-o", "remount,bind,ro", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot remount read-only here (%v: %s)", err, out)
	}

	if err := db.Open(ctx); err != nil {
		t.Fatalf("open in a read-only folder: %v", err)
	}
	defer db.Close()
	if !db.ReadOnly() {
		t.Fatal("ReadOnly()=false in a read-only folder")
	}
	if v, err := db.SchemaVersion(ctx); err != nil || v != store.LatestSchemaVersion() {
		t.Fatalf("schema version=%d, %v", v, err)
	}
	want := "The data folder " + dir + " is read-only"
	for name, err := range map[string]error{
		"Write":     db.Write(ctx, func(*sqlx.DB) error { return nil }),
		"Exclusive": db.Exclusive(ctx, func(string) error { return nil }),
		"Claim":     func() error { _, err := db.Claim(); return err }(),
	} {
		if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), want) {
			t.Errorf("%s: %v; want ECONFLICT saying %q", name, err, want)
		}
	}

	// A missing database cannot be created there.
	other := store.NewDB(filepath.Join(dir, "new.db"))
	if err := other.Open(ctx); domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), want) {
		t.Fatalf("open a new database in a read-only folder: %v", err)
	}
}
