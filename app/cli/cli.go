// Package cli is Reelvault's command line: the global flags, the command
// registry, and the commands that drive the store's services.
//
// A command is one file that registers itself from an init function:
//
//	func init() {
//		Register(&Command{
//			Name:    "task retry",
//			Args:    "ID [--force]",
//			Summary: "Put a failed task back in the queue.",
//			Run:     runTaskRetry,
//		})
//	}
//
//	func runTaskRetry(ctx context.Context, env *Env, args []string) error {
//		fs := env.FlagSet()
//		force := fs.Bool("force", false, "retry even when …")
//		pos, err := env.Parse(fs, args, "ID") // flags may stand anywhere
//		…
//		svc, err := env.Services(ctx)          // opened once, closed by Main
//		…
//		if env.Config.JSON {
//			return env.PrintJSON(task)
//		}
//		…
//	}
//
// Main parses the global flags, finds the longest registered command name
// that matches the arguments, and runs it with an Env that opens the store
// on first use. Errors print to stderr as "error: <message>" with exit status
// 1; usage errors add a usage line and exit with status 2.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"sort"
	"strings"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
)

// Exit statuses of Main.
const (
	ExitOK    = 0 // the command succeeded
	ExitError = 1 // the command failed; the message is on stderr
	ExitUsage = 2 // the command line was wrong; the message and a usage line are on stderr

	// ExitInterrupted is the status of a command stopped by SIGINT or
	// SIGTERM (which cancel Main's context) before it finished, as shells
	// report a process killed by SIGINT.
	ExitInterrupted = 130
)

// Options are what main.go hands to Main.
type Options struct {
	// Version is the build's version, printed by "reelvault version".
	Version string
	// Commit and BuildDate (RFC 3339) identify the build; empty when
	// unknown (a plain go build).
	Commit    string
	BuildDate string

	// Assets is the built frontend (frontend/dist), for the window and the
	// HTTP server.
	Assets fs.FS

	Stdin  io.Reader // default os.Stdin
	Stdout io.Writer // default os.Stdout
	Stderr io.Writer // default os.Stderr

	// Getenv reads the environment; default os.Getenv. Tests replace it.
	Getenv func(string) string

	// OpenWindow opens the desktop window and blocks until it closes. It is
	// called when reelvault runs without a command. When it is nil, or
	// returns desktop.ErrNoWindow, Main prints the status view instead.
	//
	// Package main sets it to OpenWindow (window.go), which calls
	// app/desktop.Run.
	OpenWindow func(ctx context.Context, env *Env) error
}

// Command is one command of the command line.
type Command struct {
	// Name is the command's words, e.g. "task progress".
	Name string

	// Args is the synopsis after the name, e.g. "ID --percent P [--scenes-done N]".
	Args string

	// Summary is one sentence for the command list.
	Summary string

	// Run executes the command. args are the words after the name; Run
	// declares its flags with env.FlagSet and parses them with env.Parse.
	Run func(ctx context.Context, env *Env, args []string) error
}

// Usage returns the command's usage line.
func (c *Command) Usage() string {
	return strings.TrimSpace("reelvault " + c.Name + " " + c.Args)
}

var commands = map[string]*Command{}

// Register adds a command. It panics on a duplicate or malformed name, so a
// mistake shows up in the first test run.
func Register(c *Command) {
	name := strings.Join(strings.Fields(c.Name), " ")
	if name == "" || name != c.Name || c.Run == nil {
		panic(fmt.Sprintf("cli: malformed command %q", c.Name))
	}
	if _, dup := commands[name]; dup {
		panic(fmt.Sprintf("cli: command %q registered twice", name))
	}
	commands[name] = c
}

