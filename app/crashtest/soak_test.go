package crashtest_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// DefaultSoak is how long the soak runs in make test; $REELVAULT_SOAK (a
// Go duration) sets it, and make soak runs it for minutes.
const DefaultSoak = 6 * time.Second

// rssKB returns the resident set size of a process in KiB, from /proc.
func rssKB(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// TestSoak runs "reelvault serve" under 4 writers and 8 readers while the
// schedule takes a backup every few seconds and optimize, VACUUM and WAL
// checkpoints run alongside (by the schedule and by hand). It asserts zero
// errors surfaced to the clients (no "database is locked", no 5xx), no lost
// writes after a restart, every backup taken verified, and, for runs of a
// minute or more, resident memory that stays flat.
func TestSoak(t *testing.T) {
	dur := DefaultSoak
	if s := os.Getenv("REELVAULT_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			t.Fatalf("$REELVAULT_SOAK=%q: want a duration such as 5m", s)
		}
		dur = d
	}
	v := newVault(t)
	requireCommand(t, v, "serve")
	const writers, readers = 4, 8
	keys := make([]string, writers)
	for i := range keys {
		keys[i] = v.addUser(fmt.Sprintf("writer%d", i), 10_000_000)
	}
	v.ok("schedule", "--backup", "@every 3s", "--keep", "3", "--optimize", "@every 5s",
		"--vacuum", "@every 7s", "--checkpoint", "@every 2s")
	clip := v.clip("clip.mp4", []byte("final"))
	srv := v.serve()
	pid := srv.cmd.Process.Pid
	owner := srv.owner()

	var (
		mu       sync.Mutex
		errs     []string
		acked    = map[string]domain.Status{} // task → last acknowledged status
		writes   atomic.Int64
		reads    atomic.Int64
		manual   atomic.Int64
		conflict atomic.Int64
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) < 20 {
			errs = append(errs, fmt.Sprintf(format, args...))
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := srv.client(keys[i])
			rng := rand.New(rand.NewPCG(uint64(i), 11))
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				var task domain.Task
				if _, err := c.do("POST", "/api/v1/tasks", map[string]any{"prompt": fmt.Sprintf("soak %d/%d: a fox crosses the river %d", i, n, rng.IntN(1e6)), "total_scenes": 2}, &task); err != nil {
					fail("writer %d create: %v", i, err)
					return
				}
				mu.Lock()
				acked[task.TaskID] = domain.StatusPending
				mu.Unlock()
				writes.Add(1)
				steps := []struct {
					path string
					body any
					to   domain.Status
				}{
					{"/start", nil, domain.StatusProcessing},
					{"/progress", map[string]any{"progress": 50, "completed_scenes": 1}, domain.StatusProcessing},
					{"/complete", map[string]any{"final_video_path": clip}, domain.StatusCompleted},
				}
				if rng.IntN(4) == 0 {
					steps = append(steps[:1], struct {
						path string
						body any
						to   domain.Status
					}{"/cancel", nil, domain.StatusCancelled})
				}
				for _, s := range steps {
					if _, err := c.do("POST", "/api/v1/tasks/"+task.TaskID+s.path, s.body, nil); err != nil {
						fail("writer %d %s: %v", i, s.path, err)
						return
					}
					mu.Lock()
					acked[task.TaskID] = s.to
					mu.Unlock()
					writes.Add(1)
				}
			}
		}(i)
	}
	for i := 0; i < readers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := srv.client(keys[i%writers])
			paths := []string{
				"/api/v1/tasks?limit=20",
				"/api/v1/tasks?status=completed&limit=50",
				"/api/v1/tasks?search=fox&limit=10",
				"/api/v1/tasks?search=river",
				"/api/v1/me",
			}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				var page domain.TaskPage
				p := paths[n%len(paths)]
				if _, err := c.do("GET", p, nil, &page); err != nil {
					fail("reader %d GET %s: %v", i, p, err)
					return
				}
				if len(page.Tasks) > 0 && n%3 == 0 {
					if _, err := c.do("GET", "/api/v1/tasks/"+page.Tasks[0].TaskID, nil, nil); err != nil {
						fail("reader %d GET task: %v", i, err)
						return
					}
				}
				reads.Add(1)
			}
		}(i)
	}
	// The owner: a backup every 2 s, forced VACUUM and optimize in between,
	// the statistics and status pages.
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(700 * time.Millisecond)
		defer tick.Stop()
		ops := []string{"backup", "optimize", "backup", "vacuum", "checkpoint"}
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			op := ops[n%len(ops)]
			var run domain.JobRun
			st, err := owner.do("POST", "/api/v1/maintenance/"+op, nil, &run)
			switch {
			case err == nil && run.Result == domain.JobOK:
				if op == "backup" {
					manual.Add(1)
				}
			case err == nil && run.Result == domain.JobSkipped:
			case st == http.StatusConflict:
				conflict.Add(1) // a scheduled backup was running: refused, as documented
			default:
				fail("owner %s: status %d, %v, %+v", op, st, err, run)
				return
			}
			for _, p := range []string{"/api/v1/stats", "/api/v1/status"} {
				if _, err := owner.do("GET", p, nil, nil); err != nil {
					fail("owner GET %s: %v", p, err)
					return
				}
			}
		}
	}()

	// Sample memory while the load runs.
	var samples []int64
	deadline := time.Now().Add(dur)
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		kb, err := rssKB(pid)
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, kb)
		mu.Lock()
		bad := len(errs) > 0
		mu.Unlock()
		if bad {
			break
		}
	}
	close(stop)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("errors surfaced to clients:\n%s\nserver output:\n%.4000s", strings.Join(errs, "\n"), srv.out.String())
	}
	if strings.Contains(srv.out.String(), "database is locked") || strings.Contains(srv.out.String(), "SQLITE_BUSY") {
		t.Fatalf("the server logged lock errors:\n%.4000s", srv.out.String())
	}
	srv.stop()

	// No lost writes: a fresh process sees every acknowledged state.
	srv = v.serve()
	ownerAfter := srv.owner()
	for id, want := range acked {
		var task domain.Task
		if _, err := ownerAfter.do("GET", "/api/v1/tasks/"+id, nil, &task); err != nil {
			t.Fatalf("acknowledged task %s after the soak: %v", id, err)
		}
		if task.Status != want {
			t.Fatalf("task %s is %s after the soak, acknowledged %s", id, task.Status, want)
		}
	}
	srv.stop()
	v.integrityCheck()
	list := v.listBackups()
	checkListedBackups(t, list)
	if manual.Load() == 0 && len(list) == 0 {
		t.Fatalf("no backup was taken during the soak")
	}

	// Memory: compare the first and last thirds after a warm-up.
	var first, last int64
	third := len(samples) / 3
	if third > 0 {
		for _, s := range samples[:third] {
			first = max(first, s)
		}
		for _, s := range samples[len(samples)-third:] {
			last = max(last, s)
		}
	}
	t.Logf("soak %v: %d writes, %d reads acknowledged, %d tasks; %d manual backups (+%d refused while a scheduled one ran), %d backups listed; RSS peak %d MiB early, %d MiB late (%d samples)",
		dur, writes.Load(), reads.Load(), len(acked), manual.Load(), conflict.Load(), len(list), first/1024, last/1024, len(samples))
	if dur >= time.Minute && last > first*3/2 && last-first > 32<<10 {
		t.Fatalf("resident memory grew from %d MiB to %d MiB over the soak", first/1024, last/1024)
	}
}
