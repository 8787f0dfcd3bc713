package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/robfig/cron/v3"
)

// Job IDs. They are stable: the schedule, the run records and the UI use them.
const (
	JobBackup     = "backup"
	JobOptimize   = "optimize"
	JobVacuum     = "vacuum"
	JobCheckpoint = "checkpoint"
	JobDrill      = "drill"
	// Operations run only by hand (Maintain).
	JobAnalyze = "analyze"
	JobCheck   = "check"
)

// Scheduler runs the maintenance jobs on the schedule stored in the
// database, records every run, and can run any of them by hand. A long-lived
// process (serve, the window) calls Start and Stop; the CLI uses Maintain,
// Schedule, SetSchedule and Jobs without starting it.
type Scheduler struct {
	// Manager takes the backups and owns the database.
	Manager *Manager
	// Settings holds the schedule; Runs records the job runs.
	Settings *store.Settings
	Runs     *store.JobRuns
	// VacuumThreshold is the free-page share above which VACUUM runs.
	VacuumThreshold float64
	// Logger receives job failures and recovered panics.
	Logger *slog.Logger
	// LockWait bounds how long a scheduled run that finds another backup,
	// restore or drill holding the operation lock waits for it before it
	// is recorded as skipped; DefaultLockWait when zero.
	LockWait time.Duration
	// Passphrase, if set, gives the passphrase of an encrypted destination
	// to the scheduled drill ("" when there is none); without one, the
	// drill of such a destination is recorded as needing it.
	Passphrase func(dest string) string

	mu      sync.Mutex
	cron    *cron.Cron
	entries map[string]cron.EntryID
	// destEntries are the destinations' jobs; destKey is the stored
	// destinations they were registered from.
	destEntries map[string]cron.EntryID
	destKey     string
	running     map[string]bool
	jobs        map[string]jobFunc
	schedule    domain.Schedule
	ctx         context.Context
	cancel      context.CancelFunc
	wg          sync.WaitGroup
}

// NewScheduler returns a Scheduler for m's database.
func NewScheduler(m *Manager) *Scheduler {
	s := &Scheduler{
		Manager:         m,
		Settings:        store.NewSettings(m.DB),
		Runs:            store.NewJobRuns(m.DB),
		VacuumThreshold: DefaultVacuumThreshold,
		Logger:          m.Logger,
		running:         make(map[string]bool),
	}
	s.jobs = map[string]jobFunc{
		JobBackup: func(ctx context.Context) (int64, string, error) {
			// Retention comes from the stored schedule, also when the clock
			// is not running (a run started by hand from another process).
			if sch, err := LoadSchedule(ctx, s.Settings); err == nil && ValidateSchedule(sch) == nil {
				m.Retention = retentionOf(sch)
			}
			b, err := m.Backup(ctx, Options{Kind: domain.BackupScheduled})
			if err != nil {
				return 0, "", err
			}
			return b.Size, b.Name, nil
		},
		JobOptimize:   m.optimize,
		JobVacuum:     func(ctx context.Context) (int64, string, error) { return m.vacuum(ctx, s.VacuumThreshold, false) },
		JobCheckpoint: m.checkpoint,
		JobDrill: func(ctx context.Context) (int64, string, error) {
			_, detail, err := m.drillJob(ctx, DrillOptions{})
			return 0, detail, err
		},
		JobAnalyze: m.analyze,
		JobCheck:   m.check,
	}
	return s
}

