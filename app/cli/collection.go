package cli

import (
	"context"

	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "collection create",
		Args:    "NAME",
		Summary: "Create an empty collection.",
		Run:     runCollectionCreate,
	})
	Register(&Command{
		Name:    "collection list",
		Summary: "List the collections with how many tasks each holds and its cover.",
		Run:     runCollectionList,
	})
	Register(&Command{
		Name:    "collection add",
		Args:    "NAME ID…",
		Summary: "Add tasks to a collection (a task may be in several).",
		Run:     runCollectionAdd,
	})
	Register(&Command{
		Name:    "collection remove",
		Args:    "NAME ID…",
		Summary: "Take tasks out of a collection; the tasks stay.",
		Run:     runCollectionRemove,
	})
	Register(&Command{
		Name:    "collection rename",
		Args:    "NAME NEW_NAME",
		Summary: "Rename a collection.",
		Run:     runCollectionRename,
	})
	Register(&Command{
		Name:    "collection delete",
		Args:    "NAME",
		Summary: "Delete a collection; its tasks stay.",
		Run:     runCollectionDelete,
	})
	Register(&Command{
		Name:    "collection cover",
		Args:    "NAME [ID]",
		Summary: "Make a task in the collection its cover; without ID the newest task with a video is.",
		Run:     runCollectionCover,
	})
}

// parseCollection parses a command on one collection: its NAME and the
// other positional arguments names, and opens the library.
func (env *Env) parseCollection(ctx context.Context, args []string, names ...string) ([]string, *Services, domain.LibraryService, error) {
	pos, err := env.Parse(env.FlagSet(), args, append([]string{"NAME"}, names...)...)
	if err != nil {
		return nil, nil, nil, err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	lib, err := env.libraryService(svc)
	if err != nil {
		return nil, nil, nil, err
	}
	return pos, svc, lib, nil
}

// printCollection prints a collection after a change.
func (env *Env) printCollection(verb string, c *domain.Collection, err error) error {
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(c)
	}
	env.Printf("%s collection %q (%s).\n", verb, c.Name, tasksWord(c.Count))
	return nil
}

func runCollectionCreate(ctx context.Context, env *Env, args []string) error {
	pos, _, lib, err := env.parseCollection(ctx, args)
	if err != nil {
		return err
	}
	c, err := lib.CreateCollection(ctx, pos[0])
	return env.printCollection("Created", c, err)
}

// collectionList is what "collection list --json" prints: the shape of
// GET /api/v1/collections.
type collectionList struct {
	Collections []*domain.Collection `json:"collections"`
}

func runCollectionList(ctx context.Context, env *Env, args []string) error {
	lib, err := env.plainLibrary(ctx, args)
	if err != nil {
		return err
	}
	list, err := lib.ListCollections(ctx)
	if err != nil {
		return err
	}
	list = nonNil(list)
	if env.Config.JSON {
		return env.PrintJSON(collectionList{Collections: list})
	}
	if len(list) == 0 {
		env.Printf("No collections yet. Create one with: reelvault collection create NAME\n")
		return nil
	}
	tb := env.Table("NAME", "TASKS", "COVER", "CREATED")
	for _, c := range list {
		tb.Row(c.Name, c.Count, dash(c.CoverTaskID), fmtTime(c.CreatedAt))
	}
	return tb.Flush()
}

// changed is what "collection add/remove --json" prints: the shape of the
// API's answer.
type changed struct {
	Changed int `json:"changed"`
}

func runCollectionAdd(ctx context.Context, env *Env, args []string) error {
	return runCollectionChange(ctx, env, args, true)
}

func runCollectionRemove(ctx context.Context, env *Env, args []string) error {
	return runCollectionChange(ctx, env, args, false)
}

func runCollectionChange(ctx context.Context, env *Env, args []string, add bool) error {
	lead, ids, svc, err := env.parseTaskIDs(ctx, env.FlagSet(), args, "NAME")
	if err != nil {
		return err
	}
	lib, err := env.libraryService(svc)
	if err != nil {
		return err
	}
	change, verb := lib.RemoveFromCollection, "Took %s out of %q.\n"
	if add {
		change, verb = lib.AddToCollection, "Added %s to %q.\n"
	}
	n, err := change(ctx, lead[0], ids)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(changed{Changed: n})
	}
	env.Printf(verb, tasksWord(n), lead[0])
	return nil
}

func runCollectionRename(ctx context.Context, env *Env, args []string) error {
	pos, _, lib, err := env.parseCollection(ctx, args, "NEW_NAME")
	if err != nil {
		return err
	}
	c, err := lib.RenameCollection(ctx, pos[0], pos[1])
	return env.printCollection("Renamed to", c, err)
}

func runCollectionDelete(ctx context.Context, env *Env, args []string) error {
	pos, _, lib, err := env.parseCollection(ctx, args)
	if err != nil {
		return err
	}
	if err := lib.DeleteCollection(ctx, pos[0]); err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(map[string]any{"name": pos[0], "deleted": true})
	}
	env.Printf("Deleted collection %q; its tasks stay.\n", pos[0])
	return nil
}

func runCollectionCover(ctx context.Context, env *Env, args []string) error {
	pos, err := env.parseOptional(env.FlagSet(), args, 1, "NAME", "ID")
	if err != nil {
		return err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}
	lib, err := env.libraryService(svc)
	if err != nil {
		return err
	}
	taskID := ""
	if len(pos) == 2 {
		if taskID, err = env.resolveTaskID(ctx, svc, pos[1]); err != nil {
			return err
		}
	}
	c, err := lib.SetCollectionCover(ctx, pos[0], taskID)
	return env.printCollection("Set the cover of", c, err)
}
