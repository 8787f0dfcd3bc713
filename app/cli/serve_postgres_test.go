package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/pgtest"
)

// startServeIn runs "reelvault --db URL --json serve" in this process on a
// free loopback port, as one machine of a team would, and returns it once it
// listens. The returned stop function cancels it and returns its exit code.
func startServeIn(t *testing.T, dbURL string) (*serveProc, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &lockedBuffer{}
	done := make(chan int, 1)
	args := []string{"--data-dir", t.TempDir(), "--db", dbURL, "--json", "serve", "--addr", "127.0.0.1:0"}
	go func() {
		code := cli.Main(ctx, args, cli.Options{
			Version: "test",
			Stdin:   bytes.NewReader(nil),
			Stdout:  pw,
			Stderr:  stderr,
			Getenv:  func(string) string { return "" },
		})
		pw.Close()
		done <- code
	}()
	p := &serveProc{client: &http.Client{Timeout: 10 * time.Second}}
	decoded := make(chan error, 1)
	go func() {
		decoded <- json.NewDecoder(pr).Decode(&p.out)
		io.Copy(io.Discard, pr)
	}()
	select {
	case err := <-decoded:
		if err != nil {
			cancel()
			t.Fatalf("serve printed no address: %v; stderr:\n%s", err, stderr)
		}
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("serve did not start; stderr:\n%s", stderr)
	}
	stopped := false
	stop := func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			if code != cli.ExitOK || testing.Verbose() {
				t.Logf("serve stderr:\n%s", stderr)
			}
			return code
		case <-time.After(20 * time.Second):
			t.Fatalf("serve did not stop; stderr:\n%s", stderr)
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	return p, stop
}

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// post sends a JSON request with an API key and returns the status and
// body, for use from goroutines.
func post(client *http.Client, url, key string, body any) (int, []byte, error) {
	data, _ := json.Marshal(body)
	req, err := http.NewRequest("POST", url, bytes.NewReader(data))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// TestPostgres_Serve runs two "reelvault serve" instances on one PostgreSQL
// database, as two machines of a studio would: tasks created on either are
// claimed by workers of both, each exactly once, carried through the whole
// lifecycle, and seen the same from both.
func TestPostgres_Serve(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	a, stopA := startServeIn(t, dbURL)
	b, stopB := startServeIn(t, dbURL)
	servers := []*serveProc{a, b}

	owner := a.signIn(t)
	var created struct {
		User   domain.User `json:"user"`
		APIKey string      `json:"api_key"`
	}
	a.call(t, 201, "POST", "/api/v1/users", owner, map[string]any{"username": "alice", "quota": 100}, &created)
	key := created.APIKey

	const tasks = 24
	for i := range tasks {
		var task domain.Task
		servers[i%2].call(t, 201, "POST", "/api/v1/tasks", key, map[string]any{"prompt": fmt.Sprintf("镜头 %d: 森林里的小鹿", i), "total_scenes": 1}, &task)
	}

	// Six workers, three per instance, claim and finish tasks until none is
	// left; each finishes its task through the other instance.
	// The clips' folder is a media root the owner adds once for the team:
	// the roots live in the shared database.
	clips := t.TempDir()
	a.call(t, 200, "POST", "/api/v1/media-roots", owner, map[string]any{"path": clips}, nil)
	clip := filepath.Join(clips, "clip.mp4")
	if err := os.WriteFile(clip, []byte("frames"), 0o644); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	claimedBy := map[string]string{}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker := fmt.Sprintf("worker-%d", w)
			home, other := servers[w%2], servers[(w+1)%2]
			for {
				code, body, err := post(home.client, home.out.URL+"/api/v1/tasks/claim", key, map[string]any{"worker": worker})
				if err != nil {
					errs <- err
					return
				}
				if code == http.StatusNoContent {
					return
				}
				if code != http.StatusOK {
					errs <- fmt.Errorf("claim: status %d: %s", code, body)
					return
				}
				var task domain.Task
				if err := json.Unmarshal(body, &task); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				prev, dup := claimedBy[task.TaskID]
				claimedBy[task.TaskID] = worker
				mu.Unlock()
				if dup {
					errs <- fmt.Errorf("task %s claimed by %s and %s", task.TaskID, prev, worker)
					return
				}
				base := other.out.URL + "/api/v1/tasks/" + task.TaskID
				for _, step := range []struct {
					path string
					body map[string]any
				}{
					{"/heartbeat", map[string]any{"worker": worker, "lease_seconds": 120}},
					{"/progress", map[string]any{"progress": 50}},
					{"/complete", map[string]any{"final_video_path": clip}},
				} {
					if code, body, err := post(other.client, base+step.path, key, step.body); err != nil || code != http.StatusOK {
						errs <- fmt.Errorf("%s %s: %d %s %v", task.TaskID, step.path, code, body, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(claimedBy) != tasks {
		t.Fatalf("claimed %d tasks, want %d", len(claimedBy), tasks)
	}

	for _, s := range servers {
		var page domain.TaskPage
		s.call(t, 200, "GET", "/api/v1/tasks?limit=100", key, nil, &page)
		if len(page.Tasks) != tasks {
			t.Fatalf("%s lists %d tasks, want %d", s.out.URL, len(page.Tasks), tasks)
		}
		for _, task := range page.Tasks {
			if task.Status != domain.StatusCompleted || task.Attempts != 1 || task.FinalVideoPath != clip {
				t.Fatalf("task %s: status=%s attempts=%d final=%q", task.TaskID, task.Status, task.Attempts, task.FinalVideoPath)
			}
		}
		var search domain.TaskPage
		s.call(t, 200, "GET", "/api/v1/tasks?search=%E6%A3%AE%E6%9E%97&limit=100", key, nil, &search) // 森林
		if len(search.Tasks) != tasks {
			t.Fatalf("search on %s found %d tasks, want %d", s.out.URL, len(search.Tasks), tasks)
		}
	}

	// The library through both instances: a change made through one is
	// seen through the other.
	var page domain.TaskPage
	a.call(t, 200, "GET", "/api/v1/tasks?limit=4", key, nil, &page)
	first := page.Tasks[0].TaskID
	a.call(t, 200, "PUT", "/api/v1/tasks/"+first+"/star", key, map[string]any{"starred": true}, nil)
	b.call(t, 200, "POST", "/api/v1/tasks/"+first+"/tags", key, map[string]any{"add": []string{"夜景"}}, nil)
	var starred domain.TaskPage
	b.call(t, 200, "GET", "/api/v1/tasks?starred=true&tag=%E5%A4%9C%E6%99%AF&status=completed", key, nil, &starred) // 夜景
	if len(starred.Tasks) != 1 || starred.Tasks[0].TaskID != first {
		t.Fatalf("starred and tagged through the other instance: %+v", starred.Tasks)
	}
	var bulk domain.BulkResult
	a.call(t, 200, "POST", "/api/v1/tasks/bulk", key, map[string]any{"task_ids": []string{page.Tasks[1].TaskID, page.Tasks[2].TaskID}, "action": "trash"}, &bulk)
	var trash domain.TaskPage
	b.call(t, 200, "GET", "/api/v1/tasks?trashed=true", key, nil, &trash)
	if bulk.Changed != 2 || len(trash.Tasks) != 2 {
		t.Fatalf("bulk trash changed %d; the trash holds %d tasks, want 2", bulk.Changed, len(trash.Tasks))
	}
	var take domain.Task
	b.call(t, 201, "POST", "/api/v1/tasks/"+first+"/rerun", key, nil, &take)
	var takes struct {
		Tasks []domain.Task `json:"tasks"`
	}
	a.call(t, 200, "GET", "/api/v1/tasks/"+take.TaskID+"/takes", key, nil, &takes)
	if take.RerunOf != first || take.Status != domain.StatusPending || len(takes.Tasks) != 2 {
		t.Fatalf("rerun on PostgreSQL: %+v; takes %d", take, len(takes.Tasks))
	}

	if code := stopA(); code != cli.ExitOK {
		t.Fatalf("serve A exited %d", code)
	}
	if code := stopB(); code != cli.ExitOK {
		t.Fatalf("serve B exited %d", code)
	}
}

// TestPostgres_Backup checks that PostgreSQL stores get the same backups,
// drills and restores (as a logical dump in the data folder), that the
// SQLite-only maintenance says so, and that the JSON export works there.
func TestPostgres_Backup(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	r := newRunner(t)
	r.env[cli.EnvDB] = dbURL
	r.addUser("alice")
	id := r.createTask("alice", "备份测试 backup test")

	b := decode[domain.Backup](t, r.ok("backup", "--json"))
	if !strings.HasSuffix(b.Name, ".pg.tar") || b.Rows["tasks"] != 1 {
		t.Fatalf("backup on PostgreSQL: %+v", b)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "backups", b.Name)); err != nil {
		t.Fatalf("the dump is not in the data folder's backups folder: %v", err)
	}
	drill := decode[domain.DrillResult](t, r.ok("drill", "--json"))
	if !drill.OK || drill.Tasks != 1 {
		t.Fatalf("drill on PostgreSQL: %+v", drill)
	}
	r.ok("task", "cancel", id)
	res := decode[domain.TaskRestoreResult](t, r.ok("restore", b.Name, "--task", id, "--yes", "--json"))
	if len(res.Replaced) != 1 {
		t.Fatalf("restore --task on PostgreSQL: %+v", res)
	}
	if out := r.ok("task", "show", id).Stdout; !strings.Contains(out, "pending") {
		t.Fatalf("the restored task is not pending again:\n%s", out)
	}

	res2 := r.run("maintain", "vacuum")
	if res2.Code != cli.ExitError || !strings.Contains(res2.Stderr, "PostgreSQL") {
		t.Errorf("maintain vacuum: exit %d, stderr %q; want a message naming PostgreSQL", res2.Code, res2.Stderr)
	}
	out := r.ok("export")
	if !strings.Contains(out.Stdout, id) || !strings.Contains(out.Stdout, "备份测试") {
		t.Fatalf("export on PostgreSQL:\n%s", out.Stdout)
	}
}
