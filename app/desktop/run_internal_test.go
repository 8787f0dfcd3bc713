package desktop

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// TestRun covers what Run does before a window exists. A plain test build
// has no window (windowBuilt is false); `make test-desktop` runs the same
// test with the desktop tag, where the display fallbacks apply.
func TestRun(t *testing.T) {
	db := store.NewDB(filepath.Join(t.TempDir(), "reelvault.db"))
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := Services{Tasks: store.NewTaskService(db), Users: store.NewUserService(db), Stats: store.NewStatsService(db)}
	noDisplay := func(string) string { return "" }

	t.Run("ErrServicesRequired", func(t *testing.T) {
		if err := Run(context.Background(), Options{Getenv: noDisplay}); err == nil {
			t.Fatal("err=nil, want an error for missing services")
		}
	})

	if !windowBuilt {
		t.Run("ErrNotBuilt", func(t *testing.T) {
			served := false
			err := Run(context.Background(), Options{Services: svc, Getenv: noDisplay, Serve: func(context.Context) error { served = true; return nil }})
			if !errors.Is(err, ErrNotBuilt) {
				t.Fatalf("err=%v, want ErrNotBuilt", err)
			}
			if served {
				t.Fatal("a binary without the window fell back to serve; it must say it has no window")
			}
		})
		return
	}

	t.Run("NoDisplayServes", func(t *testing.T) {
		var out strings.Builder
		served := false
		err := Run(context.Background(), Options{
			Services: svc,
			Getenv:   noDisplay,
			Stdout:   &out,
			Serve:    func(context.Context) error { served = true; return nil },
		})
		if err != nil || !served {
			t.Fatalf("err=%v served=%v, want serve mode", err, served)
		}
		if !strings.Contains(out.String(), "no display found") {
			t.Fatalf("message %q does not say why", out.String())
		}
	})

	t.Run("ErrNoWindowWithoutServe", func(t *testing.T) {
		err := Run(context.Background(), Options{Services: svc, Getenv: noDisplay})
		if !errors.Is(err, ErrNoWindow) {
			t.Fatalf("err=%v, want ErrNoWindow", err)
		}
	})
}

// The window's Info carries the build, the upgrade and the reason the
// database could not be opened, in the words the person should read.
func TestOptions_Info(t *testing.T) {
	up := &domain.Upgrade{From: 2, To: 3, Backup: "/data/backups/b.db.zst"}
	opts := Options{Version: "1.0.0", Commit: "abc", BuildDate: "2026-12-06T00:00:00Z", SchemaVersion: 3, DataDir: "/data", Upgrade: up}
	info := opts.info("http://127.0.0.1:7788")
	if info.Version != "1.0.0" || info.Commit != "abc" || info.SchemaVersion != 3 || info.Upgrade != up || info.APIURL == "" || info.OpenError != "" {
		t.Fatalf("info=%+v", info)
	}
	for _, tt := range []struct {
		err  error
		want string
	}{
		{domain.Errorf(domain.ECONFLICT, "newer than this Reelvault"), "newer than this Reelvault"},
		{fmt.Errorf("open database /data/reelvault.db: %w", errors.New("permission denied")), "open database /data/reelvault.db: permission denied"},
	} {
		opts.OpenError = tt.err
		if got := opts.info("").OpenError; got != tt.want {
			t.Errorf("OpenError=%q, want %q", got, tt.want)
		}
	}
}

func TestFolderCommand(t *testing.T) {
	for goos, want := range map[string]string{"windows": "explorer", "darwin": "open", "linux": "xdg-open", "freebsd": "xdg-open"} {
		name, args := folderCommand(goos, `C:\Users\me\AppData\Local\reelvault`)
		if name != want || len(args) != 1 || args[0] != `C:\Users\me\AppData\Local\reelvault` {
			t.Errorf("%s: %s %q, want %s with the folder as its only argument", goos, name, args, want)
		}
	}
}
