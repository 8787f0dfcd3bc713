package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// Group commit (SQLite only).
//
// A durable commit costs an fsync of the WAL, far more than the statements
// of a typical write. Instead of one transaction and one fsync per write,
// every write of the process is handed to one committer goroutine that owns
// the writer connection. The committer takes whatever writes are queued,
// opens one BEGIN IMMEDIATE transaction, runs each write inside its own
// SAVEPOINT (a failing write rolls back to its savepoint and leaves its
// neighbours' work in place), COMMITs once and answers every caller once
// the commit is durable (with synchronous=FULL the syncer fsyncs the WAL
// beside the next batch, see walsync.go). While one batch commits, new
// writes queue up and form the next batch, so batches grow with load by
// themselves; when fewer writes are queued than there are writers waiting
// on the committer, it waits up to CommitDelay for the rest. A lone writer
// is never made to wait for company.
//
// Guarantees:
//   - A caller is answered nil only after the COMMIT that contains its work
//     returned and (synchronous=FULL) an fsync of the WAL that began after
//     it. If that COMMIT fails every caller of the batch gets the error and
//     nothing of the batch is kept; if the fsync fails they get its error.
//   - A write whose ctx is done before the committer reaches it is not run
//     and gets ctx's error. Once it runs, it runs to its end (its statements
//     are not interrupted: SQLite would roll back the whole shared
//     transaction) and the caller waits for the outcome of its batch's
//     COMMIT whatever its ctx does meanwhile, so a caller is never told
//     "cancelled" about a write that is then committed.
//   - fn runs on the committer goroutine. A panic in fn rolls its savepoint
//     back and is raised again in the caller's goroutine.
//   - Each write stamps its own now (one per write, as before).
//   - fn must not start another write (it would wait for itself), exactly as
//     with the single writer connection before.

// maxBatch bounds the writes of one batch, so one commit's latency stays
// bounded under a flood of writes.
const maxBatch = 256

// commitRequest is one write waiting for the committer.
type commitRequest struct {
	ctx  context.Context
	fn   func(tx *tx) error
	done chan commitResult // buffered: the committer never blocks on it
	// queued and answered: when the write was queued and answered; bt:
	// when its batch passed each stage (see CommitPhases).
	queued, answered time.Time
	bt               *batchTimes
}

// commitResult is the outcome of one write.
type commitResult struct {
	err   error
	notes []domain.Notification
	panic any // re-raised by the caller
	hasP  bool
}

// committer batches the writes of a DB onto its writer connection.
type committer struct {
	db      *DB
	writer  *sqlx.DB
	queue   chan *commitRequest
	stop    chan struct{}
	stopped sync.WaitGroup
	// syncer, if set, fsyncs the WAL after each commit and answers the
	// callers (synchronous=FULL; see walsync.go).
	syncer *walSyncer
	// trace, if set, is told the phases of every write (SetCommitTrace).
	trace atomic.Pointer[func(CommitPhases)]
	// writers counts the callers in submit: queued, in a batch, or
	// waiting for their batch's fsync.
	writers atomic.Int64
	// tail is signalled by the checkpointer after each checkpoint: the
	// committer copies the frames committed meanwhile as soon as no write
	// is queued (see checkpointTail).
	tail chan struct{}
	// batches and writes count committed batches and the writes in them
	// (for the benchmarks' writes-per-commit figure).
	batches, writes atomic.Int64
}

// startCommitter starts the group committer on the writer pool (SQLite).
func (db *DB) startCommitter() {
	c := &committer{
		db:     db,
		writer: db.writer,
		queue:  make(chan *commitRequest, maxBatch),
		stop:   make(chan struct{}),
		tail:   make(chan struct{}, 1),
	}
	if strings.EqualFold(db.Synchronous, "FULL") {
		// The syncer fsyncs instead of COMMIT (see walsync.go). If the
		// pragma fails the connection stays FULL: slower, as durable.
		_, err := db.writer.ExecContext(context.Background(), "PRAGMA synchronous = NORMAL")
		if err == nil {
			c.syncer = newWALSyncer(db.Path)
		} else {
			db.Logger.Warn("fsync off the commit path", "err", err)
		}
	}
	c.stopped.Add(1)
	go c.run()
	db.committer = c
}

// stopCommitter stops the committer; callers hold the swap lock
// exclusively, so no write is queued.
func (db *DB) stopCommitter() {
	if db.committer == nil {
		return
	}
	c := db.committer
	close(c.stop)
	c.stopped.Wait()
	if c.syncer != nil {
		c.syncer.stop()
		// Anything written on the writer pool from now on (the checkpoint
		// and restore of Close and Exclusive) is synced by SQLite.
		if _, err := db.writer.ExecContext(context.Background(), "PRAGMA synchronous = FULL"); err != nil {
			db.Logger.Warn("restore synchronous=FULL", "err", err)
		}
	}
	db.committer = nil
}

