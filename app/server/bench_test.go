package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the raw driver for the floor measurement

	"github.com/reelvault/reelvault/domain"
	"golang.org/x/sys/unix"
)

// processCPU returns the CPU time (user and system) the process has used.
func processCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchClients is the number of concurrent clients of the load benchmark.
const benchClients = 8

// latencies collects request latencies of one kind.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// pct returns the p-th percentile in milliseconds.
func (l *latencies) pct(p float64) float64 {
	if len(l.d) == 0 {
		return 0
	}
	slices.Sort(l.d)
	i := int(float64(len(l.d)-1) * p)
	return float64(l.d[i].Microseconds()) / 1000
}

// ops is one client's task cycle: create, start, two progress updates and
// complete (writes); list a page and get the task (reads).
type ops struct {
	create   func() (string, error)
	start    func(id string) error
	progress func(id string, p int) error
	complete func(id string) error
	list     func() error
	get      func(id string) error
}

// runCycles runs rounds task cycles on each of benchClients clients and
// returns the write and read latencies and the wall time.
func runCycles(b *testing.B, rounds int, client func(i int) ops) (w, r *latencies, wall time.Duration) {
	w, r = &latencies{}, &latencies{}
	var wg sync.WaitGroup
	errs := make(chan error, benchClients)
	start := time.Now()
	for i := 0; i < benchClients; i++ {
		o := client(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			timed := func(l *latencies, fn func() error) bool {
				t := time.Now()
				err := fn()
				l.add(time.Since(t))
				if err != nil {
					errs <- err
					return false
				}
				return true
			}
			for n := 0; n < rounds; n++ {
				var id string
				ok := timed(w, func() (err error) { id, err = o.create(); return err }) &&
					timed(w, func() error { return o.start(id) }) &&
					timed(w, func() error { return o.progress(id, 30) }) &&
					timed(w, func() error { return o.progress(id, 70) }) &&
					timed(w, func() error { return o.complete(id) }) &&
					timed(r, o.list) &&
					timed(r, func() error { return o.get(id) })
				if !ok {
					return
				}
			}
		}()
	}
	wg.Wait()
	wall = time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return w, r, wall
}

