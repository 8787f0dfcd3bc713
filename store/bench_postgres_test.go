package store_test

// The PostgreSQL side of the store benchmarks of bench_test.go, which run on
// PostgreSQL with REELVAULT_TEST_DB=postgres: the fixture (the cached SQLite
// history migrated with CopyToPostgres, and verified, into a throwaway,
// durable cluster) and the raw driver's side of each operation (the same SQL
// through pgx's database/sql driver).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/pgtest"
)

// pg rebinds a ?-query for the raw pgx side, as the store does.
func pg(q string) string { return sqlx.Rebind(sqlx.DOLLAR, q) }

var (
	benchClusterOnce sync.Once
	benchCluster     *pgtest.Cluster
	benchClusterErr  error

	pgFixtureOnce sync.Once
	pgFix         *benchFixture
	pgFixErr      error
)

// mustBenchCluster starts a durable cluster for the benchmarks (fsync on,
// unlike the tests' cluster); TestMain stops it.
func mustBenchCluster(b *testing.B) *pgtest.Cluster {
	b.Helper()
	benchClusterOnce.Do(func() {
		benchCluster, benchClusterErr = pgtest.StartWith(context.Background(), pgtest.Options{Durable: true})
		if benchClusterErr == nil {
			pgtest.Track(benchCluster)
		}
	})
	if errors.Is(benchClusterErr, pgtest.ErrNoPostgres) && !pgtest.Required() {
		b.Skip(benchClusterErr)
	} else if benchClusterErr != nil {
		b.Fatal(benchClusterErr)
	}
	return benchCluster
}

// mustPostgresFixture migrates the SQLite benchmark history into a new
// PostgreSQL database and opens it like mustFixture does.
func mustPostgresFixture(b *testing.B) *benchFixture {
	b.Helper()
	lite := mustSQLiteFixture(b)
	c := mustBenchCluster(b)
	pgFixtureOnce.Do(func() {
		ctx := context.Background()
		url, err := c.CreateDatabase(ctx, "bench")
		if err != nil {
			pgFixErr = err
			return
		}
		f := &benchFixture{engine: store.EnginePostgres, db: store.NewDB(url), writer: lite.writer, sample: lite.sample}
		f.db.Logger = slog.New(slog.DiscardHandler)
		if pgFixErr = f.db.Open(ctx); pgFixErr != nil {
			return
		}
		// Copy from a snapshot: other benchmarks may write to the cached
		// history meanwhile, which verification would rightly report.
		dir, err := os.MkdirTemp("", "reelvault-pg-bench-")
		if err != nil {
			pgFixErr = err
			return
		}
		defer os.RemoveAll(dir)
		src, err := snapshot(ctx, lite.db.Path, filepath.Join(dir, "snapshot.db"))
		if err != nil {
			pgFixErr = fmt.Errorf("snapshot the benchmark history: %w", err)
			return
		}
		defer src.Close()
		start := time.Now()
		report, err := store.CopyToPostgres(ctx, src, f.db, store.CopyOptions{Batch: 2000})
		if err != nil {
			pgFixErr = fmt.Errorf("migrate the benchmark history: %w", err)
			return
		}
		var rows int64
		for _, t := range report.Tables {
			rows += t.Rows
		}
		d := time.Since(start)
		b.Logf("migrated and verified %d tasks (%d rows) from SQLite in %v: %.0f rows/s", benchTasks(b), rows, d.Round(time.Millisecond), float64(rows)/d.Seconds())
		f.tasks = store.NewTaskService(f.db)
		if f.raw, pgFixErr = sql.Open("pgx", url); pgFixErr != nil {
			return
		}
		f.raw.SetMaxOpenConns(store.DefaultPostgresConns)
		f.rawW = f.raw
		if _, pgFixErr = f.raw.ExecContext(ctx, "ANALYZE"); pgFixErr != nil {
			return
		}
		pgFix = f
	})
	if pgFixErr != nil {
		b.Fatal(pgFixErr)
	}
	return pgFix
}

