package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/app/hub"
	"github.com/reelvault/reelvault/backup"
)

// The window hook: `reelvault` without a command opens the desktop window
// over the same store the commands use. In a binary built without the
// desktop tag, desktop.Run says how to get one and the exit status is 1.
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
		events := hub.New()
		services := desktop.Services{Tasks: svc.Tasks, Users: svc.Users, Stats: svc.Stats, Notifier: events}
		if svc.DB != nil {
			svc.DB.Notifier = events
			services.Backup = backup.NewManager(svc.DB)
			services.Backup.Logger = env.Logger
		}
		err = desktop.Run(ctx, desktop.Options{
			Version:  env.Version,
			DataDir:  dataDir,
			Assets:   env.Assets,
			Services: services,
			Hub:      events,
			Addr:     env.Getenv(desktop.EnvAddr),
			Logger:   env.Logger,
			Stdout:   env.Stdout,
			Getenv:   env.Getenv,
		})
		if errors.Is(err, desktop.ErrNoWindow) {
			return fmt.Errorf("%w: %v", cli.ErrNoWindow, err)
		}
		return err
	}
}
