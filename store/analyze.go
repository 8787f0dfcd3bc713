package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// The planner's statistics on SQLite are sqlite_stat1 only. modernc's SQLite
// is built with SQLITE_ENABLE_STAT4, so ANALYZE also writes sample rows to
// sqlite_stat4; with those present, SQLite marks every statement whose plan
// read a sample as depending on its bound values, and each run of it after a
// new bind parses and plans it again (sqlite3Reprepare), which throws away
// the store's prepared-statement cache: a fifth of a filtered history page's
// CPU at 1M tasks. The store's queries do not need the samples (their plans
// are fixed by their SQL and checked in plan_internal_test.go), so the
// samples are dropped after every analysis (and by migration 00016 from
// files analysed before). Dropping the table changes the schema, so every
// open connection reloads the statistics before its next statement.
const dropSamples = `DROP TABLE IF EXISTS sqlite_stat4`

// Analyze refreshes the planner's statistics: a full ANALYZE when full,
// otherwise PRAGMA optimize with a bounded analysis that looks only at the
// tables whose statistics are stale (milliseconds, not minutes, on a
// large file). On PostgreSQL both run ANALYZE, which samples.
func (db *DB) Analyze(ctx context.Context, full bool) error {
	err := db.Write(ctx, func(w *sqlx.DB) error {
		if db.dialect.isPostgres() {
			_, err := w.ExecContext(ctx, `ANALYZE`)
			return err
		}
		conn, err := w.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		stmts := []string{`ANALYZE`, dropSamples}
		if !full {
			stmts = []string{`PRAGMA analysis_limit = 1000`, `PRAGMA optimize = 0x10002`, `PRAGMA analysis_limit = 0`, dropSamples}
		}
		for _, q := range stmts {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
