package backup_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// Restore and undo swap data under a live, open store.DB: the same object
// keeps working and sees the restored data, with no reopen by the caller.
func TestManager_Restore(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 3)
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	Seed(t, db, 2)

	res, err := m.Restore(ctx, b.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := CountTasks(t, db), 3; got != want {
		t.Fatalf("tasks after restore=%d, want %d", got, want)
	}
	if res.PreRestore == nil || res.PreRestore.Kind != domain.BackupPreRestore || res.PreRestore.Rows["tasks"] != 5 {
		t.Fatalf("pre-restore=%+v, want a pre-restore backup of 5 tasks", res.PreRestore)
	}
	// The pre-restore backup starts as the old file itself, linked; it is
	// then compressed and verified like any backup, and the link goes.
	if fi, err := os.Stat(res.PreRestore.Path); err != nil || !strings.HasSuffix(res.PreRestore.Name, ".db.zst") || sha256File(t, res.PreRestore.Path) != res.PreRestore.SHA256 || res.PreRestore.VerifiedAt.IsZero() {
		t.Fatalf("pre-restore file=%v %v (%+v), want a catalogued, verified .db.zst", fi, err, res.PreRestore)
	}
	if _, err := os.Stat(strings.TrimSuffix(res.PreRestore.Path, ".zst")); !os.IsNotExist(err) {
		t.Fatalf("the linked pre-restore file is still there: %v", err)
	}
	// The live database still takes writes.
	Seed(t, db, 1)
	if got, want := CountTasks(t, db), 4; got != want {
		t.Fatalf("tasks after a write=%d, want %d", got, want)
	}

	// Undo works from a new Manager (as after a restart): the journal is on disk.
	m2 := backup.NewManager(db)
	m2.Logger = discardLogger()
	if _, err := m2.Undo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := CountTasks(t, db), 5; got != want {
		t.Fatalf("tasks after undo=%d, want %d", got, want)
	}
	// Undoing the undo brings the restored state (with the later write) back.
	if _, err := m2.Undo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := CountTasks(t, db), 4; got != want {
		t.Fatalf("tasks after second undo=%d, want %d", got, want)
	}

	t.Run("ByPath", func(t *testing.T) {
		plain := expandBackup(t, b.Path) // an uncompressed file the user picked
		if _, err := m.Restore(ctx, plain, nil); err != nil {
			t.Fatal(err)
		}
		if got, want := CountTasks(t, db), 3; got != want {
			t.Fatalf("tasks=%d, want %d", got, want)
		}
	})
	t.Run("NoStagingLeft", func(t *testing.T) {
		entries, err := os.ReadDir(filepath.Dir(db.Path))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.Contains(e.Name(), ".restore-") {
				t.Fatalf("staging file left: %s", e.Name())
			}
		}
	})
}

func TestManager_Undo_ErrNotFound(t *testing.T) {
	_, m := MustOpen(t)
	_, err := m.Undo(context.Background(), nil)
	assertCode(t, err, domain.ENOTFOUND)
}

