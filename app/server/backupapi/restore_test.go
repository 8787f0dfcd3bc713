package backupapi_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/reelvault/reelvault/app/server"

	"github.com/reelvault/reelvault/domain"
)

func TestBackupRoutes_RestoreTasks(t *testing.T) {
	e := mustOpenEnv(t)
	kept := e.createTask("kept as it is")
	id := e.createTask("the one to restore")
	var b domain.Backup
	e.must(201, "POST", "/api/v1/backups", nil).decode(&b)
	e.must(200, "POST", "/api/v1/tasks/"+id+"/cancel", `{}`)

	var p domain.TaskPreview
	e.must(200, "GET", "/api/v1/backups/"+b.Name+"/preview", nil).decode(&p)
	if p.Changed != 1 || p.Same != 1 || len(p.Tasks) != 1 || p.Tasks[0].TaskID != id || p.Tasks[0].Diff != domain.DiffChanged {
		t.Fatalf("preview=%+v", p)
	}
	e.must(404, "GET", "/api/v1/backups/reelvault-20200101T000000.000Z-manual.db.zst/preview", nil)

	if code, field := e.must(400, "POST", "/api/v1/backups/"+b.Name+"/restore-tasks", `{"tasks":[]}`).code(); code != domain.EINVALID || field != "task" {
		t.Fatalf("no tasks: code=%s field=%s", code, field)
	}
	e.must(400, "POST", "/api/v1/backups/"+b.Name+"/restore-tasks", `{"task":["x"]}`)
	e.must(404, "POST", "/api/v1/backups/"+b.Name+"/restore-tasks", `{"tasks":["not-in-the-backup"]}`)

	var res domain.TaskRestoreResult
	e.must(200, "POST", "/api/v1/backups/"+b.Name+"/restore-tasks", `{"tasks":["`+id+`"]}`).decode(&res)
	if len(res.Replaced) != 1 || res.Replaced[0] != id {
		t.Fatalf("restore-tasks=%+v", res)
	}
	var task domain.Task
	e.must(200, "GET", "/api/v1/tasks/"+id, nil).decode(&task)
	if task.Status != domain.StatusPending {
		t.Fatalf("restored task status=%s, want pending", task.Status)
	}
	e.must(200, "POST", "/api/v1/restore/undo", nil)
	e.must(200, "GET", "/api/v1/tasks/"+id, nil).decode(&task)
	if task.Status != domain.StatusCancelled || !e.taskExists(kept) {
		t.Fatalf("after undo: status=%s, want cancelled", task.Status)
	}

	t.Run("Drills", func(t *testing.T) {
		var pr struct{ Proven []*domain.Proven }
		e.must(200, "GET", "/api/v1/drills", nil).decode(&pr)
		if len(pr.Proven) != 1 || pr.Proven[0].LastOK != nil {
			t.Fatalf("proven before any drill=%+v", pr.Proven)
		}
		var d domain.DrillResult
		e.must(200, "POST", "/api/v1/drills", nil).decode(&d)
		if !d.OK || d.Backup != b.Name || d.Tasks != 2 {
			t.Fatalf("drill=%+v", d)
		}
		e.must(200, "GET", "/api/v1/drills", nil).decode(&pr)
		if pr.Proven[0].LastOK == nil || pr.Proven[0].Backup != b.Name || pr.Proven[0].Failed {
			t.Fatalf("proven=%+v", pr.Proven[0])
		}
		e.must(404, "POST", "/api/v1/drills", `{"name":"nope"}`)
	})

	t.Run("Upload", func(t *testing.T) {
		data := e.must(200, "GET", "/api/v1/backups/"+b.Name+"/download", nil).body
		var up struct {
			Backup *domain.Backup
			Set    *domain.SetInfo
		}
		e.upload(201, data).decode(&up)
		if up.Backup.Kind != domain.BackupUploaded || up.Set.Rows["tasks"] != 2 || up.Set.SchemaVersion != b.SchemaVersion || up.Set.Engine != "sqlite" {
			t.Fatalf("upload=%+v %+v", up.Backup, up.Set)
		}
		if code, _ := e.upload(400, []byte("not a backup at all, just some words")).code(); code != domain.EINVALID {
			t.Fatalf("junk upload: code=%s", code)
		}
		// The uploaded set restores like any backup.
		e.must(200, "POST", "/api/v1/backups/"+up.Backup.Name+"/restore", nil)
	})

	t.Run("FailedDrillIsLoud", func(t *testing.T) {
		f, err := os.OpenFile(b.Path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := f.Stat()
		one := make([]byte, 1)
		f.ReadAt(one, fi.Size()/2)
		one[0] ^= 0x01
		f.WriteAt(one, fi.Size()/2)
		f.Close()
		var d domain.DrillResult
		e.must(200, "POST", "/api/v1/drills", `{"name":"`+b.Name+`"}`).decode(&d)
		if d.OK || d.Error == "" {
			t.Fatalf("drill of a damaged set=%+v, want a failure", d)
		}
		var pr struct{ Proven []*domain.Proven }
		e.must(200, "GET", "/api/v1/drills", nil).decode(&pr)
		if !pr.Proven[0].Failed {
			t.Fatalf("proven=%+v, want the failure shown", pr.Proven[0])
		}
	})
}

// upload sends a backup file to the upload route as the owner.
func (e *env) upload(want int, data []byte) *response {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/backups/upload", bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: e.session})
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		e.t.Fatalf("upload: status=%d, want %d: %s", resp.StatusCode, want, body)
	}
	return &response{t: e.t, status: resp.StatusCode, header: resp.Header, body: body}
}
