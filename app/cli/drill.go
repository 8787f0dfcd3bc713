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
		Args:    "[NAME] [--to DEST]",
		Summary: "Prove a backup restorable now: restore it (the destination's newest by default) into a scratch folder and check it, its row counts and a sample of its video files' hashes.",
		Run:     runDrill,
	})
}

func runDrill(ctx context.Context, env *Env, args []string) error {
	m, name, to, err := env.backupSetArgs(ctx, args, "drill a set of destination `DEST` (see \"reelvault destination list\"); an encrypted one needs its passphrase ($"+EnvPassphrase+" or asked)")
	if err != nil {
		return err
	}
	opts := backup.DrillOptions{Name: name, Destination: to, Passphrase: env.Getenv(EnvPassphrase)}
	if opts.Passphrase == "" && encryptedDestination(ctx, m, to) {
		if p, ok := env.readPassphrase("Passphrase of the encrypted backups: "); ok {
			opts.Passphrase = p
		}
	}
	res, _, err := backup.NewScheduler(m).DrillWith(ctx, opts)
	if res == nil {
		if err == nil { // skipped: there is nothing to drill
			return domain.Errorf(domain.ENOTFOUND, "There is no backup to drill yet; take one first.")
		}
		return err
	}
	if err != nil {
		// Loud: the error below says what is damaged.
		fmt.Fprintf(env.Stderr, "THE RESTORE DRILL OF %s (%s) FAILED.\n", res.Backup, res.Destination)
		return fmt.Errorf("restore drill of %s (%s) FAILED: %w", res.Backup, res.Destination, err)
	}
	if env.Config.JSON {
		return env.PrintJSON(res)
	}
	env.Printf("Proven restorable: %s on %s (%d tasks; %s) in %s.\n", res.Backup, res.Destination, res.Tasks, joinChecks(res.Checks), time.Duration(res.Seconds*float64(time.Second)).Round(time.Millisecond))
	return nil
}

// encryptedDestination reports whether the destination called name is
// encrypted (false when it is unknown: the drill says so).
func encryptedDestination(ctx context.Context, m *backup.Manager, name string) bool {
	if name == "" || name == domain.DestinationLocal {
		return false
	}
	ds, err := m.Destinations(ctx)
	if err != nil {
		return false
	}
	for _, d := range ds {
		if d.Name == name {
			return d.Encrypted
		}
	}
	return false
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
