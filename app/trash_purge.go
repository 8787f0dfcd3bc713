package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// DefaultTrashPurgeInterval is how often a serving process purges the
// tasks whose time in the trash ran out (setting "trash_retention_days").
const DefaultTrashPurgeInterval = 24 * time.Hour

// TrashPurge deletes, for good, the tasks trashed longer ago than the trash
// retention: once shortly after it starts, then every Interval.
type TrashPurge struct {
	Library *store.LibraryService
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

// Once runs one purge as the owner and logs its outcome.
func (p TrashPurge) Once(ctx context.Context) {
	logger := p.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	res, err := p.Library.PurgeExpiredTrash(domain.WithOwner(ctx), now())
	if err != nil {
		if ctx.Err() == nil {
			logger.Error("purge the trash", slog.Any("err", err))
		}
		return
	}
	if res.Changed > 0 {
		logger.Info("purged tasks from the trash", slog.Int("tasks", res.Changed))
	}
}
