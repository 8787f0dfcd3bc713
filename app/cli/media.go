package cli

import (
	"context"
	"path/filepath"

	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "media-root list",
		Summary: "List the media roots: the folders under which API keys may register and stream videos.",
		Run:     runMediaRootList,
	})
	Register(&Command{
		Name:    "media-root add",
		Args:    "DIR",
		Summary: "Let API keys register and stream the videos under a folder.",
		Run:     runMediaRootAdd,
	})
	Register(&Command{
		Name:    "media-root remove",
		Args:    "DIR",
		Summary: "Stop API keys registering and streaming the videos under a folder.",
		Run:     runMediaRootRemove,
	})
}

func runMediaRootList(ctx context.Context, env *Env, args []string) error {
	if _, err := env.Parse(env.FlagSet(), args); err != nil {
		return err
	}
	media, err := env.mediaService(ctx)
	if err != nil {
		return err
	}
	roots, err := media.MediaRoots(ctx)
	if err != nil {
		return err
	}
	return env.printMediaRoots(roots, "")
}

func runMediaRootAdd(ctx context.Context, env *Env, args []string) error {
	return changeMediaRoot(ctx, env, args, domain.MediaService.AddMediaRoot, "Added")
}

func runMediaRootRemove(ctx context.Context, env *Env, args []string) error {
	return changeMediaRoot(ctx, env, args, domain.MediaService.RemoveMediaRoot, "Removed")
}

// changeMediaRoot adds or removes the media root named by the one argument,
// made absolute, and prints the roots after the change.
func changeMediaRoot(ctx context.Context, env *Env, args []string, change func(domain.MediaService, context.Context, string) (*domain.MediaRoots, error), done string) error {
	pos, err := env.Parse(env.FlagSet(), args, "DIR")
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(pos[0])
	if err != nil {
		return domain.Invalidf("path", "Cannot make %q an absolute path: %v.", pos[0], err)
	}
	media, err := env.mediaService(ctx)
	if err != nil {
		return err
	}
	roots, err := change(media, ctx, dir)
	if err != nil {
		return err
	}
	return env.printMediaRoots(roots, done+" "+dir+"; a running Reelvault applies it at once.\n\n")
}

// mediaService returns the store's media roots.
func (env *Env) mediaService(ctx context.Context) (domain.MediaService, error) {
	svc, err := env.Services(ctx)
	if err != nil {
		return nil, err
	}
	if svc.Media == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "Media roots are not available with this --db backend.")
	}
	return svc.Media, nil
}

// printMediaRoots prints the roots as JSON, or as a list after note.
func (env *Env) printMediaRoots(roots *domain.MediaRoots, note string) error {
	if env.Config.JSON {
		return env.PrintJSON(roots)
	}
	env.Printf("%s", note)
	tb := env.Table("MEDIA ROOT", "SOURCE")
	if roots.Default != "" {
		tb.Row(roots.Default, "default (the data directory's media folder)")
	}
	for _, r := range roots.Roots {
		tb.Row(r, "added")
	}
	return tb.Flush()
}
