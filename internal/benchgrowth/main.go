// Command benchgrowth turns the outputs of `make bench-growth` (one file of
// `go test -bench` output per history size, named <tasks>.txt) into one
// Markdown table: each phase of the store and of the backups in a row, each
// size in a column, so that a reader sees which costs stay flat as the
// history grows and which do not.
//
//	go run ./internal/benchgrowth .artifacts/growth/*.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// phase is one row of the table: a benchmark and how to read it.
type phase struct {
	label string
	bench string // the benchmark's name without the -GOMAXPROCS suffix
	// Latency phases: p50 and p99 (µs or ms, as unit says), the raw
	// driver's p50 when the benchmark has one. Throughput phases: rate and
	// the raw driver's rate.
	p50, p99, raw string
	unit          string // "µs", "ms" or a rate's unit ("rows/s")
}

var phases = []phase{
	{"get task + scenes + videos + events", "BenchmarkTaskService_FindTaskByID", "p50-µs", "p99-µs", "raw-p50-µs", "µs"},
	{"history page (50, user + status, cursor)", "BenchmarkTaskService_FindTasks_History", "p50-µs", "p99-µs", "raw-p50-µs", "µs"},
	{"count by status, one user (1 % of the tasks)", "BenchmarkTaskService_CountByStatus", "p50-µs", "p99-µs", "raw-p50-µs", "µs"},
	{"search newest 50, English noun (~1 %)", "BenchmarkTaskService_FindTasks_SearchEnglish", "p50-µs", "p99-µs", "raw-p50-µs", "µs"},
	{"search newest 50, Chinese place (~1 %)", "BenchmarkTaskService_FindTasks_SearchChinese", "p50-µs", "p99-µs", "raw-p50-µs", "µs"},
	{"search newest 50, most common word (Zipf)", "BenchmarkTaskService_FindTasks_SearchZipf/rank=1", "p50-µs", "p99-µs", "raw-p50-µs", "µs"},
	{"search newest 50, 1000th word (Zipf)", "BenchmarkTaskService_FindTasks_SearchZipf/rank=1000", "p50-µs", "p99-µs", "raw-p50-µs", "µs"},
	{"durable create", "BenchmarkTaskService_CreateTask", "p50-µs", "p99-µs", "raw-p50-µs", "µs"},
	{"lifecycle step (start, progress, complete)", "BenchmarkTaskService_LifecycleStep", "p50-µs", "p99-µs", "", "µs"},
	{"8 concurrent writers: durable writes/s", "BenchmarkTaskService_CreateConcurrent8", "writes/s", "", "raw-writes/s", "writes/s"},
	{"8 concurrent writers: write latency", "BenchmarkTaskService_CreateConcurrent8", "p50-µs", "p99-µs", "raw-p50-µs", "µs"},
	{"status (counts, sizes, last backup)", "BenchmarkStatsService_Status", "p50-ms", "p99-ms", "", "ms"},
	{"import (all or nothing)", "BenchmarkImport", "rows/s", "", "raw_rows/s", "rows/s"},
	{"export", "BenchmarkExport", "tasks/s", "", "raw_tasks/s", "tasks/s"},
	{"full verified backup", "BenchmarkBackup/backup-api", "pipeline_MB/s", "", "raw_vacuum_into_MB/s", "MB/s"},
}

// results maps a benchmark's name to its metrics.
type results map[string]map[string]float64

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchgrowth <tasks>.txt…")
		os.Exit(2)
	}
	table, err := growthTable(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgrowth:", err)
		os.Exit(1)
	}
	os.Stdout.WriteString(table)
}

// growthTable reads the benchmark outputs at paths, each named after its
// number of tasks, and returns the Markdown table, smallest history first.
func growthTable(paths []string) (string, error) {
	type column struct {
		tasks int
		res   results
	}
	var cols []column
	for _, path := range paths {
		n, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(path), ".txt"))
		if err != nil {
			return "", fmt.Errorf("%s: the file's name must be the number of tasks, like 250000.txt", path)
		}
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		res, err := parse(f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		cols = append(cols, column{n, res})
	}
	slices.SortFunc(cols, func(a, b column) int { return a.tasks - b.tasks })

	var b strings.Builder
	b.WriteString("| phase |")
	for _, c := range cols {
		fmt.Fprintf(&b, " %s tasks |", group(c.tasks))
	}
	b.WriteString("\n| --- |" + strings.Repeat(" --- |", len(cols)) + "\n")
	for _, p := range phases {
		fmt.Fprintf(&b, "| %s |", p.label)
		for _, c := range cols {
			fmt.Fprintf(&b, " %s |", cell(p, c.res[p.bench]))
		}
		b.WriteByte('\n')
	}
	b.WriteString("\nLatencies are p50 / p99 (raw driver's p50 in brackets); rates have the raw driver's rate in brackets; – : not run.\n")
	return b.String(), nil
}

// parse reads `go test -bench` output.
func parse(r io.Reader) (results, error) {
	res := results{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			m[f[i+1]] = v
		}
		res[name] = m
	}
	return res, sc.Err()
}

// cell formats phase p's figures from metrics m.
func cell(p phase, m map[string]float64) string {
	v, ok := m[p.p50]
	if !ok {
		return "–"
	}
	raw := ""
	if r, ok := m[p.raw]; ok && p.raw != "" {
		raw = " (" + num(r, p.unit) + ")"
	}
	if p.p99 == "" {
		return num(v, p.unit) + raw
	}
	return num(v, p.unit) + " / " + num(m[p.p99], p.unit) + raw
}

// num formats v of unit: latencies in ms, rates grouped by thousands.
func num(v float64, unit string) string {
	switch unit {
	case "µs":
		return strconv.FormatFloat(v/1000, 'f', 2, 64) + " ms"
	case "ms":
		return strconv.FormatFloat(v, 'f', 2, 64) + " ms"
	case "MB/s":
		return strconv.FormatFloat(v, 'f', 0, 64) + " MB/s"
	}
	return group(int(v+0.5)) + "/s"
}

// group writes n with thousands separators.
func group(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
