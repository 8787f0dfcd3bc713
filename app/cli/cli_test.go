package cli_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/store"
)

const globalUsage = "usage: reelvault [--data-dir DIR] [--db URL] [--json] [--verbose] COMMAND [ARGS]\n"

func TestMain_Usage(t *testing.T) {
	r := newRunner(t)
	for _, tt := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"UnknownCommand", []string{"frob"},
			"error: unknown command \"frob\" (see \"reelvault help\")\n" + globalUsage},
		{"UnknownGlobalFlag", []string{"--bogus", "status"},
			"error: unknown flag --bogus\n" + globalUsage},
		{"GlobalFlagWithoutValue", []string{"--db"},
			"error: flag --db needs a value\n" + globalUsage},
		{"GroupWithoutSubcommand", []string{"task"},
			"error: \"task\" needs a subcommand\nusage: reelvault task COMMAND\n" +
				"  reelvault task bulk ACTION [VALUE] (ID… | FILTER FLAGS)\n" +
				"  reelvault task cancel ID\n" +
				"  reelvault task complete ID --video PATH [--strict]\n" +
				"  reelvault task create --user NAME --prompt TEXT [--scenes N]\n" +
				"  reelvault task delete ID… [--files]\n" +
				"  reelvault task fail ID --error TEXT\n" +
				"  reelvault task list [--user NAME] [--status S] [--search TEXT] [--since DATE] [--until DATE] [--starred] [--rating N] [--tag T]… [--collection NAME] [--limit N] [--cursor C]\n" +
				"  reelvault task progress ID --percent P [--scenes-done N]\n" +
				"  reelvault task rate ID N\n" +
				"  reelvault task rerun ID [--prompt TEXT]\n" +
				"  reelvault task show ID\n" +
				"  reelvault task star ID\n" +
				"  reelvault task start ID\n" +
				"  reelvault task tag ID [--add TAG]… [--remove TAG]…\n" +
				"  reelvault task takes ID\n" +
				"  reelvault task unstar ID\n"},
		{"UnknownSubcommand", []string{"user", "frob"},
			"error: unknown command \"user frob\"\nusage: reelvault user COMMAND\n" +
				"  reelvault user activate NAME\n" +
				"  reelvault user add NAME [--email E] [--quota N]\n" +
				"  reelvault user deactivate NAME\n" +
				"  reelvault user list\n" +
				"  reelvault user rotate-key NAME\n" +
				"  reelvault user set-quota NAME N\n"},
		{"UnknownCommandFlag", []string{"task", "list", "--frob"},
			"error: unknown flag --frob\nusage: reelvault task list [--user NAME] [--status S] [--search TEXT] [--since DATE] [--until DATE] [--starred] [--rating N] [--tag T]… [--collection NAME] [--limit N] [--cursor C]\n"},
		{"ExtraArgument", []string{"status", "now"},
			"error: unexpected argument \"now\"\nusage: reelvault status [--all]\n"},
		{"MissingArgument", []string{"task", "show"},
			"error: missing ID\nusage: reelvault task show ID\n"},
		{"HelpForUnknownCommand", []string{"help", "frob"},
			"error: unknown command \"frob\" (see \"reelvault help\")\nusage: reelvault help [COMMAND]\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := r.with(t)
			r.fails(cli.ExitUsage, tt.stderr, tt.args...)
		})
	}
	t.Run("NothingWritten", func(t *testing.T) {
		r := r.with(t)
		// Usage errors stop before the store is opened.
		matches, _ := filepath.Glob(filepath.Join(r.dir, "*"))
		if len(matches) != 0 {
			t.Fatalf("data dir has %v after usage errors only", matches)
		}
	})
}

func TestMain_Help(t *testing.T) {
	r := newRunner(t)
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		res := r.ok(args...)
		for _, want := range []string{
			"usage: reelvault [--data-dir DIR]",
			"\n  user add  ",
			"\n  task list  ",
			"\n  video add  ",
			"\n  stats rebuild  ",
			"--data-dir DIR",
			"REELVAULT_DATA_DIR",
		} {
			if !strings.Contains(res.Stdout, want) {
				t.Fatalf("reelvault %v: help lacks %q:\n%s", args, want, res.Stdout)
			}
		}
	}
	t.Run("Command", func(t *testing.T) {
		r := r.with(t)
		for _, args := range [][]string{{"help", "task", "progress"}, {"task", "progress", "--help"}, {"task", "progress", "ID", "-h"}} {
			res := r.ok(args...)
			golden(t, "help_task_progress.txt", res.Stdout)
		}
	})
	t.Run("Group", func(t *testing.T) {
		r := r.with(t)
		res := r.ok("help", "user")
		if !strings.HasPrefix(res.Stdout, "usage: reelvault user COMMAND\n  reelvault user activate NAME\n") {
			t.Fatalf("help user:\n%s", res.Stdout)
		}
	})
}

