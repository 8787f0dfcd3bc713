package backupapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/hub"
	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/app/server/internal/apitest"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// routesHit records the routes the tests called.
var routesHit sync.Map

// recordRoutes notes the route of every request before serving it.
func recordRoutes(srv *server.Server) http.Handler {
	h := srv.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt, ok := srv.Match(r); ok {
			routesHit.Store(rt.Method+" "+rt.Pattern, true)
		}
		h.ServeHTTP(w, r)
	})
}

// TestMain runs the tests and, when the whole suite ran and passed, fails if
// a backup route was never called.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
		for _, rt := range server.New(server.Config{}).Routes() {
			k := rt.Method + " " + rt.Pattern
			if _, ok := routesHit.Load(k); !ok && rt.Tag == "backups" {
				fmt.Fprintf(os.Stderr, "FAIL: no test called %s\n", k)
				code = 1
			}
		}
	}
	os.Exit(code)
}

// env is a server with backups on a real store over loopback, signed in as
// the owner.
type env struct {
	t       testing.TB
	db      *store.DB
	tasks   domain.TaskService
	srv     *server.Server
	ts      *httptest.Server
	session string
	key     string
}

func mustOpenEnv(tb testing.TB) *env {
	tb.Helper()
	dir := tb.TempDir()
	h := hub.New()
	db := store.NewDB(filepath.Join(dir, "reelvault.db"))
	db.Notifier = h
	if err := db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	sch := backup.NewScheduler(backup.NewManager(db))
	srv := server.New(server.Config{
		Tasks:  store.NewTaskService(db),
		Users:  store.NewUserService(db),
		Stats:  store.NewStatsService(db),
		Backup: backup.NewService(sch),
		Export: store.NewExportService(db),
		Hub:    h,
	})
	e := &env{t: tb, db: db, tasks: store.NewTaskService(db), srv: srv, ts: httptest.NewServer(recordRoutes(srv))}
	tb.Cleanup(e.ts.Close)
	// Every request and response of every test is checked against
	// openapi.json by kin-openapi.
	e.ts.Client().Transport = apitest.Transport(func() testing.TB { return e.t }, srv, e.ts.Client().Transport)
	r := e.do("POST", "/api/v1/session", `{"token":"`+srv.OwnerToken()+`"}`, false)
	for _, c := range r.cookies {
		if c.Name == server.SessionCookie {
			e.session = c.Value
		}
	}
	if e.session == "" {
		tb.Fatalf("sign-in failed: %d %s", r.status, r.body)
	}
	var u struct {
		APIKey string `json:"api_key"`
	}
	e.must(201, "POST", "/api/v1/users", `{"username":"alice"}`).decode(&u)
	e.key = u.APIKey
	return e
}

type response struct {
	t       testing.TB
	status  int
	header  http.Header
	body    []byte
	cookies []*http.Cookie
}

func (r *response) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r *response) code() (code, field string) {
	var e struct{ Error domain.Error }
	r.decode(&e)
	return e.Error.Code, e.Error.Field
}

func (e *env) do(method, path string, body any, owner bool) *response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if owner {
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: e.session})
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return &response{t: e.t, status: resp.StatusCode, header: resp.Header, body: data, cookies: resp.Cookies()}
}

// must sends an owner request and fails unless the status is want.
func (e *env) must(want int, method, path string, body any) *response {
	e.t.Helper()
	r := e.do(method, path, body, true)
	if r.status != want {
		e.t.Fatalf("%s %s: status=%d, want %d: %s", method, path, r.status, want, r.body)
	}
	return r
}

func (e *env) createTask(prompt string) string {
	e.t.Helper()
	var t domain.Task
	e.must(201, "POST", "/api/v1/tasks", `{"username":"alice","prompt":"`+prompt+`"}`).decode(&t)
	return t.TaskID
}

func (e *env) taskExists(id string) bool {
	_, err := e.tasks.FindTaskByID(domain.WithOwner(context.Background()), id)
	return err == nil
}

