package desktop_test

import (
	"testing"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
)

// The window's owner adds a destination, backs up there, restores from it
// and removes it through the bindings, as the owner session does over HTTP.
func TestApp_Destinations(t *testing.T) {
	f := newFixture(t)
	f.createTasks(t, 2)
	disk := t.TempDir()
	_, err := f.app.AddDestination(desktop.DestinationInput{Name: "usb", Dir: "relative"})
	if got, want := code(err), domain.EINVALID; got != want {
		t.Fatalf("code=%q, want %q", got, want)
	}
	st, err := f.app.AddDestination(desktop.DestinationInput{Name: "usb", Dir: disk, Keep: 2})
	if err != nil || !st.Connected {
		t.Fatalf("add: %+v, %v", st, err)
	}
	ds, err := f.app.ListDestinations()
	if err != nil || len(ds) != 2 {
		t.Fatalf("destinations=%+v err=%v", ds, err)
	}
	b, err := f.app.BackupTo("usb", true)
	if err != nil || b.Destination != "usb" || b.Media != nil {
		t.Fatalf("backup to usb=%+v err=%v", b, err)
	}
	res, err := f.app.RestoreSet(b.Name, domain.RestoreRequest{})
	if err != nil || res.Rows["tasks"] != 2 {
		t.Fatalf("restore from usb=%+v err=%v", res, err)
	}
	d, err := f.app.DrillSet(domain.DrillRequest{Destination: "usb"})
	if err != nil || !d.OK || d.Destination != "usb" || d.Backup != b.Name {
		t.Fatalf("drill of usb=%+v err=%v", d, err)
	}
	proven, err := f.app.ListProven()
	if err != nil || len(proven) != 2 || proven[1].Destination != "usb" || proven[1].LastOK == nil {
		t.Fatalf("proven=%+v err=%v, want usb proven", proven, err)
	}
	if _, err := f.app.DrillSet(domain.DrillRequest{Destination: "Bad Name"}); code(err) != domain.EINVALID {
		t.Fatalf("drill of a bad destination name: code=%q, want invalid", code(err))
	}
	if err := f.app.RemoveDestination("usb"); err != nil {
		t.Fatal(err)
	}
	if got, want := code(f.app.RemoveDestination("usb")), domain.ENOTFOUND; got != want {
		t.Fatalf("code=%q, want %q", got, want)
	}

	none := desktop.NewApp(desktop.Services{Tasks: f.tasks}, desktop.Info{})
	if _, err := none.ListDestinations(); code(err) != domain.ECONFLICT {
		t.Fatalf("without backups: code=%q, want conflict", code(err))
	}
}
