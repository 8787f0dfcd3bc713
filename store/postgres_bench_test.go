package store_test

// PostgreSQL benchmarks, side by side with the SQLite ones in bench_test.go:
// the same operations on the same generated history, which is migrated from
// the cached SQLite history with CopyToPostgres (and verified) into a
// throwaway, durable (fsync=on) cluster. The raw side runs the same SQL
// through pgx's database/sql driver. Run with
//
//	make bench BENCH_PKGS=./store/ BENCH='Postgres|Claim'

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
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
	lite := mustFixture(b)
	c := mustBenchCluster(b)
	pgFixtureOnce.Do(func() {
		ctx := context.Background()
		url, err := c.CreateDatabase(ctx, "bench")
		if err != nil {
			pgFixErr = err
			return
		}
		f := &benchFixture{db: store.NewDB(url), writer: lite.writer, sample: lite.sample}
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

func BenchmarkPostgres_FindTaskByID(b *testing.B) {
	f := mustPostgresFixture(b)
	ctx, owner := context.Background(), domain.WithOwner(context.Background())
	rng := rand.New(rand.NewPCG(3, 4))
	var l latencies
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := f.sample[rng.IntN(len(f.sample))]
		l.timeBoth(b, i, func() error {
			task, err := f.tasks.FindTaskByID(owner, t.TaskID)
			if err == nil && (len(task.Scripts) != 4 || len(task.Videos) != 4 || len(task.Events) == 0) {
				err = fmt.Errorf("task %s: %d scripts, %d videos, %d events", t.TaskID, len(task.Scripts), len(task.Videos), len(task.Events))
			}
			return err
		}, func() error { return pgRawGetTask(ctx, f.raw, t.TaskID) })
	}
	l.report(b)
}

func BenchmarkPostgres_FindTasks_History(b *testing.B) {
	f := mustPostgresFixture(b)
	ctx, owner := context.Background(), domain.WithOwner(context.Background())
	rng := rand.New(rand.NewPCG(5, 6))
	var l latencies
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := f.sample[rng.IntN(len(f.sample))]
		uid := t.UserID
		l.timeBoth(b, i, func() error {
			_, err := f.tasks.FindTasks(owner, domain.TaskFilter{
				UserID: &uid, Status: []domain.Status{domain.Status(t.Status)}, Cursor: cursorAfter(t), Limit: 50,
			})
			return err
		}, func() error {
			rows, err := f.raw.QueryContext(ctx, pg(`SELECT`+rawTaskColumns+`
				WHERE t.user_id = ? AND t.status = ? AND (t.created_at, t.id) < (?, ?)
				ORDER BY t.created_at DESC, t.id DESC
				LIMIT ?`), uid, t.Status, t.CreatedAt, t.ID, 51)
			if err != nil {
				return err
			}
			_, err = scanTasks(rows)
			return err
		})
	}
	l.report(b)
}

// benchPostgresSearch times the newest 50 matches of random terms.
func benchPostgresSearch(b *testing.B, terms []string) {
	f := mustPostgresFixture(b)
	ctx, owner := context.Background(), domain.WithOwner(context.Background())
	rng := rand.New(rand.NewPCG(7, 8))
	var l latencies
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		term := terms[rng.IntN(len(terms))]
		l.timeBoth(b, i, func() error {
			page, err := f.tasks.FindTasks(owner, domain.TaskFilter{Search: term, Limit: 50})
			if err == nil && len(page.Tasks) != 50 {
				err = fmt.Errorf("search %q: %d tasks, want 50", term, len(page.Tasks))
			}
			return err
		}, func() error {
			rows, err := f.raw.QueryContext(ctx, pg(`SELECT`+strings.Replace(rawTaskColumns, "FROM tasks t", "FROM task_search s JOIN tasks t ON t.id = s.rowid", 1)+`
				WHERE s.body LIKE ? ESCAPE '\'
				ORDER BY s.created_at DESC, s.rowid DESC
				LIMIT ?`), "%"+store.SearchBody(term)+"%", 51)
			if err != nil {
				return err
			}
			_, err = scanTasks(rows)
			return err
		})
	}
	l.report(b)
}

