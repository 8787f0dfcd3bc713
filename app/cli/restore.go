package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"golang.org/x/term"
)

// EnvPassphrase holds the passphrase of an encrypted destination, for
// "restore" and "destination add --encrypt" without a terminal to ask on.
const EnvPassphrase = "REELVAULT_PASSPHRASE"

// wantsPassphrase reports whether err asks for a passphrase.
func wantsPassphrase(err error) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Field == "passphrase"
}

// readPassphrase asks for a passphrase on the terminal, without echo; ok is
// false when there is no terminal.
func (env *Env) readPassphrase(prompt string) (string, bool) {
	f, isFile := env.Stdin.(*os.File)
	if !isFile || !term.IsTerminal(int(f.Fd())) {
		return "", false
	}
	fmt.Fprint(env.Stderr, prompt)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.Stderr)
	if err != nil {
		return "", false
	}
	return strings.TrimRight(string(b), "\r\n"), true
}

func init() {
	Register(&Command{
		Name:    "restore",
		Args:    "NAME|PATH [--into DIR] [--db-only] [--yes] | --undo [--yes]",
		Summary: "Replace the database with a backup set and put back its missing or changed video files (after a pre-restore backup), or undo the last restore.",
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
	into := fs.String("into", "", "put the video files back under `DIR` instead of their own paths (the restored database points there)")
	dbOnly := fs.Bool("db-only", false, "restore the database alone, leaving the video files as they are")
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
	if *into != "" {
		if *into, err = filepath.Abs(*into); err != nil {
			return domain.Invalidf("into", "Cannot make %q an absolute path: %v.", *into, err)
		}
	}
	if !*yes && !env.confirm(fmt.Sprintf("Replace the current database with %s and put back its missing or changed video files? A pre-restore backup is taken first; a file that differs is kept aside, not overwritten.", what)) {
		return domain.Errorf(domain.ECONFLICT, "Restore cancelled; nothing was changed.")
	}
	show, done := env.terminalProgress()
	var res *domain.RestoreResult
	if *undo {
		res, err = m.Undo(ctx, show)
	} else {
		opts := backup.RestoreOptions{Progress: show, Into: *into, DBOnly: *dbOnly, Passphrase: env.Getenv(EnvPassphrase)}
		res, err = m.RestoreWith(ctx, pos[0], opts)
		if wantsPassphrase(err) && opts.Passphrase == "" {
			if p, ok := env.readPassphrase("Passphrase of the encrypted backup: "); ok {
				opts.Passphrase = p
				res, err = m.RestoreWith(ctx, pos[0], opts)
			}
		}
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
	if f := res.Files; f != nil {
		env.Printf("Video files: %d put back (%s), %d already there.\n", f.Restored, fmtBytes(f.Bytes), f.Same)
		if f.Relinked != "" {
			env.Printf("The files are under %s; the restored database points there.\n", f.Relinked)
		}
		for _, a := range f.KeptAside {
			env.Printf("  %s %s\n", a.Path, a.Reason)
		}
	}
	return nil
}
