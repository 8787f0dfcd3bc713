package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/pgtest"
)

// BenchmarkCopyToPostgres times `reelvault migrate --to postgres://` of the
// benchmark history (REELVAULT_BENCH_TASKS, 100,000 tasks by default) into
// a new database of the durable benchmark cluster: load, indexes,
// constraints, search index, ANALYZE and verification. Each iteration also
// runs the raw floor on another new database: the same rows read from the
// same SQLite snapshot with database/sql and written with pgx's binary
// CopyFrom, in one transaction, into tables with the same columns and no
// index, key, constraint or trigger, and no verification. It reports rows/s
// of both and their ratio.
//
//	REELVAULT_TEST_DB=postgres go test ./store/ -run '^$' -bench 'CopyToPostgres$' -benchtime 3x
func BenchmarkCopyToPostgres(b *testing.B) {
	if !onPostgres() {
		b.Skip("migrates into PostgreSQL: set " + TestDBEnv + "=postgres")
	}
	ctx := context.Background()
	lite := mustSQLiteFixture(b)
	c := mustBenchCluster(b)
	dir := b.TempDir()
	src, err := snapshot(ctx, lite.db.Path, filepath.Join(dir, "snapshot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	admin, err := sql.Open("pgx", c.URL("postgres"))
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()

	// newTarget creates a database with the store's schema.
	newTarget := func() (*store.DB, string) {
		url, err := c.CreateDatabase(ctx, "copy")
		if err != nil {
			b.Fatal(err)
		}
		db := store.NewDB(url)
		db.Logger = slog.New(slog.DiscardHandler)
		if err := db.Open(ctx); err != nil {
			b.Fatal(err)
		}
		return db, url
	}
	drop := func(db *store.DB, url string) {
		db.Close()
		name := url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
		if _, err := admin.ExecContext(ctx, `DROP DATABASE "`+name+`" WITH (FORCE)`); err != nil {
			b.Fatal(err)
		}
	}

	var storeTime, rawTime, storeCPU, rawCPU time.Duration
	var rows int64
	b.ResetTimer()
	for i := range b.N {
		load := loadAvg()
		dst, url := newTarget()
		cpu0 := clusterCPU(b, c) + processCPU()
		start := time.Now()
		report, err := store.CopyToPostgres(ctx, src, dst, store.CopyOptions{Batch: 2000})
		d := time.Since(start)
		cpu := clusterCPU(b, c) + processCPU() - cpu0
		if err != nil {
			b.Fatal(err)
		}
		drop(dst, url)
		storeTime += d
		storeCPU += cpu
		var n int64
		for _, t := range report.Tables {
			n += t.Rows
		}
		rows = n

		raw, url := newTarget()
		cpu0 = clusterCPU(b, c) + processCPU()
		start = time.Now()
		rn, err := rawCopy(ctx, src.Path, url)
		rd := time.Since(start)
		rcpu := clusterCPU(b, c) + processCPU() - cpu0
		if err != nil {
			b.Fatal(err)
		}
		drop(raw, url)
		if rn != n {
			b.Fatalf("raw copy wrote %d rows, the store %d", rn, n)
		}
		rawTime += rd
		rawCPU += rcpu
		b.Logf("phases: %v", report.Phases)
		b.Logf("run %d (load %s → %s): store %v (CPU %v), %.0f rows/s; raw COPY %v (CPU %v), %.0f rows/s; store ÷ raw: wall %.2f×, CPU %.2f×",
			i+1, load, loadAvg(), d.Round(time.Millisecond), cpu.Round(time.Millisecond), float64(n)/d.Seconds(),
			rd.Round(time.Millisecond), rcpu.Round(time.Millisecond), float64(rn)/rd.Seconds(), d.Seconds()/rd.Seconds(), cpu.Seconds()/rcpu.Seconds())
	}
	b.StopTimer()
	b.ReportMetric(float64(rows)*float64(b.N)/storeTime.Seconds(), "rows/s")
	b.ReportMetric(float64(rows)*float64(b.N)/rawTime.Seconds(), "raw-rows/s")
	b.ReportMetric(storeTime.Seconds()/rawTime.Seconds(), "store/raw")
	b.ReportMetric(storeCPU.Seconds()/rawCPU.Seconds(), "cpu-store/raw")
	b.ReportMetric(float64(rows), "rows")
}

// rawCopy is BenchmarkCopyToPostgres's floor: every row of the copied
// tables from the SQLite file at path, through pgx's CopyFrom, into
// index-free copies of the tables (CREATE TABLE … (LIKE …): columns and NOT
// NULL only), in one transaction. It returns the number of rows.
func rawCopy(ctx context.Context, path, url string) (int64, error) {
	lite, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	if err != nil {
		return 0, err
	}
	defer lite.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	stx, err := lite.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer stx.Rollback()
	var total int64
	for _, t := range store.CopyTables {
		if _, err := tx.Exec(ctx, `CREATE TABLE raw_`+t.Name+` (LIKE `+t.Name+`)`); err != nil {
			return 0, err
		}
		var cols, types []string
		rows, err := tx.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, t.Name)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var c, typ string
			if err := rows.Scan(&c, &typ); err != nil {
				return 0, err
			}
			cols, types = append(cols, c), append(types, typ)
		}
		if err := rows.Err(); err != nil {
			return 0, err
		}
		src, err := stx.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+t.Name+` ORDER BY `+t.Key)
		if err != nil {
			return 0, err
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"raw_" + t.Name}, cols, &sqliteRows{rows: src, types: types})
		src.Close()
		if err != nil {
			return 0, fmt.Errorf("copy %s: %w", t.Name, err)
		}
		total += n
	}
	return total, tx.Commit(ctx)
}

