package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// LeaseExpiry returns expired worker leases to pending (or fails tasks whose
// attempts are used up) every Interval, so that a worker that dies never
// strands its task.
type LeaseExpiry struct {
	Tasks domain.TaskService
	// Interval between passes; DefaultLeaseCheckInterval when zero.
	Interval time.Duration
	// MaxAttempts is the attempt limit expired tasks are checked against;
	// domain.DefaultMaxAttempts when zero.
	MaxAttempts int
	Logger      *slog.Logger
}

// Run expires leases every Interval until ctx is done.
func (l LeaseExpiry) Run(ctx context.Context) {
	if l.Interval <= 0 {
		l.Interval = DefaultLeaseCheckInterval
	}
	if l.MaxAttempts <= 0 {
		l.MaxAttempts = domain.DefaultMaxAttempts
	}
	if l.Logger == nil {
		l.Logger = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(l.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.Once(ctx)
		}
	}
}

// Once runs one lease expiry pass as the owner and logs failures.
func (l LeaseExpiry) Once(ctx context.Context) {
	n, err := l.Tasks.ExpireLeases(domain.WithOwner(ctx), l.MaxAttempts)
	if err != nil {
		if ctx.Err() == nil {
			l.Logger.Error("expire leases", slog.Any("err", err))
		}
		return
	}
	if n > 0 {
		l.Logger.Info("expired worker leases", slog.Int("tasks", n))
	}
}