// BenchmarkHTTPAPI_Mixed drives the API over loopback with 8 concurrent
// clients (create, start, progress ×2, complete, list, get per cycle), then
// runs the same calls in-process on the services, then the same number of
// commits and reads with the raw driver, all in the same run, so the HTTP
// overhead shows as a ratio and the disk's floor beside it. Any 5xx fails
// the benchmark. It reports the process's CPU time per request (clients,
// server and store together) beside the wall-clock figures.
func BenchmarkHTTPAPI_Mixed(b *testing.B) {
	e := MustOpenEnv(b)
	// The clients connect as real ones do: a kept-alive connection each
	// (http.Transport keeps 2 idle per host by default, so 6 of the 8
	// clients dialled a new connection for most requests), and without the
	// tests' OpenAPI check of every exchange, which cost the process more
	// CPU than the store did.
	e.client.Transport = &http.Transport{MaxIdleConns: benchClients, MaxIdleConnsPerHost: benchClients}
	keys := make([]string, benchClients)
	ids := make([]int64, benchClients)
	for i := range keys {
		u, k := e.MustCreateUser(fmt.Sprintf("client%d", i), 1<<30)
		keys[i], ids[i] = k, u.ID
	}
	// Every completion names one real clip in the data directory's media
	// folder, the default media root (a path outside the roots is refused).
	clip := filepath.Join(e.dataDir, "media", "final.webm")
	if err := os.MkdirAll(filepath.Dir(clip), 0o700); err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "frontend", "e2e", "fixtures", "final.webm"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(clip, data, 0o600); err != nil {
		b.Fatal(err)
	}
	rounds := max(b.N, 1)
	b.ResetTimer()

	var status5xx int64
	var mu sync.Mutex
	httpOps := func(i int) ops {
		call := func(method, path string, body any, out any) error {
			r := e.Do(method, path, body, key(keys[i]))
			if r.Status >= 500 {
				mu.Lock()
				status5xx++
				mu.Unlock()
			}
			if r.Status >= 300 {
				return fmt.Errorf("%s %s: status %d: %s", method, path, r.Status, r.Body)
			}
			if out != nil {
				r.Decode(b, out)
			}
			return nil
		}
		return ops{
			create: func() (string, error) {
				var t domain.Task
				err := call("POST", "/api/v1/tasks", map[string]any{"prompt": "a benchmark prompt about a red fox", "total_scenes": 4}, &t)
				return t.TaskID, err
			},
			start: func(id string) error { return call("POST", "/api/v1/tasks/"+id+"/start", nil, nil) },
			progress: func(id string, p int) error {
				return call("POST", "/api/v1/tasks/"+id+"/progress", map[string]any{"progress": p}, nil)
			},
			complete: func(id string) error {
				return call("POST", "/api/v1/tasks/"+id+"/complete", map[string]any{"final_video_path": clip}, nil)
			},
			list: func() error { return call("GET", "/api/v1/tasks?limit=50&status=completed", nil, nil) },
			get:  func(id string) error { return call("GET", "/api/v1/tasks/"+id, nil, nil) },
		}
	}
	cpu0 := processCPU()
	hw, hr, hwall := runCycles(b, rounds, httpOps)
	httpCPU := processCPU() - cpu0

	inOps := func(i int) ops {
		ctx := domain.WithUser(context.Background(), ids[i])
		ts := e.tasks
		return ops{
			create: func() (string, error) {
				t, err := ts.CreateTask(ctx, domain.TaskCreate{Prompt: "a benchmark prompt about a red fox", TotalScenes: 4})
				if err != nil {
					return "", err
				}
				return t.TaskID, nil
			},
			start: func(id string) error { _, err := ts.StartTask(ctx, id); return err },
			progress: func(id string, p int) error {
				_, err := ts.UpdateProgress(ctx, id, domain.TaskProgress{Progress: p})
				return err
			},
			complete: func(id string) error { _, err := ts.CompleteTask(ctx, id, clip); return err },
			list: func() error {
				_, err := ts.FindTasks(ctx, domain.TaskFilter{Status: []domain.Status{domain.StatusCompleted}, Limit: 50})
				return err
			},
			get: func(id string) error { _, err := ts.FindTaskByID(ctx, id); return err },
		}
	}
	iw, ir, iwall := runCycles(b, rounds, inOps)
	rw, rr, _ := runCycles(b, rounds, rawOps(b))
	b.StopTimer()

	if status5xx > 0 {
		b.Fatalf("%d responses were 5xx", status5xx)
	}
	requests := float64(len(hw.d) + len(hr.d))
	b.ReportMetric(requests/hwall.Seconds(), "req/s")
	// CPU of the whole process (clients, server and store) per request:
	// what bounds req/s once the cores are busy, whatever else runs.
	b.ReportMetric(float64(httpCPU.Microseconds())/requests, "cpu-µs/req")
	b.ReportMetric(hw.pct(0.50), "write-p50-ms")
	b.ReportMetric(hw.pct(0.99), "write-p99-ms")
	b.ReportMetric(hr.pct(0.50), "read-p50-ms")
	b.ReportMetric(hr.pct(0.99), "read-p99-ms")
	b.ReportMetric(requests/iwall.Seconds(), "inproc-ops/s")
	b.ReportMetric(iw.pct(0.50), "inproc-write-p50-ms")
	b.ReportMetric(iw.pct(0.99), "inproc-write-p99-ms")
	b.ReportMetric(ir.pct(0.50), "inproc-read-p50-ms")
	b.ReportMetric(ir.pct(0.99), "inproc-read-p99-ms")
	b.ReportMetric(rw.pct(0.50), "raw-write-p50-ms")
	b.ReportMetric(rw.pct(0.99), "raw-write-p99-ms")
	b.ReportMetric(rr.pct(0.50), "raw-read-p50-ms")
	b.ReportMetric(rr.pct(0.99), "raw-read-p99-ms")
	if v := iw.pct(0.50); v > 0 {
		b.ReportMetric(hw.pct(0.50)/v, "write-p50-x")
	}
	if v := ir.pct(0.50); v > 0 {
		b.ReportMetric(hr.pct(0.50)/v, "read-p50-x")
	}
	b.ReportMetric(float64(status5xx), "5xx")
}

