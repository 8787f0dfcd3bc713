package backupapi_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

func TestDestinationRoutes(t *testing.T) {
	e := mustOpenEnv(t)
	dataDir := filepath.Dir(e.db.Path)
	clip := filepath.Join(dataDir, domain.MediaFolder, "final.mp4")
	os.MkdirAll(filepath.Dir(clip), 0o755)
	os.WriteFile(clip, []byte(strings.Repeat("frame", 4000)), 0o644)
	id := e.createTask("with a video")
	e.must(200, "POST", "/api/v1/tasks/"+id+"/start", nil)
	e.must(200, "POST", "/api/v1/tasks/"+id+"/complete", `{"final_video_path":`+jsonString(clip)+`}`)

	var list struct{ Destinations []domain.DestinationStatus }
	e.must(200, "GET", "/api/v1/destinations", nil).decode(&list)
	if len(list.Destinations) != 1 || list.Destinations[0].Name != domain.DestinationLocal {
		t.Fatalf("destinations=%+v, want the local folder", list.Destinations)
	}

	disk := t.TempDir()
	r := e.must(400, "POST", "/api/v1/destinations", `{"name":"usb","dir":"relative"}`)
	if code, field := r.code(); code != domain.EINVALID || field != "dir" {
		t.Fatalf("code=%q field=%q, want invalid dir", code, field)
	}
	var st domain.DestinationStatus
	e.must(201, "POST", "/api/v1/destinations", `{"name":"usb","dir":`+jsonString(disk)+`,"cron":"0 4 * * *","keep":3,"encrypt":true,"passphrase":"correct horse battery"}`).decode(&st)
	if !st.Connected || !st.Encrypted || st.Keep != 3 {
		t.Fatalf("added=%+v", st)
	}

	var b domain.Backup
	e.must(201, "POST", "/api/v1/backups", `{"to":"usb"}`).decode(&b)
	if b.Destination != "usb" || b.Media == nil || b.Media.Files != 1 || !b.Encrypted {
		t.Fatalf("backup to usb=%+v", b)
	}
	var quick domain.Backup
	e.must(201, "POST", "/api/v1/backups", `{"db_only":true}`).decode(&quick)
	if quick.Media != nil || quick.Destination != domain.DestinationLocal {
		t.Fatalf("db-only backup=%+v", quick)
	}
	var all struct{ Backups []*domain.Backup }
	e.must(200, "GET", "/api/v1/backups", nil).decode(&all)
	if len(all.Backups) != 2 {
		t.Fatalf("listed %d sets, want 2", len(all.Backups))
	}

	os.Remove(clip)
	r = e.must(400, "POST", "/api/v1/backups/"+b.Name+"/restore", `{"passphrase":"wrong wrong wrong"}`)
	if code, field := r.code(); code != domain.EINVALID || field != "passphrase" {
		t.Fatalf("code=%q field=%q, want invalid passphrase", code, field)
	}
	var res domain.RestoreResult
	e.must(200, "POST", "/api/v1/backups/"+b.Name+"/restore", `{"passphrase":"correct horse battery"}`).decode(&res)
	if res.Files == nil || res.Files.Restored != 1 {
		t.Fatalf("restore files=%+v", res.Files)
	}
	if _, err := os.Stat(clip); err != nil {
		t.Fatal("the video did not come back")
	}

	// A drill of the destination's newest set needs its passphrase.
	r = e.must(400, "POST", "/api/v1/drills", `{"destination":"usb"}`)
	if code, field := r.code(); code != domain.EINVALID || field != "passphrase" {
		t.Fatalf("code=%q field=%q, want invalid passphrase", code, field)
	}
	r = e.must(400, "POST", "/api/v1/drills", `{"destination":"../usb"}`)
	if code, field := r.code(); code != domain.EINVALID || field != "destination" {
		t.Fatalf("code=%q field=%q, want invalid destination", code, field)
	}
	var d domain.DrillResult
	e.must(200, "POST", "/api/v1/drills", `{"destination":"usb","passphrase":"correct horse battery"}`).decode(&d)
	if !d.OK || d.Destination != "usb" || d.Backup != b.Name || d.FilesChecked != 1 {
		t.Fatalf("drill of usb=%+v", d)
	}
	var pr struct{ Proven []*domain.Proven }
	e.must(200, "GET", "/api/v1/drills", nil).decode(&pr)
	if len(pr.Proven) != 2 || pr.Proven[1].Destination != "usb" || pr.Proven[1].Backup != b.Name || pr.Proven[0].LastOK != nil {
		t.Fatalf("proven=%+v, want usb proven by %s", pr.Proven, b.Name)
	}

	os.Rename(disk, disk+"-away")
	defer os.Rename(disk+"-away", disk)
	e.must(409, "POST", "/api/v1/drills", `{"destination":"usb","passphrase":"correct horse battery"}`)
	e.must(200, "GET", "/api/v1/destinations", nil).decode(&list)
	if len(list.Destinations) != 2 || list.Destinations[1].Connected {
		t.Fatalf("destinations=%+v, want usb unplugged", list.Destinations)
	}
	e.must(409, "POST", "/api/v1/backups", `{"to":"usb"}`)

	e.must(204, "DELETE", "/api/v1/destinations/usb", nil)
	e.must(404, "DELETE", "/api/v1/destinations/usb", nil)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
