package backup_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
)

func TestDestination(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	media := mediaDir(t, db)
	a := writeClip(t, filepath.Join(media, "a.mp4"), 30_000, 1)
	SeedVideos(t, db, a)
	disk := t.TempDir()

	t.Run("Invalid", func(t *testing.T) {
		for _, tt := range []struct {
			d     domain.Destination
			field string
		}{
			{domain.Destination{Name: "Bad Name", Dir: disk}, "name"},
			{domain.Destination{Name: "local", Dir: disk}, "name"},
			{domain.Destination{Name: "usb", Dir: "relative"}, "dir"},
			{domain.Destination{Name: "usb", Dir: filepath.Join(disk, "nope")}, "dir"},
			{domain.Destination{Name: "usb", Dir: disk, Cron: "every day"}, "cron"},
			{domain.Destination{Name: "usb", Dir: disk, Cron: "* * * * *"}, "cron"},
			{domain.Destination{Name: "usb", Dir: disk, Keep: -1}, "keep"},
			{domain.Destination{Name: "usb", Dir: m.Dir}, "dir"},
		} {
			_, err := m.AddDestination(ctx, tt.d, "")
			assertCode(t, err, domain.EINVALID)
			var de *domain.Error
			if errors.As(err, &de); de.Field != tt.field {
				t.Fatalf("%+v: field=%q, want %q (%v)", tt.d, de.Field, tt.field, err)
			}
		}
		if _, err := os.Stat(filepath.Join(disk, "reelvault-destination.json")); err == nil {
			t.Fatal("a refused destination left its marker")
		}
	})

	if _, err := m.AddDestination(ctx, domain.Destination{Name: "usb", Dir: disk, Cron: "0 4 * * *", Keep: 2}, ""); err != nil {
		t.Fatal(err)
	}
	_, err := m.AddDestination(ctx, domain.Destination{Name: "usb", Dir: t.TempDir()}, "")
	assertCode(t, err, domain.ECONFLICT)

	b, err := m.BackupTo(ctx, "usb", backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Destination != "usb" || b.Media == nil || b.Media.Files != 1 {
		t.Fatalf("backup to usb: destination=%q media=%+v", b.Destination, b.Media)
	}
	if filepath.Dir(b.Path) != disk {
		t.Fatalf("set written to %s, want %s", b.Path, disk)
	}
	all, err := m.ListAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Destination != "usb" {
		t.Fatalf("listed %d sets, want the one on usb", len(all))
	}
	_, err = m.BackupTo(ctx, "nas", backup.Options{})
	assertCode(t, err, domain.ENOTFOUND)

	t.Run("RestoreFromDestination", func(t *testing.T) {
		os.Remove(a)
		res, err := m.Restore(ctx, b.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Files == nil || res.Files.Restored != 1 {
			t.Fatalf("files=%+v, want one restored", res.Files)
		}
	})

	t.Run("Unplugged", func(t *testing.T) {
		// The disk's folder is an empty mount point: no marker.
		os.Rename(filepath.Join(disk, "reelvault-destination.json"), filepath.Join(disk, "marker.bak"))
		defer os.Rename(filepath.Join(disk, "marker.bak"), filepath.Join(disk, "reelvault-destination.json"))
		_, err := m.BackupTo(ctx, "usb", backup.Options{})
		assertCode(t, err, domain.ECONFLICT)
		if !strings.Contains(err.Error(), "not connected") {
			t.Fatalf("err=%v, want it to say not connected", err)
		}
		ds, err := m.Destinations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 2 || ds[1].Name != "usb" || ds[1].Connected || ds[1].Problem == "" {
			t.Fatalf("destinations=%+v, want usb shown unplugged", ds)
		}
		if !ds[0].Connected || ds[0].Name != domain.DestinationLocal {
			t.Fatalf("local destination=%+v", ds[0])
		}
		// The scheduled run is skipped, not an error, and creates nothing.
		s := backup.NewScheduler(m)
		run, err := backup.RunDestination(ctx, s, "usb")
		if err != nil {
			t.Fatal(err)
		}
		if run.Result != domain.JobSkipped || !strings.Contains(run.Detail, "not connected") {
			t.Fatalf("run=%+v, want skipped as not connected", run)
		}
	})

	t.Run("Remove", func(t *testing.T) {
		if err := m.RemoveDestination(ctx, "usb"); err != nil {
			t.Fatal(err)
		}
		assertCode(t, m.RemoveDestination(ctx, "usb"), domain.ENOTFOUND)
		if _, err := os.Stat(b.Path); err != nil {
			t.Fatal("removing a destination removed its backups")
		}
	})
}

func TestDestination_Encrypted(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	media := mediaDir(t, db)
	a := writeClip(t, filepath.Join(media, "a.mp4"), 30_000, 1)
	SeedVideos(t, db, a)
	disk := t.TempDir()
	_, err := m.AddDestination(ctx, domain.Destination{Name: "cloud", Dir: disk, Encrypted: true}, "short")
	assertCode(t, err, domain.EINVALID)
	if _, err := m.AddDestination(ctx, domain.Destination{Name: "cloud", Dir: disk, Encrypted: true}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	b, err := m.BackupTo(ctx, "cloud", backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !b.Encrypted || !strings.HasSuffix(b.Name, ".age") {
		t.Fatalf("set %s encrypted=%v, want an encrypted set", b.Name, b.Encrypted)
	}
	// Nothing in the destination shows the video's bytes or the prompt.
	clip, _ := os.ReadFile(a)
	for _, p := range append(objectFiles(t, disk), b.Path) {
		data, _ := os.ReadFile(p)
		if strings.Contains(string(data), string(clip[:64])) || strings.Contains(string(data), "a cat on the moon") {
			t.Fatalf("%s holds plain content", p)
		}
	}
	if _, err := m.Verify(ctx, b.Name, ""); err == nil {
		// Verify is of the local folder; the set is on cloud.
		t.Fatal("verify found a set of another destination in the local folder")
	}
	os.Remove(a)
	before := FileSum(t, db)

	_, err = m.Restore(ctx, b.Name, nil)
	assertCode(t, err, domain.EINVALID)
	if !strings.Contains(err.Error(), "passphrase") {
		t.Fatalf("err=%v, want it to ask for the passphrase", err)
	}
	_, err = m.RestoreWith(ctx, b.Name, backup.RestoreOptions{Passphrase: "wrong horse battery"})
	assertCode(t, err, domain.EINVALID)
	if !strings.Contains(err.Error(), "Wrong passphrase") {
		t.Fatalf("err=%v, want it to say the passphrase is wrong", err)
	}
	if got := FileSum(t, db); got != before {
		t.Fatal("a refused restore changed the database")
	}
	if _, err := os.Stat(a); err == nil {
		t.Fatal("a refused restore put a file back")
	}
	res, err := m.RestoreWith(ctx, b.Name, backup.RestoreOptions{Passphrase: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files == nil || res.Files.Restored != 1 || sha256File(t, a) != sha256Bytes(clip) {
		t.Fatalf("files=%+v, want a.mp4 back", res.Files)
	}
	// A second encrypted set reuses the object (dedupe works encrypted).
	b2, err := m.BackupTo(ctx, "cloud", backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b2.Media.NewFiles != 0 {
		t.Fatalf("second encrypted set added %d objects, want 0", b2.Media.NewFiles)
	}
}

func sha256Bytes(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestScheduler_Destinations(t *testing.T) {
	ctx := context.Background()
	_, m := MustOpen(t)
	s := backup.NewScheduler(m)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	disk := t.TempDir()
	if _, err := s.AddDestination(ctx, domain.Destination{Name: "nas", Dir: disk, Cron: "0 4 * * *", Keep: 2}, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Next()[backup.DestinationJob("nas")]; !ok {
		t.Fatalf("next runs %v have no scheduled backup to nas", s.Next())
	}
	ds, err := s.Destinations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[1].NextRun == nil || !ds[1].Connected {
		t.Fatalf("destinations=%+v, want nas connected with its next run", ds)
	}
	// Its scheduled run takes a scheduled set there.
	run, err := backup.RunDestination(ctx, s, "nas")
	if err != nil || run.Result != domain.JobOK {
		t.Fatalf("run=%+v err=%v", run, err)
	}
	if err := s.RemoveDestination(ctx, "nas"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Next()[backup.DestinationJob("nas")]; ok {
		t.Fatal("a removed destination is still scheduled")
	}
}
