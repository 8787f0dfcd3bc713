package cli

import (
	"context"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/app/launchtrace"
)

// OpenWindow opens the desktop window over the same composition root
// (app.Main: the store, the backup service and schedule, lease expiry) as
// `reelvault serve`; main.go hands it to Main as Options.OpenWindow.
// Without a display it serves the web UI instead, through the serve command
// itself. In a binary built without the desktop tag, desktop.Run says how to
// get one and the exit status is 1.
func OpenWindow(ctx context.Context, env *Env) error {
	dataDir, err := env.DataDir()
	if err != nil {
		return err
	}
	// One serving process per data dir. A second window over a running
	// window goes on to desktop.Run, which brings the first to the front
	// and exits; over a running server it is refused.
	lock, err := env.LockServe("window")
	if err != nil {
		if h, _ := ReadServeHolder(dataDir); h.Mode != "window" {
			return err
		}
	}
	build := env.BuildInfo()
	opts := desktop.Options{
		Version:       build.Version,
		Commit:        build.Commit,
		BuildDate:     build.BuildDate,
		SchemaVersion: build.SchemaVersion,
		DataDir:       dataDir,
		Assets:        env.Assets,
		Addr:          env.Getenv(desktop.EnvAddr),
		Route:         env.WindowRoute,
		Logger:        env.Logger,
		Stdout:        env.Stdout,
		Getenv:        env.Getenv,
	}
	if lock != nil {
		opts.Listening = func(url string) {
			if err := lock.SetAddr(url); err != nil {
				env.Logger.Warn("record the API address in the serve lock", "err", err)
			}
		}
	}
	// A database that cannot be opened (a newer Reelvault's, a damaged
	// file) is shown in the window: a person who double-clicked the app
	// has no terminal to read.
	launchtrace.Mark("store open")
	svc, err := env.Services(ctx)
	launchtrace.Mark("store opened")
	if err != nil {
		opts.OpenError = err
	} else {
		opts.Services = desktop.Services{Tasks: svc.Tasks, Users: svc.Users, Stats: svc.Stats, Media: svc.Media, Sessions: svc.Sessions, Library: svc.Library}
		opts.Hub = svc.Hub
		opts.Upgrade = svc.Upgrade
		if b := svc.Backup(); b != nil {
			opts.Services.Backup = b
			opts.Services.Export = svc.Export()
		}
		if svc.Main != nil {
			opts.Background = svc.Main
		}
	}
	if serve := commands["serve"]; serve != nil {
		opts.Serve = func(ctx context.Context) error {
			// The fallback listens where the window's API would have.
			var args []string
			if opts.Addr != "" {
				args = []string{"--addr", opts.Addr}
			}
			return serve.Run(ctx, env, args)
		}
	}
	return desktop.Run(ctx, opts)
}
