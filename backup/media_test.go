package backup_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// mediaDir returns the data directory's media folder of db, created.
func mediaDir(tb testing.TB, db *store.DB) string {
	tb.Helper()
	dir := filepath.Join(filepath.Dir(db.Path), domain.MediaFolder)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// writeClip writes a video file of n bytes whose content depends on seed.
func writeClip(tb testing.TB, path string, n int, seed byte) string {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7) ^ seed
	}
	copy(data, fmt.Sprintf("clip %s %d", path, seed))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// SeedVideos inserts one task whose scenes are the video files paths (the
// last one also its final video) and returns its task ID.
func SeedVideos(tb testing.TB, db *store.DB, paths ...string) string {
	tb.Helper()
	ctx := context.Background()
	taskID := fmt.Sprintf("00000000-0000-4000-9000-%012d", seq.Add(1))
	now := time.Now().UnixMicro()
	err := db.Write(ctx, func(w *sqlx.DB) error {
		tx, err := w.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO users (username, api_key_hash, key_prefix, quota, created_at, updated_at)
			VALUES ('alice', 'hash-alice', 'rv_alice', 1000000, ?, ?)
			ON CONFLICT (username) DO NOTHING`, now, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO tasks (task_id, user_id, prompt, status, total_scenes, final_video_path, created_at, updated_at)
			VALUES (?, (SELECT id FROM users WHERE username = 'alice'), 'a cat on the moon', 'processing', ?, ?, ?, ?)`,
			taskID, len(paths), paths[len(paths)-1], now, now)
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		for i, p := range paths {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO videos (task_id, scene_number, file_path, created_at)
				VALUES (?, ?, ?, ?)`, id, i+1, p, now); err != nil {
				return err
			}
		}
		return tx.Commit()
	})
	if err != nil {
		tb.Fatal(err)
	}
	return taskID
}

// objectFiles lists the object files of a destination folder.
func objectFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(dir, "objects"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestBackup_Media(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	media := mediaDir(t, db)
	var clips []string
	for i := range 5 {
		clips = append(clips, writeClip(t, filepath.Join(media, fmt.Sprintf("t1/%d.mp4", i)), 50_000+i, byte(i)))
	}
	// The same content twice is stored once.
	same, _ := os.ReadFile(clips[0])
	os.WriteFile(filepath.Join(media, "t1/copy.mp4"), same, 0o644)
	clips = append(clips, filepath.Join(media, "t1/copy.mp4"))
	outside := writeClip(t, filepath.Join(t.TempDir(), "elsewhere.mp4"), 1000, 9)
	missing := filepath.Join(media, "gone.mp4")
	SeedVideos(t, db, append(clips, outside, missing)...)

	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Media == nil {
		t.Fatal("backup has no media, want the referenced files")
	}
	if got, want := b.Media.Files, int64(6); got != want {
		t.Fatalf("files=%d, want %d", got, want)
	}
	if got, want := b.Media.NewFiles, int64(5); got != want {
		t.Fatalf("new files=%d, want %d (two files share content)", got, want)
	}
	if got, want := len(objectFiles(t, m.Dir)), 5; got != want {
		t.Fatalf("objects=%d, want %d", got, want)
	}
	reasons := map[string]string{}
	for _, s := range b.Media.Skipped {
		reasons[s.Path] = s.Reason
	}
	if got, want := reasons[missing], "missing"; got != want {
		t.Fatalf("missing file reason=%q, want %q (skipped: %+v)", got, want, b.Media.Skipped)
	}
	if got, want := reasons[outside], "outside the media roots"; got != want {
		t.Fatalf("outside file reason=%q, want %q", got, want)
	}

	t.Run("SecondAddsOnlyNew", func(t *testing.T) {
		extra := writeClip(t, filepath.Join(media, "t2/new.mp4"), 70_000, 42)
		SeedVideos(t, db, extra)
		b2, err := m.Backup(ctx, backup.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := b2.Media.NewFiles, int64(1); got != want {
			t.Fatalf("new files=%d, want %d", got, want)
		}
		if got, want := b2.Media.Files, int64(7); got != want {
			t.Fatalf("files=%d, want %d", got, want)
		}
		if got, want := len(objectFiles(t, m.Dir)), 6; got != want {
			t.Fatalf("objects=%d, want %d", got, want)
		}
	})

	t.Run("DBOnly", func(t *testing.T) {
		b3, err := m.Backup(ctx, backup.Options{DBOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if b3.Media != nil {
			t.Fatalf("a --db-only backup holds media: %+v", b3.Media)
		}
	})

	t.Run("Listed", func(t *testing.T) {
		list, err := m.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var withMedia int
		for _, l := range list {
			if l.Media != nil {
				withMedia++
			}
			if l.Destination != domain.DestinationLocal {
				t.Fatalf("destination=%q, want local", l.Destination)
			}
		}
		if withMedia != 2 {
			t.Fatalf("%d listed sets hold media, want 2", withMedia)
		}
	})

	t.Run("BitFlipCaught", func(t *testing.T) {
		// One bit of every object flips, so whichever of them the set
		// holds (the object files are named by random content) is damaged.
		objs := objectFiles(t, m.Dir)
		orig := make([][]byte, len(objs))
		for i, o := range objs {
			data, err := os.ReadFile(o)
			if err != nil {
				t.Fatal(err)
			}
			orig[i] = slices.Clone(data)
			data[len(data)/2] ^= 0x01
			if err := os.WriteFile(o, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		_, err := m.Verify(ctx, b.Name, "")
		assertCode(t, err, domain.EINVALID)
		if !strings.Contains(err.Error(), "damaged") {
			t.Fatalf("err=%v, want it to say the set is damaged", err)
		}
		aside := 0
		for _, o := range objs {
			if _, err := os.Stat(o + ".damaged"); err == nil {
				aside++
			}
		}
		if aside == 0 {
			t.Fatal("no damaged object was set aside")
		}
		for i, o := range objs {
			os.Remove(o + ".damaged")
			if err := os.WriteFile(o, orig[i], 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := m.Verify(ctx, b.Name, ""); err != nil {
			t.Fatalf("verify after repair: %v", err)
		}
	})
}

func TestBackup_MediaRetention(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	m.Retention = backup.Retention{Keep: 1}
	media := mediaDir(t, db)
	old := writeClip(t, filepath.Join(media, "old.mp4"), 10_000, 1)
	task := SeedVideos(t, db, old)
	first, err := m.Backup(ctx, backup.Options{Kind: domain.BackupScheduled})
	if err != nil {
		t.Fatal(err)
	}
	// A manual set keeps referencing old.mp4 after the scheduled one goes.
	manual, err := m.Backup(ctx, backup.Options{Kind: domain.BackupManual})
	if err != nil {
		t.Fatal(err)
	}
	// The task goes and a new one comes: the next scheduled set no longer
	// needs old.mp4, but the manual set does.
	deleteTask(t, db, task)
	kept := writeClip(t, filepath.Join(media, "kept.mp4"), 10_000, 2)
	SeedVideos(t, db, kept)
	if _, err := m.Backup(ctx, backup.Options{Kind: domain.BackupScheduled}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(m.Dir, strings.TrimSuffix(first.Name, ".db.zst")+".media.json")); err == nil {
		t.Fatal("the pruned set's media list is still there")
	}
	if got, want := len(objectFiles(t, m.Dir)), 2; got != want {
		t.Fatalf("objects=%d, want %d (the manual set's and the new set's)", got, want)
	}
	if _, err := m.Verify(ctx, manual.Name, ""); err != nil {
		t.Fatalf("the kept manual set lost an object: %v", err)
	}
	// Without the manual set, old.mp4's object goes at the next prune.
	os.Remove(filepath.Join(m.Dir, manual.Name))
	if _, err := m.Backup(ctx, backup.Options{Kind: domain.BackupScheduled}); err != nil {
		t.Fatal(err)
	}
	if got, want := len(objectFiles(t, m.Dir)), 1; got != want {
		t.Fatalf("objects=%d, want %d", got, want)
	}
}

// deleteTask removes a task and its rows.
func deleteTask(tb testing.TB, db *store.DB, taskID string) {
	tb.Helper()
	err := db.Write(context.Background(), func(w *sqlx.DB) error {
		_, err := w.Exec(`DELETE FROM tasks WHERE task_id = ?`, taskID)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}
