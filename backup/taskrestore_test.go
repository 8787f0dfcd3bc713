package backup_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// exec runs one statement on the live database.
func execSQL(tb testing.TB, db *store.DB, query string, args ...any) {
	tb.Helper()
	err := db.Write(context.Background(), func(w *sqlx.DB) error {
		_, err := w.Exec(query, args...)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// taskSigs returns the signature of every task by task ID.
func taskSigs(tb testing.TB, db *store.DB) map[string]store.TaskSignature {
	tb.Helper()
	out := map[string]store.TaskSignature{}
	if err := db.EachTaskSignature(context.Background(), func(s store.TaskSignature) error {
		out[s.TaskID] = s
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return out
}

// statsEqualRebuild fails unless the stored statistics equal a rebuild.
func statsEqualRebuild(tb testing.TB, db *store.DB) {
	tb.Helper()
	owner := domain.WithOwner(context.Background())
	st := store.NewStatsService(db)
	before, err := st.DailyStats(owner, "", "")
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.RebuildStats(owner); err != nil {
		tb.Fatal(err)
	}
	after, err := st.DailyStats(owner, "", "")
	if err != nil {
		tb.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		tb.Fatalf("statistics differ from a rebuild: %d days stored, %d rebuilt", len(before), len(after))
	}
}

func TestManager_RestoreTasks(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	ids := Seed(t, db, 5)
	owner := domain.WithOwner(ctx)
	if err := store.NewStatsService(db).RebuildStats(owner); err != nil {
		t.Fatal(err)
	}
	set, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	inSet := taskSigs(t, db)

	// The live history moves on: one task changes, one is lost, one is new.
	changed, lost := ids[0], ids[1]
	execSQL(t, db, `UPDATE tasks SET prompt = 'edited', status = 'failed', completed_at = updated_at + 1, updated_at = updated_at + 1 WHERE task_id = ?`, changed)
	execSQL(t, db, `DELETE FROM tasks WHERE task_id = ?`, lost)
	newer := Seed(t, db, 1)[0]
	if err := store.NewStatsService(db).RebuildStats(owner); err != nil {
		t.Fatal(err)
	}
	liveBefore := taskSigs(t, db)

	t.Run("Preview", func(t *testing.T) {
		p, err := m.PreviewTasks(ctx, set.Name)
		if err != nil {
			t.Fatal(err)
		}
		if p.SetTasks != 5 || p.LiveTasks != 5 || p.Same != 3 || p.Missing != 1 || p.Changed != 1 || p.OnlyHere != 1 {
			t.Fatalf("preview=%+v, want 5 in the set, 5 here, 3 same, 1 missing, 1 changed, 1 only here", p)
		}
		if p.FilesMissing != 15 {
			t.Fatalf("files missing=%d, want 15 (no video file exists here)", p.FilesMissing)
		}
		if len(p.Tasks) < 2 || p.Tasks[0].TaskID != lost || p.Tasks[0].Diff != domain.DiffMissing || p.Tasks[1].TaskID != changed || p.Tasks[1].Diff != domain.DiffChanged {
			t.Fatalf("preview tasks=%+v, want the missing task, then the changed one", p.Tasks[:min(2, len(p.Tasks))])
		}
		if p.Tasks[1].Prompt != "a cat on the moon" {
			t.Fatalf("preview prompt=%q, want the set's", p.Tasks[1].Prompt)
		}
		if !reflect.DeepEqual(taskSigs(t, db), liveBefore) {
			t.Fatal("a preview changed the live history")
		}
		// The expanded set is kept for the restore that follows, once.
		if kept, _ := filepath.Glob(filepath.Join(m.Dir, ".expanded", "*.db")); len(kept) != 1 {
			t.Fatalf("kept expanded copies=%v, want one", kept)
		}
	})

	t.Run("Refusals", func(t *testing.T) {
		_, err := m.RestoreTasks(ctx, set.Name, []string{newer})
		assertCode(t, err, domain.ENOTFOUND)
		_, err = m.RestoreTasks(ctx, set.Name, []string{"bad id!"})
		assertCode(t, err, domain.EINVALID)
		_, err = m.RestoreTasks(ctx, set.Name, nil)
		assertCode(t, err, domain.EINVALID)
		_, err = m.RestoreTasks(ctx, "reelvault-20200101T000000.000Z-manual.db.zst", []string{changed})
		assertCode(t, err, domain.ENOTFOUND)
		if !reflect.DeepEqual(taskSigs(t, db), liveBefore) {
			t.Fatal("a refused restore changed the live history")
		}
	})

	t.Run("RestoreAndUndo", func(t *testing.T) {
		res, err := m.RestoreTasks(ctx, set.Name, []string{changed, lost})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res.Added, []string{lost}) || !reflect.DeepEqual(res.Replaced, []string{changed}) {
			t.Fatalf("added=%v replaced=%v", res.Added, res.Replaced)
		}
		after := taskSigs(t, db)
		want := map[string]store.TaskSignature{}
		for id, s := range liveBefore {
			want[id] = s
		}
		want[changed], want[lost] = inSet[changed], inSet[lost]
		if !reflect.DeepEqual(after, want) {
			t.Fatalf("after the restore:\n%v\nwant\n%v", after, want)
		}
		statsEqualRebuild(t, db)
		// The Backups page offers Undo for it: LastRestore names it.
		if last, err := m.LastRestore(); err != nil || last == nil || last.PreRestore != "" || last.Source == "" {
			t.Fatalf("LastRestore after a task restore = %+v, %v; want the restore, without a pre-restore backup", last, err)
		}

		undo, err := m.Undo(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if undo.PreRestore != nil {
			t.Fatalf("undo of a task restore names a pre-restore backup %v", undo.PreRestore)
		}
		if got := taskSigs(t, db); !reflect.DeepEqual(got, liveBefore) {
			t.Fatalf("after undo:\n%v\nwant\n%v", got, liveBefore)
		}
		statsEqualRebuild(t, db)
		// Undoing the undo restores the tasks again.
		if _, err := m.Undo(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if got := taskSigs(t, db); !reflect.DeepEqual(got, want) {
			t.Fatal("a second undo did not bring the restored tasks back")
		}
	})
}

// taskCrashEnv names the database a crash child restores tasks into.
const taskCrashEnv = "REELVAULT_TASK_CRASH_DB"

// TestRestoreTasksCrashChild is the child of TestManager_RestoreTasks_KillNine.
func TestRestoreTasksCrashChild(t *testing.T) {
	task := os.Getenv(taskCrashEnv + "_TASK")
	crashChild(t, taskCrashEnv, "TestManager_RestoreTasks_KillNine", func(ctx context.Context, m *backup.Manager, name string, _ int) error {
		_, err := m.RestoreTasks(ctx, name, []string{task})
		return err
	})
}

// A task restore killed at any moment leaves the task as it was in one set
// or the other, whole, and every other task untouched.
func TestManager_RestoreTasks_KillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	ctx := context.Background()
	db, m := MustOpen(t)
	ids := Seed(t, db, 4)
	task := ids[2]
	execSQL(t, db, `UPDATE tasks SET prompt = 'version A' WHERE task_id = ?`, task)
	a, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, db, `UPDATE tasks SET prompt = 'version B' WHERE task_id = ?`, task)
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	others := taskSigs(t, db)
	delete(others, task)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	// Six kills, more (up to 24) until both versions have been seen.
	for i := 0; i < 6 || (len(seen) < 2 && i < 24); i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRestoreTasksCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), taskCrashEnv+"="+db.Path, taskCrashEnv+"_A="+a.Name, taskCrashEnv+"_B="+b.Name, taskCrashEnv+"_TASK="+task)
		killMidStep(t, cmd, 2+i%3)

		if err := db.Open(ctx); err != nil {
			t.Fatalf("kill %d: reopen: %v", i, err)
		}
		var prompt, check string
		var scripts, videos, tasks int
		err := db.Read(ctx, func(r *sqlx.DB) error {
			if err := r.Get(&check, `PRAGMA integrity_check`); err != nil {
				return err
			}
			if err := r.Get(&tasks, `SELECT count(*) FROM tasks WHERE task_id = ?`, task); err != nil {
				return err
			}
			if err := r.Get(&prompt, `SELECT prompt FROM tasks WHERE task_id = ?`, task); err != nil {
				return err
			}
			if err := r.Get(&scripts, `SELECT count(*) FROM scripts s JOIN tasks t ON t.id = s.task_id WHERE t.task_id = ?`, task); err != nil {
				return err
			}
			return r.Get(&videos, `SELECT count(*) FROM videos v JOIN tasks t ON t.id = v.task_id WHERE t.task_id = ?`, task)
		})
		if err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		if check != "ok" || tasks != 1 || scripts != 3 || videos != 3 || (prompt != "version A" && prompt != "version B") {
			t.Fatalf("kill %d: integrity=%q tasks=%d scripts=%d videos=%d prompt=%q, want one whole task of version A or B", i, check, tasks, scripts, videos, prompt)
		}
		got := taskSigs(t, db)
		delete(got, task)
		if !reflect.DeepEqual(got, others) {
			t.Fatalf("kill %d: other tasks changed", i)
		}
		seen[prompt]++
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) < 2 {
		t.Fatalf("no task restore completed before a kill (%v); the test proved nothing", seen)
	}
}