// Commands returns every registered command, sorted by name.
func Commands() []*Command {
	list := make([]*Command, 0, len(commands))
	for _, c := range commands {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

// lookup finds the command with the longest name that is a prefix of args,
// and returns it with the remaining arguments.
func lookup(args []string) (*Command, []string) {
	for n := len(args); n > 0; n-- {
		if c, ok := commands[strings.Join(args[:n], " ")]; ok {
			return c, args[n:]
		}
	}
	return nil, args
}

// isGroup reports whether some command's name starts with the words prefix.
func isGroup(prefix string) bool {
	for name := range commands {
		if strings.HasPrefix(name, prefix+" ") {
			return true
		}
	}
	return false
}

// globalUsage is the usage line of reelvault itself.
const globalUsage = "reelvault [--data-dir DIR] [--db URL] [--json] [--verbose] COMMAND [ARGS]"

// Main runs the command line args (without the program name) and returns the
// process exit status.
func Main(ctx context.Context, args []string, opts Options) int {
	env := newEnv(opts)
	defer func() {
		if err := env.Close(); err != nil {
			fmt.Fprintf(env.Stderr, "error: close database: %v\n", err)
		}
	}()
	ctx = domain.WithOwner(ctx)

	args, err := env.parseGlobal(args)
	if errors.Is(err, flag.ErrHelp) {
		printHelp(env.Stdout)
		return ExitOK
	} else if err != nil {
		return env.report(&usageError{msg: err.Error(), usage: globalUsage})
	}

	if len(args) == 0 {
		return env.report(env.openWindow(ctx))
	}
	c, rest := lookup(args)
	if c == nil {
		if isGroup(strings.Join(args, " ")) {
			return env.report(&usageError{
				msg:   fmt.Sprintf("%q needs a subcommand", strings.Join(args, " ")),
				usage: groupUsage(strings.Join(args, " ")),
			})
		}
		if isGroup(args[0]) && len(args) > 1 {
			return env.report(&usageError{
				msg:   fmt.Sprintf("unknown command %q", args[0]+" "+args[1]),
				usage: groupUsage(args[0]),
			})
		}
		return env.report(&usageError{
			msg:   fmt.Sprintf("unknown command %q (see \"reelvault help\")", args[0]),
			usage: globalUsage,
		})
	}
	env.cmd = c
	err = c.Run(ctx, env, rest)
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		if env.Config.JSON {
			env.printJSONError("interrupted", "Interrupted before it finished.", "", "")
		} else {
			fmt.Fprintln(env.Stderr, "error: interrupted")
		}
		return ExitInterrupted
	}
	return env.report(err)
}

// openWindow runs Options.OpenWindow, or the status view when there is no
// window to open.
func (env *Env) openWindow(ctx context.Context) error {
	if env.opts.OpenWindow != nil {
		err := env.opts.OpenWindow(ctx, env)
		if !errors.Is(err, desktop.ErrNoWindow) {
			return err
		}
		fmt.Fprintf(env.Stderr, "Cannot open the window (%v); showing the status view.\n", err)
	} else {
		fmt.Fprintln(env.Stderr, "This build has no desktop window; showing the status view.")
	}
	if _, ok := commands["serve"]; ok {
		fmt.Fprintln(env.Stderr, "Run \"reelvault serve\" for the web UI, or \"reelvault help\" for the commands.")
	} else {
		fmt.Fprintln(env.Stderr, "Run \"reelvault help\" for the commands.")
	}
	env.cmd = commands["status"]
	return runStatus(ctx, env, nil)
}

// report prints err and returns the exit status for it.
func (env *Env) report(err error) int {
	if err == nil {
		return ExitOK
	}
	var uerr *usageError
	if errors.As(err, &uerr) {
		if uerr.help {
			return ExitOK
		}
		if env.Config.JSON {
			env.printJSONError(domain.EINVALID, uerr.msg, "", uerr.usage)
			return ExitUsage
		}
		fmt.Fprintf(env.Stderr, "error: %s\nusage: %s\n", uerr.msg, uerr.usage)
		return ExitUsage
	}
	msg := errorMessage(err)
	name := env.flagFor(domain.ErrorField(err))
	if errors.As(err, new(*argError)) {
		name = ""
	}
	if env.Config.JSON {
		field := domain.ErrorField(err)
		if name != "" {
			field = name
		}
		env.printJSONError(domain.ErrorCode(err), msg, field, "")
	} else {
		if name != "" && !strings.HasPrefix(msg, "--") {
			msg = "--" + name + ": " + msg
		}
		fmt.Fprintf(env.Stderr, "error: %s\n", msg)
	}
	if domain.ErrorCode(err) == domain.EINTERNAL {
		env.Logger.Debug("command failed", "err", err)
	}
	return ExitError
}

// jsonError is how an error prints on stderr with --json: the API's error
// shape, plus the usage line of a wrong command line.
type jsonError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		// Field is the flag (without dashes) or input field at fault.
		Field string `json:"field,omitempty"`
		Usage string `json:"usage,omitempty"`
	} `json:"error"`
}

