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

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/domain/domaintest"
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

// flipByte flips one bit in the middle of the file at path.
func flipByte(tb testing.TB, path string) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	data[len(data)/2] ^= 0x01
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// repair undoes flipByte on an object that a check set aside as damaged:
// it must have been set aside, and goes back whole.
func repair(tb testing.TB, obj string) {
	tb.Helper()
	if _, err := os.Stat(obj); err == nil {
		tb.Fatalf("the damaged object %s was not set aside", obj)
	}
	if err := os.Rename(obj+".damaged", obj); err != nil {
		tb.Fatal(err)
	}
	flipByte(tb, obj)
}

func TestDrill_MediaHashes(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	media := mediaDir(t, db)
	var clips []string
	for i := range 40 {
		clips = append(clips, writeClip(t, filepath.Join(media, fmt.Sprintf("t%d/1.mp4", i)), 4000+i, byte(i)))
	}
	for _, c := range clips {
		SeedVideos(t, db, c)
	}
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.Drill(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	// 32 spread over the set, plus those of the sampled tasks.
	if r.FilesChecked < 32 || r.FilesChecked > 40 || !slices.ContainsFunc(r.Checks, func(c string) bool { return strings.HasSuffix(c, "file hashes") }) {
		t.Fatalf("drill checked %d files (%v), want 32 to 40", r.FilesChecked, r.Checks)
	}

	// The first objects are in the spread sample: a flip in each is caught.
	for _, obj := range objectFiles(t, m.Dir)[:3] {
		flipByte(t, obj)
		res, run, err := backup.NewScheduler(m).Drill(ctx, "")
		assertCode(t, err, domain.EINVALID)
		if res == nil || res.OK || run.Result != domain.JobError || !strings.Contains(res.Error, "damaged") || !strings.Contains(res.Error, media) {
			t.Fatalf("drill of a set with a flipped object: result=%+v run=%+v, want a failure naming the file", res, run)
		}
		repair(t, obj)
	}
	// A missing object fails it too.
	obj := objectFiles(t, m.Dir)[5]
	os.Rename(obj, obj+".away")
	_, err = m.Drill(ctx, b.Name)
	assertCode(t, err, domain.EINVALID)
	if !strings.Contains(err.Error(), "missing") {
		t.Fatalf("err=%v, want it to say a file is missing", err)
	}
	os.Rename(obj+".away", obj)
	if _, err := m.Drill(ctx, b.Name); err != nil {
		t.Fatalf("drill after repair: %v", err)
	}

	// A damaged object is set aside, so the next backup stores the file
	// again instead of taking the damaged copy for it.
	flipByte(t, obj)
	if _, err := m.Drill(ctx, ""); err == nil {
		t.Fatal("a drill passed a set with a flipped object")
	}
	next, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if next.Media.NewFiles != 1 {
		t.Fatalf("the next backup added %d files, want the damaged one stored again", next.Media.NewFiles)
	}
	if r, err := m.Drill(ctx, ""); err != nil || !r.OK {
		t.Fatalf("drill of the next set: %+v %v", r, err)
	}
	// Retention removes the damaged copy with the other unneeded objects.
	m.Retention = backup.Retention{Keep: 1}
	for range 2 { // the second prunes the first, and collects
		if _, err := m.Backup(ctx, backup.Options{Kind: domain.BackupScheduled}); err != nil {
			t.Fatal(err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(m.Dir, "objects", "*", "*.damaged")); len(left) != 0 {
		t.Fatalf("damaged copies left after retention: %v", left)
	}
}

func TestDrill_Destinations(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	media := mediaDir(t, db)
	clip := writeClip(t, filepath.Join(media, "a.mp4"), 30_000, 1)
	SeedVideos(t, db, clip)
	Seed(t, db, 5)
	usb, cloud, nas := t.TempDir(), t.TempDir(), t.TempDir()
	const pass = "correct horse battery"
	for _, d := range []domain.Destination{{Name: "usb", Dir: usb}, {Name: "cloud", Dir: cloud, Encrypted: true}, {Name: "nas", Dir: nas}} {
		if _, err := m.AddDestination(ctx, d, pass); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Backup(ctx, backup.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"usb", "cloud"} {
		if _, err := m.BackupTo(ctx, d, backup.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	sch := backup.NewScheduler(m)

	t.Run("Invalid", func(t *testing.T) {
		_, err := m.DrillWith(ctx, backup.DrillOptions{Destination: "../x"})
		domaintest.AssertCode(t, err, domain.EINVALID, "destination")
		_, err = m.DrillWith(ctx, backup.DrillOptions{Destination: "tape"})
		assertCode(t, err, domain.ENOTFOUND)
	})

	t.Run("ByHand", func(t *testing.T) {
		r, _, err := sch.DrillWith(ctx, backup.DrillOptions{Destination: "usb"})
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK || r.Destination != "usb" || r.Tasks != 6 || r.FilesChecked != 1 {
			t.Fatalf("drill of usb=%+v", r)
		}
		// Encrypted: without the passphrase it cannot run and says so.
		r, run, err := sch.DrillWith(ctx, backup.DrillOptions{Destination: "cloud"})
		domaintest.AssertCode(t, err, domain.EINVALID, "passphrase")
		if r != nil || run.Result != domain.JobSkipped || !strings.Contains(run.Detail, "needs passphrase") {
			t.Fatalf("drill of cloud without passphrase: r=%+v run=%+v", r, run)
		}
		_, _, err = sch.DrillWith(ctx, backup.DrillOptions{Destination: "cloud", Passphrase: "wrong horse battery"})
		domaintest.AssertCode(t, err, domain.EINVALID, "passphrase")
		r, _, err = sch.DrillWith(ctx, backup.DrillOptions{Destination: "cloud", Passphrase: pass})
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK || r.Tasks != 6 || r.FilesChecked != 1 || !slices.Contains(r.Checks, "decryption") {
			t.Fatalf("drill of cloud=%+v", r)
		}
		if left, _ := filepath.Glob(filepath.Join(m.Dir, ".scratch-*")); len(left) != 0 {
			t.Fatalf("scratch folders left: %v", left)
		}
	})

	t.Run("BitFlipOnDestination", func(t *testing.T) {
		obj := objectFiles(t, usb)[0]
		flipByte(t, obj)
		defer repair(t, obj)
		r, _, err := sch.DrillWith(ctx, backup.DrillOptions{Destination: "usb"})
		assertCode(t, err, domain.EINVALID)
		if r == nil || r.OK || !strings.Contains(r.Error, clip) {
			t.Fatalf("drill=%+v, want a failure naming %s", r, clip)
		}
		// Encrypted objects are decrypted and hashed: a flip is caught.
		eobj := objectFiles(t, cloud)[0]
		flipByte(t, eobj)
		defer repair(t, eobj)
		r, _, err = sch.DrillWith(ctx, backup.DrillOptions{Destination: "cloud", Passphrase: pass})
		assertCode(t, err, domain.EINVALID)
		if r == nil || r.OK || !strings.Contains(r.Error, clip) {
			t.Fatalf("drill=%+v, want a failure naming %s", r, clip)
		}
	})

	t.Run("Scheduled", func(t *testing.T) {
		os.Rename(filepath.Join(usb, "reelvault-destination.json"), filepath.Join(usb, "marker.bak"))
		defer os.Rename(filepath.Join(usb, "marker.bak"), filepath.Join(usb, "reelvault-destination.json"))
		sch.Passphrase = func(dest string) string {
			if dest == "cloud" {
				return pass
			}
			return ""
		}
		defer func() { sch.Passphrase = nil }()
		runs := sch.DrillAll(ctx)
		if len(runs) != 4 {
			t.Fatalf("%d drill runs, want one per destination (4)", len(runs))
		}
		want := []string{domain.JobOK, domain.JobSkipped, domain.JobOK, domain.JobSkipped} // local, usb, cloud, nas
		for i, run := range runs {
			if run.Result != want[i] {
				t.Fatalf("run %d=%+v, want %s", i, run, want[i])
			}
		}
		proven, err := sch.Proven(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byDest := map[string]*domain.Proven{}
		var order []string
		for _, p := range proven {
			byDest[p.Destination] = p
			order = append(order, p.Destination)
		}
		if !slices.Equal(order, []string{"local", "usb", "cloud", "nas"}) {
			t.Fatalf("proven order=%v", order)
		}
		if p := byDest["usb"]; !strings.HasPrefix(p.Skipped, "not connected") || p.SkippedAt == nil || p.LastOK == nil || !p.Failed {
			t.Fatalf("usb=%+v, want skipped as not connected, its last success kept and its failed drill shown", p)
		}
		if p := byDest["cloud"]; p.LastOK == nil || p.Failed || p.Skipped != "" {
			t.Fatalf("cloud=%+v, want proven by the scheduled drill", p)
		}
		if p := byDest["nas"]; p.LastOK != nil || !strings.Contains(p.Skipped, "no backup") {
			t.Fatalf("nas=%+v, want skipped with no backup yet", p)
		}
		// Without the passphrase the encrypted destination is recorded as
		// needing it.
		sch.Passphrase = nil
		sch.DrillAll(ctx)
		proven, _ = sch.Proven(ctx)
		if p := proven[2]; p.Destination != "cloud" || !strings.HasPrefix(p.Skipped, "needs passphrase") || p.LastOK == nil {
			t.Fatalf("cloud=%+v, want needs passphrase", p)
		}
	})
}

// A drill asked for while another backup holds the lock is refused and
// recorded as skipped, not as a failed drill.
func TestDrill_LockHeld(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 3)
	if _, err := m.Backup(ctx, backup.Options{}); err != nil {
		t.Fatal(err)
	}
	sch := backup.NewScheduler(m)
	release, err := backup.HoldLock(m)
	if err != nil {
		t.Fatal(err)
	}
	_, run, err := sch.Drill(ctx, "")
	assertCode(t, err, domain.ECONFLICT)
	if run.Result != domain.JobSkipped || !strings.Contains(run.Detail, "another backup was running") {
		t.Fatalf("run=%+v, want skipped", run)
	}
	proven, _ := sch.Proven(ctx)
	if p := proven[0]; p.Failed || !strings.Contains(p.Skipped, "another backup was running") {
		t.Fatalf("proven=%+v, want no failure and the skip shown", p)
	}
	// The scheduled drill waits for the lock, bounded, then is skipped.
	sch.LockWait = 200 * time.Millisecond
	runs := sch.DrillAll(ctx)
	if len(runs) != 1 || runs[0].Result != domain.JobSkipped {
		t.Fatalf("scheduled drill runs=%+v, want skipped after waiting", runs)
	}
	proven, _ = sch.Proven(ctx)
	if p := proven[0]; p.Failed || !strings.HasPrefix(p.Skipped, "another backup was running (waited") {
		t.Fatalf("proven=%+v, want the scheduled drill's skip shown", p)
	}
	sch.LockWait = 5 * time.Second
	go func() {
		time.Sleep(100 * time.Millisecond)
		release()
	}()
	runs = sch.DrillAll(ctx)
	if len(runs) != 1 || runs[0].Result != domain.JobOK {
		t.Fatalf("scheduled drill runs=%+v, want it run after the other operation", runs)
	}
}

// The scratch copy of a drill killed half way goes at the next operation
// once it is old enough not to be in use.
func TestDrill_StaleScratch(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 2)
	old := filepath.Join(m.Dir, ".scratch-killed")
	fresh := filepath.Join(m.Dir, ".scratch-running")
	for _, d := range []string{old, fresh} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, "set.db"), []byte("copy"), 0o600)
	}
	long := time.Now().Add(-7 * time.Hour)
	os.Chtimes(old, long, long)
	if _, err := m.Backup(ctx, backup.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); err == nil {
		t.Fatal("a stale scratch folder was left")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Fatal("a scratch folder that may be in use was removed")
	}
}
