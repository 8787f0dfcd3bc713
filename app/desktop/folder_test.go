package desktop_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
)

func TestOpenFolder(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fake file manager is a shell script named xdg-open")
	}
	dir := filepath.Join(t.TempDir(), "data folder; rm -rf x")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}

	t.Run("FileManager", func(t *testing.T) {
		// A stand-in xdg-open records its arguments, one per line.
		bin := t.TempDir()
		out := filepath.Join(bin, "args")
		script := "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > " + out + ".tmp && mv " + out + ".tmp " + out + "\n"
		if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PATH", bin+":/usr/bin:/bin")
		app := desktop.NewApp(desktop.Services{}, desktop.Info{DataDir: dir})
		if err := app.OpenDataFolder(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			b, err := os.ReadFile(out)
			if err == nil {
				if got, want := string(b), dir+"\n"; got != want {
					t.Fatalf("xdg-open got %q, want the folder as one argument %q", got, want)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("xdg-open was not run")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	t.Run("ErrNoFileManager", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		err := desktop.OpenFolder(dir)
		if got, want := domain.ErrorCode(err), domain.ECONFLICT; got != want {
			t.Fatalf("code=%q, want %q (%v)", got, want, err)
		}
		if msg := domain.ErrorMessage(err); !strings.Contains(msg, dir) || !strings.Contains(msg, "xdg-open") {
			t.Fatalf("message %q should name xdg-open and the folder", msg)
		}
	})

	t.Run("ErrMissingFolder", func(t *testing.T) {
		err := desktop.OpenFolder(filepath.Join(dir, "gone"))
		if got, want := domain.ErrorCode(err), domain.ECONFLICT; got != want {
			t.Fatalf("code=%q, want %q (%v)", got, want, err)
		}
	})
}

// A window whose database could not be opened answers Status with only its
// Info, the reason among it, and never touches the missing services.
func TestApp_Status_OpenError(t *testing.T) {
	app := desktop.NewApp(desktop.Services{}, desktop.Info{Version: "test", DataDir: "/data", OpenError: "The database has schema version 9, newer than this Reelvault supports (3); update Reelvault."})
	st, err := app.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Database != nil || !strings.Contains(st.OpenError, "schema version 9") || st.DataDir != "/data" {
		t.Fatalf("status=%+v", st)
	}
}