// Start loads the schedule, marks runs interrupted by a previous crash,
// registers the jobs and starts the clock. A backup missed while the machine
// was off (the last one older than the backup period) runs once right away,
// in the background.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cron != nil {
		return fmt.Errorf("scheduler: already started")
	}
	sch, err := LoadSchedule(ctx, s.Settings)
	if err != nil {
		return err
	}
	if err := ValidateSchedule(sch); err != nil {
		s.Logger.Warn("stored schedule is invalid; using the defaults", "err", err)
		sch = DefaultSchedule()
	}
	if n, err := s.Runs.Interrupt(ctx); err != nil {
		return err
	} else if n > 0 {
		s.Logger.Warn("job runs were interrupted by a stop", "count", n)
	}
	since, err := s.since(ctx)
	if err != nil {
		return err
	}
	if err := s.Manager.Recover(); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
		s.Logger.Error("recover an interrupted restore", "err", err)
	}

	live, err := holdLive(s.Manager.Dir)
	if err != nil {
		return err
	}
	s.Manager.live.Store(live)
	s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.cron = cron.New()
	s.entries = make(map[string]cron.EntryID)
	if err := s.register(sch); err != nil {
		s.cancel()
		s.cron = nil
		s.Manager.live.Store(nil)
		live.release()
		return err
	}
	s.destEntries = make(map[string]cron.EntryID)
	s.cron.Schedule(cron.Every(time.Minute), cron.FuncJob(s.refreshDestinations))
	s.cron.Start()
	s.mu.Unlock()
	s.refreshDestinations()
	s.mu.Lock()

	if missed, err := s.missedBackup(ctx, sch, since); err != nil {
		s.Logger.Error("check for a missed backup", "err", err)
	} else if missed {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.run(s.ctx, JobBackup)
		}()
	}
	return nil
}

// Stop stops the clock, cancels running jobs and waits for them.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	c := s.cron
	s.cron = nil
	s.mu.Unlock()
	if c == nil {
		return
	}
	s.cancel()
	<-c.Stop().Done()
	s.wg.Wait()
	if l := s.Manager.live.Swap(nil); l != nil {
		l.release()
	}
}

// register (re)registers every job of sch under its stable ID; the caller
// holds s.mu.
func (s *Scheduler) register(sch domain.Schedule) error {
	for id, entry := range s.entries {
		s.cron.Remove(entry)
		delete(s.entries, id)
	}
	for _, j := range []struct{ id, expr string }{
		{JobBackup, sch.Backup}, {JobOptimize, sch.Optimize}, {JobVacuum, sch.Vacuum}, {JobCheckpoint, sch.Checkpoint}, {JobDrill, sch.Drill},
	} {
		spec, err := parseCron(j.id, j.expr)
		if err != nil {
			return err
		} else if spec == nil {
			continue // disabled
		}
		if s.Manager.DB.Engine() == store.EnginePostgres && j.id != JobBackup && j.id != JobDrill {
			continue // the PostgreSQL server maintains its own storage
		}
		id := j.id
		s.entries[id] = s.cron.Schedule(spec, cron.FuncJob(func() {
			s.wg.Add(1)
			defer s.wg.Done()
			if id == JobDrill {
				s.DrillAll(s.ctx) // every destination, one run each
				return
			}
			s.run(s.ctx, id)
		}))
	}
	s.schedule = sch
	s.Manager.Retention = retentionOf(sch)
	return nil
}

// Schedule returns the stored schedule (defaults for unset values).
func (s *Scheduler) Schedule(ctx context.Context) (domain.Schedule, error) {
	return LoadSchedule(ctx, s.Settings)
}

// SetSchedule validates and stores sch and, when the scheduler is running,
// re-registers the jobs at once. Returns EINVALID naming the bad field.
func (s *Scheduler) SetSchedule(ctx context.Context, sch domain.Schedule) (domain.Schedule, error) {
	if err := SaveSchedule(ctx, s.Settings, sch); err != nil {
		return sch, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Manager.Retention = retentionOf(sch)
	if s.cron != nil {
		if err := s.register(sch); err != nil {
			return sch, err
		}
	}
	return LoadSchedule(ctx, s.Settings)
}

// Next returns when each scheduled job runs next; jobs disabled or not
// registered (scheduler not started) are absent.
func (s *Scheduler) Next() map[string]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]time.Time)
	if s.cron == nil {
		return out
	}
	for id, entry := range s.allEntries() {
		if e := s.cron.Entry(entry); e.Valid() {
			if !e.Next.IsZero() {
				out[id] = e.Next
			} else {
				out[id] = e.Schedule.Next(time.Now())
			}
		}
	}
	return out
}

