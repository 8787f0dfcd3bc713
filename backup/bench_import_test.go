package backup_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// BenchmarkImport exports the benchmark database (REELVAULT_BENCH_TASKS
// tasks) to a JSON file once, then imports it into a new, empty store:
// validation, the write pass and the statistics rebuild. It reports rows/s
// and tasks/s of wall time, rows per CPU-second, the peak size of the WAL
// and the peak private memory; beside it, in the same run, the raw driver
// decodes the same file once and writes the same rows (tasks, scripts,
// videos, events, full-text rows) with multi-row INSERTs, committing every
// 2,000 tasks, into a new database of the same schema and pragmas.
func BenchmarkImport(b *testing.B) {
	src, _ := benchDB(b)
	ctx := domain.WithOwner(context.Background())
	file := filepath.Join(b.TempDir(), "export.json")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	if err := store.NewExportService(src).Export(ctx, f, domain.ExportFilter{}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	src.Close()

	var wall, cpu time.Duration
	var rows, tasks int64
	var walPeak, anon int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "reelvault.db")
		db := store.NewDB(path)
		db.Logger = discardLogger()
		if err := db.Open(context.Background()); err != nil {
			b.Fatal(err)
		}
		in, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		stop := make(chan struct{})
		peak := sampleAnon(stop)
		walMax := sampleSize(path+"-wal", stop)
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		res, err := store.NewExportService(db).Import(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		wall, cpu = wall+time.Since(start), cpu+cpuTime()-cpu0
		b.StopTimer()
		close(stop)
		anon, walPeak = max(anon, <-peak), max(walPeak, <-walMax)
		in.Close()
		n, err := countRows(path)
		if err != nil {
			b.Fatal(err)
		}
		rows, tasks = rows+n, tasks+int64(res.Tasks)
		db.Close()
	}
	b.ReportMetric(float64(rows)/wall.Seconds(), "rows/s")
	b.ReportMetric(float64(tasks)/wall.Seconds(), "tasks/s")
	b.ReportMetric(float64(rows)/cpu.Seconds(), "rows/cpu-s")
	// REELVAULT_BENCH_NO_RAW=1 leaves out the raw baseline (at 1M tasks it
	// takes as long as the import).
	if os.Getenv("REELVAULT_BENCH_NO_RAW") == "" {
		rawPath := filepath.Join(b.TempDir(), "raw.db")
		rawRows, rawWall, rawCPU := rawImport(b, file, rawPath)
		b.ReportMetric(float64(rawRows)/rawWall.Seconds(), "raw_rows/s")
		b.ReportMetric(float64(rawRows)/rawCPU.Seconds(), "raw_rows/cpu-s")
	}
	b.ReportMetric(float64(walPeak)/(1<<20), "peak_WAL_MB")
	b.ReportMetric(float64(anon)/(1<<20), "peak_anon_RSS_MB")
}

