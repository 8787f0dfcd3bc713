package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "drill",
		Args:    "[NAME]",
		Summary: "Prove a backup restorable now: restore it (the newest by default) into a scratch folder and check it.",
		Run:     runDrill,
	})
}

func runDrill(ctx context.Context, env *Env, args []string) error {
	pos, err := parseArgsUpTo(env, env.FlagSet(), args, 1)
	if err != nil {
		return err
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	name := ""
	if len(pos) == 1 {
		name = pos[0]
	}
	res, _, err := backup.NewScheduler(m).Drill(ctx, name)
	if res == nil {
		if err == nil { // skipped: there is nothing to drill
			return domain.Errorf(domain.ENOTFOUND, "There is no backup to drill yet; take one first.")
		}
		return err
	}
	if err != nil {
		return fmt.Errorf("restore drill of %s FAILED: %w", res.Backup, err)
	}
	if env.Config.JSON {
		return env.PrintJSON(res)
	}
	env.Printf("Proven restorable: %s (%d tasks; %s) in %s.\n", res.Backup, res.Tasks, joinChecks(res.Checks), time.Duration(res.Seconds*float64(time.Second)).Round(time.Millisecond))
	return nil
}

func joinChecks(c []string) string {
	out := ""
	for i, s := range c {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}