// sqliteRows feeds SQLite rows to pgx's CopyFrom, converted to the
// PostgreSQL column types (SQLite keeps booleans as 0 and 1, and may hand
// back an integer from a REAL column).
type sqliteRows struct {
	rows  *sql.Rows
	types []string
	vals  []any
	ptrs  []any
}

func (r *sqliteRows) Next() bool { return r.rows.Next() }

func (r *sqliteRows) Values() ([]any, error) {
	if r.vals == nil {
		r.vals = make([]any, len(r.types))
		r.ptrs = make([]any, len(r.vals))
		for i := range r.vals {
			r.ptrs[i] = &r.vals[i]
		}
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		return nil, err
	}
	for i, v := range r.vals {
		switch n := v.(type) {
		case int64:
			switch r.types[i] {
			case "boolean":
				r.vals[i] = n != 0
			case "double precision":
				r.vals[i] = float64(n)
			}
		}
	}
	return r.vals, nil
}

func (r *sqliteRows) Err() error { return r.rows.Err() }

// loadAvg returns the one-minute load average.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// clusterCPU returns the CPU time the benchmark cluster's processes have
// used: the postmaster's own and its reaped children's (backends that have
// exited), and every live child's. On PostgreSQL most of a copy's work is
// in the server; the wall clock alone counts waiting for a core too.
func clusterCPU(b *testing.B, c *pgtest.Cluster) time.Duration {
	b.Helper()
	pidFile, err := os.ReadFile(filepath.Join(c.Dir, "data", "postmaster.pid"))
	if err != nil {
		b.Fatal(err)
	}
	pid := strings.TrimSpace(strings.SplitN(string(pidFile), "\n", 2)[0])
	ticks := procTicks(pid)
	children, _ := os.ReadFile("/proc/" + pid + "/task/" + pid + "/children")
	for _, child := range strings.Fields(string(children)) {
		ticks += procTicks(child)
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}

// procTicks returns utime + stime + cutime + cstime of process pid in
// clock ticks, 0 if it is gone.
func procTicks(pid string) int64 {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// The fields after the command name (in parentheses) start with the
	// third, state; utime is the 14th.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	var sum int64
	for i := 14 - 3; i <= 17-3 && i < len(f); i++ {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		sum += n
	}
	return sum
}