// English nouns have three letters or more: the trigram index answers.
func BenchmarkPostgres_FindTasks_SearchEnglish(b *testing.B) { benchPostgresSearch(b, nouns) }

// Two-character Chinese words: the characters are words of their own in the
// search text, so pg_trgm has trigrams for them.
func BenchmarkPostgres_FindTasks_SearchChinese(b *testing.B) { benchPostgresSearch(b, zhPlaces) }

// BenchmarkPostgres_CreateTask times a durable create (fsync and
// synchronous_commit on) on the migrated history.
func BenchmarkPostgres_CreateTask(b *testing.B) {
	f := mustPostgresFixture(b)
	ctx := context.Background()
	uctx := domain.WithUser(ctx, f.writer)
	var l latencies
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := fmt.Sprintf("A durable fox number %d", i)
		l.timeBoth(b, i, func() error {
			_, err := f.tasks.CreateTask(uctx, domain.TaskCreate{Prompt: p, TotalScenes: 4})
			return err
		}, func() error { return pgRawCreate(ctx, f.raw, f.writer, p) })
	}
	l.report(b)
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

// claimWorkers is the number of concurrent claimers of the claim benchmark.
const claimWorkers = 8

// BenchmarkClaimTask_8Workers hands out b.N pending tasks to 8 concurrent
// workers (two store instances on PostgreSQL, as two machines would run)
// and checks that no task is handed out twice. It reports claims per second
// and the latency of one claim, next to the raw driver running the same
// transaction with the same number of workers.
func BenchmarkClaimTask_8Workers(b *testing.B) {
	for _, engine := range []string{store.EngineSQLite, store.EnginePostgres} {
		b.Run("engine="+engine, func(b *testing.B) {
			ctx := context.Background()
			var url string
			if engine == store.EnginePostgres {
				var err error
				if url, err = mustBenchCluster(b).CreateDatabase(ctx, "claims"); err != nil {
					b.Fatal(err)
				}
			} else {
				url = filepath.Join(b.TempDir(), "claims.db")
			}
			instances := make([]*store.DB, 1)
			if engine == store.EnginePostgres {
				instances = make([]*store.DB, 2)
			}
			for i := range instances {
				instances[i] = store.NewDB(url)
				instances[i].Logger = slog.New(slog.DiscardHandler)
				if err := instances[i].Open(ctx); err != nil {
					b.Fatal(err)
				}
				defer instances[i].Close()
			}
			raw, err := sql.Open(map[string]string{store.EngineSQLite: "sqlite", store.EnginePostgres: "pgx"}[engine], rawDSN(engine, url))
			if err != nil {
				b.Fatal(err)
			}
			defer raw.Close()
			if engine == store.EngineSQLite {
				raw.SetMaxOpenConns(1)
			}
			if _, _, err := store.NewUserService(instances[0]).CreateUser(domain.WithOwner(ctx), domain.UserCreate{Username: "claims", Quota: ptr(1 << 30)}); err != nil {
				b.Fatal(err)
			}

			var l latencies
			b.ResetTimer()
			b.StopTimer()
			seedPending(b, raw, engine, b.N)
			b.StartTimer()
			start := time.Now()
			storeClaims := runClaimers(b, func(w int) (string, error) {
				t, err := store.NewTaskService(instances[w%len(instances)]).ClaimTask(domain.WithOwner(ctx), domain.ClaimRequest{Worker: fmt.Sprintf("w%d", w)})
				if t == nil || err != nil {
					return "", err
				}
				return t.TaskID, nil
			}, &l.store)
			storeRate := float64(storeClaims) / time.Since(start).Seconds()
			b.StopTimer()
			if storeClaims != b.N {
				b.Fatalf("claimed %d tasks, want %d", storeClaims, b.N)
			}

			seedPending(b, raw, engine, b.N)
			start = time.Now()
			rawClaims := runClaimers(b, func(int) (string, error) { return rawClaim(ctx, raw, engine) }, &l.raw)
			rawRate := float64(rawClaims) / time.Since(start).Seconds()
			if rawClaims != b.N {
				b.Fatalf("raw claimed %d tasks, want %d", rawClaims, b.N)
			}
			l.report(b)
			b.ReportMetric(storeRate, "claims/s")
			b.ReportMetric(rawRate, "raw-claims/s")
		})
	}
}

