package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// TestPostgres_ParallelWriters runs two store handles on one database (two
// Reelvault processes) with eight goroutines creating, claiming, completing
// and failing tasks at once, and checks what the database-wide write lock
// used to guarantee: quotas exact at the limit, no task handed out twice,
// every task finished once, statistics equal to a rebuild. Meanwhile it
// samples pg_stat_activity and requires several write transactions in
// flight at once and none waiting on an advisory lock.
func TestPostgres_ParallelWriters(t *testing.T) {
	ctx := domain.WithOwner(context.Background())
	dbs := mustOpenPostgres(t, 2)
	users := store.NewUserService(dbs[0])
	const workers = 8
	const quota = 40
	const tasks = 240
	if _, _, err := users.CreateUser(ctx, domain.UserCreate{Username: "alice", Quota: ptr(tasks)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := users.CreateUser(ctx, domain.UserCreate{Username: "bob", Quota: ptr(quota)}); err != nil {
		t.Fatal(err)
	}

	raw, err := sqlx.Open("pgx", dbs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	sampleCtx, stopSampling := context.WithCancel(context.Background())
	var maxWriting, advisoryWaits, samples atomic.Int64
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for sampleCtx.Err() == nil {
			// A backend with a transaction id has written in its open
			// transaction: a write transaction in flight.
			var writing, waiting int64
			err := raw.QueryRowContext(sampleCtx, `
				SELECT count(*) FILTER (WHERE backend_xid IS NOT NULL),
					count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory')
				FROM pg_stat_activity
				WHERE datname = current_database() AND application_name = 'reelvault'`).Scan(&writing, &waiting)
			if err != nil {
				if sampleCtx.Err() == nil {
					t.Error(err)
				}
				return
			}
			samples.Add(1)
			advisoryWaits.Add(waiting)
			for {
				m := maxWriting.Load()
				if writing <= m || maxWriting.CompareAndSwap(m, writing) {
					break
				}
			}
		}
	}()

	run := func(fn func(w int) error) {
		t.Helper()
		runWorkers(t, workers, fn)
	}

	// Creates at the quota limit: 80 attempts for 40 units.
	var created, refused atomic.Int64
	run(func(w int) error {
		svc := store.NewTaskService(dbs[w%2])
		for i := range 2 * quota / workers {
			_, err := svc.CreateTask(ctx, domain.TaskCreate{Username: "bob", Prompt: fmt.Sprintf("bob %d-%d", w, i)})
			switch {
			case err == nil:
				created.Add(1)
			case domain.ErrorCode(err) == domain.EQUOTAEXCEEDED:
				refused.Add(1)
			default:
				return err
			}
		}
		return nil
	})
	if created.Load() != quota || refused.Load() != quota {
		t.Fatalf("created %d and refused %d of %d creates with a quota of %d", created.Load(), refused.Load(), 2*quota, quota)
	}
	bob, err := users.FindUserByName(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if bob.UsedQuota != quota {
		t.Fatalf("bob used_quota = %d, want %d", bob.UsedQuota, quota)
	}

	run(func(w int) error {
		svc := store.NewTaskService(dbs[w%2])
		for i := range tasks / workers {
			if _, err := svc.CreateTask(ctx, domain.TaskCreate{Username: "alice", Prompt: fmt.Sprintf("alice %d-%d", w, i)}); err != nil {
				return err
			}
		}
		return nil
	})

	// Claim and finish every task: most complete, every fifth fails.
	claimed := make([][]string, workers)
	run(func(w int) error {
		svc := store.NewTaskService(dbs[w%2])
		worker := fmt.Sprintf("worker-%d", w)
		for n := 0; ; n++ {
			task, err := svc.ClaimTask(ctx, domain.ClaimRequest{Worker: worker})
			if err != nil {
				return fmt.Errorf("claim: %w", err)
			}
			if task == nil {
				return nil
			}
			claimed[w] = append(claimed[w], task.TaskID)
			if _, err := svc.HeartbeatTask(ctx, task.TaskID, worker, time.Minute); err != nil {
				return fmt.Errorf("heartbeat: %w", err)
			}
			if n%5 == 4 {
				_, err = svc.FailTask(ctx, task.TaskID, "failed on purpose")
			} else {
				_, err = svc.CompleteTask(ctx, task.TaskID, "/videos/"+task.TaskID+".mp4")
			}
			if err != nil {
				return fmt.Errorf("finish: %w", err)
			}
		}
	})
	stopSampling()
	<-sampled

	seen := map[string]int{}
	for w, ids := range claimed {
		for _, id := range ids {
			if prev, ok := seen[id]; ok {
				t.Fatalf("task %s handed to worker %d and worker %d", id, prev, w)
			}
			seen[id] = w
		}
	}
	if len(seen) != tasks+quota {
		t.Fatalf("claimed %d distinct tasks, want %d", len(seen), tasks+quota)
	}
	var unfinished, finishEvents, claimEvents int
	if err := dbs[1].Read(context.Background(), func(r *sqlx.DB) error {
		if err := r.Get(&unfinished, `SELECT count(*) FROM tasks WHERE status NOT IN ('completed', 'failed') OR attempts <> 1`); err != nil {
			return err
		}
		if err := r.Get(&claimEvents, `SELECT count(*) FROM task_events WHERE type = $1`, domain.EventClaimed); err != nil {
			return err
		}
		return r.Get(&finishEvents, `SELECT count(*) FROM task_events WHERE type IN ($1, $2)`, domain.EventCompleted, domain.EventFailed)
	}); err != nil {
		t.Fatal(err)
	}
	if unfinished != 0 || claimEvents != tasks+quota || finishEvents != tasks+quota {
		t.Fatalf("unfinished or claimed more than once: %d; claimed events %d, finished events %d, want %d", unfinished, claimEvents, finishEvents, tasks+quota)
	}

	stats := store.NewStatsService(dbs[1])
	before, err := stats.DailyStats(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := stats.RebuildStats(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := stats.DailyStats(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		for i := range min(len(before), len(after)) {
			t.Logf("kept %+v\nrebuilt %+v", *before[i], *after[i])
		}
		t.Fatalf("statistics kept under concurrency differ from a rebuild")
	}
	var total int
	for _, d := range after {
		total += d.CompletedTasks + d.FailedTasks
	}
	if total != tasks+quota {
		t.Fatalf("statistics count %d finished tasks, want %d", total, tasks+quota)
	}

	t.Logf("%d samples of pg_stat_activity: at most %d write transactions in flight, %d advisory lock waits",
		samples.Load(), maxWriting.Load(), advisoryWaits.Load())
	if maxWriting.Load() < 2 {
		t.Fatalf("at most %d write transaction in flight at once in %d samples, want several", maxWriting.Load(), samples.Load())
	}
	if advisoryWaits.Load() != 0 {
		t.Fatalf("%d samples saw a writer waiting on an advisory lock", advisoryWaits.Load())
	}
}

// TestPostgres_StepRace runs the same lifecycle step of one task from two
// processes at once: one wins, the other gets ECONFLICT, never both.
func TestPostgres_StepRace(t *testing.T) {
	ctx := domain.WithOwner(context.Background())
	dbs := mustOpenPostgres(t, 2)
	if _, _, err := store.NewUserService(dbs[0]).CreateUser(ctx, domain.UserCreate{Username: "alice", Quota: ptr(100)}); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		task, err := store.NewTaskService(dbs[0]).CreateTask(ctx, domain.TaskCreate{Username: "alice", Prompt: fmt.Sprintf("race %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		var wins, conflicts atomic.Int64
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := store.NewTaskService(dbs[w%2]).StartTask(ctx, task.TaskID)
				var de *domain.Error
				switch {
				case err == nil:
					wins.Add(1)
				case errors.As(err, &de) && de.Code == domain.ECONFLICT:
					conflicts.Add(1)
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != 3 {
			t.Fatalf("task %d: %d starts won and %d conflicted, want 1 and 3", i, wins.Load(), conflicts.Load())
		}
	}
}

// TestPostgres_SerializableRetry runs read-check-write library actions on
// one task from two processes at once: the SERIALIZABLE transactions that
// PostgreSQL refuses are run again, so every action succeeds exactly once.
func TestPostgres_SerializableRetry(t *testing.T) {
	ctx := domain.WithOwner(context.Background())
	dbs := mustOpenPostgres(t, 2)
	if _, _, err := store.NewUserService(dbs[0]).CreateUser(ctx, domain.UserCreate{Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	task, err := store.NewTaskService(dbs[0]).CreateTask(ctx, domain.TaskCreate{Username: "alice", Prompt: "tag me"})
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 5
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lib := store.NewLibraryService(dbs[w%2])
			for i := range each {
				if _, err := lib.TagTask(ctx, task.TaskID, []string{fmt.Sprintf("tag-%d-%d", w, i)}, nil); err != nil {
					t.Error(err)
					return
				}
				if _, err := lib.CreateCollection(ctx, fmt.Sprintf("c-%d-%d", w, i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := store.NewTaskService(dbs[1]).FindTaskByID(ctx, task.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tags) != workers*each {
		t.Fatalf("task has %d tags, want %d", len(got.Tags), workers*each)
	}
	cols, err := store.NewLibraryService(dbs[1]).ListCollections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != workers*each {
		t.Fatalf("%d collections, want %d", len(cols), workers*each)
	}
}

// runWorkers runs fn(0) … fn(n-1) at once and fails t with every error
// they return, after all have ended.
func runWorkers(t *testing.T, n int, fn func(w int) error) {
	t.Helper()
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(w); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
}
