package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// claimWorkers is the number of concurrent claimers of the claim benchmark.
const claimWorkers = 8

// BenchmarkClaimTask_8Workers hands out b.N pending tasks to 8 concurrent
// workers on the engine of the run (see TestDBEnv; two store instances on
// PostgreSQL, as two machines would run)
// and checks that no task is handed out twice. It reports claims per second
// and the latency of one claim, next to the raw driver running the same
// transaction with the same number of workers.
func BenchmarkClaimTask_8Workers(b *testing.B) {
	engine := store.EngineSQLite
	if onPostgres() {
		engine = store.EnginePostgres
	}
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
	cpu0 := benchCPU(b, engine)
	go0 := processCPU()
	start := time.Now()
	storeClaims := runClaimers(b, func(w int) (string, error) {
		t, err := store.NewTaskService(instances[w%len(instances)]).ClaimTask(domain.WithOwner(ctx), domain.ClaimRequest{Worker: fmt.Sprintf("w%d", w)})
		if t == nil || err != nil {
			return "", err
		}
		return t.TaskID, nil
	}, &l.store)
	storeRate := float64(storeClaims) / time.Since(start).Seconds()
	storeCPU := benchCPU(b, engine) - cpu0
	storeGo := processCPU() - go0
	b.StopTimer()
	if storeClaims != b.N {
		b.Fatalf("claimed %d tasks, want %d", storeClaims, b.N)
	}

	seedPending(b, raw, engine, b.N)
	cpu0 = benchCPU(b, engine)
	go0 = processCPU()
	start = time.Now()
	rawClaims := runClaimers(b, func(int) (string, error) { return rawClaim(ctx, raw, engine) }, &l.raw)
	rawRate := float64(rawClaims) / time.Since(start).Seconds()
	rawCPU := benchCPU(b, engine) - cpu0
	rawGo := processCPU() - go0
	if rawClaims != b.N {
		b.Fatalf("raw claimed %d tasks, want %d", rawClaims, b.N)
	}
	l.report(b)
	b.ReportMetric(storeRate, "claims/s")
	b.ReportMetric(rawRate, "raw-claims/s")
	// CPU per claim, of this process and (PostgreSQL) the cluster's
	// processes: what a claim costs whatever the wait for a core.
	b.ReportMetric(float64(storeCPU.Microseconds())/float64(storeClaims), "cpu-µs/claim")
	b.ReportMetric(float64(rawCPU.Microseconds())/float64(rawClaims), "raw-cpu-µs/claim")
	b.ReportMetric(float64(storeGo.Microseconds())/float64(storeClaims), "go-cpu-µs/claim")
	b.ReportMetric(float64(rawGo.Microseconds())/float64(rawClaims), "raw-go-cpu-µs/claim")
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
		suffix = " FOR UPDATE OF t SKIP LOCKED" // READ COMMITTED, no other lock, as the store
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

// benchCPU returns the CPU time used so far by this process and, on
// PostgreSQL, the benchmark cluster.
func benchCPU(b *testing.B, engine string) time.Duration {
	cpu := processCPU()
	if engine == store.EnginePostgres {
		cpu += clusterCPU(b, mustBenchCluster(b))
	}
	return cpu
}
