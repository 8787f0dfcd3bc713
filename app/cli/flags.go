package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// The standard flag package stops at the first positional argument. Commands
// here take flags anywhere ("task progress ID --percent 50"), so parseArgs
// walks the words itself and hands each flag to FlagSet.Set, which also keeps
// FlagSet.Visit working for "was this flag given?".

// FlagSet returns a flag set for the running command, with the global flags
// (--data-dir, --db, --json, --verbose) already defined so that they may also
// follow the command.
func (env *Env) FlagSet() *flag.FlagSet {
	name := "reelvault"
	if env.cmd != nil {
		name += " " + env.cmd.Name
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	env.defineGlobalFlags(fs)
	return fs
}

// globalFlags are defined on every flag set; help does not repeat them per command.
var globalFlags = map[string]bool{"data-dir": true, "db": true, "json": true, "verbose": true, "v": true}

func (env *Env) defineGlobalFlags(fs *flag.FlagSet) {
	fs.StringVar(&env.Config.DataDir, "data-dir", env.Config.DataDir, "data `DIR` (default $REELVAULT_DATA_DIR, else $XDG_DATA_HOME/reelvault)")
	fs.StringVar(&env.Config.DBURL, "db", env.Config.DBURL, "PostgreSQL `URL` (default $REELVAULT_DB; empty for SQLite in the data dir)")
	fs.BoolVar(&env.Config.JSON, "json", env.Config.JSON, "print JSON")
	fs.BoolFunc("verbose", "log debug messages to stderr", env.setVerbose)
	fs.BoolFunc("v", "short for --verbose", env.setVerbose)
}

// setVerbose sets --verbose; a function, so that the log level follows it
// at once.
func (env *Env) setVerbose(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false")
	}
	env.Config.Verbose = v
	env.logLevel.Set(logLevel(v))
	return nil
}

// parseGlobal parses the global flags before the command and returns the
// remaining words. It runs before a command is chosen, so FlagSet holds
// only the global flags.
func (env *Env) parseGlobal(args []string) ([]string, error) {
	return parseArgs(env.FlagSet(), args, false)
}

// Parse parses the command's flags from args, wherever they stand, and
// returns the positional arguments, which must be exactly the ones named
// (e.g. "ID"). -h or --help prints the command's help; Main then exits 0.
func (env *Env) Parse(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	env.flags = fs
	pos, err := parseArgs(fs, args, true)
	if err == flag.ErrHelp {
		env.printCommandHelp(fs)
		return nil, &usageError{help: true}
	} else if err != nil {
		return nil, env.UsageErrorf("%s", err)
	}
	if len(pos) < len(names) {
		return nil, env.UsageErrorf("missing %s", names[len(pos)])
	} else if len(pos) > len(names) {
		return nil, env.UsageErrorf("unexpected argument %q", pos[len(names)])
	}
	return pos, nil
}

// parsePlain parses args for a command without flags or arguments of its
// own and opens the services.
func (env *Env) parsePlain(ctx context.Context, args []string) (*Services, error) {
	if _, err := env.Parse(env.FlagSet(), args); err != nil {
		return nil, err
	}
	return env.Services(ctx)
}

// Require returns a usage error naming the first of the flags that was not given.
func (env *Env) Require(fs *flag.FlagSet, names ...string) error {
	for _, name := range names {
		if !isSet(fs, name) {
			return env.UsageErrorf("missing required flag --%s", name)
		}
	}
	return nil
}

// isSet reports whether the flag was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// parseArgs sets the flags in args on fs and returns the other words. When
// interspersed is false it stops at the first word that is not a flag. A
// word that parses as a number ("-5") is a positional argument, so that
// "user set-quota bob -5" reaches validation instead of failing as a flag.
func parseArgs(fs *flag.FlagSet, args []string, interspersed bool) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if !isFlagWord(arg) {
			if !interspersed {
				return append(pos, args[i:]...), nil
			}
			pos = append(pos, arg)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if name == "h" || name == "help" {
			return nil, flag.ErrHelp
		}
		f := fs.Lookup(name)
		if f == nil {
			return nil, fmt.Errorf("unknown flag %s", "--"+name)
		}
		if !hasValue {
			if isBoolFlag(f) {
				value = "true"
			} else if i+1 < len(args) {
				i++
				value = args[i]
			} else {
				return nil, fmt.Errorf("flag --%s needs a value", name)
			}
		}
		if err := fs.Set(name, value); err != nil {
			return nil, fmt.Errorf("invalid value %q for --%s: %s", value, name, valueError(f, err))
		}
	}
	return pos, nil
}

func isFlagWord(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err != nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// valueError explains a rejected flag value in words, since the flag
// package's own errors for numbers are just "parse error".
func valueError(f *flag.Flag, err error) string {
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case int, int64, uint, uint64:
			return "want a whole number"
		case float64:
			return "want a number"
		case bool:
			return "want true or false"
		}
	}
	return err.Error()
}

