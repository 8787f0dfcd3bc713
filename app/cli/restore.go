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
// "restore", "drill --to" and "destination add --encrypt" without a terminal
// to ask on; a serving process gives it to the scheduled drills.
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
		Args:    "NAME|PATH [--into DIR] [--db-only] [--yes] | NAME --task ID [ID…] [--yes] | NAME --preview | --undo [--yes]",
		Summary: "Replace the database with a backup set and put back its missing or changed video files (after a pre-restore backup), restore chosen tasks (with their video files) from one, preview what differs, or undo the last restore.",
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

// taskList is a repeatable --task flag; IDs may also be comma-separated.
type taskList []string

func (t *taskList) String() string { return strings.Join(*t, ",") }

func (t *taskList) Set(v string) error {
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id != "" {
			*t = append(*t, id)
		}
	}
	return nil
}

func runRestore(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	undo := fs.Bool("undo", false, "return to the state before the last restore")
	into := fs.String("into", "", "put the video files back under `DIR` instead of their own paths (the restored database points there)")
	dbOnly := fs.Bool("db-only", false, "restore the database alone, leaving the video files as they are")
	preview := fs.Bool("preview", false, "show what differs between the backup and the live history; change nothing")
	var tasks taskList
	fs.Var(&tasks, "task", "restore only the task `ID` (repeat, or list more IDs after it)")
	pos, err := parseArgsUpTo(env, fs, args, 1+1000)
	if err != nil {
		return err
	}
	if len(tasks) > 0 && len(pos) > 1 {
		tasks = append(tasks, pos[1:]...) // restore NAME --task ID ID …
		pos = pos[:1]
	}
	if len(pos) > 1 {
		return env.UsageErrorf("unexpected argument %q", pos[1])
	}
	if *undo == (len(pos) == 1) {
		return env.UsageErrorf("give either a backup NAME or PATH, or --undo")
	}
	if *undo && (*preview || len(tasks) > 0) {
		return env.UsageErrorf("--undo takes no --preview or --task")
	}
	if *preview && len(tasks) > 0 {
		return env.UsageErrorf("give either --preview or --task")
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	switch {
	case *preview:
		return restorePreview(ctx, env, m, pos[0])
	case len(tasks) > 0:
		return restoreTasks(ctx, env, m, pos[0], tasks, *yes)
	}
	what := "the state before the last restore"
	if !*undo {
		what = pos[0]
		// Show what the set holds before anything happens. Inspect reads
		// the local catalogue and files; a set on another destination (or
		// encrypted there) is found and described by the restore itself.
		info, err := m.Inspect(ctx, pos[0])
		switch {
		case err == nil:
			if !*yes && !env.Config.JSON {
				env.describeSet(info)
			}
		case domain.ErrorCode(err) != domain.ENOTFOUND:
			return err
		}
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
	if res.PreRestore == nil { // the undo of a restore of chosen tasks
		env.Printf("Put back %d tasks as they were before restoring them from %s. \"reelvault restore --undo\" restores them again.\n", res.Rows["tasks"], res.Source)
		if f := res.Files; f != nil {
			env.Printf("Video files: %d removed, %d put back in place.\n", f.Removed, f.Restored)
			for _, a := range f.KeptAside {
				env.Printf("  %s %s\n", a.Path, a.Reason)
			}
		}
		return nil
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

// describeSet prints what a backup set holds, before a restore.
func (env *Env) describeSet(info *domain.SetInfo) {
	kv := env.Table()
	kv.Row("Backup:", info.Name)
	if info.CreatedAt != nil {
		kv.Row("Taken:", fmtTime(*info.CreatedAt))
	}
	kv.Row("From:", info.Engine)
	kv.Row("Schema version:", info.SchemaVersion)
	kv.Row("Contents:", fmt.Sprintf("%d users, %d tasks, %d videos, %d events", info.Rows["users"], info.Rows["tasks"], info.Rows["videos"], info.Rows["task_events"]))
	kv.Flush()
}

func restorePreview(ctx context.Context, env *Env, m *backup.Manager, name string) error {
	p, err := m.PreviewTasks(ctx, name)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(p)
	}
	env.Printf("%s holds %d tasks; here there are %d. Nothing was changed.\n", p.Backup, p.SetTasks, p.LiveTasks)
	env.Printf("  %d the same, %d missing here, %d changed, %d only here (a task restore leaves them), %d video files missing on disk.\n",
		p.Same, p.Missing, p.Changed, p.OnlyHere, p.FilesMissing)
	if len(p.Tasks) == 0 {
		return nil
	}
	env.Printf("\n")
	tb := env.Table("TASK", "DIFFERENCE", "STATUS", "CREATED", "PROMPT")
	for _, t := range p.Tasks {
		diff := map[string]string{domain.DiffMissing: "missing here", domain.DiffChanged: "changed", domain.DiffFiles: fmt.Sprintf("%d files missing", len(t.MissingFiles))}[t.Diff]
		tb.Row(t.TaskID, diff, t.Status, fmtTime(t.CreatedAt), truncate(t.Prompt, 48))
	}
	if err := tb.Flush(); err != nil {
		return err
	}
	if p.Truncated {
		env.Printf("(the first %d listed)\n", len(p.Tasks))
	}
	env.Printf("\nRestore some with: reelvault restore %s --task ID [ID…]\n", name)
	return nil
}

func restoreTasks(ctx context.Context, env *Env, m *backup.Manager, name string, ids []string, yes bool) error {
	if !yes && !env.confirm(fmt.Sprintf("Restore %d task(s) from %s, replacing them here if they exist? Nothing else changes.", len(ids), name)) {
		return domain.Errorf(domain.ECONFLICT, "Restore cancelled; nothing was changed.")
	}
	res, err := m.RestoreTasks(ctx, name, ids)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(res)
	}
	env.Printf("Restored %d task(s) from %s: %d added, %d replaced. \"reelvault restore --undo\" puts them back as they were.\n",
		len(res.Added)+len(res.Replaced), res.Backup, len(res.Added), len(res.Replaced))
	if f := res.Files; f != nil {
		env.Printf("Their video files: %d put back (%s), %d already there.\n", f.Restored, fmtBytes(f.Bytes), f.Same)
		for _, a := range f.KeptAside {
			env.Printf("  %s %s\n", a.Path, a.Reason)
		}
	}
	return nil
}

// truncate shortens s to n runes with an ellipsis.
func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
