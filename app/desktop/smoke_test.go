//go:build desktopsmoke

package desktop_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// TestWindowSmoke launches the built binary (REELVAULT_BIN, built by `make
// build`) in a real window on Xvfb over a seeded data dir, waits until the
// UI reports the first history page painted, takes a screenshot and checks
// it is not blank, checks the loopback API and the single-instance lock,
// then closes the window with SIGTERM and expects a clean exit. Run it with
// `make test-desktop`.
func TestWindowSmoke(t *testing.T) {
	bin := os.Getenv("REELVAULT_BIN")
	if bin == "" {
		t.Fatal("REELVAULT_BIN must name the binary built by `make build`")
	}
	artifacts := os.Getenv("ARTIFACTS_DIR")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	for _, tool := range []string{"Xvfb", "import", "identify"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (make deps installs xvfb and imagemagick): %v", tool, err)
		}
	}

	dataDir := t.TempDir()
	seed(t, filepath.Join(dataDir, "reelvault.db"))
	display := startXvfb(t)
	addr := freeAddr(t)
	home := t.TempDir()
	env := append(os.Environ(),
		"DISPLAY="+display,
		"WAYLAND_DISPLAY=",
		"XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_RUNTIME_DIR="+home,
		desktop.EnvAddr+"="+addr,
	)

	cmd := exec.Command(bin, "--data-dir", dataDir)
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	painted := make(chan string, 1)
	var out strings.Builder
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			out.WriteString(line + "\n")
			if strings.Contains(line, "first history page painted") {
				painted <- line
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})

	var line string
	select {
	case line = <-painted:
	case err := <-exited:
		t.Fatalf("the window exited before painting the history: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("no history page painted within 60 s\nstdout:\n%s\nstderr:\n%s", out.String(), stderr.String())
	}
	m := regexp.MustCompile(`\((\d+) rows\) (\d+) ms after launch`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first-page line %q has no row count and time", line)
	}
	rows, _ := strconv.Atoi(m[1])
	ms, _ := strconv.Atoi(m[2])
	if rows == 0 {
		t.Fatalf("the first history page shows no rows, want the seeded tasks: %q", line)
	}
	t.Logf("first history page: %d rows painted %d ms after launch", rows, ms)

	// The screenshot: what a person sees.
	time.Sleep(1500 * time.Millisecond) // let thumbnails, fonts and the sidebar settle
	shot := filepath.Join(artifacts, "screenshots", "window.png")
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("import", "-display", display, "-window", "root", shot).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v: %s", err, b)
	}
	b, err := exec.Command("identify", "-format", "%[fx:standard_deviation] %k", shot).Output()
	if err != nil {
		t.Fatalf("identify: %v", err)
	}
	var sd float64
	var colours int
	if _, err := fmt.Sscanf(string(b), "%g %d", &sd, &colours); err != nil {
		t.Fatalf("identify output %q: %v", b, err)
	}
	if sd < 0.02 || colours < 64 {
		t.Fatalf("screenshot %s looks blank: standard deviation %.3f, %d colours", shot, sd, colours)
	}
	t.Logf("screenshot %s: standard deviation %.3f, %d colours", shot, sd, colours)

	// Pipelines can write while the window is open.
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("the API is not served while the window is open: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: status %d, want 200", resp.StatusCode)
	}

	// A second launch for the same data dir brings the first to the front
	// and exits at once.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	second := exec.CommandContext(ctx, bin, "--data-dir", dataDir)
	second.Env = env
	secondOut, err := second.CombinedOutput()
	if err != nil {
		t.Fatalf("second launch: %v\n%s", err, secondOut)
	}
	if !strings.Contains(string(secondOut), "already open") {
		t.Fatalf("second launch said %q, want that the window is already open", secondOut)
	}

	// Closing: SIGTERM, then a clean exit that remembers the geometry.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v, want status 0\nstderr:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("still running 20 s after SIGTERM\nstderr:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dataDir, desktop.WindowStateFile)); err != nil {
		t.Fatalf("window state not saved on close: %v", err)
	}
	if err := os.WriteFile(filepath.Join(artifacts, "window-first-page.txt"),
		[]byte(fmt.Sprintf("rows=%d first_page_ms=%d\n", rows, ms)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// seed writes tasks in every state, with English and Chinese prompts.
func seed(t *testing.T, path string) {
	t.Helper()
	ctx := domain.WithOwner(context.Background())
	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	users := store.NewUserService(db)
	tasks := store.NewTaskService(db)
	quota := 1000
	if _, _, err := users.CreateUser(ctx, domain.UserCreate{Username: "studio", Quota: &quota}); err != nil {
		t.Fatal(err)
	}
	prompts := []string{
		"A paper boat drifting down a rainy city street at dusk",
		"一只橘猫在京都的雨夜里穿过霓虹灯小巷",
		"Time-lapse of a glacier calving into a turquoise bay",
		"敦煌壁画中的飞天在星空下起舞",
	}
	for i := 0; i < 120; i++ {
		task, err := tasks.CreateTask(ctx, domain.TaskCreate{Username: "studio", Prompt: prompts[i%len(prompts)], TotalScenes: 4})
		if err != nil {
			t.Fatal(err)
		}
		switch i % 5 {
		case 0: // pending
		case 1:
			if _, err := tasks.StartTask(ctx, task.TaskID); err != nil {
				t.Fatal(err)
			}
			done := 2
			if _, err := tasks.UpdateProgress(ctx, task.TaskID, domain.TaskProgress{Progress: 55, CompletedScenes: &done}); err != nil {
				t.Fatal(err)
			}
		case 2:
			if _, err := tasks.StartTask(ctx, task.TaskID); err != nil {
				t.Fatal(err)
			}
			if _, err := tasks.CompleteTask(ctx, task.TaskID, filepath.Join(t.TempDir(), "final.mp4")); err != nil {
				t.Fatal(err)
			}
		case 3:
			if _, err := tasks.FailTask(ctx, task.TaskID, "scene 3: the generator ran out of memory"); err != nil {
				t.Fatal(err)
			}
		case 4:
			if _, err := tasks.CancelTask(ctx, task.TaskID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// startXvfb starts a virtual X server on a free display and returns its name.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		_ = x.Process.Signal(syscall.SIGTERM)
		_ = x.Wait()
	})
	num := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		num <- strings.TrimSpace(line)
	}()
	select {
	case n := <-num:
		if n == "" {
			t.Fatal("Xvfb did not report a display")
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start within 20 s")
	}
	return ""
}

// freeAddr returns a loopback address with a port free at the moment.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
