package desktop

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// The window's API listens on loopback, says where, serves until its
// context ends and then reports a clean stop; an address that is not
// loopback is refused before anything listens.
func TestStartAPI(t *testing.T) {
	dir := t.TempDir()
	db := store.NewDB(filepath.Join(dir, "reelvault.db"))
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := Services{Tasks: store.NewTaskService(db), Users: store.NewUserService(db), Stats: store.NewStatsService(db)}

	if _, _, _, err := startAPI(context.Background(), Options{Services: svc, DataDir: dir, Addr: "0.0.0.0:0"}); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "0.0.0.0:0") {
		t.Fatalf("a remote address: %v, want invalid naming it", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var told string
	srv, base, done, err := startAPI(ctx, Options{Services: svc, DataDir: dir, Addr: "127.0.0.1:0", Listening: func(url string) { told = url }})
	if err != nil {
		t.Fatal(err)
	}
	if told == "" || told != srv.URL() || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("listening told %q, server at %q, base %q", told, srv.URL(), base)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the API stopped with %v, want a clean stop", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the API did not stop with its context")
	}
}

// Without a window, Run falls back to serving when it can, saying why, and
// fails with ErrNoWindow when it cannot; a display is reachable when X11
// or Wayland is named.
func TestFallbackAndHasDisplay(t *testing.T) {
	if err := fallback(context.Background(), Options{}, "no display"); !errors.Is(err, ErrNoWindow) || !strings.Contains(err.Error(), "no display") {
		t.Fatalf("fallback without serve: %v, want ErrNoWindow saying why", err)
	}
	var out bytes.Buffer
	served := false
	err := fallback(context.Background(), Options{Stdout: &out, Serve: func(context.Context) error { served = true; return nil }}, "no display")
	if err != nil || !served {
		t.Fatalf("fallback with serve: err=%v served=%v", err, served)
	}
	if want := "Cannot open the window: no display. Serving the web UI instead"; !strings.HasPrefix(out.String(), want) {
		t.Fatalf("fallback printed %q, want it to start %q", out.String(), want)
	}
	if runtime.GOOS != "linux" {
		return // elsewhere there is always a display
	}
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	for _, tt := range []struct {
		vars map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"DISPLAY": ":0"}, true},
		{map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, true},
	} {
		if got := HasDisplay(env(tt.vars)); got != tt.want {
			t.Fatalf("HasDisplay(%v)=%v, want %v", tt.vars, got, tt.want)
		}
	}
}
