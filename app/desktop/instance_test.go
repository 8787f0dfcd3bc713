package desktop_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/desktop"
)

func TestInstanceID(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "data")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(sub, link); err != nil {
		t.Fatal(err)
	}
	id := desktop.InstanceID(sub)
	for _, spelling := range []string{sub + "/", filepath.Join(sub, "x", ".."), link} {
		if got := desktop.InstanceID(spelling); got != id {
			t.Fatalf("InstanceID(%q)=%q, want %q (same dir)", spelling, got, id)
		}
	}
	if other := desktop.InstanceID(dir); other == id {
		t.Fatalf("InstanceID of another dir = %q, want a different ID", other)
	}
}

func TestAcquireInstance(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the lock is held by Wails itself outside Linux")
	}
	dir := t.TempDir()
	shown := make(chan string, 1)
	first, err := desktop.AcquireInstance(dir, "", func(route string) { shown <- route })
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ErrAlreadyRunning", func(t *testing.T) {
		second, err := desktop.AcquireInstance(dir, "", nil)
		if !errors.Is(err, desktop.ErrAlreadyRunning) {
			t.Fatalf("err=%v, want ErrAlreadyRunning", err)
		}
		if second != nil {
			t.Fatal("second instance got a lock")
		}
		select {
		case r := <-shown:
			if r != "" {
				t.Fatalf("plain launch asked for route %q, want none", r)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the first instance was not asked to show its window")
		}
	})

	t.Run("Route", func(t *testing.T) {
		// reelvault open TASK_ID while the window is open: it comes to
		// the front on the task.
		route := "#/task/7c9e6679-7425-40de-944b-e07fc1f90ae7"
		if _, err := desktop.AcquireInstance(dir, route, nil); !errors.Is(err, desktop.ErrAlreadyRunning) {
			t.Fatalf("err=%v, want ErrAlreadyRunning", err)
		}
		select {
		case r := <-shown:
			if r != route {
				t.Fatalf("shown on %q, want %q", r, route)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the first instance was not asked to show the task")
		}
		if _, err := desktop.AcquireInstance(dir, "#/task/x\nshow", nil); err == nil || errors.Is(err, desktop.ErrAlreadyRunning) {
			t.Fatalf("a route with a newline: err=%v, want it refused", err)
		}
	})

	t.Run("OtherDirIsIndependent", func(t *testing.T) {
		other, err := desktop.AcquireInstance(t.TempDir(), "", nil)
		if err != nil {
			t.Fatalf("lock of another data dir: %v", err)
		}
		other.Close()
	})

	t.Run("ReleasedOnClose", func(t *testing.T) {
		if err := first.Close(); err != nil {
			t.Fatal(err)
		}
		again, err := desktop.AcquireInstance(dir, "", nil)
		if err != nil {
			t.Fatalf("lock after Close: %v", err)
		}
		again.Close()
	})
}

func TestValidRoute(t *testing.T) {
	for route, want := range map[string]bool{
		"":                              true,
		"#/history":                     true,
		"#/task/abc-DEF_1":              true,
		"#/task/a%20b":                  true,
		"history":                       false,
		"#/task/a b":                    false,
		"#/task/\"+alert(1)+\"":         false,
		"#/task/x\nshow":                false,
		"#/" + strings.Repeat("a", 300): false,
	} {
		if got := desktop.ValidRoute(route); got != want {
			t.Errorf("ValidRoute(%q)=%v, want %v", route, got, want)
		}
	}
}

func TestRouteFromArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"--data-dir", "/d"}, ""},
		{[]string{"--data-dir", "/d", "open"}, "#/history"},
		{[]string{"open", "--verbose"}, "#/history"},
		{[]string{"-v", "open", "abc-123"}, "#/task/abc-123"},
		{[]string{"open", "a\"b"}, "#/task/a%22b"},
	} {
		if got := desktop.RouteFromArgs(tc.args); got != tc.want {
			t.Errorf("RouteFromArgs(%q)=%q, want %q", tc.args, got, tc.want)
		}
	}
}
