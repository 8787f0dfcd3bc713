package cli_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app"
	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

func TestEnv_DataDir(t *testing.T) {
	base := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want string // database path, relative to base
	}{
		{"Flag", []string{"--data-dir", filepath.Join(base, "flag")},
			map[string]string{cli.EnvDataDir: filepath.Join(base, "env"), "XDG_DATA_HOME": filepath.Join(base, "xdg")}, "flag/reelvault.db"},
		{"FlagAfterCommand", []string{"status", "--data-dir", filepath.Join(base, "after")},
			map[string]string{"HOME": filepath.Join(base, "home")}, "after/reelvault.db"},
		{"Env", nil,
			map[string]string{cli.EnvDataDir: filepath.Join(base, "env"), "XDG_DATA_HOME": filepath.Join(base, "xdg")}, "env/reelvault.db"},
		{"XDGDataHome", nil,
			map[string]string{"XDG_DATA_HOME": filepath.Join(base, "xdg"), "HOME": filepath.Join(base, "home")}, "xdg/reelvault/reelvault.db"},
		{"Home", nil,
			map[string]string{"HOME": filepath.Join(base, "home")}, "home/.local/share/reelvault/reelvault.db"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRunner(t)
			r.env = tt.env
			args := tt.args
			if len(args) == 0 || args[0] != "status" {
				args = append(args, "status")
			}
			res := r.runRaw(append(args, "--json")...)
			if res.Code != cli.ExitOK {
				t.Fatalf("exit %d: %s", res.Code, res.Stderr)
			}
			want := filepath.Join(base, tt.want)
			if got := decode[statusJSON](t, res).Path; got != want {
				t.Fatalf("database at %s, want %s", got, want)
			}
			if _, err := os.Stat(want); err != nil {
				t.Fatalf("database file: %v", err)
			}
		})
	}

	t.Run("RelativeFlag", func(t *testing.T) {
		r := newRunner(t)
		t.Chdir(t.TempDir())
		res := r.runRaw("--data-dir", "data", "--json", "status")
		wd, _ := os.Getwd()
		if got, want := decode[statusJSON](t, res).Path, filepath.Join(wd, "data", cli.DBFile); got != want {
			t.Fatalf("database at %s, want %s", got, want)
		}
	})

	t.Run("ErrNoHome", func(t *testing.T) {
		r := newRunner(t)
		res := r.runRaw("status")
		want := "error: find data directory (set --data-dir or $REELVAULT_DATA_DIR): neither $XDG_DATA_HOME nor $HOME is set\n"
		if res.Code != cli.ExitError || res.Stderr != want {
			t.Fatalf("exit %d, stderr %q; want 1, %q", res.Code, res.Stderr, want)
		}
	})
	t.Run("ErrRelativeXDG", func(t *testing.T) {
		r := newRunner(t)
		r.env = map[string]string{"XDG_DATA_HOME": "relative/dir"}
		res := r.runRaw("status")
		want := "error: find data directory (set --data-dir or $REELVAULT_DATA_DIR): $XDG_DATA_HOME is not an absolute path: \"relative/dir\"\n"
		if res.Code != cli.ExitError || res.Stderr != want {
			t.Fatalf("exit %d, stderr %q; want 1, %q", res.Code, res.Stderr, want)
		}
	})
}

func TestEnv_SlowQuery(t *testing.T) {
	r := newRunner(t)
	r.env[cli.EnvSlowQuery] = "1ns" // every query is slow
	// Warnings are log lines a person does not want in normal output.
	if res := r.run("user", "list"); res.Code != cli.ExitOK || res.Stderr != "" {
		t.Fatalf("exit %d, stderr %q; want no log lines without -v", res.Code, res.Stderr)
	}
	res := r.run("-v", "user", "list")
	if res.Code != cli.ExitOK || !strings.Contains(res.Stderr, "level=WARN msg=\"slow query\"") {
		t.Fatalf("exit %d, stderr %q; want slow-query warnings with -v", res.Code, res.Stderr)
	}
	for _, bad := range []string{"soon", "-1s", "0"} {
		r.env[cli.EnvSlowQuery] = bad
		r.fails(cli.ExitError, "error: $REELVAULT_SLOW_QUERY must be a positive duration such as 250ms, not \""+bad+"\".\n", "status")
	}
}

