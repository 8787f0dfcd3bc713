package main

import (
	"context"
	"errors"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/app/server/backupapi"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/store"
)

// The window hook: `reelvault` without a command opens the desktop window
// over the same store, backup service and schedule as `reelvault serve`.
// Without a display it serves the web UI instead, through the serve command
// itself. In a binary built without the desktop tag, desktop.Run says how to
// get one and the exit status is 1.
func init() {
	openWindow = func(ctx context.Context, env *cli.Env) error {
		dataDir, err := env.DataDir()
		if err != nil {
			return err
		}
		svc, err := env.Services(ctx)
		if err != nil {
			return err
		}
		opts := desktop.Options{
			Version:  env.Version,
			DataDir:  dataDir,
			Assets:   env.Assets,
			Services: desktop.Services{Tasks: svc.Tasks, Users: svc.Users, Stats: svc.Stats},
			Hub:      svc.Hub,
			Addr:     env.Getenv(desktop.EnvAddr),
			Logger:   env.Logger,
			Stdout:   env.Stdout,
			Getenv:   env.Getenv,
		}
		if svc.DB != nil {
			m := backup.NewManager(svc.DB)
			m.Logger = env.Logger
			opts.Scheduler = backup.NewScheduler(m)
			opts.Services.Backup = backupapi.New(opts.Scheduler, store.NewExportService(svc.DB))
		}
		if serve := command("serve"); serve != nil {
			opts.Serve = func(ctx context.Context) error { return serve.Run(ctx, env, nil) }
		}
		err = desktop.Run(ctx, opts)
		if errors.Is(err, desktop.ErrNoWindow) {
			return cli.NoWindow(err)
		}
		return err
	}
}

// command returns the registered command called name, or nil.
func command(name string) *cli.Command {
	for _, c := range cli.Commands() {
		if c.Name == name {
			return c
		}
	}
	return nil
}