// submit hands fn to the committer and waits for its outcome. The caller
// holds the swap lock shared.
func (c *committer) submit(ctx context.Context, fn func(tx *tx) error) ([]domain.Notification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req := &commitRequest{ctx: ctx, fn: fn, done: make(chan commitResult, 1), queued: time.Now()}
	c.writers.Add(1)
	defer c.writers.Add(-1)
	select {
	case c.queue <- req:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var gc0 uint64
	trace := c.trace.Load()
	if trace != nil {
		gc0 = gcCycles()
	}
	res := <-req.done
	if trace != nil {
		(*trace)(req.phases(c, gc0))
	}
	if res.hasP {
		panic(res.panic)
	}
	return res.notes, res.err
}

// run is the committer loop: wait for a write, gather every write queued
// meanwhile, commit them together.
func (c *committer) run() {
	defer c.stopped.Done()
	batch := make([]*commitRequest, 0, maxBatch)
	tail := false // the checkpointer asked for the WAL's tail
	for {
		if tail && len(c.queue) == 0 {
			tail = false
			c.checkpointTail()
		}
		// The WAL as the next batch finds it, for the trace (read here,
		// while nothing waits).
		var wal walState
		if c.syncer != nil && c.trace.Load() != nil {
			wal = c.syncer.state()
		}
		select {
		case <-c.stop:
			return
		case <-c.tail:
			tail = true
			continue
		case req := <-c.queue:
			batch = append(batch[:0], req)
		}
		bt := &batchTimes{taken: time.Now(), wal: wal}
	gather:
		for len(batch) < maxBatch {
			select {
			case req := <-c.queue:
				batch = append(batch, req)
			default:
				break gather
			}
		}
		batch = c.linger(batch)
		bt.lingered = time.Now()
		for _, req := range batch {
			req.bt = bt
		}
		c.commit(batch, bt)
		clear(batch)
	}
}

// CommitDelay is how long the committer waits for more writes when the
// batch holds fewer writes than there are writers waiting on the committer
// (the others are in the batch being synced, and will come back with their
// next write as soon as it is answered). A commit costs the writer time
// whatever it holds (its WAL frames are written one system call each), so
// waiting a little for company is cheaper than a batch of one. A lone
// writer never waits.
var CommitDelay = 300 * time.Microsecond

// linger waits up to CommitDelay for more writes while batch is smaller
// than the number of writers.
func (c *committer) linger(batch []*commitRequest) []*commitRequest {
	if CommitDelay <= 0 || int64(len(batch)) >= c.writers.Load() {
		return batch
	}
	t := time.NewTimer(CommitDelay)
	defer t.Stop()
	for len(batch) < maxBatch && int64(len(batch)) < c.writers.Load() {
		select {
		case req := <-c.queue:
			batch = append(batch, req)
		case <-t.C:
			return batch
		}
	}
	return batch
}

// commit runs batch in one transaction and answers every request, or has
// the syncer answer them once the WAL is durable (see walsync.go).
func (c *committer) commit(batch []*commitRequest, bt *batchTimes) {
	results := make([]commitResult, len(batch))
	ran := make([]bool, len(batch))
	kept, err := c.runBatch(batch, results, ran, bt)
	if err != nil {
		for i := range batch {
			if ran[i] {
				// Its work was in the batch that failed to commit.
				results[i] = commitResult{err: err}
			}
		}
	}
	if s := c.syncer; s != nil {
		synced := kept && err == nil
		if s.pending.Load() == 0 && len(c.queue) == 0 {
			// Nothing to overlap the fsync with and no earlier batch
			// to answer first: sync here and spare the lone writer a
			// hand-off to the syncer.
			var syncErr error
			bt.syncStart = time.Now()
			if synced {
				syncErr = s.syncNow()
			}
			bt.synced = time.Now()
			answer(batch, results, synced, syncErr)
			return
		}
		s.pending.Add(1)
		bt.bySyncer = true
		s.queue <- syncBatch{batch: slices.Clone(batch), results: results, synced: synced, bt: bt}
		return
	}
	bt.syncStart, bt.synced = bt.committed, bt.committed
	answer(batch, results, false, nil)
}

// answer sends each request of batch its result; syncErr, if the batch's
// work was to be made durable, fails every write that had succeeded.
func answer(batch []*commitRequest, results []commitResult, synced bool, syncErr error) {
	now := time.Now()
	for i, req := range batch {
		req.answered = now
		r := results[i]
		if synced && syncErr != nil && r.err == nil && !r.hasP {
			r = commitResult{err: syncErr}
		}
		req.done <- r
	}
}

// runBatch runs every request of batch in one transaction, each in its own
// savepoint, and commits. results[i] receives request i's own error, ran[i]
// whether its work is part of the transaction; kept reports whether any
// work was committed. A non-nil error means the transaction did not commit.
func (c *committer) runBatch(batch []*commitRequest, results []commitResult, ran []bool, bt *batchTimes) (kept bool, err error) {
	// The transaction belongs to no caller: one caller giving up must not
	// roll back the others.
	bg := context.Background()
	if c.trace.Load() != nil {
		bt.ckpt0 = c.db.checkpoints.Load()
	}
	defer func() {
		if bt.committed.IsZero() {
			bt.committed = time.Now()
		}
		if bt.ran.IsZero() {
			bt.ran = bt.committed
		}
		if bt.searched.IsZero() {
			bt.searched = bt.ran
		}
		if bt.begun.IsZero() {
			bt.begun = bt.lingered
		}
	}()
	sqlTx, err := c.writer.BeginTxx(bg, nil)
	if err != nil {
		err = fmt.Errorf("begin: %w", mapError(err))
		for i := range results {
			results[i].err = err
		}
		return false, err
	}
	defer func() {
		if err != nil {
			sqlTx.Rollback()
		}
	}()
	bt.begun = time.Now()
	// The task_search changes of the kept writes, applied after the last
	// savepoint (see search_defer.go).
	var search []searchOp
	for i, req := range batch {
		if cerr := req.ctx.Err(); cerr != nil {
			results[i].err = cerr
			continue
		}
		if _, err := sqlTx.ExecContext(bg, "SAVEPOINT write"); err != nil {
			return false, c.abort(batch, results, ran, i, fmt.Errorf("savepoint: %w", mapError(err)))
		}
		ran[i] = true
		// Once started, a write runs to its end whatever its ctx does: an
		// interrupted INSERT, UPDATE or DELETE makes SQLite roll back the
		// whole transaction, which would fail the neighbours too.
		t := &tx{ctx: context.WithoutCancel(req.ctx), db: c.db, ext: sqlTx, pool: c.writer, now: c.db.now(), deferSearch: true}
		p, panicked, fnErr := call(req.fn, t)
		if fnErr == nil && !panicked {
			if _, err := sqlTx.ExecContext(bg, "RELEASE write"); err != nil {
				return false, c.abort(batch, results, ran, i, fmt.Errorf("release savepoint: %w", mapError(err)))
			}
			results[i].notes = t.notes
			search = append(search, t.search...)
			kept = true
			continue
		}
		ran[i] = false
		if panicked {
			results[i].panic, results[i].hasP = p, true
		} else {
			results[i].err = mapError(fnErr)
		}
		// Undo this write only. If SQLite already rolled back the whole
		// transaction (some I/O and memory errors do), the savepoint is
		// gone and the batch fails.
		if _, err := sqlTx.ExecContext(bg, "ROLLBACK TO write"); err != nil {
			return false, c.abort(batch, results, ran, i+1, fmt.Errorf("roll back savepoint: %w", mapError(err)))
		}
		if _, err := sqlTx.ExecContext(bg, "RELEASE write"); err != nil {
			return false, c.abort(batch, results, ran, i+1, fmt.Errorf("release savepoint: %w", mapError(err)))
		}
	}
	bt.ran = time.Now()
	if len(search) > 0 {
		t := &tx{ctx: bg, db: c.db, ext: sqlTx, pool: c.writer}
		if err := t.applySearch(search); err != nil {
			return false, err
		}
	}
	bt.searched = time.Now()
	if !kept {
		// Nothing to make durable: skip the fsync.
		return false, sqlTx.Rollback()
	}
	bt.commitStart = time.Now()
	err = sqlTx.Commit()
	bt.committed = time.Now()
	if err != nil {
		return false, fmt.Errorf("commit: %w", mapError(err))
	}
	c.db.committed()
	c.batches.Add(1)
	c.writes.Add(int64(len(batch)))
	return true, nil
}

// abort fails the batch from request from on (which never ran) with err,
// and returns err so the transaction rolls back.
func (c *committer) abort(batch []*commitRequest, results []commitResult, ran []bool, from int, err error) error {
	for i := from; i < len(batch); i++ {
		if results[i].err == nil && !results[i].hasP {
			results[i].err = err
		}
	}
	return err
}

// call runs fn, turning a panic into a value.
func call(fn func(tx *tx) error, t *tx) (p any, panicked bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, panicked = r, true
		}
	}()
	return nil, false, fn(t)
}

// checkpointTail copies into the database file the frames the checkpointer
// left in the WAL (those committed while it ran), on the writer
// connection, while no write is queued.
//
// SQLite begins the WAL anew from its start, overwriting it instead of
// making it longer, only when a write transaction begins with every frame
// of the WAL already copied. The checkpointer runs beside the writes and
// never gets there under a steady stream of them: each pass leaves the
// frames committed while it ran, and the WAL grows until the writes stop.
// A WAL that grows makes every fsync of it also commit the file's new size
// to the file system's journal (on this kind of disk about twice the time
// of an fsync that overwrites, with a far longer tail). The committer is
// the only writer, so once it has copied the tail itself nothing can be
// appended before its next BEGIN, which then restarts the WAL. The tail is
// the frames committed during one checkpointer pass, so the cost is the
// checkpoint's two fsyncs once every CheckpointInterval, taken while no
// write is queued (a write that arrives meanwhile waits for them).
func (c *committer) checkpointTail() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.db.checkpoints.Add(1)
	defer c.db.checkpoints.Add(1)
	if _, err := walCheckpoint(ctx, c.writer, "PASSIVE"); err != nil {
		c.db.Logger.Warn("checkpoint the WAL's tail", "err", err)
	}
}
