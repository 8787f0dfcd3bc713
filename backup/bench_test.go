package backup_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/klauspost/compress/zstd"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// Benchmarks run on a database of REELVAULT_BENCH_TASKS tasks (default
// 100,000; the figures in BENCHMARKS.md use 1,000,000), each with three
// scripts, three videos and two events. The seeded file is cached in the
// temp folder between runs.
//
//	REELVAULT_BENCH_TASKS=1000000 go test -run '^$' -bench . -benchtime 1x ./backup/

// benchTasks returns the size of the benchmark database.
func benchTasks(b *testing.B) int {
	if s := os.Getenv("REELVAULT_BENCH_TASKS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("REELVAULT_BENCH_TASKS=%q: want a positive number", s)
		}
		return n
	}
	return 100_000
}

var templateOnce sync.Map // tasks → *sync.Once

// benchDB copies the cached template database of n tasks into a new folder
// and opens it with a Manager.
func benchDB(b *testing.B) (*store.DB, *backup.Manager) {
	b.Helper()
	n := benchTasks(b)
	tmpl := filepath.Join(os.TempDir(), fmt.Sprintf("reelvault-bench-%d-v%d.db", n, store.LatestSchemaVersion()))
	once, _ := templateOnce.LoadOrStore(n, new(sync.Once))
	once.(*sync.Once).Do(func() {
		if _, err := os.Stat(tmpl); err == nil {
			return
		}
		if err := seedTemplate(tmpl, n); err != nil {
			os.Remove(tmpl)
			b.Fatal(err)
		}
	})
	dir := b.TempDir()
	path := filepath.Join(dir, "reelvault.db")
	if err := copyFile(tmpl, path); err != nil {
		b.Fatal(err)
	}
	db := store.NewDB(path)
	db.Logger = discardLogger()
	if err := db.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	m := backup.NewManager(db)
	m.Logger = discardLogger()
	return db, m
}

