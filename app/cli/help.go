package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
)

func init() {
	Register(&Command{
		Name:    "help",
		Args:    "[COMMAND]",
		Summary: "Show the commands, or one command's flags.",
		Run:     runHelp,
	})
	Register(&Command{
		Name:    "version",
		Summary: "Print the version, commit, build date and database schema version.",
		Run:     runVersion,
	})
}

// printHelp writes the overview: usage, commands, global flags, environment.
func printHelp(w io.Writer) {
	fmt.Fprintf(w, "Reelvault keeps the history of your AI video pipeline on this machine.\n\n")
	fmt.Fprintf(w, "usage: %s\n\n", globalUsage)
	fmt.Fprintf(w, "Without a command, reelvault opens the desktop window (or shows the status view\nwhen no window can be opened).\n\n")
	fmt.Fprintf(w, "Commands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range Commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.Name, c.Summary)
	}
	tw.Flush()
	fmt.Fprintf(w, `
Global flags (before or after the command):
  --data-dir DIR  where the database lives (default $%s, else $XDG_DATA_HOME/reelvault)
  --db URL        a PostgreSQL database instead of SQLite (default $%s)
  --json          print JSON on stdout
  -v, --verbose   log debug messages to stderr

Run "reelvault help COMMAND" or "reelvault COMMAND --help" for a command's flags.
`, EnvDataDir, EnvDB)
}

// printCommandHelp writes one command's usage, summary and flags to Stdout.
func (env *Env) printCommandHelp(fs *flag.FlagSet) {
	c := env.cmd
	w := env.Stdout
	fmt.Fprintf(w, "usage: %s\n", c.Usage())
	if c.Summary != "" {
		fmt.Fprintf(w, "\n%s\n", c.Summary)
	}
	if fs == nil {
		return
	}
	placeholders := synopsisPlaceholders(c.Args)
	var lines []string
	fs.VisitAll(func(f *flag.Flag) {
		if globalFlags[f.Name] {
			return
		}
		name, usage := flag.UnquoteUsage(f)
		if p, ok := placeholders[f.Name]; ok {
			name = p
		}
		line := "  --" + f.Name
		if name != "" && !isBoolFlag(f) {
			line += " " + name
		}
		line += "\t" + usage
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			line += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		lines = append(lines, line)
	})
	if len(lines) > 0 {
		fmt.Fprintf(w, "\nFlags:\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(lines, "\n"))
		tw.Flush()
	}
	fmt.Fprintf(w, "\nGlobal flags: --data-dir DIR, --db URL, --json, --verbose\n")
}

// placeholderRE finds "--flag VALUE" in a synopsis.
var placeholderRE = regexp.MustCompile(`--([a-z][a-z0-9-]*)[ =]([A-Z][A-Z0-9_:]*|[a-z]+\.[a-z]+)`)

// synopsisPlaceholders maps each flag of a synopsis such as
// "ID --scene N --file PATH" to its value's name, so that the flag list
// names values as the usage line does.
func synopsisPlaceholders(args string) map[string]string {
	m := map[string]string{}
	for _, match := range placeholderRE.FindAllStringSubmatch(args, -1) {
		m[match[1]] = match[2]
	}
	return m
}

func runHelp(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	pos, err := parseArgs(fs, args, true)
	if err != nil && err != flag.ErrHelp {
		return env.UsageErrorf("%s", err)
	}
	if len(pos) == 0 {
		printHelp(env.Stdout)
		return nil
	}
	name := strings.Join(pos, " ")
	c, rest := lookup(pos)
	if c == nil || len(rest) > 0 {
		if isGroup(name) {
			fmt.Fprintf(env.Stdout, "usage: %s\n", groupUsage(name))
			return nil
		}
		return env.UsageErrorf("unknown command %q (see \"reelvault help\")", name)
	}
	// Run the command with --help so it prints its own flags.
	env.cmd = c
	return c.Run(ctx, env, []string{"--help"})
}

func runVersion(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	info := env.BuildInfo()
	if env.Config.JSON {
		return env.PrintJSON(info)
	}
	env.Printf("reelvault %s\n", info.Version)
	env.Printf("commit:         %s\n", orUnknown(info.Commit))
	env.Printf("built:          %s\n", orUnknown(info.BuildDate))
	env.Printf("schema version: %d\n", info.SchemaVersion)
	return nil
}

// orUnknown returns s, or "unknown" when it is empty.
func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