func TestBackupRoutes_BackupRestoreUndo(t *testing.T) {
	e := mustOpenEnv(t)
	kept := e.createTask("before the backup")

	var b domain.Backup
	e.must(201, "POST", "/api/v1/backups", nil).decode(&b)
	if b.Name == "" || b.Kind != domain.BackupManual || b.Rows["tasks"] != 1 {
		t.Fatalf("backup=%+v, want a manual backup with 1 task", b)
	}
	var list struct{ Backups []*domain.Backup }
	e.must(200, "GET", "/api/v1/backups", nil).decode(&list)
	if len(list.Backups) != 1 || list.Backups[0].Name != b.Name {
		t.Fatalf("backups=%v, want [%s]", list.Backups, b.Name)
	}

	t.Run("Download", func(t *testing.T) {
		r := e.must(200, "GET", "/api/v1/backups/"+b.Name+"/download", nil)
		sum := sha256.Sum256(r.body)
		if got, want := hex.EncodeToString(sum[:]), b.SHA256; got != want {
			t.Fatalf("downloaded sha256=%s, want the catalogue's %s", got, want)
		}
		if !strings.Contains(r.header.Get("Content-Disposition"), b.Name) {
			t.Fatalf("Content-Disposition=%q", r.header.Get("Content-Disposition"))
		}
	})

	later := e.createTask("after the backup")
	var res domain.RestoreResult
	e.must(200, "POST", "/api/v1/backups/"+b.Name+"/restore", nil).decode(&res)
	if res.PreRestore == nil {
		t.Fatal("restore took no pre-restore backup")
	}
	if !e.taskExists(kept) || e.taskExists(later) {
		t.Fatalf("after restore: kept=%v later=%v, want true false", e.taskExists(kept), e.taskExists(later))
	}
	// The live server keeps working on the restored data.
	e.createTask("after the restore")

	e.must(200, "POST", "/api/v1/restore/undo", nil).decode(&res)
	if !e.taskExists(later) {
		t.Fatal("undo did not bring back the task written before the restore")
	}

	t.Run("Refusals", func(t *testing.T) {
		before := e.must(200, "GET", "/api/v1/status", nil).body
		for _, tt := range []struct {
			path        string
			status      int
			code, field string
		}{
			{"/api/v1/backups/no-such.db.zst/restore", 404, domain.ENOTFOUND, ""},
			{"/api/v1/backups/..%2F..%2Freelvault.db/restore", 400, domain.EINVALID, "name"},
			{"/api/v1/backups/.hidden/restore", 400, domain.EINVALID, "name"},
		} {
			r := e.must(tt.status, "POST", tt.path, nil)
			if code, field := r.code(); code != tt.code || field != tt.field {
				t.Errorf("%s: code=%q field=%q, want %q %q", tt.path, code, field, tt.code, tt.field)
			}
		}
		e.must(404, "GET", "/api/v1/backups/no-such.db.zst/download", nil)
		e.must(400, "GET", "/api/v1/backups/..%2Freelvault.db/download", nil)
		var a, z struct{ Counts map[string]int64 }
		json.Unmarshal(before, &a)
		json.Unmarshal(e.must(200, "GET", "/api/v1/status", nil).body, &z)
		if a.Counts["tasks"] != z.Counts["tasks"] {
			t.Fatalf("refused restores changed the task count %d → %d", a.Counts["tasks"], z.Counts["tasks"])
		}
	})

	t.Run("APIKeyRefused", func(t *testing.T) {
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/backups", nil)
		req.Header.Set("Authorization", "Bearer "+e.key)
		resp, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status=%d, want 403", resp.StatusCode)
		}
	})
}