// rawOps is the floor: the same number of commits and reads done with the
// raw driver on a file of its own (WAL, synchronous=FULL, one writer
// connection, as the store), a one-row INSERT or UPDATE per write and a
// point SELECT per read.
func rawOps(b *testing.B) func(i int) ops {
	path := filepath.Join(b.TempDir(), "raw.db")
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		b.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close(); r.Close() })
	if _, err := w.Exec(`CREATE TABLE tasks (id TEXT PRIMARY KEY, prompt TEXT, status TEXT, progress INTEGER)`); err != nil {
		b.Fatal(err)
	}
	var seq atomic.Int64
	exec := func(q string, args ...any) error {
		tx, err := w.Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := tx.Exec(q, args...); err != nil {
			return err
		}
		return tx.Commit()
	}
	return func(int) ops {
		return ops{
			create: func() (string, error) {
				id := strconv.FormatInt(seq.Add(1), 10)
				return id, exec(`INSERT INTO tasks (id, prompt, status, progress) VALUES (?, ?, 'pending', 0)`, id, "a benchmark prompt")
			},
			start: func(id string) error { return exec(`UPDATE tasks SET status = 'processing' WHERE id = ?`, id) },
			progress: func(id string, p int) error {
				return exec(`UPDATE tasks SET progress = ? WHERE id = ?`, p, id)
			},
			complete: func(id string) error {
				return exec(`UPDATE tasks SET status = 'completed', progress = 100 WHERE id = ?`, id)
			},
			list: func() error {
				rows, err := r.Query(`SELECT id, prompt, status, progress FROM tasks WHERE status = 'completed' ORDER BY id DESC LIMIT 50`)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
				}
				return rows.Err()
			},
			get: func(id string) error {
				var p, st string
				var pr int
				return r.QueryRow(`SELECT prompt, status, progress FROM tasks WHERE id = ?`, id).Scan(&p, &st, &pr)
			},
		}
	}
}

// BenchmarkHTTPAPI_Me measures the server's own cost: 8 clients over
// loopback asking GET /api/v1/me, which authenticates the key (one indexed
// read) and encodes a small document, beside the same two calls in-process.
func BenchmarkHTTPAPI_Me(b *testing.B) {
	e := MustOpenEnv(b)
	u, k := e.MustCreateUser("client", 10)
	n := max(b.N/benchClients, 1)
	b.ResetTimer()

	measure := func(call func() error) (*latencies, time.Duration) {
		l := &latencies{}
		var wg sync.WaitGroup
		start := time.Now()
		for c := 0; c < benchClients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < n; i++ {
					t := time.Now()
					if err := call(); err != nil {
						b.Error(err)
						return
					}
					l.add(time.Since(t))
				}
			}()
		}
		wg.Wait()
		return l, time.Since(start)
	}
	h, hwall := measure(func() error {
		if r := e.Do("GET", "/api/v1/me", nil, key(k)); r.Status != http.StatusOK {
			return fmt.Errorf("status %d", r.Status)
		}
		return nil
	})
	ctx := context.Background()
	in, _ := measure(func() error {
		if _, err := e.users.Authenticate(ctx, k); err != nil {
			return err
		}
		_, err := e.users.FindUserByID(domain.WithUser(ctx, u.ID), u.ID)
		return err
	})
	b.StopTimer()
	b.ReportMetric(float64(len(h.d))/hwall.Seconds(), "req/s")
	b.ReportMetric(h.pct(0.50), "p50-ms")
	b.ReportMetric(h.pct(0.99), "p99-ms")
	b.ReportMetric(in.pct(0.50), "inproc-p50-ms")
	b.ReportMetric(in.pct(0.99), "inproc-p99-ms")
	if v := in.pct(0.50); v > 0 {
		b.ReportMetric(h.pct(0.50)/v, "p50-x")
	}
}
