package crashtest_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// sqlPayloads are classic injection strings plus FTS5 and LIKE syntax.
var sqlPayloads = []string{
	`'; DROP TABLE tasks; --`,
	`" OR 1=1 --`,
	`1' OR '1'='1`,
	`alice' --`,
	`%' OR 1=1 --`,
	`') UNION SELECT api_key_hash, 1, 1 FROM users --`,
	`1; UPDATE users SET quota = 999999`,
	`*`, `%`, `_`, `\`, `NEAR(a b)`, `"unbalanced`, `body:x OR 1`,
	"x\u0000y",
}

// dbFacts are what an injection would change: table names, row counts,
// quotas and key hashes.
func dbFacts(t *testing.T, v *vault) string {
	t.Helper()
	db := v.openDB()
	defer db.Close()
	checkIntegrity(t, db)
	var b strings.Builder
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		b.WriteString(n + ";")
	}
	rows.Close()
	rows, err = db.Query(`SELECT username, quota, used_quota, is_active, api_key_hash FROM users ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, hash string
		var q, u, a int
		rows.Scan(&name, &q, &u, &a, &hash)
		fmt.Fprintf(&b, "%s/%d/%d/%d/%s;", name, q, u, a, hash)
	}
	rows.Close()
	n, set := taskSet(t, db)
	fmt.Fprintf(&b, "%d tasks %s", n, set)
	return b.String()
}

// TestSecurity_SQLInjection sends injection payloads through every input of
// the API and the command line that reaches SQL: bodies, path segments,
// query filters, search text, cursors. Each is either refused (4xx, with
// the code the contract names) or stored verbatim; nothing ever answers
// 500, nothing else changes, and a user never sees another user's tasks.
func TestSecurity_SQLInjection(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "serve")
	aliceKey := v.addUser("alice", 1000)
	bobKey := v.addUser("bob", 1000)
	srv := v.serve()
	alice, bob, owner := srv.client(aliceKey), srv.client(bobKey), srv.owner()
	var secret domain.Task
	if _, err := alice.do("POST", "/api/v1/tasks", map[string]any{"prompt": "alice's secret plan"}, &secret); err != nil {
		t.Fatal(err)
	}

	noServerError := func(what string, st int, err error) {
		t.Helper()
		if st >= 500 || errCode(err) == domain.EINTERNAL || errCode(err) == "transport" || errCode(err) == "other" {
			t.Fatalf("%s: status %d, %v", what, st, err)
		}
	}
	for _, p := range sqlPayloads {
		before := dbFacts(t, v)
		q := url.QueryEscape(p)
		pe := url.PathEscape(p)

		// Stored text comes back byte for byte, or is refused as invalid.
		var task domain.Task
		st, err := bob.do("POST", "/api/v1/tasks", map[string]any{"prompt": p}, &task)
		noServerError("create prompt "+p, st, err)
		if err == nil {
			var got domain.Task
			if _, err := bob.do("GET", "/api/v1/tasks/"+task.TaskID, nil, &got); err != nil || got.Prompt != p {
				t.Fatalf("prompt %q stored as %q (%v)", p, got.Prompt, err)
			}
			for _, step := range []struct {
				method, path string
				body         any
			}{
				{"PUT", "/scripts", map[string]any{"scripts": []map[string]any{{"scene_number": 1, "description": p, "duration": 1, "camera_movement": p, "lighting": p}}}},
				{"POST", "/videos", map[string]any{"scene_number": 1, "file_path": "/videos/" + p + ".mp4"}},
				{"POST", "/fail", map[string]any{"message": p}},
			} {
				st, err := bob.do(step.method, "/api/v1/tasks/"+task.TaskID+step.path, step.body, nil)
				noServerError(step.path+" "+p, st, err)
			}
			before = dbFacts(t, v)
		} else if errCode(err) != domain.EINVALID {
			t.Fatalf("create prompt %q: %v; want success or %q", p, err, domain.EINVALID)
		}

		for _, path := range []string{
			"/api/v1/tasks?search=" + q,
			"/api/v1/tasks?q=" + q,
			"/api/v1/tasks?username=" + q,
			"/api/v1/tasks?status=" + q,
			"/api/v1/tasks?cursor=" + q,
			"/api/v1/tasks?created_from=" + q,
			"/api/v1/tasks?user_id=" + q,
			"/api/v1/tasks?limit=" + q,
			"/api/v1/tasks/" + pe,
			"/api/v1/stats?from=" + q,
			"/media/" + pe,
		} {
			var page domain.TaskPage
			st, err := bob.do("GET", path, nil, &page)
			noServerError("GET "+path, st, err)
			for _, task := range page.Tasks {
				if task.Username != "bob" {
					t.Fatalf("GET %s as bob returned %s's task %s", path, task.Username, task.TaskID)
				}
			}
		}
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/api/v1/tasks/" + pe + "/start", nil},
			{"POST", "/api/v1/tasks/" + pe + "/cancel", nil},
			{"POST", "/api/v1/tasks/" + pe + "/progress", map[string]any{"progress": 10}},
			{"POST", "/api/v1/tasks/" + pe + "/complete", map[string]any{"final_video_path": "/v/" + p}},
			{"POST", "/api/v1/tasks/claim", map[string]any{"worker": p}},
			{"POST", "/api/v1/tasks", map[string]any{"prompt": "x", "username": p}},
		} {
			st, err := bob.do(req.method, req.path, req.body, nil)
			noServerError(req.method+" "+req.path, st, err)
		}
		for _, req := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/api/v1/users", map[string]any{"username": p, "email": p + "@example.com"}},
			{"POST", "/api/v1/users/" + pe + "/deactivate", nil},
			{"POST", "/api/v1/users/" + pe + "/quota", map[string]any{"quota": 5}},
			{"POST", "/api/v1/users/" + pe + "/rotate-key", nil},
			{"GET", "/api/v1/tasks?username=" + q, nil},
			{"GET", "/api/v1/backups/" + pe + "/download", nil},
			{"POST", "/api/v1/maintenance/" + pe, nil},
			{"GET", "/api/v1/export?user=" + q + "&status=" + q, nil},
		} {
			st, err := owner.do(req.method, req.path, req.body, nil)
			noServerError("owner "+req.method+" "+req.path, st, err)
			if err == nil && req.method == "POST" && strings.HasPrefix(req.path, "/api/v1/users") {
				before = dbFacts(t, v) // a user named like the payload is legal
			}
		}
		if after := dbFacts(t, v); after != before {
			t.Fatalf("payload %q changed the database:\nbefore %s\nafter  %s", p, before, after)
		}
	}
	// The command line passes the same text to the same services.
	srv.stop()
	for _, p := range sqlPayloads {
		if strings.ContainsRune(p, 0) {
			continue // a command line cannot carry NUL
		}
		before := dbFacts(t, v)
		for _, args := range [][]string{
			{"task", "list", "--search", p},
			{"task", "list", "--user", p},
			{"task", "show", p},
			{"user", "deactivate", p},
			{"export", "--user", p},
		} {
			res := v.run(args...)
			if res.Code > 1 && !strings.Contains(res.Stderr, "usage:") || strings.Contains(res.Stderr, "panic:") || strings.Contains(strings.ToLower(res.Stderr), "sql") {
				t.Fatalf("reelvault %q: exit %d: %s", args, res.Code, res.Stderr)
			}
		}
		if after := dbFacts(t, v); after != before {
			t.Fatalf("payload %q through the command line changed the database", p)
		}
	}
	var got domain.Task
	v.okJSON(&got, "task", "show", secret.TaskID)
	if got.Prompt != "alice's secret plan" {
		t.Fatalf("alice's task after the payloads: %+v", got)
	}
}

// TestSecurity_PathTraversal sends traversal paths at every route that
// touches the file system: media, the web UI's files, backup downloads and
// restores. None may reach a file outside what the database references; and
// an API key holder cannot register a sensitive file (the owner token, the
// database, any non-video file) as a "video" and read it back.
func TestSecurity_PathTraversal(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "serve")
	key := v.addUser("alice", 100)
	v.ok("backup")
	srv := v.serve()
	alice, owner := srv.client(key), srv.owner()
	secret := "TOP-SECRET-" + strings.Repeat("x", 20)
	secretFile := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(secretFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	leaks := func(body []byte) bool {
		return bytes.Contains(body, []byte(secret)) || bytes.Contains(body, []byte("root:x:0:0")) ||
			bytes.Contains(body, []byte("SQLite format 3"))
	}
	rel := func(target string) string {
		return strings.Repeat("../", 12) + strings.TrimPrefix(target, "/")
	}
	for _, c := range []*client{alice, owner} {
		for _, p := range []string{
			"/media/" + url.PathEscape(rel("/etc/passwd")),
			"/media/..%2f..%2f..%2fetc%2fpasswd",
			"/media/1/../../../etc/passwd",
			"/" + rel("/etc/passwd"),
			"/assets/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
			"/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
			"/" + url.PathEscape(rel(secretFile)),
			"/reelvault.db",
			"/owner-token",
			"/api/v1/backups/" + url.PathEscape(rel("/etc/passwd")) + "/download",
			"/api/v1/backups/..%2freelvault.db/download",
			"/api/v1/backups/..%2f..%2f" + url.PathEscape(strings.TrimPrefix(secretFile, "/")) + "/download",
			"/api/v1/backups/catalog.json/download",
		} {
			st, body, err := c.raw("GET", p, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if leaks(body) || st >= 500 {
				t.Fatalf("GET %s: status %d leaked or failed:\n%.200s", p, st, body)
			}
		}
	}
	for _, name := range []string{rel("/etc/passwd"), "../reelvault.db", rel(secretFile), "catalog.json"} {
		st, err := owner.do("POST", "/api/v1/backups/"+url.PathEscape(name)+"/restore", nil, nil)
		if err == nil || st >= 500 {
			t.Fatalf("restore %q: status %d, %v; want a refusal", name, st, err)
		}
	}

	// Register sensitive files as a task's videos and try to stream them.
	var task domain.Task
	if _, err := alice.do("POST", "/api/v1/tasks", map[string]any{"prompt": "innocent", "total_scenes": 5}, &task); err != nil {
		t.Fatal(err)
	}
	for i, target := range []string{
		filepath.Join(v.dir, "owner-token"),
		v.dbPath(),
		secretFile,
		"/etc/passwd",
		filepath.Join(v.dir, "..", filepath.Base(v.dir), "owner-token"),
	} {
		var video domain.Video
		st, err := alice.do("POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": i + 1, "file_path": target}, &video)
		if err != nil {
			if st >= 500 {
				t.Fatalf("register %s: %v", target, err)
			}
			continue // refused at registration: fine
		}
		for _, c := range []*client{alice, owner} {
			st, body, err := c.raw("GET", fmt.Sprintf("/media/%d", video.ID), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st == http.StatusOK || leaks(body) || bytes.Contains(body, []byte(srv.ownerTokenOnDisk())) {
				t.Fatalf("%s registered as a video by an API key is served back: status %d, %.80q", target, st, body)
			}
		}
	}
	// The command line: a backup name is never a path out of the folder.
	srv.stop()
	for _, name := range []string{rel("/etc/passwd"), "../reelvault.db"} {
		res := v.run("restore", name, "--yes")
		if res.Code == 0 {
			t.Fatalf("reelvault restore %q succeeded", name)
		}
	}
	v.integrityCheck()
}

// ownerTokenOnDisk returns the current owner token ("" when there is none).
func (s *server) ownerTokenOnDisk() string {
	b, err := os.ReadFile(filepath.Join(s.v.dir, "owner-token"))
	if err != nil {
		return "\x00no token\x00"
	}
	return strings.TrimSpace(string(b))
}

// TestSecurity_HostAndOrigin checks the real server's defences against a
// web page in the user's browser: a foreign Host header (DNS rebinding) is
// refused for every request, a state-changing request with a foreign Origin
// or a cross-site fetch marker (CSRF) is refused even with valid
// credentials, and the server listens on loopback only unless told
// otherwise.
func TestSecurity_HostAndOrigin(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "serve")
	key := v.addUser("alice", 100)
	srv := v.serve()
	c := srv.client(key)
	before := dbFacts(t, v)
	create := []byte(`{"prompt":"from a web page"}`)
	for _, h := range []http.Header{
		{"Host": {"evil.example"}},
		{"Host": {"evil.example:80"}},
		{"Host": {"127.0.0.1.evil.example"}},
	} {
		req, _ := http.NewRequest("GET", srv.base+"/api/v1/tasks", nil)
		req.Host = h.Get("Host")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("Host %q: status %d, want 403", req.Host, resp.StatusCode)
		}
	}
	for _, h := range []http.Header{
		{"Origin": {"http://evil.example"}, "Content-Type": {"application/json"}},
		{"Origin": {"null"}, "Content-Type": {"application/json"}},
		{"Sec-Fetch-Site": {"cross-site"}, "Content-Type": {"application/json"}},
	} {
		st, body, err := c.raw("POST", "/api/v1/tasks", create, h)
		if err != nil || st != http.StatusForbidden {
			t.Fatalf("POST with %v: status %d %s, %v; want 403", h, st, body, err)
		}
	}
	if after := dbFacts(t, v); after != before {
		t.Fatalf("a refused cross-site request changed the database")
	}
	// Same-origin requests from the server's own pages pass.
	if st, body, err := c.raw("POST", "/api/v1/tasks", create, http.Header{"Origin": {srv.base}, "Content-Type": {"application/json"}}); err != nil || st != http.StatusCreated {
		t.Fatalf("same-origin POST: %d %s, %v", st, body, err)
	}
	srv.stop()
	// A non-loopback address is refused without --allow-remote.
	res := v.run("serve", "--addr", "0.0.0.0:0")
	if res.Code == 0 || !strings.Contains(res.Stderr, "allow-remote") {
		t.Fatalf("serve on 0.0.0.0: exit %d, %s; want a refusal naming --allow-remote", res.Code, res.Stderr)
	}
}
