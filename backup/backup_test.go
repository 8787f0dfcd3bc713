package backup_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// openBackup decompresses a backup the way the docs tell a user to and opens
// the result with a plain SQLite connection.
func openBackup(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", expandBackup(tb, path))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// expandBackup decompresses a backup into a new plain SQLite file.
func expandBackup(tb testing.TB, path string) string {
	tb.Helper()
	in, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	dec, err := zstd.NewReader(in)
	if err != nil {
		tb.Fatal(err)
	}
	defer dec.Close()
	out := filepath.Join(tb.TempDir(), "copy.db")
	f, err := os.Create(out)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := dec.WriteTo(f); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestManager_Backup(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 20)

	var progress []domain.BackupProgress
	m.StepPages = 2 // several steps even for a small file
	b, err := m.Backup(ctx, backup.Options{Progress: func(p domain.BackupProgress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Kind, domain.BackupManual; got != want {
		t.Fatalf("kind=%q, want %q", got, want)
	}
	if got, want := b.Rows["tasks"], int64(20); got != want {
		t.Fatalf("rows[tasks]=%d, want %d", got, want)
	}
	if got, want := b.Rows["scripts"], int64(60); got != want {
		t.Fatalf("rows[scripts]=%d, want %d", got, want)
	}
	if got, want := b.SchemaVersion, store.LatestSchemaVersion(); got != want {
		t.Fatalf("schema=%d, want %d", got, want)
	}
	if b.VerifiedAt.IsZero() || b.Size == 0 || len(b.SHA256) != 64 {
		t.Fatalf("entry=%+v, want verified_at, size and sha256", b)
	}
	if got := sha256File(t, b.Path); got != b.SHA256 {
		t.Fatalf("file sha256=%s, catalogue says %s", got, b.SHA256)
	}
	if filepath.Dir(b.Path) != m.Dir {
		t.Fatalf("path=%s, want inside %s", b.Path, m.Dir)
	}

	// Progress: copy steps that end at the total, then verify and compress.
	var copies, last int
	for i, p := range progress {
		if p.Phase == "copy" {
			copies++
			last = i
		}
	}
	if copies < 2 {
		t.Fatalf("copy progress reports=%d, want several", copies)
	}
	if p := progress[last]; p.Done != p.Total || p.Total == 0 {
		t.Fatalf("last copy progress=%+v, want done=total", p)
	}

	// A user can open the file with zstd + sqlite3 alone.
	copyDB := openBackup(t, b.Path)
	var n int
	if err := copyDB.QueryRow(`SELECT count(*) FROM videos`).Scan(&n); err != nil {
		t.Fatal(err)
	} else if n != 60 {
		t.Fatalf("videos in backup=%d, want 60", n)
	}

	list, err := m.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != b.Name || list[0].SHA256 != b.SHA256 {
		t.Fatalf("list=%+v, want the one backup", list)
	}

	t.Run("Out", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "mine.db.zst")
		b, err := m.Backup(ctx, backup.Options{Out: out})
		if err != nil {
			t.Fatal(err)
		}
		if b.Path != out {
			t.Fatalf("path=%s, want %s", b.Path, out)
		}
		if list, err := m.List(ctx); err != nil {
			t.Fatal(err)
		} else if len(list) != 1 {
			t.Fatalf("listed=%d, want 1 (files written elsewhere are not catalogued)", len(list))
		}
	})
	t.Run("ErrInvalidKind", func(t *testing.T) {
		_, err := m.Backup(ctx, backup.Options{Kind: "weekly"})
		assertCode(t, err, domain.EINVALID)
		if domain.ErrorField(err) != "kind" {
			t.Fatalf("field=%q, want kind", domain.ErrorField(err))
		}
	})
}

// A backup taken while writers commit tasks (each with its scripts and
// videos in one transaction) holds only whole tasks and passes the
// integrity check.
func TestManager_Backup_ConsistentWhileWriting(t *testing.T) {
	for _, method := range []string{backup.MethodBackupAPI, backup.MethodVacuumInto} {
		t.Run(method, func(t *testing.T) { testConsistentWhileWriting(t, method) })
	}
}

func testConsistentWhileWriting(t *testing.T, method string) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 200)
	m.Method = method
	m.StepPages = 1 // as many steps as possible, so writes land between them

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes, errs int64
	var mu sync.Mutex
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := insertTask(ctx, db)
				mu.Lock()
				if err != nil {
					errs++
				} else {
					writes++
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	b, err := m.Backup(ctx, backup.Options{})
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if errs > 0 {
		t.Fatalf("%d writes failed during the backup", errs)
	}
	if writes == 0 {
		t.Fatal("no write ran during the backup")
	}

	copyDB := openBackup(t, b.Path)
	var check string
	if err := copyDB.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check=%q, %v", check, err)
	}
	var partial int
	if err := copyDB.QueryRow(`
		SELECT count(*) FROM tasks t
		WHERE (SELECT count(*) FROM scripts s WHERE s.task_id = t.id) != 3
		   OR (SELECT count(*) FROM videos v WHERE v.task_id = t.id) != 3`).Scan(&partial); err != nil {
		t.Fatal(err)
	}
	if partial != 0 {
		t.Fatalf("%d tasks in the backup lack scripts or videos", partial)
	}
	var tasks int64
	if err := copyDB.QueryRow(`SELECT count(*) FROM tasks`).Scan(&tasks); err != nil {
		t.Fatal(err)
	}
	if tasks < 200 || tasks != b.Rows["tasks"] {
		t.Fatalf("tasks in backup=%d, catalogue=%d, want the same and >= 200", tasks, b.Rows["tasks"])
	}
}

