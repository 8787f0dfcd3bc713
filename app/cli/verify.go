package cli

import (
	"context"
	"fmt"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "verify",
		Args:    "[NAME] [--to DEST]",
		Summary: "Prove a listed backup set whole again: its file against the catalogue's checksum and every video file it holds against its hash (the newest set by default).",
		Run:     runVerify,
	})
}

func runVerify(ctx context.Context, env *Env, args []string) error {
	m, name, to, err := env.backupSetArgs(ctx, args, "verify a set of destination `DEST`; an encrypted one's video files are hashed with its passphrase ($"+EnvPassphrase+"), else only proven present")
	if err != nil {
		return err
	}
	opts := backup.VerifyOptions{Name: name, Destination: to, Passphrase: env.Getenv(EnvPassphrase)}
	b, err := m.VerifyWith(ctx, opts)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(b)
	}
	files := "database only"
	if b.Media != nil {
		files = fmt.Sprintf("%d video files (%s)", b.Media.Files, fmtBytes(b.Media.Bytes))
		if b.Encrypted && opts.Passphrase == "" {
			files += " present; encrypted, so not hashed without the passphrase"
		} else {
			files += " hashed again"
		}
	}
	env.Printf("Verified: %s on %s: the file matches its checksum; %s.\n", b.Name, destName(b.Destination), files)
	return nil
}

// destName is the destination's name as shown ("local" when empty).
func destName(d string) string {
	if d == "" {
		return domain.DestinationLocal
	}
	return d
}

// backupSetArgs parses the arguments of a command that takes one backup set:
// an optional NAME and --to DEST (toHelp is the flag's help). It returns the
// backup manager, the name ("" for the newest) and the destination.
func (env *Env) backupSetArgs(ctx context.Context, args []string, toHelp string) (m *backup.Manager, name, to string, err error) {
	fs := env.FlagSet()
	dest := fs.String("to", "", toHelp)
	pos, err := parseArgsUpTo(env, fs, args, 1)
	if err != nil {
		return nil, "", "", err
	}
	if m, err = env.backupManager(ctx); err != nil {
		return nil, "", "", err
	}
	if len(pos) == 1 {
		name = pos[0]
	}
	return m, name, *dest, nil
}
