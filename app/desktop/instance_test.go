package desktop_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
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
	shown := make(chan struct{}, 1)
	first, err := desktop.AcquireInstance(dir, func() { shown <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ErrAlreadyRunning", func(t *testing.T) {
		second, err := desktop.AcquireInstance(dir, nil)
		if !errors.Is(err, desktop.ErrAlreadyRunning) {
			t.Fatalf("err=%v, want ErrAlreadyRunning", err)
		}
		if second != nil {
			t.Fatal("second instance got a lock")
		}
		select {
		case <-shown:
		case <-time.After(5 * time.Second):
			t.Fatal("the first instance was not asked to show its window")
		}
	})

	t.Run("OtherDirIsIndependent", func(t *testing.T) {
		other, err := desktop.AcquireInstance(t.TempDir(), nil)
		if err != nil {
			t.Fatalf("lock of another data dir: %v", err)
		}
		other.Close()
	})

	t.Run("ReleasedOnClose", func(t *testing.T) {
		if err := first.Close(); err != nil {
			t.Fatal(err)
		}
		again, err := desktop.AcquireInstance(dir, nil)
		if err != nil {
			t.Fatalf("lock after Close: %v", err)
		}
		again.Close()
	})
}