// printJSONError writes one jsonError line to stderr.
func (env *Env) printJSONError(code, msg, field, usage string) {
	var e jsonError
	e.Error.Code, e.Error.Message, e.Error.Field, e.Error.Usage = code, msg, field, usage
	b, _ := json.Marshal(e)
	fmt.Fprintf(env.Stderr, "%s\n", b)
}

// fieldFlags maps the fields that the services name in EINVALID errors to
// the command line's flags for them.
var fieldFlags = map[string]string{
	"progress":         "percent",
	"completed_scenes": "scenes-done",
	"total_scenes":     "scenes",
	"prompt":           "prompt",
	"final_video_path": "video",
	"message":          "error",
	"file_path":        "file",
	"scene_number":     "scene",
	"duration":         "duration",
	"width":            "width",
	"height":           "height",
	"fps":              "fps",
	"email":            "email",
	"quota":            "quota",
	"status":           "status",
	"search":           "search",
	"limit":            "limit",
	"cursor":           "cursor",
	"created_from":     "since",
	"created_to":       "until",
	"db":               "db",
	"rating":           "rating",
	"tag":              "tag",
	"tags":             "tag",
	"collection":       "collection",
	"task_ids":         "task",
}

// flagFor returns the flag of the running command that gave field, "" when
// the field did not come from a flag (a positional argument, or a field
// inside a file). Scene scripts come from --file.
func (env *Env) flagFor(field string) string {
	if env.flags == nil || field == "" {
		return ""
	}
	name := fieldFlags[field]
	if strings.HasPrefix(field, "scripts") {
		name = "file"
	}
	if name == "" || env.flags.Lookup(name) == nil {
		return ""
	}
	return name
}

// errorMessage returns what the user sees for err. Application errors show
// their message; other errors are local failures (a file that cannot be read,
// a database that cannot be opened) whose full text helps the person at the
// machine, so they print as they are.
func errorMessage(err error) string {
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// argError marks an error about a positional argument, whose field may
// share its name with one of the command's flags: it is not that flag's.
type argError struct{ err error }

func (e *argError) Error() string { return e.err.Error() }
func (e *argError) Unwrap() error { return e.err }

// usageError is a wrong command line: exit status 2 with a usage line. help
// marks a -h/--help request whose text has already been printed.
type usageError struct {
	msg   string
	usage string
	help  bool
}

func (e *usageError) Error() string { return e.msg }

// UsageErrorf returns a usage error for the running command: Main prints it
// with the command's usage line and exits with status 2.
func (env *Env) UsageErrorf(format string, args ...any) error {
	usage := globalUsage
	if env.cmd != nil {
		usage = env.cmd.Usage()
	}
	return &usageError{msg: fmt.Sprintf(format, args...), usage: usage}
}

// groupUsage lists the commands under prefix, for "reelvault user".
func groupUsage(prefix string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "reelvault %s COMMAND", prefix)
	for _, c := range Commands() {
		if strings.HasPrefix(c.Name, prefix+" ") {
			fmt.Fprintf(&b, "\n  %s", c.Usage())
		}
	}
	return b.String()
}

// logLevel maps --verbose to the logger's level: errors only by default,
// so a person's normal output has no log lines; warnings (slow queries among
// them) and debug messages with --verbose.
func logLevel(verbose bool) slog.Level {
	if verbose {
		return slog.LevelDebug
	}
	return slog.LevelError
}
