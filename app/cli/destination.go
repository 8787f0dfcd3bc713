package cli

import (
	"context"
	"path/filepath"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "destination list",
		Summary: "List the backup destinations (the local backups folder and the folders added), connected or not.",
		Run:     runDestinationList,
	})
	Register(&Command{
		Name:    "destination add",
		Args:    "NAME DIR [--cron EXPR] [--keep N] [--encrypt]",
		Summary: "Send backup sets also to a folder on another disk, a NAS or a synced folder, on its own schedule.",
		Run:     runDestinationAdd,
	})
	Register(&Command{
		Name:    "destination remove",
		Args:    "NAME",
		Summary: "Stop sending backup sets to a destination; its folder and backups stay.",
		Run:     runDestinationRemove,
	})
}

func runDestinationList(ctx context.Context, env *Env, args []string) error {
	if _, err := env.Parse(env.FlagSet(), args); err != nil {
		return err
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	ds, err := m.Destinations(ctx)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(ds)
	}
	return printDestinations(env, ds)
}

// printDestinations prints destinations as a table.
func printDestinations(env *Env, ds []domain.DestinationStatus) error {
	tb := env.Table("NAME", "FOLDER", "STATE", "SCHEDULE", "KEEP", "ENCRYPTED", "SETS", "LAST BACKUP")
	for _, d := range ds {
		state := "connected"
		if !d.Connected {
			state = "unplugged"
		}
		cron := d.Cron
		if cron == "" {
			cron = "by hand"
		}
		enc := "no"
		if d.Encrypted {
			enc = "yes"
		}
		tb.Row(d.Name, d.Dir, state, cron, d.Keep, enc, d.Sets, fmtTimePtr(d.LastBackup))
	}
	if err := tb.Flush(); err != nil {
		return err
	}
	for _, d := range ds {
		if d.Problem != "" {
			env.Printf("\n%s\n", d.Problem)
		}
	}
	return nil
}

func runDestinationAdd(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	cron := fs.String("cron", "", "take scheduled sets there at `EXPR` (five cron fields or @daily); default: only by hand")
	keep := fs.Int("keep", backup.DefaultKeep, "keep the newest `N` scheduled sets there")
	encrypt := fs.Bool("encrypt", false, "encrypt the sets with a passphrase (asked, or $"+EnvPassphrase+")")
	pos, err := env.Parse(fs, args, "NAME", "DIR")
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(pos[1])
	if err != nil {
		return domain.Invalidf("dir", "Cannot make %q an absolute path: %v.", pos[1], err)
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	pass := env.Getenv(EnvPassphrase)
	if *encrypt && pass == "" {
		p, ok := env.readPassphrase("Passphrase for the encrypted backups (it cannot be recovered): ")
		if !ok {
			return domain.Invalidf("passphrase", "An encrypted destination needs a passphrase: run this on a terminal, or set $%s.", EnvPassphrase)
		}
		again, _ := env.readPassphrase("The same passphrase again: ")
		if again != p {
			return domain.Invalidf("passphrase", "The two passphrases differ; nothing was added.")
		}
		pass = p
	}
	st, err := m.AddDestination(ctx, domain.Destination{Name: pos[0], Dir: dir, Cron: *cron, Keep: *keep, Encrypted: *encrypt}, pass)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(st)
	}
	env.Printf("Added destination %s (%s); a running Reelvault schedules it within a minute.\n", st.Name, st.Dir)
	if st.Encrypted {
		env.Printf("Its backups are encrypted: they restore only with the passphrase, which cannot be recovered.\n")
	}
	return nil
}

func runDestinationRemove(ctx context.Context, env *Env, args []string) error {
	pos, err := env.Parse(env.FlagSet(), args, "NAME")
	if err != nil {
		return err
	}
	m, err := env.backupManager(ctx)
	if err != nil {
		return err
	}
	if err := m.RemoveDestination(ctx, pos[0]); err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(map[string]string{"removed": pos[0]})
	}
	env.Printf("Removed destination %s; its folder and backups stay where they are.\n", pos[0])
	return nil
}