func TestEnv_ForeignDatabase(t *testing.T) {
	r := newRunner(t)
	path := filepath.Join(r.dir, cli.DBFile)
	junk := []byte("this is not a database, and it must stay exactly as it is\n")
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	r.fails(cli.ExitError, "error: The file "+path+" is not a Reelvault database.\n", "status")
	r.fails(cli.ExitError, "error: The file "+path+" is not a Reelvault database.\n", "user", "add", "alice")
	if got, _ := os.ReadFile(path); string(got) != string(junk) {
		t.Fatal("the foreign file was changed")
	}
}

func TestEnv_Backend(t *testing.T) {
	t.Run("ErrUnknownScheme", func(t *testing.T) {
		r := newRunner(t)
		r.fails(cli.ExitError, "error: --db: this build cannot open \"mysql\" databases.\n", "--db", "mysql://localhost/x", "status")
	})
	t.Run("ErrNotAURL", func(t *testing.T) {
		r := newRunner(t)
		r.env[cli.EnvDB] = "user:secret@host"
		r.fails(cli.ExitError, "error: --db must be a URL such as postgres://user@host/dbname.\n", "status")
	})
	t.Run("Registered", func(t *testing.T) {
		// A registered backend receives the URL; here it serves a SQLite
		// store so the commands have something real to talk to.
		dir := t.TempDir()
		var gotURL string
		cli.RegisterBackend(cli.Backend{
			Schemes: []string{"testdb"},
			Open: func(ctx context.Context, url string, logger *slog.Logger) (*cli.Services, error) {
				gotURL = url
				return openServices(ctx, dir)
			},
		})
		r := newRunner(t)
		r.env[cli.EnvDB] = "testdb://somewhere/db"
		r.ok("user", "add", "alice")
		if gotURL != "testdb://somewhere/db" {
			t.Fatalf("backend opened %q", gotURL)
		}
		if _, err := os.Stat(filepath.Join(r.dir, cli.DBFile)); !os.IsNotExist(err) {
			t.Fatalf("--db still wrote the SQLite file in the data dir: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, cli.DBFile)); err != nil {
			t.Fatalf("the backend's database: %v", err)
		}
	})
}

// openServices opens the store in dir the way the command line does.
func openServices(ctx context.Context, dir string) (*cli.Services, error) {
	db := store.NewDB(filepath.Join(dir, cli.DBFile))
	if err := db.Open(ctx); err != nil {
		return nil, err
	}
	return &cli.Services{
		DB:    db,
		Tasks: store.NewTaskService(db),
		Users: store.NewUserService(db),
		Stats: store.NewStatsService(db),
		Close: db.Close,
	}, nil
}

// TestServices_Backup: serve and the window get the backup service of a
// SQLite store (manager, schedule and export on that store) and none without
// one.
func TestServices_Backup(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		dir := t.TempDir()
		m := &app.Main{Path: filepath.Join(dir, cli.DBFile), DataDir: dir}
		if err := m.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		svc := &cli.Services{DB: m.DB, Tasks: m.Tasks, Users: m.Users, Stats: m.Stats, Main: m, Close: m.Close}
		t.Cleanup(func() {
			if err := svc.Close(); err != nil {
				t.Error(err)
			}
		})
		b := svc.Backup()
		if b == nil || b.Scheduler == nil || svc.Export() == nil {
			t.Fatalf("backup service %+v, want a manager, a schedule and an export service", b)
		}
		if b.Manager.DB != svc.DB || b.Scheduler.Manager != b.Manager {
			t.Fatal("the backup service does not work on the services' store")
		}
		list, err := b.Backups(domain.WithOwner(context.Background()))
		if err != nil || len(list) != 0 {
			t.Fatalf("backups of a new store: %v, %v", list, err)
		}
	})
	t.Run("NoStore", func(t *testing.T) {
		if b := (&cli.Services{}).Backup(); b != nil {
			t.Fatalf("backup service %+v without a store, want nil", b)
		}
		if e := (&cli.Services{}).Export(); e != nil {
			t.Fatalf("export service %+v without a store, want nil", e)
		}
	})
}
