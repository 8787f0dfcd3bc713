package backup_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// waitRun polls the run log until a finished run of job appears.
func waitRun(t *testing.T, s *backup.Scheduler, job string) *domain.JobRun {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		runs, err := s.Runs.List(context.Background(), job, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.Result != domain.JobRunning {
				return r
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s run recorded", job)
	return nil
}

func TestScheduler_SetSchedule(t *testing.T) {
	ctx := context.Background()
	_, m := MustOpen(t)
	s := backup.NewScheduler(m)

	got, err := s.Schedule(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != backup.DefaultSchedule() {
		t.Fatalf("schedule=%+v, want the defaults", got)
	}

	t.Run("ErrInvalidCron", func(t *testing.T) {
		bad := backup.DefaultSchedule()
		bad.Backup = "0 25 * * *"
		_, err := s.SetSchedule(ctx, bad)
		assertCode(t, err, domain.EINVALID)
		if got, want := domain.ErrorField(err), "backup"; got != want {
			t.Fatalf("field=%q, want %q", got, want)
		}
		if msg := domain.ErrorMessage(err); !strings.Contains(msg, `"0 25 * * *"`) {
			t.Fatalf("message=%q, want it to name the expression", msg)
		}
		if got, err := s.Schedule(ctx); err != nil || got != backup.DefaultSchedule() {
			t.Fatalf("schedule after refusal=%+v, %v; want unchanged", got, err)
		}
	})
	t.Run("ErrInvalidKeep", func(t *testing.T) {
		bad := backup.DefaultSchedule()
		bad.Keep = 0
		_, err := s.SetSchedule(ctx, bad)
		assertCode(t, err, domain.EINVALID)
		if got, want := domain.ErrorField(err), "keep"; got != want {
			t.Fatalf("field=%q, want %q", got, want)
		}
	})

	// A change applies to the running scheduler at once, without restart.
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if _, ok := s.Next()[backup.JobBackup]; !ok {
		t.Fatal("backup job not registered")
	}
	t.Setenv(backup.MinIntervalEnv, "1s") // to watch a run within a second
	want := backup.DefaultSchedule()
	want.Checkpoint = "@every 1s"
	want.Backup = "" // disabled
	want.Keep = 3
	got, err = s.SetSchedule(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("schedule=%+v, want %+v", got, want)
	}
	if m.Retention.Keep != 3 {
		t.Fatalf("retention keep=%d, want 3", m.Retention.Keep)
	}
	next := s.Next()
	if _, ok := next[backup.JobBackup]; ok {
		t.Fatal("disabled backup job still registered")
	}
	if n, ok := next[backup.JobCheckpoint]; !ok || time.Until(n) > 2*time.Second {
		t.Fatalf("checkpoint next=%v, want within a second", n)
	}
	run := waitRun(t, s, backup.JobCheckpoint)
	if run.Result != domain.JobOK || run.FinishedAt == nil {
		t.Fatalf("checkpoint run=%+v, want ok", run)
	}
}

func TestScheduler_Maintain(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 5)
	s := backup.NewScheduler(m)

	for _, op := range []string{"optimize", "analyze", "check", "checkpoint", "vacuum", "backup"} {
		t.Run(op, func(t *testing.T) {
			run, err := s.Maintain(ctx, op)
			if err != nil {
				t.Fatal(err)
			}
			if run.Result != domain.JobOK || run.JobID != op {
				t.Fatalf("run=%+v, want ok", run)
			}
		})
	}
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := s.Maintain(ctx, "defrag")
		assertCode(t, err, domain.EINVALID)
	})
	t.Run("Panic", func(t *testing.T) {
		backup.SetJob(s, backup.JobOptimize, func(context.Context) (int64, string, error) { panic("boom") })
		run, err := s.Maintain(ctx, backup.JobOptimize)
		if err == nil || run == nil || run.Result != domain.JobError || !strings.Contains(run.Error, "boom") {
			t.Fatalf("run=%+v err=%v, want a recorded failure", run, err)
		}
		// The next run is not blocked by the panicked one.
		backup.SetJob(s, backup.JobOptimize, func(context.Context) (int64, string, error) { return 0, "", nil })
		if run, err := s.Maintain(ctx, backup.JobOptimize); err != nil || run.Result != domain.JobOK {
			t.Fatalf("run after panic=%+v, %v", run, err)
		}
	})
	t.Run("Overlap", func(t *testing.T) {
		started, release := make(chan struct{}), make(chan struct{})
		backup.SetJob(s, backup.JobCheck, func(context.Context) (int64, string, error) {
			close(started)
			<-release
			return 0, "", nil
		})
		done := make(chan error)
		go func() {
			_, err := s.Maintain(ctx, backup.JobCheck)
			done <- err
		}()
		<-started
		run, err := s.Maintain(ctx, backup.JobCheck)
		assertCode(t, err, domain.ECONFLICT)
		if run == nil || run.Result != domain.JobSkipped {
			t.Fatalf("overlapping run=%+v, want skipped", run)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})

	runs, err := s.Jobs(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) < 9 {
		t.Fatalf("recorded runs=%d, want every run", len(runs))
	}
}

// The scheduled VACUUM runs only when free pages pass the threshold.
func TestScheduler_Vacuum(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 300)
	s := backup.NewScheduler(m)

	run, err := backup.RunScheduled(ctx, s, backup.JobVacuum)
	if err != nil {
		t.Fatal(err)
	}
	if run.Result != domain.JobSkipped || !strings.Contains(run.Detail, "threshold") {
		t.Fatalf("run=%+v, want skipped below threshold", run)
	}

	err = db.Write(ctx, func(w *sqlx.DB) error {
		_, err := w.Exec(`DELETE FROM tasks WHERE id % 10 != 0`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	run, err = backup.RunScheduled(ctx, s, backup.JobVacuum)
	if err != nil {
		t.Fatal(err)
	}
	if run.Result != domain.JobOK || run.Bytes <= 0 {
		t.Fatalf("run=%+v, want ok with bytes freed", run)
	}
}

// A backup missed while the process was down runs once at the next start.
func TestScheduler_MissedBackup(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 3)
	clock := time.Now().Add(-72 * time.Hour)
	m.Now = func() time.Time { return clock }

	// First start, three days ago: nothing is missed yet.
	s := backup.NewScheduler(m)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if runs, err := s.Jobs(ctx, 10); err != nil || len(runs) != 0 {
		t.Fatalf("runs=%d, %v; want none at the first start", len(runs), err)
	}

	// Started again now: the daily backup is three days overdue.
	clock = time.Now()
	s = backup.NewScheduler(m)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	run := waitRun(t, s, backup.JobBackup)
	s.Stop()
	if run.Result != domain.JobOK || run.Detail == "" {
		t.Fatalf("run=%+v, want an ok backup", run)
	}
	list, err := m.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Kind != domain.BackupScheduled {
		t.Fatalf("backups=%+v, want one scheduled", list)
	}

	// A restart right after does not back up again.
	s = backup.NewScheduler(m)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	s.Stop()
	if runs, err := s.Runs.List(ctx, backup.JobBackup, 10); err != nil || len(runs) != 1 {
		t.Fatalf("backup runs=%d, %v; want 1", len(runs), err)
	}
}

// notes records notifications.
type notes struct {
	mu   sync.Mutex
	list []domain.Notification
}

func (n *notes) Notify(x domain.Notification) {
	n.mu.Lock()
	n.list = append(n.list, x)
	n.mu.Unlock()
}

func (n *notes) types() map[string]int {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[string]int{}
	for _, x := range n.list {
		out[x.Type]++
	}
	return out
}

// Progress, restores and job results reach the store's notifier, which the
// window and the event stream listen to.
func TestManager_Notifications(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	rec := &notes{}
	db.Notifier = rec
	Seed(t, db, 2)
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Restore(ctx, b.Name, nil); err != nil {
		t.Fatal(err)
	}
	s := backup.NewScheduler(m)
	run, err := s.Maintain(ctx, backup.JobBackup)
	if err != nil {
		t.Fatal(err)
	}
	got := rec.types()
	if got["backup_progress"] < 3 || got["restore"] < 2 || got["job"] != 1 {
		t.Fatalf("notifications=%v, want backup progress, restore steps and one job", got)
	}
	// A backup asked for by hand is manual, whatever the schedule's retention.
	list, err := m.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if list[0].Name != run.Detail || list[0].Kind != domain.BackupManual {
		t.Fatalf("newest backup=%+v, want the manual one of run %+v", list[0], run)
	}
}

// TestValidateSchedule_MinInterval proves a schedule firing more often than
// its job's minimum is refused naming the field, whether as @every or as a
// cron expression whose next two runs are too close; the stored schedule is
// unchanged.
func TestValidateSchedule_MinInterval(t *testing.T) {
	ctx := context.Background()
	_, m := MustOpen(t)
	s := backup.NewScheduler(m)
	for _, tt := range []struct{ field, expr string }{
		{"backup", "@every 1s"},
		{"backup", "@every 59m"},
		{"backup", "* * * * *"},
		{"backup", "0,30 3 * * *"},
		{"vacuum", "@every 1s"},
		{"vacuum", "*/5 * * * *"},
		{"optimize", "@every 10m"},
		{"checkpoint", "@every 30s"},
	} {
		t.Run(tt.field+" "+tt.expr, func(t *testing.T) {
			sch := backup.DefaultSchedule()
			switch tt.field {
			case "backup":
				sch.Backup = tt.expr
			case "vacuum":
				sch.Vacuum = tt.expr
			case "optimize":
				sch.Optimize = tt.expr
			case "checkpoint":
				sch.Checkpoint = tt.expr
			}
			_, err := s.SetSchedule(ctx, sch)
			assertCode(t, err, domain.EINVALID)
			if got := domain.ErrorField(err); got != tt.field {
				t.Fatalf("field=%q, want %q (%v)", got, tt.field, err)
			}
			if msg := domain.ErrorMessage(err); !strings.Contains(msg, "minimum") || !strings.Contains(msg, tt.field) {
				t.Fatalf("message %q should name the field and the minimum", msg)
			}
			if got, err := s.Schedule(ctx); err != nil || got != backup.DefaultSchedule() {
				t.Fatalf("schedule=%+v, %v; want unchanged defaults", got, err)
			}
		})
	}
	ok := backup.DefaultSchedule()
	ok.Backup, ok.Vacuum, ok.Checkpoint = "@hourly", "0 * * * *", "@every 1m"
	if _, err := s.SetSchedule(ctx, ok); err != nil {
		t.Fatalf("schedule at the minimums refused: %v", err)
	}
}

// NextRuns is the one place the next runs of a schedule are computed (the
// API, the window and the CLI show its answer); a bad expression is left
// out, even one that makes the cron parser panic.
func TestNextRuns(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.Local)
	got := backup.NextRuns(domain.Schedule{Backup: "0 3 * * *", Optimize: "", Vacuum: "TZ=", Checkpoint: "*/15 * * * *"}, now, 3)
	want := []time.Time{
		time.Date(2026, 3, 15, 3, 0, 0, 0, time.Local),
		time.Date(2026, 3, 16, 3, 0, 0, 0, time.Local),
		time.Date(2026, 3, 17, 3, 0, 0, 0, time.Local),
	}
	if runs := got[backup.JobBackup]; len(runs) != 3 || !runs[0].Equal(want[0]) || !runs[1].Equal(want[1]) || !runs[2].Equal(want[2]) {
		t.Fatalf("backup runs=%v, want %v", runs, want)
	}
	if runs := got[backup.JobCheckpoint]; len(runs) != 3 || !runs[0].Equal(now.Add(15*time.Minute)) {
		t.Fatalf("checkpoint runs=%v, want every 15 minutes from %v", runs, now)
	}
	if _, ok := got[backup.JobOptimize]; ok {
		t.Fatal("a disabled job has next runs")
	}
	if _, ok := got[backup.JobVacuum]; ok {
		t.Fatal("an expression that does not parse has next runs")
	}
}

// Two scheduled jobs in the same minute: the one that finds the operation
// lock held waits for it (bounded) instead of failing, and one that waited
// in vain is a skipped run that says why, not an error.
func TestScheduler_LockCollision(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 5)
	s := backup.NewScheduler(m)

	release, err := backup.HoldLock(m)
	if err != nil {
		t.Fatal(err)
	}
	s.LockWait = 300 * time.Millisecond
	start := time.Now()
	run, err := backup.RunPatient(ctx, s, backup.JobBackup)
	if err != nil {
		t.Fatalf("a scheduled backup that found the lock held: %v, want a skipped run", err)
	}
	if run.Result != domain.JobSkipped || !strings.Contains(run.Detail, "another backup was running") || run.Error != "" {
		t.Fatalf("run=%+v, want skipped: another backup was running", run)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Fatalf("gave up after %s, want it to wait 300ms", waited)
	}
	// By hand it still says at once that another backup runs.
	_, err = m.Backup(ctx, backup.Options{})
	assertCode(t, err, domain.ECONFLICT)

	// The other backup finishes while this one waits: it runs after it.
	s.LockWait = 10 * time.Second
	go func() {
		time.Sleep(150 * time.Millisecond)
		release()
	}()
	run, err = backup.RunPatient(ctx, s, backup.JobBackup)
	if err != nil || run.Result != domain.JobOK {
		t.Fatalf("run=%+v err=%v, want the backup taken after the other one", run, err)
	}

	// A local and a destination backup scheduled together both land.
	disk := t.TempDir()
	if _, err := m.AddDestination(ctx, domain.Destination{Name: "usb", Dir: disk, Cron: "0 3 * * *"}, ""); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		var wg sync.WaitGroup
		runs := make([]*domain.JobRun, 2)
		errs := make([]error, 2)
		wg.Add(2)
		go func() { defer wg.Done(); runs[0], errs[0] = backup.RunPatient(ctx, s, backup.JobBackup) }()
		go func() { defer wg.Done(); runs[1], errs[1] = backup.RunDestinationPatient(ctx, s, "usb") }()
		wg.Wait()
		for i := range runs {
			if errs[i] != nil || runs[i].Result != domain.JobOK {
				t.Fatalf("run %d=%+v err=%v, want both scheduled backups taken", i, runs[i], errs[i])
			}
		}
	}
}