// seedTemplate creates a database of n tasks at path with bulk inserts.
func seedTemplate(path string, n int) error {
	ctx := context.Background()
	tmp := path + ".seeding"
	os.Remove(tmp)
	db := store.NewDB(tmp)
	if err := db.Open(ctx); err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	raw, err := sql.Open("sqlite", tmp+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		return err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	if _, err := raw.Exec(`INSERT INTO users (username, api_key_hash, key_prefix, quota, created_at, updated_at)
		VALUES ('bench', 'bench-hash', 'rv_bench', 100000000, ?, ?)`, base, base); err != nil {
		return err
	}
	const batch = 10_000
	for start := 0; start < n; start += batch {
		tx, err := raw.Begin()
		if err != nil {
			return err
		}
		task, _ := tx.Prepare(`INSERT INTO tasks (task_id, user_id, prompt, status, progress, total_scenes, completed_scenes,
			final_video_path, created_at, updated_at, started_at, completed_at, duration)
			VALUES (?, 1, ?, 'completed', 100, 3, 3, ?, ?, ?, ?, ?, 300)`)
		script, _ := tx.Prepare(`INSERT INTO scripts (task_id, scene_number, description, duration, camera_movement, lighting, created_at)
			VALUES (?, ?, ?, 5, 'slow pan', 'golden hour', ?)`)
		video, _ := tx.Prepare(`INSERT INTO videos (task_id, scene_number, file_path, file_size, duration, width, height, fps, created_at)
			VALUES (?, ?, ?, 5000000, 5, 1920, 1080, 30, ?)`)
		event, _ := tx.Prepare(`INSERT INTO task_events (task_id, type, status, progress, created_at) VALUES (?, ?, ?, ?, ?)`)
		search, _ := tx.Prepare(`INSERT INTO task_search (rowid, body) VALUES (?, ?)`)
		for i := start; i < min(start+batch, n); i++ {
			at := base + int64(i)*30_000_000 // one task every 30 s
			taskID := fmt.Sprintf("b0000000-0000-4000-8000-%012d", i)
			prompt := fmt.Sprintf("A cinematic shot number %d of a fox running through a snowy forest at dawn", i)
			res, err := task.Exec(taskID, prompt, "/videos/"+taskID+"/final.mp4", at, at+300_000_000, at+1_000_000, at+300_000_000)
			if err != nil {
				tx.Rollback()
				return err
			}
			id, _ := res.LastInsertId()
			descs := make([]string, 3)
			for s := 1; s <= 3; s++ {
				descs[s-1] = fmt.Sprintf("Scene %d: the fox crosses the frame from left to right", s)
				if _, err := script.Exec(id, s, descs[s-1], at); err != nil {
					tx.Rollback()
					return err
				}
				if _, err := video.Exec(id, s, fmt.Sprintf("/videos/%s/%d.mp4", taskID, s), at); err != nil {
					tx.Rollback()
					return err
				}
			}
			for _, e := range []struct {
				typ, status string
				progress    int
			}{{domain.EventCreated, "pending", 0}, {domain.EventCompleted, "completed", 100}} {
				if _, err := event.Exec(id, e.typ, e.status, e.progress, at); err != nil {
					tx.Rollback()
					return err
				}
			}
			if _, err := search.Exec(id, store.SearchBody(prompt, descs...)); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if _, err := raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	raw.Close()
	return os.Rename(tmp, path)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// vacuumInto runs a plain VACUUM INTO on a raw driver connection: the
// baseline that backup throughput is compared with.
func vacuumInto(b *testing.B, src, dst string) time.Duration {
	b.Helper()
	raw, err := sql.Open("sqlite", src)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	start := time.Now()
	if _, err := raw.Exec(`VACUUM INTO ?`, dst); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// BenchmarkBackup compares the copy phase of a backup (online backup API
// and VACUUM INTO through the Manager) with a plain VACUUM INTO on the raw
// driver in the same run, and reports the whole pipeline (copy, verify,
// compress, fsync, rename) as well.
func BenchmarkBackup(b *testing.B) {
	for _, method := range []string{backup.MethodBackupAPI, backup.MethodVacuumInto} {
		b.Run(method, func(b *testing.B) {
			db, m := benchDB(b)
			m.Method = method
			fi, err := os.Stat(db.Path)
			if err != nil {
				b.Fatal(err)
			}
			mb := float64(fi.Size()) / (1 << 20)
			var copyTime, total, raw, cpu time.Duration
			var size int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				raw += vacuumInto(b, db.Path, filepath.Join(b.TempDir(), "raw.db"))
				start, cpu0 := time.Now(), cpuTime()
				var copied time.Time
				bk, err := m.Backup(context.Background(), backup.Options{DBOnly: true, Progress: func(p domain.BackupProgress) {
					if p.Phase == "verify" && copied.IsZero() {
						copied = time.Now()
					}
				}})
				if err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
				cpu += cpuTime() - cpu0
				copyTime += copied.Sub(start)
				size = bk.Size
				os.Remove(bk.Path)
			}
			n := float64(b.N)
			b.ReportMetric(mb/(copyTime.Seconds()/n), "copy_MB/s")
			b.ReportMetric(mb/(raw.Seconds()/n), "raw_vacuum_into_MB/s")
			b.ReportMetric(raw.Seconds()/copyTime.Seconds(), "copy_vs_raw_ratio")
			b.ReportMetric(total.Seconds()/n, "pipeline_s")
			b.ReportMetric(mb/(total.Seconds()/n), "pipeline_MB/s")
			b.ReportMetric(cpu.Seconds()/n, "pipeline_cpu_s")
			b.ReportMetric(float64(fi.Size())/float64(size), "compression_ratio")
		})
	}
}

// BenchmarkBackup_WriteLatency measures durable task writes (one task with
// three scripts and three videos per transaction) while a backup runs,
// against the same writes without a backup in the same run.
func BenchmarkBackup_WriteLatency(b *testing.B) {
	db, m := benchDB(b)
	ctx := context.Background()
	measure := func(during func()) []time.Duration {
		var lat []time.Duration
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				if _, err := insertTask(ctx, db); err != nil {
					b.Error(err)
					return
				}
				lat = append(lat, time.Since(start))
			}
		}()
		during()
		close(stop)
		<-done
		return lat
	}
	var base, busy []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		base = append(base, measure(func() { time.Sleep(2 * time.Second) })...)
		busy = append(busy, measure(func() {
			bk, err := m.Backup(ctx, backup.Options{DBOnly: true})
			if err != nil {
				b.Fatal(err)
			}
			os.Remove(bk.Path)
		})...)
	}
	pct := func(d []time.Duration, p float64) float64 {
		s := slices.Clone(d)
		slices.Sort(s)
		return float64(s[int(float64(len(s)-1)*p)].Microseconds()) / 1000
	}
	b.ReportMetric(pct(busy, 0.50), "p50_ms")
	b.ReportMetric(pct(busy, 0.99), "p99_ms")
	b.ReportMetric(pct(base, 0.50), "idle_p50_ms")
	b.ReportMetric(pct(base, 0.99), "idle_p99_ms")
	b.ReportMetric(pct(busy, 0.99)/pct(base, 0.99), "p99_vs_idle")
	b.ReportMetric(float64(len(busy))/float64(b.N), "writes_during_backup")
}

// procStatus returns a size field of /proc/self/status ("VmHWM", "RssAnon") in bytes.
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// peakRSS returns the process's peak resident set since the last reset. It
// counts the pages of the database file that SQLite maps (mmap_size), which
// belong to the OS page cache.
func peakRSS() int64 { return procStatus("VmHWM") }

// sampleAnon samples the private (anonymous) resident memory every 20 ms
// until stop is closed and returns the largest value: the memory the export
// itself holds, without the mapped database file.
func sampleAnon(stop <-chan struct{}) <-chan int64 {
	return samplePeak(stop, func() int64 { return procStatus("RssAnon") })
}

// samplePeak calls read every 20 ms until stop is closed and returns the
// largest value it read.
func samplePeak(stop <-chan struct{}, read func() int64) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var peak int64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, read())
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// resetPeakRSS resets VmHWM to the current RSS (Linux).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// BenchmarkExport streams every task with its scripts, videos and events as
// JSON, and reports tasks/s, CPU-seconds, the process's peak memory during
// the export, and beside it the raw driver reading the same rows (one
// connection, the same columns, scanned into interface values, no JSON).
func BenchmarkExport(b *testing.B) {
	db, _ := benchDB(b)
	n := benchTasks(b)
	ctx := domain.WithOwner(context.Background())
	exp := store.NewExportService(db)
	var rss, anon int64
	var wall, cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resetPeakRSS()
		stop := make(chan struct{})
		peak := sampleAnon(stop)
		cw := &countingWriter{}
		start, cpu0 := time.Now(), cpuTime()
		if err := exp.Export(ctx, cw, domain.ExportFilter{}); err != nil {
			b.Fatal(err)
		}
		wall, cpu = wall+time.Since(start), cpu+cpuTime()-cpu0
		close(stop)
		anon = max(anon, <-peak)
		rss = max(rss, peakRSS())
		b.SetBytes(cw.n)
	}
	b.StopTimer()
	rawWall, rawCPU := rawExportScan(b, db.Path)
	b.ReportMetric(float64(n)*float64(b.N)/wall.Seconds(), "tasks/s")
	b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "tasks/cpu-s")
	b.ReportMetric(float64(n)/rawWall.Seconds(), "raw_tasks/s")
	b.ReportMetric(float64(n)/rawCPU.Seconds(), "raw_tasks/cpu-s")
	b.ReportMetric(float64(rss)/(1<<20), "peak_RSS_MB")
	b.ReportMetric(float64(anon)/(1<<20), "peak_anon_RSS_MB")
}

