package backup_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// readFile returns the content of path, nil when it is missing.
func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		tb.Fatal(err)
	}
	return data
}

// strays lists the staged files and journals a restore left behind.
func strays(tb testing.TB, m *backup.Manager, media string) []string {
	tb.Helper()
	var out []string
	filepath.WalkDir(media, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".reelvault-restore-") {
			out = append(out, p)
		}
		return nil
	})
	if _, err := os.Stat(filepath.Join(m.Dir, "restore-files.json")); err == nil {
		out = append(out, "restore-files.json")
	}
	return out
}

func TestManager_RestoreTasks_Files(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	media := mediaDir(t, db)
	a := writeClip(t, filepath.Join(media, "t1/a.mp4"), 20_000, 1)
	b := writeClip(t, filepath.Join(media, "t1/b.mp4"), 20_000, 2)
	c := writeClip(t, filepath.Join(media, "t2/c.mp4"), 20_000, 3)
	wantA, wantB := readFile(t, a), readFile(t, b)
	t1 := SeedVideos(t, db, a, b)
	SeedVideos(t, db, c)
	set, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}

	// a.mp4 is lost, b.mp4 was overwritten, c.mp4 (another task's) is lost.
	os.Remove(a)
	os.WriteFile(b, []byte("someone else's take"), 0o644)
	os.Remove(c)
	execSQL(t, db, `UPDATE tasks SET prompt = 'changed here' WHERE task_id = ?`, t1)

	t.Run("DamagedObjectRefused", func(t *testing.T) {
		sigs := taskSigs(t, db)
		objs := objectFiles(t, m.Dir)
		for _, o := range objs {
			flipByte(t, o)
		}
		_, err := m.RestoreTasks(ctx, set.Name, []string{t1})
		assertCode(t, err, domain.EINVALID)
		if !strings.Contains(err.Error(), "damaged") {
			t.Fatalf("err=%v, want it to say the set is damaged", err)
		}
		for _, o := range objs {
			flipByte(t, o)
		}
		if !reflect.DeepEqual(taskSigs(t, db), sigs) {
			t.Fatal("a refused restore of tasks changed rows")
		}
		if readFile(t, a) != nil || string(readFile(t, b)) != "someone else's take" {
			t.Fatal("a refused restore of tasks changed files")
		}
		if s := strays(t, m, media); len(s) != 0 {
			t.Fatalf("a refused restore left %v", s)
		}
	})

	res, err := m.RestoreTasks(ctx, set.Name, []string{t1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files == nil || res.Files.Restored != 2 || len(res.Files.KeptAside) != 1 || res.Files.KeptAside[0].Path != b {
		t.Fatalf("files=%+v, want a.mp4 and b.mp4 put back and the other b.mp4 kept aside", res.Files)
	}
	if !bytes.Equal(readFile(t, a), wantA) || !bytes.Equal(readFile(t, b), wantB) {
		t.Fatal("the task's files are not back as they were in the set")
	}
	asides, _ := filepath.Glob(filepath.Join(media, "t1", "b.before-restore-*.mp4"))
	if len(asides) != 1 || string(readFile(t, asides[0])) != "someone else's take" {
		t.Fatalf("kept aside: %v, want the overwritten b.mp4 kept", asides)
	}
	if readFile(t, c) != nil {
		t.Fatal("a file of a task not chosen was put back")
	}
	if s := strays(t, m, media); len(s) != 0 {
		t.Fatalf("left behind: %v", s)
	}

	// Restoring again finds the files in place: nothing to put back.
	res, err = m.RestoreTasks(ctx, set.Name, []string{t1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files == nil || res.Files.Restored != 0 || res.Files.Same != 2 {
		t.Fatalf("second restore files=%+v, want both the same", res.Files)
	}
	if _, err := m.Undo(ctx, nil); err != nil { // back to before the second
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, a), wantA) || !bytes.Equal(readFile(t, b), wantB) {
		t.Fatal("undoing a restore that put no file back changed files")
	}
	// The undo of the first restore is gone with the second; restore anew
	// from the state before it to undo one that put files back.
	os.Remove(a)
	os.WriteFile(b, []byte("someone else's take"), 0o644)
	os.Remove(asides[0])
	if _, err := m.RestoreTasks(ctx, set.Name, []string{t1}); err != nil {
		t.Fatal(err)
	}

	un, err := m.Undo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if un.Files == nil || un.Files.Removed != 2 || un.Files.Restored != 1 {
		t.Fatalf("undo files=%+v, want 2 removed and the kept-aside one back", un.Files)
	}
	if readFile(t, a) != nil || string(readFile(t, b)) != "someone else's take" {
		t.Fatal("undo did not take the files back to how they were")
	}
	if asides, _ := filepath.Glob(filepath.Join(media, "t1", "b.before-restore-*.mp4")); len(asides) != 0 {
		t.Fatalf("kept-aside files left after undo: %v", asides)
	}
	if s := strays(t, m, media); len(s) != 0 {
		t.Fatalf("left behind: %v", s)
	}

	// Undoing the undo restores the tasks from the set again, files and
	// all; undoing that takes them back again.
	re, err := m.Undo(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if re.Files == nil || re.Files.Restored != 2 || !bytes.Equal(readFile(t, a), wantA) || !bytes.Equal(readFile(t, b), wantB) {
		t.Fatalf("undo of the undo: files=%+v, want the task's files back", re.Files)
	}
	if asides, _ := filepath.Glob(filepath.Join(media, "t1", "b.before-restore-*.mp4")); len(asides) != 1 {
		t.Fatalf("kept aside after the undo of the undo: %v, want the other b.mp4", asides)
	}
	if un, err = m.Undo(ctx, nil); err != nil || un.Files == nil || un.Files.Removed != 2 {
		t.Fatalf("third undo: files=%+v err=%v", un, err)
	}
	if readFile(t, a) != nil || string(readFile(t, b)) != "someone else's take" {
		t.Fatal("the third undo did not take the files back")
	}

	t.Run("UndoLeavesChangedFiles", func(t *testing.T) {
		if _, err := m.RestoreTasks(ctx, set.Name, []string{t1}); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(a, []byte("edited after the restore"), 0o644)
		un, err := m.Undo(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(readFile(t, a)) != "edited after the restore" || len(un.Files.KeptAside) != 1 || un.Files.KeptAside[0].Path != a {
			t.Fatalf("undo files=%+v; a file changed since the restore must be left and reported", un.Files)
		}
	})
}

func TestManager_RestoreTasks_FilesRecovery(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	media := mediaDir(t, db)
	a := writeClip(t, filepath.Join(media, "a.mp4"), 10_000, 1)
	SeedVideos(t, db, a)
	if _, err := m.Backup(ctx, backup.Options{}); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(m.Dir, "restore-files.json")
	staged := filepath.Join(media, ".a.mp4.reelvault-restore-x")
	os.WriteFile(a, []byte("changed"), 0o644)

	// The rows did not commit (the mark is not in the database): undone.
	os.WriteFile(staged, []byte("restored"), 0o644)
	os.WriteFile(journal, fmt.Appendf(nil, `{"mark":"m1","entries":[{"target":%q,"staged":%q,"aside":%q}]}`, a, staged, a+".aside"), 0o600)
	if err := backup.RecoverFiles(m); err != nil {
		t.Fatal(err)
	}
	if string(readFile(t, a)) != "changed" || readFile(t, staged) != nil || readFile(t, journal) != nil {
		t.Fatal("a task restore whose rows did not commit was not undone")
	}

	// The rows committed: the files are finished.
	if err := store.NewSettings(db).Set(ctx, map[string]string{"backup.files_mark": "m2"}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(staged, []byte("restored"), 0o644)
	os.WriteFile(journal, fmt.Appendf(nil, `{"mark":"m2","entries":[{"target":%q,"staged":%q,"aside":%q}]}`, a, staged, a+".aside"), 0o600)
	if err := backup.RecoverFiles(m); err != nil {
		t.Fatal(err)
	}
	if string(readFile(t, a)) != "restored" || string(readFile(t, a+".aside")) != "changed" || readFile(t, journal) != nil {
		t.Fatal("a task restore whose rows committed was not finished")
	}

	// The undo's rows committed: its file steps are finished.
	os.WriteFile(journal, fmt.Appendf(nil, `{"mark":"m2","undo":[{"target":%q,"aside":%q,"sha256":%q}]}`, a, a+".aside", sha256Bytes([]byte("restored"))), 0o600)
	if err := backup.RecoverFiles(m); err != nil {
		t.Fatal(err)
	}
	if string(readFile(t, a)) != "changed" || readFile(t, a+".aside") != nil {
		t.Fatal("an undo whose rows committed did not take the file back")
	}
}

// taskFilesCrashEnv names the database a crash child restores tasks with
// files into.
const taskFilesCrashEnv = "REELVAULT_TASK_FILES_CRASH_DB"

// TestRestoreTaskFilesCrashChild is the child of
// TestManager_RestoreTasks_FilesKillNine.
func TestRestoreTaskFilesCrashChild(t *testing.T) {
	task := os.Getenv(taskFilesCrashEnv + "_TASK")
	crashChild(t, taskFilesCrashEnv, "TestManager_RestoreTasks_FilesKillNine", func(ctx context.Context, m *backup.Manager, name string, i int) error {
		if _, err := m.RestoreTasks(ctx, name, []string{task}); err != nil {
			return err
		}
		if i%3 == 2 {
			if _, err := m.Undo(ctx, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// A restore of a task with its files, or its undo, killed at any moment
// and recovered at the next start, leaves the task's rows and its file
// from the same side: version A's prompt with version A's video, or B's
// with B's.
func TestManager_RestoreTasks_FilesKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	ctx := context.Background()
	db, m := MustOpen(t)
	media := mediaDir(t, db)
	Seed(t, db, 3)
	clip := filepath.Join(media, "task/final.mp4")
	writeClip(t, clip, 400_000, 'A')
	wantA := readFile(t, clip)
	task := SeedVideos(t, db, clip)
	execSQL(t, db, `UPDATE tasks SET prompt = 'version A' WHERE task_id = ?`, task)
	a, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	writeClip(t, clip, 400_000, 'B')
	wantB := readFile(t, clip)
	execSQL(t, db, `UPDATE tasks SET prompt = 'version B' WHERE task_id = ?`, task)
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRestoreTaskFilesCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), taskFilesCrashEnv+"="+db.Path, taskFilesCrashEnv+"_A="+a.Name, taskFilesCrashEnv+"_B="+b.Name, taskFilesCrashEnv+"_TASK="+task)
		killMidStep(t, cmd, 2+i%4)

		if err := db.Open(ctx); err != nil {
			t.Fatalf("kill %d: reopen: %v", i, err)
		}
		// The next start recovers under the operation lock.
		if err := backup.RecoverFiles(m); err != nil {
			t.Fatalf("kill %d: recover: %v", i, err)
		}
		var prompt string
		if err := db.Read(ctx, func(r *sqlx.DB) error {
			return r.Get(&prompt, `SELECT prompt FROM tasks WHERE task_id = ?`, task)
		}); err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		got := readFile(t, clip)
		switch {
		case prompt == "version A" && bytes.Equal(got, wantA), prompt == "version B" && bytes.Equal(got, wantB):
		default:
			t.Fatalf("kill %d: prompt %q with a video of %d bytes (A: %v, B: %v): rows and file from different sides", i, prompt, len(got), bytes.Equal(got, wantA), bytes.Equal(got, wantB))
		}
		if s := strays(t, m, media); len(s) != 0 {
			t.Fatalf("kill %d: left behind after recovery: %v", i, s)
		}
		seen[prompt]++
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("sides after the kills: %v", seen)
}
