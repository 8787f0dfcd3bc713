package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// TrashPurgeJob is the job ID under which each purge is recorded in the
// job-run log (see store.JobRuns), where the UI shows maintenance runs.
const TrashPurgeJob = "trash_purge"

// DefaultTrashPurgeInterval is how often a serving process purges the
// tasks whose time in the trash ran out (setting "trash_retention_days").
const DefaultTrashPurgeInterval = 24 * time.Hour

// TrashPurge deletes, for good, the tasks trashed longer ago than the trash
// retention: once shortly after it starts, then every Interval.
type TrashPurge struct {
	Library *store.LibraryService
	// Runs, if set, records every purge.
	Runs *store.JobRuns
	// Interval between purges; DefaultTrashPurgeInterval when zero.
	Interval time.Duration
	// Delay before the first purge, so startup is not slowed; a minute
	// when zero.
	Delay  time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Run purges until ctx is done.
func (p TrashPurge) Run(ctx context.Context) {
	if p.Interval <= 0 {
		p.Interval = DefaultTrashPurgeInterval
	}
	if p.Delay <= 0 {
		p.Delay = time.Minute
	}
	wait := time.NewTimer(p.Delay)
	defer wait.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wait.C:
			p.Once(ctx)
			wait.Reset(p.Interval)
		}
	}
}

// Once runs one purge as the owner, records it and logs failures. It
// returns the purge's result (nil on an error).
func (p TrashPurge) Once(ctx context.Context) *domain.TrashResult {
	logger := p.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	owner := domain.WithOwner(ctx)
	var run *domain.JobRun
	if p.Runs != nil {
		var err error
		if run, err = p.Runs.Start(owner, TrashPurgeJob); err != nil {
			logger.Warn("record the trash purge", slog.Any("err", err))
		}
	}
	res, err := p.Library.PurgeExpiredTrash(owner, now())
	if run != nil {
		run.Result = domain.JobOK
		if err != nil {
			run.Result, run.Error = domain.JobError, domain.ErrorMessage(err)
		} else {
			run.Detail = fmt.Sprintf("%d tasks purged", res.Changed)
		}
		if ferr := p.Runs.Finish(context.WithoutCancel(owner), run); ferr != nil {
			logger.Warn("record the trash purge", slog.Any("err", ferr))
		}
	}
	if err != nil {
		if ctx.Err() == nil {
			logger.Error("purge the trash", slog.Any("err", err))
		}
		return nil
	}
	if res.Changed > 0 {
		logger.Info("purged tasks from the trash", slog.Int("tasks", res.Changed))
	}
	return res
}
