package store_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"golang.org/x/sys/unix"
)

// BenchmarkTaskService_CreateConcurrent8 times durable creates
// (synchronous=FULL) from 8 concurrent writers on the seeded history: first
// through the store, then through the raw driver doing one commit per write
// on one writer connection with the same 8 writers, in the same run. It
// reports writes per second and p50/p99 latency of each side, the ratio of
// their throughputs, the CPU time the whole process spent per write on each
// side (all goroutines and threads: what bounds throughput on a machine
// whose cores are all busy, and what the load of other processes does not
// change) and the store's writes per commit. Each side makes b.N writes.
func BenchmarkTaskService_CreateConcurrent8(b *testing.B) {
	const writers = 8
	if v := os.Getenv("REELVAULT_COMMIT_DELAY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("REELVAULT_COMMIT_DELAY=%q: %v", v, err)
		}
		defer func(old time.Duration) { store.CommitDelay = old }(store.CommitDelay)
		store.CommitDelay = d
	}
	f := mustFixture(b)
	ctx := context.Background()
	uctx := domain.WithUser(ctx, f.writer)
	f.deleteWritesAfter(b)
	run := func(write func(i int) error) (perSec, cpuPerWrite float64, lat []time.Duration) {
		lat = make([]time.Duration, b.N)
		var wg sync.WaitGroup
		cpu0 := processCPU()
		start := time.Now()
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < b.N; i += writers {
					t0 := time.Now()
					if err := write(i); err != nil {
						b.Error(err)
						return
					}
					lat[i] = time.Since(t0)
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		return float64(b.N) / elapsed.Seconds(), float64((processCPU() - cpu0).Microseconds()) / float64(b.N), lat
	}
	batches0, writes0 := store.CommitCounts(f.db)
	b.ResetTimer()
	storeRate, storeCPU, storeLat := run(func(i int) error {
		_, err := f.tasks.CreateTask(uctx, domain.TaskCreate{Prompt: fmt.Sprintf("A concurrent fox number %d", i), TotalScenes: 4})
		return err
	})
	batches, writes := store.CommitCounts(f.db)
	rawRate, rawCPU, rawLat := run(func(i int) error {
		return f.rawCreate(ctx, fmt.Sprintf("A raw concurrent fox number %d", i))
	})
	b.StopTimer()
	b.ReportMetric(storeRate, "writes/s")
	b.ReportMetric(rawRate, "raw-writes/s")
	b.ReportMetric(storeRate/rawRate, "ratio-writes/s")
	b.ReportMetric(pctMicros(storeLat, 50), "p50-µs")
	b.ReportMetric(pctMicros(storeLat, 99), "p99-µs")
	b.ReportMetric(pctMicros(rawLat, 50), "raw-p50-µs")
	b.ReportMetric(pctMicros(rawLat, 99), "raw-p99-µs")
	b.ReportMetric(storeCPU, "cpu-µs/write")
	b.ReportMetric(rawCPU, "raw-cpu-µs/write")
	if batches > batches0 {
		b.ReportMetric(float64(writes-writes0)/float64(batches-batches0), "writes/commit")
	}
}

// processCPU returns the CPU time (user and system) the process has used.
func processCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTaskService_LifecycleStep times the durable lifecycle steps of
// a task created on the seeded history (start, progress, complete), each
// step one write, as p50/p99 over all steps, the CPU time the whole
// process spent per step (the committer's and the fsync's included) and,
// on SQLite, p50/p99 of each stage of a step in the committer and the
// mean of every stage over all steps and over the slowest 1 % (see
// phaseLog), which tells a slow statement from a slow fsync.
func BenchmarkTaskService_LifecycleStep(b *testing.B) {
	f := mustFixture(b)
	ctx := context.Background()
	uctx := domain.WithUser(ctx, f.writer)
	f.deleteWritesAfter(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	lat := make([]time.Duration, 0, 3*b.N)
	var cpu time.Duration
	// The stages of the timed writes (SQLite): where a slow one spent its
	// time.
	var phases phaseLog
	phases.start(b, f.db)
	timed := func(fn func() error) {
		c0 := processCPU()
		d, err := phases.time(fn)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, d)
		cpu += processCPU() - c0
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		task, err := f.tasks.CreateTask(uctx, domain.TaskCreate{Prompt: fmt.Sprintf("A lifecycle fox number %d", i), TotalScenes: 4})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		timed(func() error { _, err := f.tasks.StartTask(uctx, task.TaskID); return err })
		timed(func() error {
			_, err := f.tasks.UpdateProgress(uctx, task.TaskID, domain.TaskProgress{Progress: 50})
			return err
		})
		timed(func() error { _, err := f.tasks.CompleteTask(uctx, task.TaskID, "/videos/fox.mp4"); return err })
	}
	b.StopTimer()
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(lat)), "cpu-µs/step")
	phases.report(b)
	b.ReportMetric(pctMicros(lat, 50), "p50-µs")
	b.ReportMetric(pctMicros(lat, 99), "p99-µs")
}

// pctMicros returns the p-th percentile of d in microseconds (sorting d).
func pctMicros(d []time.Duration, p int) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return float64(d[min(len(d)-1, len(d)*p/100)].Nanoseconds()) / 1e3
}

// BenchmarkStatsService_Status times Status on the seeded history (171 MB
// at 100 k tasks): row counts, sizes and, on a small database only, the
// per-table sizes.
func BenchmarkStatsService_Status(b *testing.B) {
	f := mustFixture(b)
	stats := store.NewStatsService(f.db)
	owner := domain.WithOwner(context.Background())
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if _, err := stats.Status(owner); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.ReportMetric(pctMicros(lat, 50)/1e3, "p50-ms")
	b.ReportMetric(pctMicros(lat, 99)/1e3, "p99-ms")
}
