package cli

import (
	"context"

	"github.com/reelvault/reelvault/backup"
)

func init() {
	Register(&Command{
		Name:    "maintain",
		Args:    "optimize|analyze|vacuum|check|checkpoint",
		Summary: "Run one maintenance operation now and record it.",
		Run:     runMaintain,
	})
}

func runMaintain(ctx context.Context, env *Env, args []string) error {
	pos, err := env.Parse(env.FlagSet(), args, "OPERATION")
	if err != nil {
		return err
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	s := backup.NewScheduler(m)
	run, err := s.Maintain(ctx, pos[0])
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(run)
	}
	env.Printf("%s: %s", run.JobID, run.Result)
	if run.Detail != "" {
		env.Printf(" (%s)", run.Detail)
	}
	if run.Bytes > 0 {
		env.Printf(", %s", fmtBytes(run.Bytes))
	}
	env.Printf(".\n")
	return nil
}