// snapshot writes a consistent copy of the SQLite database at path to
// dst with VACUUM INTO and opens it.
func snapshot(ctx context.Context, path, dst string) (*store.DB, error) {
	conn, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return nil, err
	}
	db := store.NewDB(dst)
	db.Logger = slog.New(slog.DiscardHandler)
	return db, db.Open(ctx)
}

// pgRawGetTask runs FindTaskByID's four queries on one read-only
// REPEATABLE READ snapshot, as the store's reader pool does.
func pgRawGetTask(ctx context.Context, raw *sql.DB, taskID string) error {
	tx, err := raw.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, pg(`SELECT`+rawTaskColumns+` WHERE t.task_id = ? ORDER BY t.created_at DESC, t.id DESC LIMIT ?`), taskID, 2)
	if err != nil {
		return err
	}
	if n, err := scanTasks(rows); err != nil || n != 1 {
		return fmt.Errorf("task %s: %d rows, %v", taskID, n, err)
	}
	var id int64
	if err := tx.QueryRowContext(ctx, pg(`SELECT id FROM tasks WHERE task_id = ?`), taskID).Scan(&id); err != nil {
		return err
	}
	for _, q := range []string{
		`SELECT id, scene_number, description, duration, camera_movement, lighting, created_at FROM scripts WHERE task_id = ? ORDER BY scene_number`,
		`SELECT v.id, v.scene_number, v.file_path, v.file_size, v.duration, v.width, v.height, v.fps, v.status, v.created_at FROM videos v WHERE v.task_id = ? ORDER BY v.scene_number`,
		`SELECT id, type, status, progress, message, created_at FROM task_events WHERE task_id = ? ORDER BY id`,
	} {
		rows, err := tx.QueryContext(ctx, pg(q), id)
		if err != nil {
			return err
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
	}
	return tx.Commit()
}

// pgRawCreate runs CreateTask's statements in one transaction that takes
// the store's write lock, as the store does on PostgreSQL.
func pgRawCreate(ctx context.Context, w *sql.DB, userID int64, prompt string) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(1381387348)`); err != nil {
		return err
	}
	now := time.Now().UnixMicro()
	var quota, used int
	var active bool
	if err := tx.QueryRowContext(ctx, `SELECT quota, used_quota, is_active FROM users WHERE id = $1`, userID).Scan(&quota, &used, &active); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET used_quota = used_quota + 1, updated_at = $1 WHERE id = $2`, now, userID); err != nil {
		return err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO tasks (task_id, user_id, prompt, status, total_scenes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		uuid.NewString(), userID, prompt, "pending", 4, now, now).Scan(&id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO task_search (rowid, body) VALUES ($1, $2)`, id, prompt); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO task_events (task_id, type, status, progress, message, created_at) VALUES ($1, 'created', 'pending', 0, '', $2)`, id, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO statistics (date, total_tasks, total_video_seconds) VALUES ($1, 1, 0)
		ON CONFLICT (date) DO UPDATE SET total_tasks = statistics.total_tasks + 1`, time.Now().UTC().Format(time.DateOnly)); err != nil {
		return err
	}
	return tx.Commit()
}

// pgRawSearch runs the store's search on PostgreSQL: the newest 51 tasks
// whose search text holds the term.
func pgRawSearch(ctx context.Context, raw *sql.DB, term string) error {
	rows, err := raw.QueryContext(ctx, pg(`SELECT`+strings.Replace(rawTaskColumns, "FROM tasks t", "FROM task_search s JOIN tasks t ON t.id = s.rowid", 1)+`
		WHERE s.body LIKE ? ESCAPE '\'
		ORDER BY s.created_at DESC, s.rowid DESC
		LIMIT ?`), "%"+store.SearchBody(term)+"%", 51)
	if err != nil {
		return err
	}
	_, err = scanTasks(rows)
	return err
}
