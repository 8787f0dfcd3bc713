package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// BenchmarkPostgres_ParallelClaims runs claim→complete cycles of b.N
// pending tasks with 8 workers over two store handles on one PostgreSQL
// database (two Reelvault processes), and reports cycles per second, the
// p50/p99 of one cycle and the most write transactions seen in flight at
// once in pg_stat_activity.
func BenchmarkPostgres_ParallelClaims(b *testing.B) {
	ctx := context.Background()
	url, err := mustBenchCluster(b).CreateDatabase(ctx, "parallel")
	if err != nil {
		b.Fatal(err)
	}
	dbs := make([]*store.DB, 2)
	for i := range dbs {
		dbs[i] = store.NewDB(url)
		dbs[i].Logger = slog.New(slog.DiscardHandler)
		if err := dbs[i].Open(ctx); err != nil {
			b.Fatal(err)
		}
		defer dbs[i].Close()
	}
	raw, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	owner := domain.WithOwner(ctx)
	if _, _, err := store.NewUserService(dbs[0]).CreateUser(owner, domain.UserCreate{Username: "claims", Quota: ptr(1 << 30)}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.StopTimer()
	seedPending(b, raw, store.EnginePostgres, b.N)

	sampleCtx, stop := context.WithCancel(ctx)
	var maxWriting atomic.Int64
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for sampleCtx.Err() == nil {
			var n int64
			if err := raw.QueryRowContext(sampleCtx, `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND application_name = 'reelvault' AND backend_xid IS NOT NULL`).Scan(&n); err != nil {
				return
			}
			if n > maxWriting.Load() {
				maxWriting.Store(n)
			}
			time.Sleep(500 * time.Microsecond)
		}
	}()

	b.StartTimer()
	cpu0 := benchCPU(b, store.EnginePostgres)
	start := time.Now()
	var done atomic.Int64
	var mu sync.Mutex
	var times []time.Duration
	var wg sync.WaitGroup
	for w := range claimWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tasks := store.NewTaskService(dbs[w%2])
			worker := fmt.Sprintf("w%d", w)
			var mine []time.Duration
			defer func() { mu.Lock(); times = append(times, mine...); mu.Unlock() }()
			for {
				t0 := time.Now()
				t, err := tasks.ClaimTask(owner, domain.ClaimRequest{Worker: worker})
				if err != nil {
					b.Error(err)
					return
				}
				if t == nil {
					return
				}
				if _, err := tasks.CompleteTask(owner, t.TaskID, "/videos/"+t.TaskID+".mp4"); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t0))
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := benchCPU(b, store.EnginePostgres) - cpu0
	b.StopTimer()
	stop()
	<-sampled
	if int(done.Load()) != b.N {
		b.Fatalf("completed %d tasks, want %d", done.Load(), b.N)
	}
	l := latencies{store: times}
	l.report(b)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "cycles/s")
	b.ReportMetric(float64(maxWriting.Load()), "max-writing")
	// CPU per cycle, of this process and the cluster (see benchCPU).
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/cycle")
}
