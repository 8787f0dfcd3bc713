package cli

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "task bulk",
		Args:    "ACTION [VALUE] (ID… | FILTER FLAGS)",
		Summary: "Apply one action (tag, untag, star, unstar, rate, collect, uncollect, trash, restore) to the tasks given, or to every task the filter flags match.",
		Run:     runTaskBulk,
	})
}

// bulkValues are the actions that take a VALUE, and what it is.
var bulkValues = map[string]string{
	domain.BulkTag:       "TAG",
	domain.BulkUntag:     "TAG",
	domain.BulkRate:      "N",
	domain.BulkCollect:   "COLLECTION",
	domain.BulkUncollect: "COLLECTION",
}

func runTaskBulk(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	ff := defineFilterFlags(fs, "only tasks matching this full-text search")
	env.flags = fs
	pos, err := parseArgs(fs, args, true)
	if err != nil || len(pos) == 0 {
		_, err := env.Parse(fs, args, "ACTION")
		return err
	}
	req := domain.BulkRequest{Action: pos[0]}
	if !slices.Contains(domain.BulkActions, req.Action) {
		return env.UsageErrorf("unknown action %q; use one of %s", req.Action, strings.Join(domain.BulkActions, ", "))
	}
	rest := pos[1:]
	if what, ok := bulkValues[req.Action]; ok {
		if len(rest) == 0 {
			return env.UsageErrorf("missing %s", what)
		}
		// A bad VALUE is the argument's fault, not the filter flag's of
		// the same name.
		if err := setBulkValue(&req, rest[0]); err != nil {
			return &argError{err}
		}
		rest = rest[1:]
	}
	switch {
	case len(rest) > 0 && ff.given():
		return env.UsageErrorf("give task IDs or filter flags, not both")
	case len(rest) == 0 && !ff.given():
		return env.UsageErrorf("give task IDs, or filter flags (--%s) to act on every task they match", strings.Join(filterFlagNames, ", --"))
	case ff.given():
		filter, err := ff.filter()
		if err != nil {
			return err
		}
		req.Filter = &filter
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	for _, typed := range rest {
		id, err := env.resolveTaskID(ctx, svc, typed)
		if err != nil {
			return err
		}
		req.TaskIDs = append(req.TaskIDs, id)
	}
	if err := req.Validate(); err != nil {
		return err
	}
	lib, err := env.libraryService(svc)
	if err != nil {
		return err
	}
	res, err := lib.Bulk(ctx, req)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(res)
	}
	env.Printf("%s: %s matched, %s changed.\n", req.Action, tasksWord(res.Matched), fmt.Sprint(res.Changed))
	return nil
}

// setBulkValue sets the VALUE of a bulk action that takes one, checked as
// the service checks it.
func setBulkValue(req *domain.BulkRequest, v string) error {
	var err error
	switch req.Action {
	case domain.BulkTag, domain.BulkUntag:
		req.Tag, err = domain.NormalizeTag(v)
	case domain.BulkCollect, domain.BulkUncollect:
		req.Collection, err = domain.NormalizeCollectionName(v)
	case domain.BulkRate:
		if req.Rating, err = strconv.Atoi(v); err != nil {
			return domain.Invalidf("rating", "The rating must be a whole number from 1 to %d, or 0 to clear it; not %q.", domain.MaxRating, v)
		}
		err = domain.ValidateRating(req.Rating)
	}
	return err
}