func TestBackupRoutes_ExportImport(t *testing.T) {
	e := mustOpenEnv(t)
	for _, p := range []string{"one", "two", "three"} {
		e.createTask(p)
	}
	r := e.must(200, "GET", "/api/v1/export", nil)
	if got := r.header.Get("Content-Type"); got != "application/json" {
		t.Fatalf("Content-Type=%q", got)
	}
	var doc struct {
		Tasks []struct {
			Prompt string `json:"prompt"`
		} `json:"tasks"`
	}
	r.decode(&doc)
	if len(doc.Tasks) != 3 {
		t.Fatalf("exported %d tasks, want 3", len(doc.Tasks))
	}
	nd := e.must(200, "GET", "/api/v1/export?format=ndjson&user=alice&status=pending", nil)
	if got, want := bytes.Count(nd.body, []byte("\n")), 4; got != want {
		t.Fatalf("ndjson has %d lines, want %d (header + 3 tasks)", got, want)
	}
	e.must(404, "GET", "/api/v1/export?user=nobody", nil)
	if _, field := e.must(400, "GET", "/api/v1/export?status=done", nil).code(); field != "status" {
		t.Fatalf("field=%q, want status", field)
	}
	if _, field := e.must(400, "GET", "/api/v1/export?format=xml", nil).code(); field != "format" {
		t.Fatalf("field=%q, want format", field)
	}

	// Importing the same document again skips every task.
	var res domain.ImportResult
	e.must(200, "POST", "/api/v1/import", r.body).decode(&res)
	if res.Tasks != 0 || res.Skipped != 3 {
		t.Fatalf("re-import: %+v, want 0 written, 3 skipped", res)
	}
	// A bad document is refused and writes nothing.
	bad := bytes.Replace(r.body, []byte(`"status":"pending"`), []byte(`"status":"bogus"`), 1)
	bad = bytes.Replace(bad, []byte(`"task_id":"`), []byte(`"task_id":"new-`), -1)
	if code, _ := e.must(400, "POST", "/api/v1/import", bad).code(); code != domain.EINVALID {
		t.Fatalf("code=%q, want invalid", code)
	}
	var page domain.TaskPage
	e.must(200, "GET", "/api/v1/tasks", nil).decode(&page)
	if len(page.Tasks) != 3 {
		t.Fatalf("after a refused import there are %d tasks, want 3", len(page.Tasks))
	}
}

func TestBackupRoutes_ScheduleJobsMaintenance(t *testing.T) {
	e := mustOpenEnv(t)
	var sch domain.Schedule
	e.must(200, "GET", "/api/v1/schedule", nil).decode(&sch)
	if sch.Backup == "" || sch.Keep == 0 {
		t.Fatalf("default schedule=%+v", sch)
	}
	sch.Backup = "15 2 * * *"
	sch.Keep = 3
	body, _ := json.Marshal(sch)
	var got domain.ScheduleRuns
	e.must(200, "PUT", "/api/v1/schedule", body).decode(&got)
	if got.Backup != "15 2 * * *" || got.Keep != 3 {
		t.Fatalf("schedule after PUT=%+v", got)
	}
	// The next runs come from the server, which computes them once.
	if runs := got.Next["backup"]; len(runs) != backup.NextRunsShown || runs[0].Local().Hour() != 2 || runs[0].Local().Minute() != 15 || !runs[0].Before(runs[1]) {
		t.Fatalf("next backups %v, want the next %d at 02:15, soonest first", runs, backup.NextRunsShown)
	}
	// The body of PUT is a schedule: "next" is refused like any unknown key.
	e.must(400, "PUT", "/api/v1/schedule", `{"backup":"@daily","next":{}}`)

	bad := sch
	bad.Backup = "at three"
	body, _ = json.Marshal(bad)
	if code, field := e.must(400, "PUT", "/api/v1/schedule", body).code(); code != domain.EINVALID || field != "backup" {
		t.Fatalf("bad cron: code=%q field=%q, want invalid backup", code, field)
	}
	e.must(400, "PUT", "/api/v1/schedule", `{"backup":"@daily","colour":"red"}`)
	e.must(200, "GET", "/api/v1/schedule", nil).decode(&got)
	if got.Backup != "15 2 * * *" {
		t.Fatalf("refused schedules changed it to %q", got.Backup)
	}

	var run domain.JobRun
	e.must(200, "POST", "/api/v1/maintenance/check", nil).decode(&run)
	if run.JobID != "check" || run.Result != domain.JobOK {
		t.Fatalf("check run=%+v", run)
	}
	e.must(200, "POST", "/api/v1/maintenance/checkpoint", nil)
	if _, field := e.must(400, "POST", "/api/v1/maintenance/defrag", nil).code(); field != "op" {
		t.Fatalf("field=%q, want op", field)
	}
	var jobs struct{ Jobs []*domain.JobRun }
	e.must(200, "GET", "/api/v1/jobs?limit=10", nil).decode(&jobs)
	if len(jobs.Jobs) != 2 || jobs.Jobs[0].JobID != "checkpoint" {
		t.Fatalf("jobs=%d, want the 2 runs newest first", len(jobs.Jobs))
	}
	e.must(400, "GET", "/api/v1/jobs?limit=0", nil)
}