// allEntries returns the entries of every job; the caller holds s.mu.
func (s *Scheduler) allEntries() map[string]cron.EntryID {
	out := make(map[string]cron.EntryID, len(s.entries)+len(s.destEntries))
	for id, e := range s.entries {
		out[id] = e
	}
	for id, e := range s.destEntries {
		out[id] = e
	}
	return out
}

// Jobs returns the most recent job runs, newest first.
func (s *Scheduler) Jobs(ctx context.Context, limit int) ([]*domain.JobRun, error) {
	return s.Runs.List(ctx, "", limit)
}

// Maintain runs one operation now and returns its recorded run: backup,
// optimize, analyze, vacuum (whatever the free-page share), check or
// checkpoint. Returns EINVALID for an unknown operation; a failed operation
// is returned as the run (Result error) together with its error.
func (s *Scheduler) Maintain(ctx context.Context, op string) (*domain.JobRun, error) {
	if s.Manager.DB.Engine() == store.EnginePostgres {
		switch op {
		case JobBackup, JobDrill, JobAnalyze:
		default:
			return nil, domain.Invalidf("op", "The PostgreSQL server maintains its own storage (autovacuum, checkpoints); %s is for the SQLite store. Backup, drill and analyze work here.", op)
		}
	}
	switch op {
	case JobBackup: // a backup asked for by hand is a manual one
		return s.runFunc(ctx, op, func(ctx context.Context) (int64, string, error) {
			b, err := s.Manager.Backup(ctx, Options{Kind: domain.BackupManual})
			if err != nil {
				return 0, "", err
			}
			return b.Size, b.Name, nil
		})
	case JobVacuum:
		return s.runFunc(ctx, op, func(ctx context.Context) (int64, string, error) {
			return s.Manager.vacuum(ctx, s.VacuumThreshold, true)
		})
	}
	fn, ok := s.jobs[op]
	if !ok {
		return nil, domain.Invalidf("op", "Unknown maintenance operation %q; use optimize, analyze, vacuum, check, checkpoint or backup.", op)
	}
	return s.runFunc(ctx, op, fn)
}

// DefaultLockWait is the default Scheduler.LockWait: long enough for a
// media backup of another destination scheduled in the same minute.
const DefaultLockWait = 30 * time.Minute

// lockPoll is how often a waiting scheduled run tries the lock again.
const lockPoll = 2 * time.Second

// patient returns fn as a scheduled run: when fn finds the operation lock
// held (another backup, restore or drill runs, say a destination's backup
// scheduled in the same minute), it waits and tries again until LockWait
// has passed, then gives up as a skipped run, never an error: the next
// scheduled time tries again.
func (s *Scheduler) patient(fn jobFunc) jobFunc {
	return func(ctx context.Context) (int64, string, error) {
		wait := s.LockWait
		if wait <= 0 {
			wait = DefaultLockWait
		}
		poll := min(lockPoll, max(wait/10, time.Millisecond))
		deadline := time.Now().Add(wait)
		for {
			n, detail, err := fn(ctx)
			if !errors.Is(err, errLocked) {
				return n, detail, err
			}
			if !time.Now().Before(deadline) {
				return 0, "", errNothingToDo{fmt.Sprintf("another backup was running (waited %s); the next scheduled run tries again", wait.Round(time.Second))}
			}
			t := time.NewTimer(poll)
			select {
			case <-ctx.Done():
				t.Stop()
				return 0, "", ctx.Err()
			case <-t.C:
			}
		}
	}
}

