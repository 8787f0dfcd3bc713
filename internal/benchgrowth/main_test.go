package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGrowthTable builds the table from two sizes' outputs given out of
// order: columns sorted by size, the GOMAXPROCS suffix ignored, latencies
// in ms with the raw driver's p50, rates grouped, a phase a size did not
// run shown as –.
func TestGrowthTable(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	big := write("1000000.txt", `goos: linux
BenchmarkTaskService_FindTaskByID-2   	 2000	 143707 ns/op	 121.1 cpu-p50-µs	 250.0 p50-µs	 1207 p99-µs	 97.70 raw-p50-µs
BenchmarkTaskService_CreateConcurrent8-2 	 200	 1208117 ns/op	 3124 p50-µs	 5143 p99-µs	 1262 raw-writes/s	 2405 writes/s
BenchmarkImport-2 	 1	 14318074736 ns/op	 84185 rows/s
PASS
`)
	small := write("250000.txt", "BenchmarkTaskService_FindTaskByID-2 \t 2000\t 1 ns/op\t 126.1 p50-µs\t 900 p99-µs\n")
	table, err := growthTable([]string{big, small})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| phase | 250,000 tasks | 1,000,000 tasks |",
		"| get task + scenes + videos + events | 0.13 ms / 0.90 ms | 0.25 ms / 1.21 ms (0.10 ms) |",
		"| 8 concurrent writers: durable writes/s | – | 2,405/s (1,262/s) |",
		"| import (all or nothing) | – | 84,185/s |",
		"| export | – | – |",
	} {
		if !strings.Contains(table, want+"\n") {
			t.Errorf("table has no line %q:\n%s", want, table)
		}
	}
	if _, err := growthTable([]string{write("big.txt", "")}); err == nil || !strings.Contains(err.Error(), "number of tasks") {
		t.Errorf("a file not named after its size: error %v", err)
	}
}
