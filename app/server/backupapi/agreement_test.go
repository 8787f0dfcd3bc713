package backupapi_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/domain"
)

// TestImportedTaskIDs checks that a task imported with its own ID, not a
// UUID, is served by every task route, and that the document allows that
// ID (the API tests' transport validates each request against it: a
// format: uuid path parameter would be flagged).
func TestImportedTaskIDs(t *testing.T) {
	e := mustOpenEnv(t)
	const id = "legacy_clip-42"
	var res domain.ImportResult
	e.must(200, "POST", "/api/v1/import", `{"format":"reelvault-export","version":1,`+
		`"users":[{"username":"carol","created_at":"2025-01-02T03:04:05Z","updated_at":"2025-01-02T03:04:05Z"}],`+
		`"tasks":[{"task_id":"`+id+`","username":"carol","prompt":"from the old pipeline","status":"pending",`+
		`"created_at":"2025-01-02T03:04:05Z","updated_at":"2025-01-02T03:04:05Z"}]}`).decode(&res)
	if res.Tasks != 1 {
		t.Fatalf("import: %+v, want 1 task", res)
	}
	var task domain.Task
	e.must(200, "GET", "/api/v1/tasks/"+id, nil).decode(&task)
	if task.TaskID != id {
		t.Fatalf("task_id=%q, want %q", task.TaskID, id)
	}
	e.must(200, "POST", "/api/v1/tasks/"+id+"/cancel", nil).decode(&task)
	if task.Status != domain.StatusCancelled {
		t.Fatalf("status=%q, want cancelled", task.Status)
	}
}

// TestBackupDownload_Conditional checks the conditional and range answers
// of a backup download: 304 and 412 as the document declares them, and 412
// and 416 with the API's JSON error body.
func TestBackupDownload_Conditional(t *testing.T) {
	e := mustOpenEnv(t)
	var b domain.Backup
	e.must(201, "POST", "/api/v1/backups", nil).decode(&b)
	path := "/api/v1/backups/" + b.Name + "/download"
	get := func(name, value string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: e.session})
		req.Header.Set(name, value)
		resp, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	later := b.CreatedAt.Add(time.Hour).UTC().Format(http.TimeFormat)
	earlier := b.CreatedAt.Add(-time.Hour).UTC().Format(http.TimeFormat)
	for _, tc := range []struct {
		name, header, value string
		status              int
		code                string // error code of a JSON error body
	}{
		{"NotModified", "If-Modified-Since", later, http.StatusNotModified, ""},
		{"PreconditionFailed", "If-Unmodified-Since", earlier, http.StatusPreconditionFailed, domain.ECONFLICT},
		{"RangeNotSatisfiable", "Range", "bytes=999999999-", http.StatusRequestedRangeNotSatisfiable, domain.EINVALID},
		{"Range", "Range", "bytes=0-3", http.StatusPartialContent, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(tc.header, tc.value)
			if resp.StatusCode != tc.status {
				t.Fatalf("status=%d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.code != "" {
				r := &response{t: t, status: resp.StatusCode, header: resp.Header, body: body}
				if code, _ := r.code(); code != tc.code {
					t.Fatalf("code=%q, want %q: %s", code, tc.code, body)
				}
			}
		})
	}
}