// run runs the scheduled job id; failures are recorded and logged, never
// propagated into the cron goroutine.
func (s *Scheduler) run(ctx context.Context, id string) {
	if _, err := s.runFunc(ctx, id, s.patient(s.jobs[id])); err != nil {
		s.Logger.Error("job failed", "job", id, "err", err)
	}
}

// runFunc runs fn as job id: it skips (and records) a run that would overlap
// the previous one, turns a panic into a failed run, and records start, end,
// result, error and bytes.
func (s *Scheduler) runFunc(ctx context.Context, id string, fn jobFunc) (run *domain.JobRun, err error) {
	s.mu.Lock()
	overlap := s.running[id]
	if !overlap {
		s.running[id] = true
	}
	s.mu.Unlock()

	run, serr := s.Runs.Start(ctx, id)
	if serr != nil {
		if !overlap {
			s.done(id)
		}
		return nil, serr
	}
	if overlap {
		run.Result, run.Detail = domain.JobSkipped, "the previous run was still going"
		s.finish(ctx, run)
		return run, domain.Errorf(domain.ECONFLICT, "The %s job is already running.", id)
	}
	defer s.done(id)

	func() {
		defer func() {
			if r := recover(); r != nil {
				s.Logger.Error("job panicked", "job", id, "panic", r, "stack", string(debug.Stack()))
				err = fmt.Errorf("job %s panicked: %v", id, r)
			}
		}()
		run.Bytes, run.Detail, err = fn(ctx)
	}()
	var nothing errNothingToDo
	switch {
	case errors.As(err, &nothing):
		run.Result, run.Detail, err = domain.JobSkipped, nothing.reason, nil
	case err != nil:
		run.Result, run.Error = domain.JobError, domain.ErrorMessage(err)
		if domain.ErrorCode(err) == domain.EINTERNAL {
			run.Error = err.Error() // the owner's own log: details help
		}
	default:
		run.Result = domain.JobOK
	}
	s.finish(ctx, run)
	return run, err
}

// done clears the running flag of id.
func (s *Scheduler) done(id string) {
	s.mu.Lock()
	delete(s.running, id)
	s.mu.Unlock()
}

// finish records the end of run and announces it.
func (s *Scheduler) finish(ctx context.Context, run *domain.JobRun) {
	if err := s.Runs.Finish(context.WithoutCancel(ctx), run); err != nil {
		// A restore during the run replaced the database that held the record.
		s.Logger.Warn("record job run", "job", run.JobID, "err", err)
	}
	s.Manager.notify(domain.Notification{Type: "job", Data: run})
}

// since returns when the scheduler first ran on this database, recording
// now if it never did.
func (s *Scheduler) since(ctx context.Context) (time.Time, error) {
	all, err := s.Settings.All(ctx)
	if err != nil {
		return time.Time{}, err
	}
	if t, err := time.Parse(time.RFC3339, all[keySince]); err == nil {
		return t, nil
	}
	now := s.Manager.now().UTC()
	if err := s.Settings.Set(ctx, map[string]string{keySince: now.Format(time.RFC3339)}); err != nil {
		return time.Time{}, err
	}
	return now, nil
}

// missedBackup reports whether the last backup (any kind, or the scheduler's
// first start when there is none) is older than the backup period.
func (s *Scheduler) missedBackup(ctx context.Context, sch domain.Schedule, since time.Time) (bool, error) {
	spec, err := parseCron("backup", sch.Backup)
	if err != nil || spec == nil {
		return false, err
	}
	last := since
	list, err := s.Manager.List(ctx)
	if err != nil {
		return false, err
	}
	for _, b := range list {
		if b.CreatedAt.After(last) {
			last = b.CreatedAt
		}
	}
	if run, err := s.Runs.LastOK(ctx, JobBackup); err != nil {
		return false, err
	} else if run != nil && run.StartedAt.After(last) {
		last = run.StartedAt
	}
	now := s.Manager.now()
	next := spec.Next(now)
	period := spec.Next(next).Sub(next)
	return now.Sub(last) > period, nil
}
