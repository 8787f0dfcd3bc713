package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "restore",
		Args:    "NAME|PATH [--yes] | --undo [--yes]",
		Summary: "Replace the database with a backup (after a pre-restore backup), or undo the last restore.",
		Run:     runRestore,
	})
}

// confirm asks a yes/no question on stderr and reads the answer from stdin.
func (env *Env) confirm(question string) bool {
	fmt.Fprintf(env.Stderr, "%s [y/N] ", question)
	line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}

func runRestore(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	undo := fs.Bool("undo", false, "return to the state before the last restore")
	pos, err := parseArgsUpTo(env, fs, args, 1)
	if err != nil {
		return err
	}
	if *undo == (len(pos) == 1) {
		return env.UsageErrorf("give either a backup NAME or PATH, or --undo")
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	what := "the state before the last restore"
	if !*undo {
		what = pos[0]
	}
	if !*yes && !env.confirm(fmt.Sprintf("Replace the current database with %s? A pre-restore backup is taken first.", what)) {
		return domain.Errorf(domain.ECONFLICT, "Restore cancelled; nothing was changed.")
	}
	show, done := env.progress()
	var res *domain.RestoreResult
	if *undo {
		res, err = m.Undo(ctx, show)
	} else {
		res, err = m.Restore(ctx, pos[0], show)
	}
	done()
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(res)
	}
	env.Printf("Restored %s (%d tasks). The previous data is in %s; \"reelvault restore --undo\" brings it back.\n",
		res.Source, res.Rows["tasks"], res.PreRestore.Name)
	return nil
}
