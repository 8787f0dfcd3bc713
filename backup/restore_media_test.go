package backup_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// videoPaths returns the file paths of the live database's videos.
func videoPaths(tb testing.TB, db *store.DB) []string {
	tb.Helper()
	var paths []string
	err := db.Read(context.Background(), func(r *sqlx.DB) error {
		return r.Select(&paths, `SELECT file_path FROM videos ORDER BY file_path`)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return paths
}

func TestRestore_Files(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	media := mediaDir(t, db)
	a := writeClip(t, filepath.Join(media, "p1/a.mp4"), 40_000, 1)
	b := writeClip(t, filepath.Join(media, "p1/b.mp4"), 40_000, 2)
	c := writeClip(t, filepath.Join(media, "p2/c.mp4"), 40_000, 3)
	SeedVideos(t, db, a, b, c)
	set, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{a: sha256File(t, a), b: sha256File(t, b), c: sha256File(t, c)}

	// A folder is lost, one file is changed, one is untouched.
	os.RemoveAll(filepath.Join(media, "p1"))
	writeClip(t, c, 40_000, 99)
	changed := sha256File(t, c)

	res, err := m.Restore(ctx, set.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	for p, sum := range want {
		if got := sha256File(t, p); got != sum {
			t.Fatalf("%s has sha256 %s after the restore, want %s", p, got, sum)
		}
	}
	if res.Files == nil {
		t.Fatal("restore result has no files")
	}
	if got, want := res.Files.Restored, int64(3); got != want {
		t.Fatalf("restored=%d, want %d", got, want)
	}
	if got, want := len(res.Files.KeptAside), 1; got != want {
		t.Fatalf("kept aside=%d, want %d: %+v", got, want, res.Files.KeptAside)
	}
	// The changed file was kept aside, not overwritten.
	aside, _ := filepath.Glob(filepath.Join(media, "p2", "c.before-restore-*.mp4"))
	if len(aside) != 1 || sha256File(t, aside[0]) != changed {
		t.Fatalf("the changed file was not kept aside: %v", aside)
	}
	if !strings.Contains(res.Files.KeptAside[0].Reason, aside[0]) {
		t.Fatalf("kept-aside report %q does not name %s", res.Files.KeptAside[0].Reason, aside[0])
	}

	t.Run("NothingMissing", func(t *testing.T) {
		res, err := m.Restore(ctx, set.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Files.Restored != 0 || res.Files.Same != 3 {
			t.Fatalf("restored=%d same=%d, want 0 and 3", res.Files.Restored, res.Files.Same)
		}
	})

	t.Run("IntoFolder", func(t *testing.T) {
		into := filepath.Join(t.TempDir(), "restored")
		res, err := m.RestoreWith(ctx, set.Name, backup.RestoreOptions{Into: into})
		if err != nil {
			t.Fatal(err)
		}
		if res.Files.Relinked != into {
			t.Fatalf("relinked=%q, want %q", res.Files.Relinked, into)
		}
		paths := videoPaths(t, db)
		wantPaths := []string{filepath.Join(into, "p1/a.mp4"), filepath.Join(into, "p1/b.mp4"), filepath.Join(into, "p2/c.mp4")}
		if fmt.Sprint(paths) != fmt.Sprint(wantPaths) {
			t.Fatalf("videos point at %v, want %v", paths, wantPaths)
		}
		for i, p := range wantPaths {
			if got := sha256File(t, p); got != want[[]string{a, b, c}[i]] {
				t.Fatalf("%s has the wrong content", p)
			}
		}
	})

	t.Run("DamagedObjectRefused", func(t *testing.T) {
		os.Remove(a)
		before := FileSum(t, db)
		for _, p := range objectFiles(t, m.Dir) {
			data, _ := os.ReadFile(p)
			data[100] ^= 0x80
			os.WriteFile(p, data, 0o600)
		}
		_, err := m.Restore(ctx, set.Name, nil)
		assertCode(t, err, domain.EINVALID)
		if !strings.Contains(err.Error(), "damaged") {
			t.Fatalf("err=%v, want it to say damaged", err)
		}
		if got := FileSum(t, db); got != before {
			t.Fatal("a refused restore changed the database")
		}
		if _, err := os.Stat(a); err == nil {
			t.Fatal("a refused restore put a file back")
		}
		stray, _ := filepath.Glob(filepath.Join(media, "*", ".*reelvault-restore-*"))
		if len(stray) > 0 {
			t.Fatalf("staged files left behind: %v", stray)
		}
	})
}

func TestRestore_FilesRecovery(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	media := mediaDir(t, db)
	a := writeClip(t, filepath.Join(media, "a.mp4"), 10_000, 1)
	SeedVideos(t, db, a)
	if _, err := m.Backup(ctx, backup.Options{}); err != nil {
		t.Fatal(err)
	}
	// A journal whose staged database is gone: the swap happened, so the
	// files are finished.
	staged := filepath.Join(media, ".a.mp4.reelvault-restore-x")
	os.WriteFile(staged, []byte("restored"), 0o644)
	os.WriteFile(a, []byte("changed"), 0o644)
	j := fmt.Sprintf(`{"stage_db":%q,"entries":[{"target":%q,"staged":%q,"aside":%q}]}`,
		filepath.Join(t.TempDir(), "gone"), a, staged, a+".aside")
	os.WriteFile(filepath.Join(m.Dir, "restore-files.json"), []byte(j), 0o600)
	if err := backup.RecoverFiles(m); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(a); string(data) != "restored" {
		t.Fatalf("a.mp4 holds %q after recovery, want the restored file", data)
	}
	if data, _ := os.ReadFile(a + ".aside"); string(data) != "changed" {
		t.Fatalf("the replaced file was not kept aside: %q", data)
	}
	// A journal whose staged database is still there: undone.
	stageDB := filepath.Join(t.TempDir(), "stage.db")
	os.WriteFile(stageDB, nil, 0o600)
	os.WriteFile(staged, []byte("restored 2"), 0o644)
	j = fmt.Sprintf(`{"stage_db":%q,"entries":[{"target":%q,"staged":%q,"aside":%q}]}`, stageDB, a, staged, a+".aside2")
	os.WriteFile(filepath.Join(m.Dir, "restore-files.json"), []byte(j), 0o600)
	if err := backup.RecoverFiles(m); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(a); string(data) != "restored" {
		t.Fatalf("a.mp4 holds %q after undoing, want it unchanged", data)
	}
	if _, err := os.Stat(staged); err == nil {
		t.Fatal("the staged file of an undone restore is still there")
	}
	if _, err := os.Stat(filepath.Join(m.Dir, "restore-files.json")); err == nil {
		t.Fatal("the journal is still there")
	}
}