// dateFlag is a --since/--until style flag: YYYY-MM-DD (a UTC day) or RFC 3339.
type dateFlag struct {
	t     time.Time
	isDay bool // given as YYYY-MM-DD
}

func (d *dateFlag) String() string {
	if d == nil || d.t.IsZero() {
		return ""
	} else if d.isDay {
		return d.t.Format(time.DateOnly)
	}
	return d.t.Format(time.RFC3339)
}

func (d *dateFlag) Set(s string) error {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		d.t, d.isDay = t, true
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("want a date as YYYY-MM-DD or RFC 3339 (2006-01-02T15:04:05Z)")
	}
	d.t, d.isDay = t.UTC(), false
	return nil
}

// from returns the start of the flag's range: the instant itself, or the
// start of the day.
func (d *dateFlag) from() *time.Time {
	if d.t.IsZero() {
		return nil
	}
	t := d.t
	return &t
}

// until returns the exclusive end of the flag's range: the instant itself,
// or the start of the next day, so that "--until 2026-11-26" includes that day.
func (d *dateFlag) until() *time.Time {
	if d.t.IsZero() {
		return nil
	}
	t := d.t
	if d.isDay {
		t = t.AddDate(0, 0, 1)
	}
	return &t
}

// day returns the flag's UTC day as YYYY-MM-DD, "" when not given.
func (d *dateFlag) day() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.UTC().Format(time.DateOnly)
}

// statusFlag is a comma-separated list of task statuses.
type statusFlag []domain.Status

func (s *statusFlag) String() string {
	if s == nil {
		return ""
	}
	parts := make([]string, len(*s))
	for i, v := range *s {
		parts[i] = string(v)
	}
	return strings.Join(parts, ",")
}

func (s *statusFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		st := domain.Status(strings.TrimSpace(part))
		if !st.Valid() {
			return fmt.Errorf("unknown status %q; want one of %s", st, statusNames())
		}
		*s = append(*s, st)
	}
	return nil
}

func statusNames() string {
	names := make([]string, len(domain.Statuses))
	for i, s := range domain.Statuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// listFlag is a flag that may be repeated, each use adding one value (a
// tag, for example).
type listFlag []string

func (l *listFlag) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ", ")
}

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// filterFlags are the flags that filter tasks, shared by task list and
// task bulk.
type filterFlags struct {
	fs           *flag.FlagSet
	user         *string
	status       statusFlag
	search       *string
	since, until dateFlag
	starred      *bool
	rating       *int
	tags         listFlag
	collection   *string
}

// filterFlagNames are the names of the filterFlags.
var filterFlagNames = []string{"user", "status", "search", "since", "until", "starred", "rating", "tag", "collection"}

// defineFilterFlags defines the task filter flags on fs.
func defineFilterFlags(fs *flag.FlagSet, searchHelp string) *filterFlags {
	f := &filterFlags{fs: fs}
	f.user = fs.String("user", "", "only the tasks of this user")
	fs.Var(&f.status, "status", "only tasks in these states, comma-separated: "+statusNames())
	f.search = fs.String("search", "", searchHelp)
	fs.Var(&f.since, "since", "only tasks created on or after this day (YYYY-MM-DD, UTC) or instant (RFC 3339)")
	fs.Var(&f.until, "until", "only tasks created up to the end of this day (YYYY-MM-DD, UTC) or before this instant (RFC 3339)")
	f.starred = fs.Bool("starred", false, "only starred tasks")
	f.rating = fs.Int("rating", 0, "only tasks rated at least this (1 to 5)")
	fs.Var(&f.tags, "tag", "only tasks with this tag; repeat for tasks with every one of them")
	f.collection = fs.String("collection", "", "only tasks in this collection")
	return f
}

// given reports whether any filter flag was given.
func (f *filterFlags) given() bool {
	for _, name := range filterFlagNames {
		if isSet(f.fs, name) {
			return true
		}
	}
	return false
}

// filter returns the filter the flags describe. A rating or a collection
// given empty is refused here, where the service would take it for none.
func (f *filterFlags) filter() (domain.TaskFilter, error) {
	if isSet(f.fs, "rating") && (*f.rating < 1 || *f.rating > domain.MaxRating) {
		return domain.TaskFilter{}, domain.Invalidf("rating", "The rating filter must be from 1 to %d.", domain.MaxRating)
	}
	if isSet(f.fs, "collection") && strings.TrimSpace(*f.collection) == "" {
		return domain.TaskFilter{}, domain.Invalidf("collection", "Name the collection.")
	}
	return domain.TaskFilter{
		Username:    *f.user,
		Status:      f.status,
		Search:      *f.search,
		CreatedFrom: f.since.from(),
		CreatedTo:   f.until.until(),
		Starred:     *f.starred,
		MinRating:   *f.rating,
		Tags:        f.tags,
		Collection:  *f.collection,
	}, nil
}
