package backup_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
)

func TestManager_Drill(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 40)
	sch := backup.NewScheduler(m)

	_, err := m.Drill(ctx, "")
	assertCode(t, err, domain.ENOTFOUND)
	// The scheduled drill of a new install has nothing to prove: skipped,
	// not failed.
	if _, run, err := sch.Drill(ctx, ""); err != nil || run.Result != domain.JobSkipped {
		t.Fatalf("drill with no backup: run=%+v err=%v, want skipped", run, err)
	}

	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, run, err := sch.Drill(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if run.Result != domain.JobOK {
		t.Fatalf("drill run=%+v, want ok", run)
	}
	r, err := m.Drill(ctx, b.Name)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || r.Tasks != 40 || r.Destination != backup.DefaultDestination || len(r.Checks) < 5 {
		t.Fatalf("drill=%+v, want ok with 40 tasks at local", r)
	}
	proven, err := sch.Proven(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(proven) != 1 || proven[0].LastOK == nil || proven[0].Backup != b.Name || proven[0].Failed {
		t.Fatalf("proven=%+v, want local proven by %s", proven[0], b.Name)
	}
	if left, _ := filepath.Glob(filepath.Join(m.Dir, ".scratch-*")); len(left) != 0 {
		t.Fatalf("scratch folders left: %v", left)
	}

	t.Run("BitFlip", func(t *testing.T) {
		f, err := os.OpenFile(b.Path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := f.Stat()
		one := make([]byte, 1)
		off := fi.Size() / 2
		if _, err := f.ReadAt(one, off); err != nil {
			t.Fatal(err)
		}
		one[0] ^= 0x10
		if _, err := f.WriteAt(one, off); err != nil {
			t.Fatal(err)
		}
		f.Close()

		res, run, err := sch.Drill(ctx, "")
		assertCode(t, err, domain.EINVALID)
		if res == nil || res.OK || res.Error == "" || run.Result != domain.JobError {
			t.Fatalf("drill of a flipped set: run=%+v, want error", run)
		}
		proven, err := sch.Proven(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p := proven[0]; !p.Failed || p.Error == "" || p.LastOK == nil {
			t.Fatalf("proven=%+v, want the failure shown and the last success kept", p)
		}
	})
}