// rawExportScan reads every task (joined with its user), script, video and
// event with the raw driver on one connection, in one read transaction,
// scanning every column, and returns the wall and CPU time it took.
func rawExportScan(b *testing.B, path string) (wall, cpu time.Duration) {
	b.Helper()
	raw, err := sql.Open("sqlite", path+"?mode=ro&_pragma=mmap_size(268435456)&_pragma=cache_size(-16000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	start, cpu0 := time.Now(), cpuTime()
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`SELECT t.id, t.task_id, u.username, t.prompt, t.status, t.progress, t.total_scenes, t.completed_scenes,
			t.final_video_path, t.error_message, t.attempts, t.created_at, t.updated_at, t.started_at, t.completed_at,
			t.duration, t.starred, t.rating, t.rerun_of, t.trashed_at
			FROM tasks t JOIN users u ON u.id = t.user_id ORDER BY t.id`,
		`SELECT task_id, scene_number, description, duration, camera_movement, lighting, created_at
			FROM scripts ORDER BY task_id, scene_number`,
		`SELECT task_id, scene_number, file_path, file_size, duration, width, height, fps, status, created_at,
			codec, content_hash, claimed_width, claimed_height, claimed_duration, claimed_fps, mismatch, probe_error, probed_at
			FROM videos ORDER BY task_id, scene_number`,
		`SELECT task_id, type, status, progress, message, created_at FROM task_events ORDER BY task_id, id`,
	} {
		rows, err := tx.Query(q)
		if err != nil {
			b.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				b.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		rows.Close()
	}
	return time.Since(start), cpuTime() - cpu0
}

// cpuTime returns the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// BenchmarkRestore restores a backup of the benchmark database into the live
// process: validation, pre-restore backup, swap and reopen.
func BenchmarkRestore(b *testing.B) {
	db, m := benchDB(b)
	ctx := context.Background()
	bk, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Restore(ctx, bk.Name, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var tasks int
	db.Read(ctx, func(r *sqlx.DB) error { return r.Get(&tasks, `SELECT count(*) FROM tasks`) })
	if tasks != benchTasks(b) {
		b.Fatalf("tasks after restore=%d, want %d", tasks, benchTasks(b))
	}
}

// BenchmarkCompress compares zstd (as backups use it) with gzip on the
// benchmark database file: speed and size.
func BenchmarkCompress(b *testing.B) {
	db, _ := benchDB(b)
	data, err := os.ReadFile(db.Path)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		new  func(io.Writer) io.WriteCloser
	}{
		{"zstd", func(w io.Writer) io.WriteCloser {
			e, _ := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
			return e
		}},
		{"gzip", func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			var out countingWriter
			for i := 0; i < b.N; i++ {
				out = countingWriter{}
				w := c.new(&out)
				if _, err := w.Write(data); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data))/float64(out.n), "ratio")
		})
	}
}
