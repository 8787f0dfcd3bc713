package store

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// On PostgreSQL the claims one process receives at the same time are
// handed out together: concurrent ClaimTask calls of one queue (the
// owner's, which takes any user's tasks, or one user's) wait in line, and
// a runner takes everyone waiting and claims for all of them in one
// statement (claimBatchSQL), as a group commit does for SQLite's writes.
// One statement (its plan kept by PostgreSQL per connection, see
// claimBatchSQL), one run of the tasks' statement triggers and one commit
// (one WAL flush) serve the whole batch, which is what lets claims outrun
// one transaction per claim: PostgreSQL's work per claim, not the network,
// is what limits them. Claims in other processes run beside
// these with FOR UPDATE SKIP LOCKED, so no task is handed out twice and no
// claim waits on another's lock.
//
// A lone claim is not delayed: a runner starts at once when none runs
// (claimRunners per queue), and claims that arrive meanwhile form the next
// batch. Each waiter gets its own task (its worker name and lease), or none
// when the queue ran out; if the statement fails, every waiter of the batch
// gets the error and none of them got a task.

// claimRunners is how many claim statements of one queue a process runs
// at once: one, so that the next batch gathers while it commits (with two,
// most batches held a single claim and each paid a statement of its own).
const claimRunners = 1

// maxClaimBatch bounds the claims one statement hands out.
const maxClaimBatch = 64

// claimQueues holds a DB's claim queues, by user id (0 for the owner's).
type claimQueues struct {
	mu     sync.Mutex
	queues map[int64]*claimQueue
}

// claimQueue is the claims of one queue waiting for a runner.
type claimQueue struct {
	waiting []*claimWaiter
	running int
}

// claimWaiter is one ClaimTask call waiting for its task.
type claimWaiter struct {
	worker string
	lease  time.Duration
	done   chan claimResult // buffered: the runner never blocks on it
}

// claimResult is what a claimWaiter receives: its task, nil if none was
// pending, or the batch's error.
type claimResult struct {
	task *domain.Task
	err  error
}

// claimBatchSQL claims for a batch of workers in one statement that commits
// by itself: claim_tasks (migrations/postgres/00017_pending_queue.sql)
// takes the oldest pending tasks that no other claim holds, one for each
// worker of the arrays of names and lease expiries, starts and leases them
// and records their claimed events. The tasks come back with their user's
// name and their worker's number (claim_n), under the column names
// taskSelectList reads.
const claimBatchSQL = `
	SELECT
		c.claim_n,` + taskSelectList + `
	FROM claim_tasks(?::text[], ?::bigint[], ?::bigint, ?::bigint) c
	CROSS JOIN LATERAL (SELECT (c.task).*) t
	CROSS JOIN LATERAL (SELECT c.username) u`

// claimedRow is a task claimed by claimBatchSQL, with its worker's number
// in the batch (from 1).
type claimedRow struct {
	N int `db:"claim_n"`
	taskRow
}

// claimPostgres is ClaimTask on PostgreSQL: it queues the claim and waits
// for a runner to hand out its task (see claimBatchSQL).
func (s *TaskService) claimPostgres(ctx context.Context, a domain.Actor, worker string, lease time.Duration) (*domain.Task, error) {
	var user int64
	if !a.Owner {
		user = a.UserID
	}
	cs := &s.db.claims
	w := &claimWaiter{worker: worker, lease: lease, done: make(chan claimResult, 1)}
	cs.mu.Lock()
	if cs.queues == nil {
		cs.queues = map[int64]*claimQueue{}
	}
	q := cs.queues[user]
	if q == nil {
		q = &claimQueue{}
		cs.queues[user] = q
	}
	q.waiting = append(q.waiting, w)
	start := q.running < claimRunners
	if start {
		q.running++
	}
	cs.mu.Unlock()
	if start {
		go s.db.runClaims(user, q)
	}
	select {
	case r := <-w.done:
		return r.task, r.err
	case <-ctx.Done():
		// A claim still waiting leaves the queue; one already sent is
		// awaited, as its task is leased to this worker either way.
		cs.mu.Lock()
		i := slices.Index(q.waiting, w)
		if i >= 0 {
			q.waiting = slices.Delete(q.waiting, i, i+1)
		}
		cs.mu.Unlock()
		if i >= 0 {
			return nil, ctx.Err()
		}
		r := <-w.done
		return r.task, r.err
	}
}

// runClaims runs batches of queue q (of user, 0 for the owner) until no
// claim waits.
func (db *DB) runClaims(user int64, q *claimQueue) {
	cs := &db.claims
	for {
		cs.mu.Lock()
		n := min(len(q.waiting), maxClaimBatch)
		if n == 0 {
			q.running--
			if q.running == 0 {
				delete(cs.queues, user)
			}
			cs.mu.Unlock()
			return
		}
		batch := slices.Clone(q.waiting[:n])
		q.waiting = slices.Delete(q.waiting, 0, n)
		cs.mu.Unlock()
		tasks, err := db.claimBatch(user, batch)
		for i, w := range batch {
			if err != nil {
				w.done <- claimResult{err: err}
			} else {
				w.done <- claimResult{task: tasks[i]}
			}
		}
		// Let the callers just answered run before the next batch is
		// taken: a worker that claims again at once joins it instead of
		// waiting a whole statement for the one after. Without anyone
		// runnable this returns at once.
		runtime.Gosched()
	}
}

// claimBatch claims a task for each waiter of batch in one statement and
// returns them in the batch's order, nil where no task was left. It runs
// under the DB's lifetime, not a caller's context: one caller giving up
// does not fail the others' claims.
func (db *DB) claimBatch(user int64, batch []*claimWaiter) ([]*domain.Task, error) {
	tasks := make([]*domain.Task, len(batch))
	err := db.writeOne(db.lifetime(), func(tx *tx) error {
		clear(tasks)
		workers := make([]string, len(batch))
		expires := make([]int64, len(batch))
		for i, w := range batch {
			workers[i], expires[i] = w.worker, micros(tx.now.Add(w.lease))
		}
		var forUser *int64
		if user != 0 {
			forUser = &user
		}
		var rows []claimedRow
		if err := tx.sel(&rows, claimBatchSQL, workers, expires, forUser, micros(tx.now)); err != nil {
			return fmt.Errorf("claim tasks: %w", err)
		}
		for _, r := range rows {
			if r.N < 1 || r.N > len(tasks) {
				return fmt.Errorf("claim tasks: worker number %d outside the batch of %d", r.N, len(tasks))
			}
			tx.notify(domain.Notification{Type: "task", TaskID: r.TaskID, Status: domain.Status(r.Status), Progress: r.Progress})
			tasks[r.N-1] = r.taskRow.domain()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tasks, nil
}
