package cli_test

import (
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
)

// The command line opens the store, runs one service call and closes it on
// every invocation. These benchmarks measure that whole cost for "task show"
// three ways, in one run, so the figures compare: the service call on an
// open store (the floor), cli.Main in-process (open + call + print + close),
// and the real binary as a process (plus exec and the Go runtime's start).
//
//	go test -run '^$' -bench . ./app/cli

// benchTask makes a data dir with one user and one task with scenes and
// videos, and returns the runner and the task's ID.
func benchTask(b *testing.B) (*runner, string) {
	b.Helper()
	r := newRunner(b)
	r.addUser("alice")
	id := r.createTask("alice", "benchmark task", "--scenes", "2")
	r.ok("task", "start", id)
	r.ok("scene", "set", id, "--file", filepath.Join("testdata", "scenes.json"))
	r.ok("video", "add", id, "--scene", "1", "--file", filepath.Join("testdata", "scenes.json"))
	return r, id
}

// reportPercentiles adds p50 and p99 of the samples to the benchmark's output.
func reportPercentiles(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		return
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	at := func(q float64) float64 {
		return float64(samples[int(q*float64(len(samples)-1))].Microseconds())
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

func BenchmarkTaskShow_Store(b *testing.B) {
	r, id := benchTask(b)
	ctx := domain.WithOwner(context.Background())
	svc, err := openServices(ctx, r.dir)
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := svc.Tasks.FindTaskByID(ctx, id); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(start))
	}
	reportPercentiles(b, samples)
}

func BenchmarkTaskShow_Main(b *testing.B) {
	r, id := benchTask(b)
	args := []string{"--data-dir", r.dir, "--json", "task", "show", id}
	opts := cli.Options{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if code := cli.Main(context.Background(), args, opts); code != cli.ExitOK {
			b.Fatalf("exit %d", code)
		}
		samples = append(samples, time.Since(start))
	}
	reportPercentiles(b, samples)
}

func BenchmarkTaskShow_Process(b *testing.B) {
	r, id := benchTask(b)
	bin := buildBinary(b)
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		cmd := exec.Command(bin, "--data-dir", r.dir, "--json", "task", "show", id)
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(start))
	}
	reportPercentiles(b, samples)
}
