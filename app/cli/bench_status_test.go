//go:build linux

package cli_test

import (
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Status and startup on a large database: "reelvault status" as a process
// (exec to exit) and "reelvault serve" from exec to its first 200 on
// /healthz, warm and cold (the database file's pages dropped from the page
// cache with posix_fadvise before each run), beside the raw driver opening
// the same file and reading PRAGMA page_count in the same run.
//
// REELVAULT_BENCH_DATA_DIR names a data folder to run on (its reelvault.db
// at this binary's schema version; the commands only read it, but serve
// writes its token file and lock there, so give it a copy); without it the
// benchmark makes a small one.
//
//	REELVAULT_BENCH_DATA_DIR=/tmp/copy-of-1M go test -run '^$' -bench 'Status|Serve' -benchtime 20x ./app/cli

// benchDataDir returns the data folder of the status benchmarks.
func benchDataDir(b *testing.B) string {
	b.Helper()
	if dir := os.Getenv("REELVAULT_BENCH_DATA_DIR"); dir != "" {
		return dir
	}
	r := newRunner(b)
	r.addUser("alice")
	for i := range 20 {
		r.createTask("alice", fmt.Sprintf("status benchmark task %d", i))
	}
	return r.dir
}

// dropFileCache asks the kernel to forget the cached pages of the data
// folder's database and WAL, so the next read comes from the disk.
func dropFileCache(b *testing.B, dir string) {
	b.Helper()
	for _, name := range []string{"reelvault.db", "reelvault.db-wal"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// forEachCache runs fn as sub-benchmarks "warm" and "cold"; cold drops
// the database's pages from the page cache before each call.
func forEachCache(b *testing.B, dir string, fn func(b *testing.B, before func())) {
	b.Run("warm", func(b *testing.B) { fn(b, func() {}) })
	b.Run("cold", func(b *testing.B) { fn(b, func() { dropFileCache(b, dir) }) })
}

// BenchmarkStatus_Process runs "reelvault status" as a process.
func BenchmarkStatus_Process(b *testing.B) {
	dir := benchDataDir(b)
	bin := buildBinary(b)
	forEachCache(b, dir, func(b *testing.B, before func()) {
		samples := make([]time.Duration, 0, b.N)
		for b.Loop() {
			b.StopTimer()
			before()
			b.StartTimer()
			start := time.Now()
			cmd := exec.Command(bin, "--data-dir", dir, "--json", "status")
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v\n%s", err, out)
			}
			samples = append(samples, time.Since(start))
		}
		reportPercentiles(b, samples)
	})
}

// BenchmarkStatus_ProcessFloor runs "reelvault help" as a process: the exec
// and Go runtime start that every command pays, with no database.
func BenchmarkStatus_ProcessFloor(b *testing.B) {
	bin := buildBinary(b)
	samples := make([]time.Duration, 0, b.N)
	for b.Loop() {
		start := time.Now()
		if out, err := exec.Command(bin, "help").CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		samples = append(samples, time.Since(start))
	}
	reportPercentiles(b, samples)
}

// BenchmarkStatus_Raw opens the database with the raw driver, reads
// PRAGMA page_count and closes it, in-process: the least a status can do.
func BenchmarkStatus_Raw(b *testing.B) {
	dir := benchDataDir(b)
	path := filepath.Join(dir, "reelvault.db")
	forEachCache(b, dir, func(b *testing.B, before func()) {
		samples := make([]time.Duration, 0, b.N)
		for b.Loop() {
			b.StopTimer()
			before()
			b.StartTimer()
			start := time.Now()
			db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
			if err != nil {
				b.Fatal(err)
			}
			var pages int64
			if err := db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil || pages == 0 {
				b.Fatalf("page_count=%d, %v", pages, err)
			}
			db.Close()
			samples = append(samples, time.Since(start))
		}
		reportPercentiles(b, samples)
	})
}

// BenchmarkServe_Ready starts "reelvault serve" and measures exec to the
// first 200 from /healthz, then stops it with SIGINT and waits for it.
func BenchmarkServe_Ready(b *testing.B) {
	dir := benchDataDir(b)
	bin := buildBinary(b)
	client := &http.Client{Timeout: time.Second}
	forEachCache(b, dir, func(b *testing.B, before func()) {
		samples := make([]time.Duration, 0, b.N)
		for b.Loop() {
			b.StopTimer()
			addr := freeAddr(b)
			before()
			b.StartTimer()
			start := time.Now()
			cmd := exec.Command(bin, "--data-dir", dir, "serve", "--addr", addr)
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			for {
				resp, err := client.Get("http://" + addr + "/healthz")
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						break
					}
				}
				if time.Since(start) > time.Minute {
					cmd.Process.Kill()
					b.Fatal("serve did not answer /healthz within a minute")
				}
				time.Sleep(time.Millisecond)
			}
			samples = append(samples, time.Since(start))
			b.StopTimer()
			cmd.Process.Signal(syscall.SIGINT)
			if err := cmd.Wait(); err != nil {
				b.Fatalf("serve: %v", err)
			}
			b.StartTimer()
		}
		reportPercentiles(b, samples)
	})
}

// freeAddr returns a loopback address with a port free now.
func freeAddr(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