func FuzzScheduleBody(f *testing.F) {
	for _, s := range []string{`{"backup":"0 3 * * *","keep":7}`, `{"backup":"nonsense"}`, `{"keep":-1}`, `{"vacuum":"@weekly","keep":2}`, `{}`, `{"backup":1}`} {
		f.Add([]byte(s))
	}
	e := mustOpenEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		before := e.must(200, "GET", "/api/v1/schedule", nil).body
		r := e.do("PUT", "/api/v1/schedule", body, true)
		if r.status >= 500 {
			t.Fatalf("status %d for %q: %s", r.status, body, r.body)
		}
		if r.status >= 400 {
			if code, _ := r.code(); code == "" {
				t.Fatalf("error without code: %s", r.body)
			}
			if after := e.must(200, "GET", "/api/v1/schedule", nil).body; !bytes.Equal(before, after) {
				t.Fatalf("refused %q but the schedule changed", body)
			}
		}
	})
}

func FuzzImportBody(f *testing.F) {
	for _, s := range []string{
		`{"format":"reelvault-export","version":1,"users":[],"tasks":[]}`,
		`{"format":"reelvault-export","version":99,"users":[],"tasks":[]}`,
		`{"format":"other"}`, `[]`, `{`, ``, "\x00",
		`{"format":"reelvault-export","version":1,"users":[{"username":"bob"}],"tasks":[{"task_id":"x","username":"bob","prompt":"p","status":"done"}]}`,
	} {
		f.Add([]byte(s))
	}
	e := mustOpenEnv(f)
	e.createTask("already here")
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		var before, after struct{ Counts map[string]int64 }
		e.must(200, "GET", "/api/v1/status", nil).decode(&before)
		r := e.do("POST", "/api/v1/import", body, true)
		if r.status >= 500 {
			t.Fatalf("status %d for %q: %s", r.status, body, r.body)
		}
		e.must(200, "GET", "/api/v1/status", nil).decode(&after)
		if r.status >= 400 {
			if code, _ := r.code(); code == "" {
				t.Fatalf("error without code: %s", r.body)
			}
			for _, table := range []string{"users", "tasks", "scripts", "videos"} {
				if before.Counts[table] != after.Counts[table] {
					t.Fatalf("refused %q but %s went %d → %d", body, table, before.Counts[table], after.Counts[table])
				}
			}
		}
	})
}

