package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/domain"
)

func TestServe_Refusals(t *testing.T) {
	r := newRunner(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--addr", "0.0.0.0:0"}, "--allow-remote"},
		{[]string{"serve", "--addr", "192.0.2.1:7788"}, "--allow-remote"},
		{[]string{"serve", "--addr", "7788"}, "host:port"},
	} {
		res := r.run(tt.args...)
		if res.Code != cli.ExitError || !strings.Contains(res.Stderr, tt.want) {
			t.Errorf("%v: exit %d stderr %q, want exit %d naming %s", tt.args, res.Code, res.Stderr, cli.ExitError, tt.want)
		}
		if _, err := os.Stat(filepath.Join(r.dir, server.TokenFile)); !os.IsNotExist(err) {
			t.Errorf("%v: a refused serve left a token file", tt.args)
		}
	}
}

// serveProc is a running "reelvault serve".
type serveProc struct {
	cmd    *exec.Cmd
	out    serveInfo
	stderr *bytes.Buffer
	client *http.Client
}

type serveInfo struct {
	URL       string `json:"url"`
	OwnerURL  string `json:"owner_url"`
	TokenFile string `json:"token_file"`
}

// startServe starts the binary's serve command on a free loopback port and
// waits until it prints where it listens.
func startServe(t *testing.T, bin, data string) *serveProc {
	t.Helper()
	cmd := exec.Command(bin, "--data-dir", data, "--json", "serve", "--addr", "127.0.0.1:0")
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, stderr: &bytes.Buffer{}, client: &http.Client{Timeout: 10 * time.Second}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	decoded := make(chan error, 1)
	go func() {
		decoded <- json.NewDecoder(bufio.NewReader(stdout)).Decode(&p.out)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case err := <-decoded:
		if err != nil {
			t.Fatalf("serve printed no address: %v; stderr:\n%s", err, p.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not start; stderr:\n%s", p.stderr)
	}
	return p
}

// stop sends SIGTERM and returns the exit code.
func (p *serveProc) stop(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not stop within 20s after SIGTERM; stderr:\n%s", p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}

// call sends a request; auth is an API key, or "owner:<cookie>".
func (p *serveProc) call(t *testing.T, want int, method, path, auth string, body any, out any) http.Header {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, p.out.URL+path, rd)
	if c, ok := strings.CutPrefix(auth, "owner:"); ok {
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: c})
	} else if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status=%d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
	return resp.Header
}