func TestMain_Version(t *testing.T) {
	schema := store.LatestSchemaVersion()
	t.Run("Unknown", func(t *testing.T) {
		r := newRunner(t)
		want := fmt.Sprintf("reelvault test\ncommit:         unknown\nbuilt:          unknown\nschema version: %d\n", schema)
		if got := r.ok("version").Stdout; got != want {
			t.Fatalf("version=%q, want %q", got, want)
		}
		if got, want := r.ok("version", "--json").Stdout, fmt.Sprintf("{\n  \"version\": \"test\",\n  \"schema_version\": %d\n}\n", schema); got != want {
			t.Fatalf("version --json=%q, want %q", got, want)
		}
	})
	t.Run("Build", func(t *testing.T) {
		r := newRunner(t)
		r.opts = func(o *cli.Options) { o.Commit, o.BuildDate = "02f4ed0e0b4e", "2026-12-06T01:00:00Z" }
		want := fmt.Sprintf("reelvault test\ncommit:         02f4ed0e0b4e\nbuilt:          2026-12-06T01:00:00Z\nschema version: %d\n", schema)
		if got := r.ok("version").Stdout; got != want {
			t.Fatalf("version=%q, want %q", got, want)
		}
		var info cli.BuildInfo
		if err := json.Unmarshal([]byte(r.ok("version", "--json").Stdout), &info); err != nil {
			t.Fatal(err)
		}
		if want := (cli.BuildInfo{Version: "test", Commit: "02f4ed0e0b4e", BuildDate: "2026-12-06T01:00:00Z", SchemaVersion: schema}); info != want {
			t.Fatalf("version --json=%+v, want %+v", info, want)
		}
		// No database is opened or created for the version.
		if matches, _ := filepath.Glob(filepath.Join(r.dir, "*")); len(matches) != 0 {
			t.Fatalf("data dir has %v after version", matches)
		}
	})
}

func TestMain_NoCommand(t *testing.T) {
	t.Run("NoWindowHook", func(t *testing.T) {
		r := newRunner(t)
		res := r.run()
		if res.Code != cli.ExitOK {
			t.Fatalf("exit %d: %s", res.Code, res.Stderr)
		}
		if want := "This build has no desktop window; showing the status view.\n"; !strings.HasPrefix(res.Stderr, want) {
			t.Fatalf("stderr=%q, want prefix %q", res.Stderr, want)
		}
		if !strings.Contains(res.Stdout, "Schema version:") {
			t.Fatalf("no status view:\n%s", res.Stdout)
		}
	})
	t.Run("NoDisplay", func(t *testing.T) {
		r := newRunner(t)
		called := false
		r.opts = func(o *cli.Options) {
			o.OpenWindow = func(ctx context.Context, env *cli.Env) error {
				called = true
				return fmt.Errorf("%w: no display found", desktop.ErrNoWindow)
			}
		}
		res := r.run("--json")
		if res.Code != cli.ExitOK || !called {
			t.Fatalf("exit %d, window hook called=%v: %s", res.Code, called, res.Stderr)
		}
		if want := "Cannot open the window (" + desktop.ErrNoWindow.Error() + ": no display found); showing the status view.\n"; !strings.HasPrefix(res.Stderr, want) {
			t.Fatalf("stderr=%q, want prefix %q", res.Stderr, want)
		}
		st := decode[statusJSON](t, res)
		if st.SchemaVersion <= 0 {
			t.Fatalf("schema_version=%d, want > 0", st.SchemaVersion)
		}
	})
	t.Run("WindowError", func(t *testing.T) {
		r := newRunner(t)
		r.opts = func(o *cli.Options) {
			o.OpenWindow = func(ctx context.Context, env *cli.Env) error {
				return errors.New("this reelvault was built without the desktop window")
			}
		}
		r.fails(cli.ExitError, "error: this reelvault was built without the desktop window\n")
	})
	t.Run("WindowGetsServices", func(t *testing.T) {
		r := newRunner(t)
		r.addUser("alice")
		var users int
		r.opts = func(o *cli.Options) {
			o.OpenWindow = func(ctx context.Context, env *cli.Env) error {
				svc, err := env.Services(ctx)
				if err != nil {
					return err
				}
				list, err := svc.Users.FindUsers(ctx)
				users = len(list)
				return err
			}
		}
		if res := r.run(); res.Code != cli.ExitOK || res.Stdout != "" {
			t.Fatalf("exit %d, stdout %q, stderr %q", res.Code, res.Stdout, res.Stderr)
		}
		if users != 1 {
			t.Fatalf("the window saw %d users, want 1", users)
		}
	})
}

func TestMain_Verbose(t *testing.T) {
	r := newRunner(t)
	for _, args := range [][]string{{"-v", "status"}, {"status", "--verbose"}, {"--verbose=false", "status"}} {
		if res := r.run(args...); res.Code != cli.ExitOK || !strings.Contains(res.Stdout, "Schema version:") {
			t.Fatalf("%v: exit %d, stderr %q", args, res.Code, res.Stderr)
		}
	}
	r.fails(cli.ExitUsage, "error: invalid value \"loud\" for --verbose: want true or false\n"+globalUsage, "--verbose=loud", "status")
}

func TestMain_Interrupted(t *testing.T) {
	r := newRunner(t)
	r.ok("status") // create the database first
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as SIGINT does in main
	var stdout, stderr strings.Builder
	code := cli.Main(ctx, []string{"--data-dir", r.dir, "task", "list"}, cli.Options{
		Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
	})
	if code != cli.ExitInterrupted || stderr.String() != "error: interrupted\n" || stdout.String() != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want %d, \"error: interrupted\"", code, stdout.String(), stderr.String(), cli.ExitInterrupted)
	}
}

func TestRegister(t *testing.T) {
	for _, tt := range []struct {
		name string
		cmd  *cli.Command
	}{
		{"Duplicate", &cli.Command{Name: "task show", Run: func(context.Context, *cli.Env, []string) error { return nil }}},
		{"Malformed", &cli.Command{Name: " task  x", Run: func(context.Context, *cli.Env, []string) error { return nil }}},
		{"NoRun", &cli.Command{Name: "nothing"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatalf("Register(%q) did not panic", tt.cmd.Name)
				}
			}()
			cli.Register(tt.cmd)
		})
	}
}
