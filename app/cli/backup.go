package cli

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func init() {
	Register(&Command{
		Name:    "backup",
		Args:    "[--db-only] [--to NAME] [--out PATH]",
		Summary: "Take a verified backup set (the database and the video files it references) while the database stays in use.",
		Run:     runBackup,
	})
	Register(&Command{
		Name:    "backups",
		Summary: "List the verified backup sets of every connected destination, newest first.",
		Run:     runBackups,
	})
}

// backupManager opens the store and returns a backup Manager on it: a
// backup is a copy of the SQLite file, or a logical dump of a PostgreSQL
// database.
func (env *Env) backupManager(ctx context.Context) (*backup.Manager, error) {
	if _, err := env.storeDB(ctx, "Backups, restores and maintenance"); err != nil {
		return nil, err
	}
	m := env.svc.BackupManager()
	// A restore killed half way is finished or undone before anything
	// looks at the data; while another operation runs, that one does it.
	if err := m.Recover(); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
		return nil, err
	}
	return m, nil
}

// storeDB opens the services and returns the store's DB; what names the
// feature in the error when the backend has none.
func (env *Env) storeDB(ctx context.Context, what string) (*store.DB, error) {
	svc, err := env.Services(ctx)
	if err != nil {
		return nil, err
	}
	if svc.DB == nil {
		return nil, domain.Errorf(domain.EINVALID, "%s need Reelvault's own store, which this backend does not provide.", what)
	}
	return svc.DB, nil
}

// progress returns a callback that shows backup progress on stderr: a bar
// on a terminal, a plain line per phase (and per quarter of the copy)
// otherwise; nothing with --json.
func (env *Env) progress() (func(domain.BackupProgress), func()) {
	if env.Config.JSON {
		return nil, func() {}
	}
	if f, ok := env.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		var bar *progressbar.ProgressBar
		return func(p domain.BackupProgress) {
				if bar == nil {
					bar = progressbar.NewOptions64(max(p.Total, 1),
						progressbar.OptionSetWriter(env.Stderr),
						progressbar.OptionSetDescription(p.Phase),
						progressbar.OptionSetPredictTime(true),
						progressbar.OptionClearOnFinish())
				}
				bar.Describe(p.Phase)
				if p.Total > 0 {
					bar.ChangeMax64(p.Total)
					bar.Set64(p.Done)
				}
			}, func() {
				if bar != nil {
					bar.Finish()
				}
			}
	}
	last := ""
	return func(p domain.BackupProgress) {
		line := p.Phase
		if p.Total > 0 {
			line = fmt.Sprintf("%s %d%%", p.Phase, p.Done*100/p.Total/25*25)
		}
		if line != last {
			fmt.Fprintln(env.Stderr, line)
			last = line
		}
	}, func() {}
}

func runBackup(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	out := fs.String("out", "", "write the database backup to `PATH` (a file or a folder) instead of a destination")
	dbOnly := fs.Bool("db-only", false, "back up the database alone, without the video files")
	to := fs.String("to", "", "take the set into destination `NAME` (see \"reelvault destination list\")")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	show, done := env.progress()
	b, err := m.BackupTo(ctx, *to, backup.Options{Out: *out, DBOnly: *dbOnly, Progress: show})
	done()
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(b)
	}
	env.Printf("Backed up to %s (%s, %d tasks, verified).\n", b.Path, fmtBytes(b.Size), b.Rows["tasks"])
	if md := b.Media; md != nil {
		env.Printf("Video files: %d (%s), %d new (%s); each stored file was hashed again where it landed.\n",
			md.Files, fmtBytes(md.Bytes), md.NewFiles, fmtBytes(md.NewBytes))
		if md.SkippedCount > 0 {
			env.Printf("%d referenced files are not in the set:\n", md.SkippedCount)
			for _, s := range md.Skipped {
				env.Printf("  %s (%s)\n", s.Path, s.Reason)
			}
			if n := md.SkippedCount - int64(len(md.Skipped)); n > 0 {
				env.Printf("  and %d more\n", n)
			}
		}
	}
	return nil
}

func runBackups(ctx context.Context, env *Env, args []string) error {
	if _, err := env.Parse(env.FlagSet(), args); err != nil {
		return err
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	list, err := m.ListAll(ctx)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(nonNil(list))
	}
	if len(list) == 0 {
		env.Printf("No backups yet in %s. Run \"reelvault backup\" to take one.\n", m.Dir)
		return nil
	}
	tb := env.Table("NAME", "DESTINATION", "KIND", "CONTENT", "FILES", "MEDIA", "CREATED", "SIZE", "TASKS", "VERIFIED")
	for _, b := range list {
		content, files, media := "database only", "-", "-"
		if b.Media != nil {
			content = "database + videos"
			files, media = fmt.Sprint(b.Media.Files), fmtBytes(b.Media.Bytes)
		}
		if b.Encrypted {
			content += " (encrypted)"
		}
		verified := fmtTime(b.VerifiedAt)
		if b.VerifiedAt.IsZero() {
			verified = "no"
		}
		tb.Row(b.Name, b.Destination, b.Kind, content, files, media, fmtTime(b.CreatedAt), fmtBytes(b.Size), b.Rows["tasks"], verified)
	}
	return tb.Flush()
}

// parseArgsUpTo parses flags and allows at most n positional arguments.
func parseArgsUpTo(env *Env, fs *flag.FlagSet, args []string, n int) ([]string, error) {
	pos, err := parseArgs(fs, args, true)
	env.flags = fs
	if err == flag.ErrHelp {
		env.printCommandHelp(fs)
		return nil, &usageError{help: true}
	} else if err != nil {
		return nil, env.UsageErrorf("%v", err)
	}
	if len(pos) > n {
		return nil, env.UsageErrorf("unexpected argument %q", pos[n])
	}
	return pos, nil
}