// countRows counts the rows an import wrote: users, tasks, scripts,
// videos, events and full-text entries.
func countRows(path string) (int64, error) {
	raw, err := sql.Open("sqlite", path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer raw.Close()
	var n int64
	err = raw.QueryRow(`SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM tasks) + (SELECT count(*) FROM scripts) +
		(SELECT count(*) FROM videos) + (SELECT count(*) FROM task_events) + (SELECT count(*) FROM task_search)`).Scan(&n)
	return n, err
}

// sampleSize samples the size of the file at path every 20 ms until stop
// is closed and returns the largest.
func sampleSize(path string, stop <-chan struct{}) <-chan int64 {
	return samplePeak(stop, func() int64 {
		if fi, err := os.Stat(path); err == nil {
			return fi.Size()
		}
		return 0
	})
}

// rawImport decodes the export file once and writes its rows with the raw
// driver in multi-row INSERTs (at most 500 rows or 8,000 values each),
// committing every 2,000 tasks, into a new database at path with the
// store's schema (WAL, synchronous=FULL). It returns the rows written and
// the wall and CPU time.
func rawImport(b *testing.B, file, path string) (int64, time.Duration, time.Duration) {
	b.Helper()
	db := store.NewDB(path)
	db.Logger = discardLogger()
	if err := db.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	start, cpu0 := time.Now(), cpuTime()
	in, err := os.Open(file)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(in, 256<<10))
	// The header, up to the tasks array.
	for {
		tok, err := dec.Token()
		if err != nil {
			b.Fatal(err)
		}
		if tok == "users" {
			var users []*store.ExportUser
			if err := dec.Decode(&users); err != nil {
				b.Fatal(err)
			}
			for _, u := range users {
				if _, err := raw.Exec(`INSERT INTO users (username, username_key, api_key_hash, key_prefix, quota, created_at, updated_at)
					VALUES (?, ?, ?, '', ?, ?, ?)`, u.Username, strings.ToLower(u.Username), "imported:"+u.Username, u.Quota,
					u.CreatedAt.UnixMicro(), u.UpdatedAt.UnixMicro()); err != nil {
					b.Fatal(err)
				}
			}
		}
		if tok == "tasks" {
			if _, err := dec.Token(); err != nil {
				b.Fatal(err)
			}
			break
		}
	}
	var rows int64
	userIDs := map[string]int64{}
	r, err := raw.Query(`SELECT id, username FROM users`)
	if err != nil {
		b.Fatal(err)
	}
	for r.Next() {
		var id int64
		var name string
		r.Scan(&id, &name)
		userIDs[name] = id
		rows++
	}
	r.Close()
	batch := make([]*store.ExportTask, 0, 2000)
	flush := func() {
		tx, err := raw.Begin()
		if err != nil {
			b.Fatal(err)
		}
		rows += rawTasks(b, tx, batch, userIDs)
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for dec.More() {
		var t store.ExportTask
		if err := dec.Decode(&t); err != nil {
			b.Fatal(err)
		}
		batch = append(batch, &t)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	return rows, time.Since(start), cpuTime() - cpu0
}

// rawTasks writes tasks and their rows in tx, many per statement, and
// returns the rows written.
func rawTasks(b *testing.B, tx *sql.Tx, tasks []*store.ExportTask, userIDs map[string]int64) int64 {
	var rows int64
	insert := func(head string, cols int, args []any) {
		per := min(500, 8000/cols)
		for len(args) > 0 {
			n := min(per, len(args)/cols)
			row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
			q := head + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
			if _, err := tx.Exec(q, args[:n*cols]...); err != nil {
				b.Fatal(err)
			}
			args = args[n*cols:]
			rows += int64(n)
		}
	}
	micros := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return t.UnixMicro()
	}
	var args []any
	for _, t := range tasks {
		args = append(args, t.TaskID, userIDs[t.Username], t.Prompt, string(t.Status), t.Progress, t.TotalScenes, t.CompletedScenes,
			t.FinalVideoPath, t.ErrorMessage, t.Attempts, t.CreatedAt.UnixMicro(), t.UpdatedAt.UnixMicro(), micros(t.StartedAt),
			micros(t.CompletedAt), t.Duration)
	}
	insert(`INSERT INTO tasks (task_id, user_id, prompt, status, progress, total_scenes, completed_scenes, final_video_path,
		error_message, attempts, created_at, updated_at, started_at, completed_at, duration) VALUES `, 15, args)
	ids := map[string]int64{}
	r, err := tx.Query(`SELECT id, task_id FROM tasks WHERE id > (SELECT coalesce(max(id), 0) FROM tasks) - ?`, len(tasks))
	if err != nil {
		b.Fatal(err)
	}
	for r.Next() {
		var id int64
		var taskID string
		r.Scan(&id, &taskID)
		ids[taskID] = id
	}
	r.Close()
	var scripts, videos, events, search []any
	for _, t := range tasks {
		id := ids[t.TaskID]
		parts := []string{t.Prompt}
		for _, s := range t.Scripts {
			scripts = append(scripts, id, s.SceneNumber, s.Description, s.Duration, s.CameraMovement, s.Lighting, s.CreatedAt.UnixMicro())
			parts = append(parts, s.Description)
		}
		for _, v := range t.Videos {
			videos = append(videos, id, v.SceneNumber, v.FilePath, v.FileSize, v.Duration, v.Width, v.Height, v.FPS, v.Status, v.CreatedAt.UnixMicro())
		}
		for _, e := range t.Events {
			events = append(events, id, e.Type, string(e.Status), e.Progress, e.Message, e.CreatedAt.UnixMicro())
		}
		search = append(search, id, store.SearchBody(t.Prompt, parts[1:]...))
	}
	insert(`INSERT INTO scripts (task_id, scene_number, description, duration, camera_movement, lighting, created_at) VALUES `, 7, scripts)
	insert(`INSERT INTO videos (task_id, scene_number, file_path, file_size, duration, width, height, fps, status, created_at) VALUES `, 10, videos)
	insert(`INSERT INTO task_events (task_id, type, status, progress, message, created_at) VALUES `, 6, events)
	insert(`INSERT INTO task_search (rowid, body) VALUES `, 2, search)
	return rows
}