// TestScheduler_OptimizeMergesSearchIndex: the optimize job merges the
// full-text index that many commits left in segments into one, and says
// so in its run's detail (SQLite).
func TestScheduler_OptimizeMergesSearchIndex(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	segments := func() int {
		var n int
		if err := db.Read(ctx, func(r *sqlx.DB) error {
			return r.GetContext(ctx, &n, `SELECT count(DISTINCT segid) FROM task_search_idx`)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := db.Write(ctx, func(w *sqlx.DB) error {
		_, err := w.ExecContext(ctx, `INSERT INTO task_search (task_search, rank) VALUES ('automerge', 0)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	owner := domain.WithOwner(ctx)
	quota := 100
	if _, _, err := store.NewUserService(db).CreateUser(owner, domain.UserCreate{Username: "bob", Quota: &quota}); err != nil {
		t.Fatal(err)
	}
	for i := range 12 { // a commit, and a segment, each
		if _, err := store.NewTaskService(db).CreateTask(owner, domain.TaskCreate{Username: "bob", Prompt: fmt.Sprintf("a cat on the moon, take %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	before := segments()
	if before < 2 {
		t.Fatalf("%d segments after 12 commits without automerge", before)
	}
	run, err := backup.NewScheduler(m).Maintain(ctx, backup.JobOptimize)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("search index merged from %d segments into one", before)
	if run.Result != domain.JobOK || !strings.Contains(run.Detail, want) {
		t.Fatalf("run %+v, want ok with %q", run, want)
	}
	if n := segments(); n != 1 {
		t.Fatalf("%d segments after the optimize job, want 1", n)
	}
}
