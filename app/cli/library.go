package cli

import (
	"context"
	"flag"
	"strconv"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

// The library's commands (the trash, stars, ratings, tags, collections and
// run again) are in trash.go, star.go, collection.go and rerun.go; this
// file holds what they share.

// libraryService returns the library service of the opened store.
func (env *Env) libraryService(svc *Services) (domain.LibraryService, error) {
	if svc.Library == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "The library (trash, stars, tags, collections) is not available with this --db backend.")
	}
	return svc.Library, nil
}

// plainLibrary parses a command that takes no arguments and returns the
// library service.
func (env *Env) plainLibrary(ctx context.Context, args []string) (domain.LibraryService, error) {
	svc, err := env.parsePlain(ctx, args)
	if err != nil {
		return nil, err
	}
	return env.libraryService(svc)
}

// parseTaskIDs parses a command that takes the positional arguments lead
// (e.g. "NAME"), then one or more task IDs (or their first characters);
// it opens the services and resolves the IDs. It returns the lead
// arguments and the IDs.
func (env *Env) parseTaskIDs(ctx context.Context, fs *flag.FlagSet, args []string, lead ...string) ([]string, []string, *Services, error) {
	env.flags = fs
	pos, err := parseArgs(fs, args, true)
	if err == flag.ErrHelp {
		env.printCommandHelp(fs)
		return nil, nil, nil, &usageError{help: true}
	} else if err != nil {
		return nil, nil, nil, env.UsageErrorf("%s", err)
	}
	if len(pos) < len(lead) {
		return nil, nil, nil, env.UsageErrorf("missing %s", lead[len(pos)])
	} else if len(pos) == len(lead) {
		return nil, nil, nil, env.UsageErrorf("missing ID")
	}
	if n := len(pos) - len(lead); n > domain.MaxSelection {
		return nil, nil, nil, domain.Invalidf("task_ids", "At most %d tasks can be given at once; %d were given.", domain.MaxSelection, n)
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	ids := make([]string, 0, len(pos)-len(lead))
	for _, typed := range pos[len(lead):] {
		id, err := env.resolveTaskID(ctx, svc, typed)
		if err != nil {
			return nil, nil, nil, err
		}
		ids = append(ids, id)
	}
	return pos[:len(lead)], ids, svc, nil
}

// parseOptional parses a command whose positional arguments are names, of
// which the first required must be given and the rest may be.
func (env *Env) parseOptional(fs *flag.FlagSet, args []string, required int, names ...string) ([]string, error) {
	pos, err := parseArgs(fs, args, true)
	if err != nil || len(pos) < required || len(pos) > len(names) {
		// Parse reports the help request, the bad flag, or the missing or
		// extra argument.
		return env.Parse(fs, args, names[:max(required, min(len(pos), len(names)))]...)
	}
	env.flags = fs
	return pos, nil
}

// parseLibraryTask parses a command on one task of the library and returns
// its ID and the library service.
func (env *Env) parseLibraryTask(ctx context.Context, fs *flag.FlagSet, args []string, names ...string) (string, []string, domain.LibraryService, error) {
	pos, err := env.Parse(fs, args, append([]string{"ID"}, names...)...)
	if err != nil {
		return "", nil, nil, err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return "", nil, nil, err
	}
	lib, err := env.libraryService(svc)
	if err != nil {
		return "", nil, nil, err
	}
	id, err := env.resolveTaskID(ctx, svc, pos[0])
	if err != nil {
		return "", nil, nil, err
	}
	return id, pos[1:], lib, nil
}

// tasksWord is "1 task" or "n tasks".
func tasksWord(n int) string {
	return plural(n, "task", "tasks")
}

// plural is "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// listOrDash joins a list for a table cell, "-" when it is empty.
func listOrDash(list []string) string {
	return dash(strings.Join(list, ", "))
}