func TestManager_Backup_ErrConflict(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 5)
	other := backup.NewManager(db) // same folder, as a second process would be
	m.StepPages = 1

	var second error
	var once sync.Once
	_, err := m.Backup(ctx, backup.Options{Progress: func(p domain.BackupProgress) {
		once.Do(func() {
			_, second = other.Backup(ctx, backup.Options{})
		})
	}})
	if err != nil {
		t.Fatal(err)
	}
	assertCode(t, second, domain.ECONFLICT)
	_, err = other.Restore(ctx, "x", nil)
	if err == nil || domain.ErrorCode(err) == domain.ECONFLICT {
		t.Fatalf("restore after the backup ended: err=%v, want no conflict", err)
	}
}

// The catalogue is rebuilt from the files when it is lost.
func TestManager_List_Rebuild(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 3)
	a, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Backup(ctx, backup.Options{Kind: domain.BackupScheduled})
	if err != nil {
		t.Fatal(err)
	}
	// A stray file that only looks like a backup is not listed.
	junk := filepath.Join(m.Dir, "reelvault-20260101T000000.000Z-manual.db.zst")
	if err := os.WriteFile(junk, []byte("not a backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(m.Dir, backup.CatalogFile)); err != nil {
		t.Fatal(err)
	}

	list, err := m.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("listed=%d, want 2: %+v", len(list), list)
	}
	want := map[string]*domain.Backup{a.Name: a, b.Name: b}
	for _, got := range list {
		w := want[got.Name]
		if w == nil {
			t.Fatalf("unexpected %s", got.Name)
		}
		if got.Kind != w.Kind || got.SHA256 != w.SHA256 || got.Rows["tasks"] != 3 || got.SchemaVersion != w.SchemaVersion {
			t.Fatalf("rebuilt=%+v, want %+v", got, w)
		}
	}
	if _, err := os.Stat(filepath.Join(m.Dir, backup.CatalogFile)); err != nil {
		t.Fatalf("catalogue not rewritten: %v", err)
	}
}

// Opening a database whose schema is older than the binary takes a
// pre-migration backup first.
func TestManager_BeforeMigrate(t *testing.T) {
	ctx := context.Background()
	latest, previous := store.LatestSchemaVersion(), store.PreviousSchemaVersion()
	// A database as the previous release left it: every migration but the
	// newest, and some data.
	path := filepath.Join(t.TempDir(), "data", "reelvault.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateAtVersion(ctx, path, previous); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMicro()
	if _, err := raw.Exec(`INSERT INTO users (username, api_key_hash, key_prefix, quota, created_at, updated_at)
		VALUES ('alice', 'h', 'rv_a', 10, ?, ?)`, now, now); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if _, err := raw.Exec(`INSERT INTO tasks (task_id, user_id, prompt, status, created_at, updated_at)
			VALUES (?, 1, 'old', 'pending', ?, ?)`, fmt.Sprint("old-", i), now, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db := store.NewDB(path)
	m := backup.NewManager(db)
	m.Logger = discardLogger()
	db.BeforeMigrate = m.BeforeMigrate
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := m.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Kind != domain.BackupPreMigration {
		t.Fatalf("list=%+v, want one pre-migration backup", list)
	}
	if got, want := list[0].SchemaVersion, previous; got != want {
		t.Fatalf("pre-migration schema=%d, want %d", got, want)
	}
	if got, want := list[0].Rows["tasks"], int64(4); got != want {
		t.Fatalf("pre-migration tasks=%d, want %d", got, want)
	}
	if v, err := db.SchemaVersion(ctx); err != nil || v != latest {
		t.Fatalf("schema after open=%d, %v; want %d", v, err, latest)
	}

	// A fresh database (nothing to lose) gets none.
	_, m2 := MustOpen(t)
	if list, err := m2.List(ctx); err != nil || len(list) != 0 {
		t.Fatalf("fresh database backups=%d, %v; want 0", len(list), err)
	}
}