// A backup download opens the file first and judges what it opened: a
// catalogued backup swapped for a link to another file, or for a FIFO, is
// refused at once (it used to be served, or to hang the request forever).
func TestBackupRoutes_DownloadOpensFirst(t *testing.T) {
	e := mustOpenEnv(t)
	var b domain.Backup
	e.must(201, "POST", "/api/v1/backups", nil).decode(&b)
	if !filepath.IsAbs(b.Path) {
		t.Fatalf("backup path %q", b.Path)
	}
	original, err := os.ReadFile(b.Path)
	if err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("TOP-SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Release a reader blocked on the FIFO, should one ever be.
		if f, err := os.OpenFile(b.Path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	for _, tt := range []struct {
		name string
		swap func() error
	}{
		{"Symlink", func() error { return os.Symlink(secret, b.Path) }},
		{"FIFO", func() error { return syscall.Mkfifo(b.Path, 0o600) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.Remove(b.Path); err != nil {
				t.Fatal(err)
			}
			if err := tt.swap(); err != nil {
				t.Fatal(err)
			}
			done := make(chan *response, 1)
			go func() { done <- e.do("GET", "/api/v1/backups/"+b.Name+"/download", nil, true) }()
			select {
			case r := <-done:
				if r.status != http.StatusForbidden || bytes.Contains(r.body, []byte("TOP-SECRET")) {
					t.Fatalf("status=%d body=%.60q, want 403 and nothing of the file", r.status, r.body)
				}
				if code, _ := r.code(); code != domain.EFORBIDDEN {
					t.Fatalf("code=%q, want %q", code, domain.EFORBIDDEN)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the download blocked")
			}
		})
	}
	if err := os.Remove(b.Path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b.Path, original, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := e.must(200, "GET", "/api/v1/backups/"+b.Name+"/download", nil); !bytes.Equal(r.body, original) {
		t.Fatal("the restored backup file downloads differently")
	}
}

// TestBackupRoutes_DeletePlaceUndo deletes backups over the API: never the
// newest verified one, nor the one undo returns to; the list says where the
// backups are and whether there is a restore to undo.
func TestBackupRoutes_DeletePlaceUndo(t *testing.T) {
	e := mustOpenEnv(t)
	e.createTask("one")
	var older, newer domain.Backup
	e.must(201, "POST", "/api/v1/backups", nil).decode(&older)
	time.Sleep(5 * time.Millisecond) // backup names carry milliseconds
	e.must(201, "POST", "/api/v1/backups", nil).decode(&newer)

	var list struct {
		Backups []*domain.Backup
		Dir     string
		Undo    *domain.LastRestore
	}
	e.must(200, "GET", "/api/v1/backups", nil).decode(&list)
	if !filepath.IsAbs(list.Dir) || list.Undo != nil {
		t.Fatalf("dir=%q undo=%+v, want an absolute folder and nothing to undo", list.Dir, list.Undo)
	}
	if _, err := os.Stat(filepath.Join(list.Dir, newer.Name)); err != nil {
		t.Fatalf("the backup is not in the folder the list names: %v", err)
	}

	r := e.must(409, "DELETE", "/api/v1/backups/"+newer.Name, nil)
	if code, _ := r.code(); code != domain.ECONFLICT {
		t.Fatalf("deleting the newest: code=%q", code)
	}
	e.must(400, "DELETE", "/api/v1/backups/..%2Freelvault.db", nil)
	e.must(404, "DELETE", "/api/v1/backups/reelvault-20200101T000000.000Z-manual.db.zst", nil)
	e.must(204, "DELETE", "/api/v1/backups/"+older.Name, nil)
	e.must(200, "GET", "/api/v1/backups", nil).decode(&list)
	if len(list.Backups) != 1 || list.Backups[0].Name != newer.Name {
		t.Fatalf("after delete: %v", list.Backups)
	}

	var res domain.RestoreResult
	e.must(200, "POST", "/api/v1/backups/"+newer.Name+"/restore", nil).decode(&res)
	e.must(200, "GET", "/api/v1/backups", nil).decode(&list)
	if list.Undo == nil || list.Undo.PreRestore != res.PreRestore.Name || list.Undo.Source != newer.Name {
		t.Fatalf("undo=%+v, want the pre-restore %s of %s", list.Undo, res.PreRestore.Name, newer.Name)
	}
	if res.PreRestore.VerifiedAt.IsZero() {
		t.Fatalf("the pre-restore backup is not verified: %+v", res.PreRestore)
	}
	e.must(201, "POST", "/api/v1/backups", nil)
	e.must(409, "DELETE", "/api/v1/backups/"+res.PreRestore.Name, nil)
}