// signIn exchanges the printed owner link's token for a session cookie.
func (p *serveProc) signIn(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(p.out.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(p.out.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || u.Query().Get("token") == "" {
		t.Fatalf("owner link %s: status=%d, want 303", p.out.OwnerURL, resp.StatusCode)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == server.SessionCookie && ck.HttpOnly && ck.SameSite == http.SameSiteStrictMode {
			return "owner:" + ck.Value
		}
	}
	t.Fatal("the owner link set no HttpOnly, SameSite=Strict session cookie")
	return ""
}

// TestServe_Binary builds the real binary, serves on a free port, drives a
// full task lifecycle over HTTP, stops it with SIGTERM while an event stream
// is open, and finds everything again after a restart; then kills it with
// SIGKILL while a worker holds a lease and checks that nothing acknowledged
// was lost and the task is claimed again.
func TestServe_Binary(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	p := startServe(t, bin, data)

	st, err := os.Stat(p.out.TokenFile)
	if err != nil {
		t.Fatalf("token file: %v", err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Fatalf("token file mode=%v, want 0600", got)
	}
	owner := p.signIn(t)

	var created struct {
		User   domain.User `json:"user"`
		APIKey string      `json:"api_key"`
	}
	p.call(t, 201, "POST", "/api/v1/users", owner, map[string]any{"username": "alice", "quota": 10}, &created)
	key := created.APIKey

	var task domain.Task
	p.call(t, 201, "POST", "/api/v1/tasks", key, map[string]any{"prompt": "a lighthouse in a storm", "total_scenes": 2}, &task)
	pending := domain.Task{}
	p.call(t, 201, "POST", "/api/v1/tasks", key, map[string]any{"prompt": "left pending"}, &pending)

	var claimed domain.Task
	p.call(t, 200, "POST", "/api/v1/tasks/claim", key, map[string]any{"worker": "gpu-1"}, &claimed)
	if claimed.TaskID != task.TaskID {
		t.Fatalf("claimed %s, want the oldest task %s", claimed.TaskID, task.TaskID)
	}
	base := "/api/v1/tasks/" + task.TaskID
	p.call(t, 200, "POST", base+"/heartbeat", key, map[string]any{"worker": "gpu-1", "lease_seconds": 120}, nil)
	p.call(t, 200, "PUT", base+"/scripts", key, map[string]any{"scripts": []map[string]any{
		{"scene_number": 1, "description": "waves", "duration": 3},
		{"scene_number": 2, "description": "the light turns", "duration": 2},
	}}, nil)
	// The pipeline writes its clips in the default media root.
	if err := os.Mkdir(filepath.Join(data, domain.MediaFolder), 0o700); err != nil {
		t.Fatal(err)
	}
	clip := filepath.Join(data, domain.MediaFolder, "scene1.mp4")
	if err := os.WriteFile(clip, bytes.Repeat([]byte("frame"), 200), 0o644); err != nil {
		t.Fatal(err)
	}
	var video domain.Video
	p.call(t, 201, "POST", base+"/videos", key, map[string]any{"scene_number": 1, "file_path": clip, "duration": 3}, &video)
	p.call(t, 200, "POST", base+"/progress", key, map[string]any{"progress": 60, "completed_scenes": 1}, nil)
	p.call(t, 200, "POST", base+"/complete", key, map[string]any{"final_video_path": clip}, nil)

	// An open event stream must not keep the server from stopping.
	req, _ := http.NewRequest("GET", p.out.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("events: %v %v", err, stream)
	}
	defer stream.Body.Close()

	if code := p.stop(t); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM, want 0; stderr:\n%s", code, p.stderr)
	}
	if _, err := os.Stat(p.out.TokenFile); !os.IsNotExist(err) {
		t.Fatalf("token file left after stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, cli.DBFile+"-wal")); err == nil {
		if st, _ := os.Stat(filepath.Join(data, cli.DBFile+"-wal")); st.Size() > 0 {
			t.Fatalf("WAL holds %d bytes after a clean stop, want a checkpointed database", st.Size())
		}
	}

	// Restart: everything is there, the owner session too (it is kept in
	// the database), but not the one-time token.
	p2 := startServe(t, bin, data)
	if p2.out.OwnerURL == p.out.OwnerURL {
		t.Fatal("restart printed the same owner token")
	}
	p2.call(t, 200, "GET", "/api/v1/users", owner, nil, nil)
	var got domain.Task
	p2.call(t, 200, "GET", base, key, nil, &got)
	if got.Status != domain.StatusCompleted || got.Progress != 100 || len(got.Scripts) != 2 || len(got.Videos) < 1 || got.Attempts != 1 {
		t.Fatalf("after restart: status=%q progress=%d scripts=%d videos=%d attempts=%d", got.Status, got.Progress, len(got.Scripts), len(got.Videos), got.Attempts)
	}
	var page domain.TaskPage
	p2.call(t, 200, "GET", "/api/v1/tasks", key, nil, &page)
	if len(page.Tasks) != 2 {
		t.Fatalf("after restart: %d tasks, want 2", len(page.Tasks))
	}
	mreq, _ := http.NewRequest("GET", fmt.Sprintf("%s/media/%d", p2.out.URL, video.ID), nil)
	mreq.Header.Set("Authorization", "Bearer "+key)
	mreq.Header.Set("Range", "bytes=5-9")
	mresp, err := http.DefaultClient.Do(mreq)
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	if mresp.StatusCode != http.StatusPartialContent || string(part) != "frame" {
		t.Fatalf("media range: status=%d body=%q, want 206 \"frame\"", mresp.StatusCode, part)
	}

	// kill -9 with a worker mid-task: acknowledged writes survive, and the
	// task is claimed again once the dead worker's lease runs out.
	var doomed domain.Task
	p2.call(t, 200, "POST", "/api/v1/tasks/claim", key, map[string]any{"worker": "doomed", "lease_seconds": 1}, &doomed)
	if doomed.TaskID != pending.TaskID {
		t.Fatalf("claimed %s, want the pending task %s", doomed.TaskID, pending.TaskID)
	}
	p2.call(t, 200, "POST", "/api/v1/tasks/"+doomed.TaskID+"/progress", key, map[string]any{"progress": 40}, nil)
	if err := p2.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p2.cmd.Wait()

	p3 := startServe(t, bin, data)
	p3.call(t, 200, "GET", "/api/v1/tasks/"+doomed.TaskID, key, nil, &got)
	if got.Status != domain.StatusProcessing || got.Progress != 40 || got.LeaseOwner != "doomed" {
		t.Fatalf("after kill -9: status=%q progress=%d lease_owner=%q, want processing 40 doomed", got.Status, got.Progress, got.LeaseOwner)
	}
	var rescued domain.Task
	deadline := time.Now().Add(20 * time.Second)
	for rescued.TaskID == "" && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		req, _ := http.NewRequest("POST", p3.out.URL+"/api/v1/tasks/claim", strings.NewReader(`{"worker":"rescuer"}`))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := p3.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusOK {
			json.NewDecoder(resp.Body).Decode(&rescued)
		}
		resp.Body.Close()
	}
	if rescued.TaskID != doomed.TaskID || rescued.Attempts != 2 || rescued.LeaseOwner != "rescuer" {
		t.Fatalf("after the lease ran out: claimed %q attempts=%d owner=%q, want %s 2 rescuer", rescued.TaskID, rescued.Attempts, rescued.LeaseOwner, doomed.TaskID)
	}
	if code := p3.stop(t); code != 0 {
		t.Fatalf("third serve exited %d, want 0; stderr:\n%s", code, p3.stderr)
	}
}