// Every refused file leaves the live database byte-identical, takes no
// pre-restore backup and says why.
func TestManager_Restore_Refused(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 10)
	good, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	Seed(t, db, 1)
	dir := t.TempDir()

	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain := func(name string) string { // an uncompressed copy of the good backup
		p := filepath.Join(dir, name)
		if err := os.Rename(expandBackup(t, good.Path), p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	exec := func(path, query string) {
		d, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.Exec(query); err != nil {
			t.Fatal(err)
		}
	}

	random := make([]byte, 64<<10)
	rand.Read(random)
	zst, err := os.ReadFile(good.Path)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		source  func() string
		code    string
		message string // a part of the message
	}{
		{"RandomBytes", func() string { return write("random.db", random) }, domain.EINVALID, "not a SQLite database"},
		{"Empty", func() string { return write("empty.db", nil) }, domain.EINVALID, "not a SQLite database"},
		{"Truncated", func() string {
			p := plain("truncated.db")
			fi, _ := os.Stat(p)
			if err := os.Truncate(p, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
			return p
		}, domain.EINVALID, "truncated"},
		{"TruncatedCompressed", func() string { return write("cut.db.zst", zst[:len(zst)/2]) }, domain.EINVALID, "cannot be decompressed"},
		{"CorruptedPage", func() string {
			p := plain("corrupt.db")
			f, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fi, _ := f.Stat()
			garbage := make([]byte, 16)
			for i := range garbage {
				garbage[i] = 0xA5
			}
			// Damage the b-tree header of every other page after the first
			// (the file keeps its size, so only the integrity check can tell).
			for off := int64(4096); off < fi.Size(); off += 8192 {
				if _, err := f.WriteAt(garbage, off); err != nil {
					t.Fatal(err)
				}
			}
			return p
		}, domain.EINVALID, "damaged"},
		{"ForeignApp", func() string {
			p := filepath.Join(dir, "other.db")
			exec(p, `PRAGMA application_id = 305419896; CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x')`)
			return p
		}, domain.EINVALID, "not a Reelvault database"},
		{"NewerSchema", func() string {
			p := plain("newer.db")
			exec(p, fmt.Sprintf(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (%d, 1)`, store.LatestSchemaVersion()+1))
			return p
		}, domain.EINVALID, "newer than this Reelvault"},
		{"Missing", func() string { return filepath.Join(dir, "nope.db.zst") }, domain.ENOTFOUND, "does not exist"},
		{"Directory", func() string { return dir }, domain.EINVALID, "is a directory"},
		{"NoSource", func() string { return " " }, domain.EINVALID, "Name a backup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.source()
			before := FileSum(t, db)
			listed, err := m.List(ctx)
			if err != nil {
				t.Fatal(err)
			}

			_, err = m.Restore(ctx, src, nil)
			assertCode(t, err, tt.code)
			if msg := domain.ErrorMessage(err); !strings.Contains(msg, tt.message) {
				t.Fatalf("message=%q, want it to contain %q", msg, tt.message)
			}
			if after := FileSum(t, db); after != before {
				t.Fatal("the live database changed")
			}
			if got, want := CountTasks(t, db), 11; got != want {
				t.Fatalf("tasks=%d, want %d", got, want)
			}
			if now, err := m.List(ctx); err != nil {
				t.Fatal(err)
			} else if len(now) != len(listed) {
				t.Fatalf("backups=%d, want %d (no pre-restore backup for a refused file)", len(now), len(listed))
			}
		})
	}

	t.Run("ChangedCatalogued", func(t *testing.T) {
		// A catalogued backup whose bytes changed since it was verified.
		b, err := m.Backup(ctx, backup.Options{})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(b.Path)
		data[len(data)/2] ^= 0xff
		if err := os.WriteFile(b.Path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		before := FileSum(t, db)
		_, err = m.Restore(ctx, b.Name, nil)
		assertCode(t, err, domain.EINVALID)
		if FileSum(t, db) != before {
			t.Fatal("the live database changed")
		}
	})
}

// A restore from a process that does not run the schedule is refused while
// another process (serve, the window) runs it on the same database.
func TestManager_Restore_ErrLiveElsewhere(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 2)
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	server := backup.NewScheduler(backup.NewManager(db)) // stands in for the serving process
	server.Manager.Logger = discardLogger()
	if err := server.Start(ctx); err != nil {
		t.Fatal(err)
	}
	before := FileSum(t, db)
	_, err = m.Restore(ctx, b.Name, nil)
	assertCode(t, err, domain.ECONFLICT)
	if FileSum(t, db) != before {
		t.Fatal("the live database changed")
	}
	// The serving process itself may restore.
	if _, err := server.Manager.Restore(ctx, b.Name, nil); err != nil {
		t.Fatal(err)
	}
	server.Stop()
	if _, err := m.Restore(ctx, b.Name, nil); err != nil {
		t.Fatalf("restore after the server stopped: %v", err)
	}
}

// With the backups folder on another file system the database cannot be
// linked; the pre-restore backup is then copied, and restore and undo work
// the same.
func TestManager_Restore_OtherFileSystem(t *testing.T) {
	ctx := context.Background()
	if fi, err := os.Stat("/dev/shm"); err != nil || !fi.IsDir() {
		t.Skip("no /dev/shm")
	}
	dir, err := os.MkdirTemp("/dev/shm", "reelvault-backups-")
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	db, m := MustOpen(t)
	m.Dir = dir
	Seed(t, db, 3)
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	Seed(t, db, 1)
	res, err := m.Restore(ctx, b.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(res.PreRestore.Name, ".db.zst") || res.PreRestore.Rows["tasks"] != 4 {
		t.Fatalf("pre-restore=%+v, want a copied (compressed) backup of 4 tasks", res.PreRestore)
	}
	if got := CountTasks(t, db); got != 3 {
		t.Fatalf("tasks=%d, want 3", got)
	}
	if _, err := m.Undo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := CountTasks(t, db); got != 4 {
		t.Fatalf("tasks after undo=%d, want 4", got)
	}
}

// TestManager_RestoreKeepsSessions: the owner's sessions are the install's
// credentials, not history. A restore and its undo keep every browser
// signed in now and bring back no session ended since the backup.
func TestManager_RestoreKeepsSessions(t *testing.T) {
	db, m := MustOpen(t)
	Seed(t, db, 2)
	restoreKeepsSessions(t, db, m)
}

// restoreKeepsSessions backs up db with m, ends one session and starts
// another, restores and undoes, and checks the sessions after each.
func restoreKeepsSessions(t *testing.T, db *store.DB, m *backup.Manager) {
	t.Helper()
	ctx := context.Background()
	sessions := store.NewSessionService(db)
	create := func() string {
		t.Helper()
		s, err := sessions.CreateSession(ctx, domain.SessionKindSession)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	kept, ended := create(), create()
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sessions.EndSession(ctx, ended); err != nil {
		t.Fatal(err)
	}
	later := create()
	check := func(when string) {
		t.Helper()
		for _, s := range []string{kept, later} {
			if err := sessions.UseSession(ctx, s); err != nil {
				t.Fatalf("%s: a session signed in before it was refused: %v", when, err)
			}
		}
		if err := sessions.UseSession(ctx, ended); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("%s: the session ended after the backup came back: %v", when, err)
		}
	}
	if _, err := m.Restore(ctx, b.Name, nil); err != nil {
		t.Fatal(err)
	}
	check("after the restore")
	if _, err := m.Undo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	check("after the undo")
}