func rawDSN(engine, url string) string {
	if engine == store.EngineSQLite {
		return url + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate"
	}
	return url
}

// seedPending adds n pending tasks in one statement.
func seedPending(b *testing.B, raw *sql.DB, engine string, n int) {
	b.Helper()
	q := `INSERT INTO tasks (task_id, user_id, prompt, status, created_at, updated_at)
		SELECT gen_random_uuid()::text, (SELECT id FROM users), 'claim me ' || g, 'pending', g, g FROM generate_series(1, $1) g`
	if engine == store.EngineSQLite {
		q = `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?)
			INSERT INTO tasks (task_id, user_id, prompt, status, created_at, updated_at)
			SELECT lower(hex(randomblob(16))), (SELECT id FROM users), 'claim me ' || i, 'pending', i, i FROM g`
	}
	if _, err := raw.Exec(q, n); err != nil {
		b.Fatal(err)
	}
}

// runClaimers runs claimWorkers goroutines that call claim until it returns
// "", checks that no task id comes twice and returns how many were claimed.
func runClaimers(b *testing.B, claim func(worker int) (string, error), into *[]time.Duration) int {
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	var firstErr error
	for w := range claimWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var times []time.Duration
			defer func() {
				mu.Lock()
				*into = append(*into, times...)
				mu.Unlock()
			}()
			for {
				start := time.Now()
				id, err := claim(w)
				d := time.Since(start)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				dup := id != "" && seen[id]
				if id != "" {
					seen[id] = true
				}
				mu.Unlock()
				if dup {
					mu.Lock()
					firstErr = fmt.Errorf("task %s handed out twice", id)
					mu.Unlock()
				}
				if err != nil || id == "" || dup {
					return
				}
				times = append(times, d)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	return len(seen)
}

// rawClaim runs ClaimTask's transaction by hand: the oldest pending task,
// moved to processing with a lease, and a "claimed" event.
func rawClaim(ctx context.Context, raw *sql.DB, engine string) (string, error) {
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	suffix := ""
	if engine == store.EnginePostgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock_shared(1381387348)`); err != nil {
			return "", err
		}
		suffix = " FOR UPDATE OF t SKIP LOCKED"
	}
	rebind := func(q string) string {
		if engine == store.EnginePostgres {
			return pg(q)
		}
		return q
	}
	var id, attempts int64
	var taskID, username string
	err = tx.QueryRowContext(ctx, rebind(`SELECT t.id, t.task_id, t.attempts, u.username FROM tasks t JOIN users u ON u.id = t.user_id
		WHERE t.status = ? ORDER BY t.created_at, t.id LIMIT 1`+suffix), "pending").Scan(&id, &taskID, &attempts, &username)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	now := time.Now().UnixMicro()
	if _, err := tx.ExecContext(ctx, rebind(`UPDATE tasks SET status = ?, attempts = ?, lease_owner = ?, lease_expires_at = ?, updated_at = ?, started_at = ? WHERE id = ?`),
		"processing", attempts+1, "raw", now+60_000_000, now, now, id); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, rebind(`INSERT INTO task_events (task_id, type, status, progress, message, created_at) VALUES (?, 'claimed', 'processing', 0, 'claimed by raw', ?)`), id, now); err != nil {
		return "", err
	}
	return taskID, tx.Commit()
}
