package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/schollz/progressbar/v3"
)

func init() {
	Register(&Command{
		Name:    "migrate",
		Args:    "--to postgres://USER@HOST/DB [--resume] [--batch N]",
		Summary: "Copy the SQLite history into an empty PostgreSQL database in one transaction and verify every table; --resume continues a copy an earlier version left unfinished.",
		Run:     runMigrate,
	})
}

// runMigrate copies the data directory's SQLite database into the
// PostgreSQL database --to with store.CopyToPostgres.
func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	to := fs.String("to", "", "the PostgreSQL `URL` to copy into (postgres://user:password@host:5432/dbname)")
	resume := fs.Bool("resume", false, "continue an interrupted migration into a database that already holds part of the history")
	batch := fs.Int("batch", store.DefaultCopyBatch, "rows per transaction of a resumed copy, and between progress updates")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	if err := env.Require(fs, "to"); err != nil {
		return err
	}
	if !store.IsPostgresURL(*to) {
		return domain.Invalidf("to", "--to must be a PostgreSQL URL such as postgres://user@host:5432/reelvault.")
	}
	if *batch <= 0 {
		return domain.Invalidf("batch", "--batch must be a positive number of rows.")
	}
	if env.Config.DBURL != "" {
		return domain.Invalidf("db", "migrate copies the SQLite database of the data directory; leave out --db and $%s.", EnvDB)
	}
	path, err := env.DBPath()
	if err != nil {
		return err
	}
	// Never create an empty SQLite database just to copy nothing.
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return domain.Errorf(domain.ENOTFOUND, "There is no Reelvault database at %s to migrate; pick the data directory with --data-dir.", path)
	} else if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}

	src := store.NewDB(path)
	src.Logger = env.Logger
	if err := src.Open(ctx); err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer src.Close()
	dst := store.NewDB(*to)
	dst.Logger = env.Logger
	if err := dst.Open(ctx); err != nil {
		return fmt.Errorf("open PostgreSQL database: %w", err)
	}
	defer dst.Close()

	progress, done := env.copyProgress()
	report, err := store.CopyToPostgres(ctx, src, dst, store.CopyOptions{Resume: *resume, Batch: *batch, Progress: progress})
	done()
	if err != nil {
		return err
	}

	var rows int64
	for _, t := range report.Tables {
		rows += t.Rows
	}
	if env.Config.JSON {
		return env.PrintJSON(struct {
			From string `json:"from"`
			To   string `json:"to"`
			Rows int64  `json:"rows"`
			*store.CopyReport
		}{path, redact(*to), rows, report})
	}
	tbl := env.Table("TABLE", "ROWS", "SHA-256")
	for _, t := range report.Tables {
		tbl.Row(t.Name, fmt.Sprint(t.Rows), t.Checksum[:16])
	}
	if err := tbl.Flush(); err != nil {
		return err
	}
	if len(report.Phases) > 0 {
		steps := make([]string, len(report.Phases))
		for i, p := range report.Phases {
			steps[i] = p.Name + " " + p.Duration.Round(time.Millisecond).String()
		}
		env.Printf("Steps: %s.\n", strings.Join(steps, ", "))
	}
	env.Printf("Copied and verified %d rows in %d tables (row counts and checksums match) in %s.\n", rows, len(report.Tables), report.Duration.Round(1e6))
	env.Printf("Run Reelvault on PostgreSQL with --db %s (or $%s).\n", redact(*to), EnvDB)
	return nil
}

// copyProgress returns a progress callback for store.CopyOptions: a bar on
// a terminal, nothing otherwise or with --json.
func (env *Env) copyProgress() (func(total, copied int64), func()) {
	if env.showsProgress() {
		var bar *progressbar.ProgressBar
		return func(t, c int64) {
				if t >= 0 {
					bar = progressbar.NewOptions64(max(t, 1),
						progressbar.OptionSetWriter(env.Stderr),
						progressbar.OptionSetDescription("migrate"),
						progressbar.OptionShowCount(),
						progressbar.OptionSetPredictTime(true),
						progressbar.OptionClearOnFinish())
					return
				}
				bar.Add64(c)
			}, func() {
				if bar != nil {
					bar.Finish()
				}
			}
	}
	// Not a terminal: silent, like every progress display.
	return nil, func() {}
}

// redact returns a URL without its password, for output.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
