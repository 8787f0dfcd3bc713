package store

import (
	"context"
	"fmt"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// ClaimTask hands the oldest pending task (of the calling user, or of anyone
// for the owner) to a worker with a lease and moves it to processing.
func (s *TaskService) ClaimTask(ctx context.Context, req domain.ClaimRequest) (*domain.Task, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	lease, err := domain.LeaseDuration(req.Lease)
	if err != nil {
		return nil, err
	}
	if s.db.dialect.isPostgres() {
		return s.claimPostgres(ctx, a, req.Worker, lease)
	}
	var t *domain.Task
	err = s.db.claim(ctx, func(tx *tx) error {
		cond, args := "", []any(nil)
		if !a.Owner {
			cond, args = " AND t.user_id = "+numParam, append(args, a.UserID)
		}
		// The literal status lets SQLite use the partial index of the
		// queue, tasks_pending.
		var r taskRow
		err := tx.get(&r, `SELECT`+taskColumns+`
			WHERE t.status = 'pending' AND t.trashed_at IS NULL`+cond+`
			ORDER BY t.created_at, t.id
			LIMIT 1`+tx.db.dialect.claimSuffix, args...)
		if isNoRows(err) {
			return nil
		} else if err != nil {
			return fmt.Errorf("claim task: %w", err)
		}
		start(tx, &r)
		expires := micros(tx.now.Add(lease))
		r.Attempts++
		r.LeaseOwner, r.LeaseExpiresAt = req.Worker, &expires
		r.UpdatedAt = micros(tx.now)
		if err := updateTask(tx, &r); err != nil {
			return err
		}
		if err := addEvent(tx, &r, domain.EventClaimed, fmt.Sprintf("claimed by %s, attempt %d", req.Worker, r.Attempts)); err != nil {
			return err
		}
		t = r.domain()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// HeartbeatTask extends the lease of a task claimed by worker.
func (s *TaskService) HeartbeatTask(ctx context.Context, taskID, worker string, lease time.Duration) (*domain.Task, error) {
	lease, err := domain.LeaseDuration(lease)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, taskID, domain.StepUpdate,
		func(tx *tx, r *taskRow) (string, string, error) {
			if r.LeaseOwner != worker {
				return "", "", domain.Errorf(domain.ECONFLICT, "Task %s is not leased to worker %q.", r.TaskID, worker)
			}
			// Decided by the lease time alone, not by whether the expiry
			// sweep has run yet: a lease that ran out cannot be renewed.
			if r.LeaseExpiresAt != nil && *r.LeaseExpiresAt <= micros(tx.now) {
				return "", "", domain.Errorf(domain.ECONFLICT, "The lease of task %s ran out at %s; claim the task again.", r.TaskID, fromMicros(*r.LeaseExpiresAt).UTC().Format(time.RFC3339))
			}
			expires := micros(tx.now.Add(lease))
			r.LeaseExpiresAt = &expires
			return "", "", nil
		})
}

// ExpireLeases returns processing tasks whose lease ran out to pending, or
// fails them once they have been claimed maxAttempts times. Owner only.
func (s *TaskService) ExpireLeases(ctx context.Context, maxAttempts int) (int, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return 0, err
	}
	if maxAttempts <= 0 {
		maxAttempts = domain.DefaultMaxAttempts
	}
	var n int
	// On PostgreSQL the expired rows are locked as they are found, skipping
	// any a concurrent step holds (a heartbeat or completion that runs
	// first finds the task still processing; one that runs after finds it
	// back to pending), so sweeps in several processes share the work.
	err := s.db.writeRows(ctx, func(tx *tx) error {
		var rows []*taskRow
		if err := tx.sel(&rows, `SELECT`+taskColumns+`
			WHERE t.status = `+statusParam+` AND t.lease_expires_at < ?`+tx.db.dialect.claimSuffix,
			string(domain.StatusProcessing), micros(tx.now)); err != nil {
			return fmt.Errorf("find expired leases: %w", err)
		}
		for _, r := range rows {
			worker := r.LeaseOwner
			event, message := domain.EventLeaseExpired, fmt.Sprintf("lease of %s expired after attempt %d; back to pending", worker, r.Attempts)
			if r.Attempts >= maxAttempts {
				finish(tx, r, domain.StatusFailed)
				r.ErrorMessage = fmt.Sprintf("The worker's lease expired %d times (last worker %s); the task was given up.", r.Attempts, worker)
				event, message = domain.EventFailed, r.ErrorMessage
				if err := reindexTask(tx, r); err != nil {
					return err
				}
				if err := bumpStats(tx, day(tx.now), "failed_tasks", 0); err != nil {
					return err
				}
			} else {
				r.Status = string(domain.StatusPending)
				r.LeaseOwner, r.LeaseExpiresAt, r.StartedAt = "", nil, nil
			}
			r.UpdatedAt = micros(tx.now)
			if err := updateTask(tx, r); err != nil {
				return err
			}
			if err := addEvent(tx, r, event, message); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	return n, err
}
