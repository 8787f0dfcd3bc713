package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// Checkpoints off the commit path (SQLite only).
//
// With SQLite's default wal_autocheckpoint, the commit that takes the WAL
// past 1,000 pages runs the checkpoint itself: it copies the WAL into the
// database file and fsyncs it before its caller is answered, which put a
// multi-millisecond tail on sub-millisecond writes. The writer connection
// therefore runs with wal_autocheckpoint=0 and a checkpointer goroutine on
// its own connection does the work:
//   - PASSIVE every CheckpointInterval while writes happen. PASSIVE never
//     takes the write lock and never waits, so a commit never waits for it.
//     It leaves the frames committed while it ran; the committer copies
//     those on the writer connection as soon as no write is queued, so that
//     its next write begins the WAL anew from its start instead of making
//     the file longer (see committer.checkpointTail).
//   - TRUNCATE once the database has been idle for CheckpointIdle, so a
//     quiet database is one self-contained file with an empty WAL. TRUNCATE
//     briefly holds the write lock; a write arriving meanwhile waits for it
//     (busy_timeout), which is why it only runs when nobody writes.

// Tunables of the checkpointer.
//
// Each checkpoint costs the writes beside it: its fsync of the database
// file queues on the same disk as the WAL's fsyncs, and its tail, copied by
// the committer, and the WAL's restart after it each put an fsync in front
// of one write. Once a second rather than ten times a second, the slowest
// 1 % of lone writes overlapped a checkpoint about 6 % of the time instead
// of 40 %, and a page rewritten many times in that second is copied once;
// the WAL then holds up to a second of writes (tens of MB under a flood).
var (
	CheckpointInterval = time.Second
	CheckpointIdle     = 2 * time.Second
)

// checkpointer folds the WAL into the database file in the background.
type checkpointer struct {
	conn    *sqlx.DB
	commits atomic.Int64 // committed batches, bumped by the committer
	// committer is told to copy the WAL's tail after each checkpoint.
	committer *committer
	stop      chan struct{}
	stopped   sync.WaitGroup
	db        *DB
}

// startBackground starts the committer and the checkpointer of an open
// SQLite database.
func (db *DB) startBackground() {
	if db.dialect.isPostgres() {
		return
	}
	db.startCommitter()
	conn, err := sqlx.Open("sqlite", db.Path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		// Without a checkpointer SQLite still works; the WAL is folded in
		// on Close and by Exclusive.
		db.Logger.Warn("checkpointer", "err", err)
		return
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	conn.SetConnMaxIdleTime(0)
	c := &checkpointer{conn: conn, stop: make(chan struct{}), db: db, committer: db.committer}
	c.stopped.Add(1)
	go c.run()
	db.checkpointer = c
}

// stopBackground stops the committer and the checkpointer; callers hold the
// swap lock exclusively.
func (db *DB) stopBackground() {
	db.stopCommitter()
	if c := db.checkpointer; c != nil {
		close(c.stop)
		c.stopped.Wait()
		c.conn.Close()
		db.checkpointer = nil
	}
}

// committed tells the checkpointer that a batch was committed.
func (db *DB) committed() {
	if c := db.checkpointer; c != nil {
		c.commits.Add(1)
	}
}

// run checkpoints PASSIVE while writes happen and TRUNCATE once idle.
func (c *checkpointer) run() {
	defer c.stopped.Done()
	tick := time.NewTicker(CheckpointInterval)
	defer tick.Stop()
	var seen int64
	lastWrite := time.Now()
	truncated := true
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		n := c.commits.Load()
		switch {
		case n != seen:
			seen, lastWrite, truncated = n, time.Now(), false
			if c.checkpoint("PASSIVE") && c.committer != nil {
				// Have the committer copy the frames committed
				// meanwhile (see committer.checkpointTail).
				select {
				case c.committer.tail <- struct{}{}:
				default:
				}
			}
		case !truncated && time.Since(lastWrite) >= CheckpointIdle:
			truncated = c.checkpoint("TRUNCATE")
		}
	}
}

// checkpoint runs one checkpoint in mode and reports whether it completed.
func (c *checkpointer) checkpoint(mode string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c.db.checkpoints.Add(1) // odd while it runs, for the commit trace
	res, err := walCheckpoint(ctx, c.conn, mode)
	c.db.checkpoints.Add(1)
	if err != nil {
		c.db.Logger.Warn("checkpoint", "mode", mode, "err", err)
		return false
	}
	return !res.Busy
}

// CheckpointResult is what a WAL checkpoint did.
type CheckpointResult struct {
	// Busy is set when readers or writers kept the checkpoint from
	// finishing (the WAL is then not wholly folded in).
	Busy bool
	// Frames is how many WAL frames were copied into the database file.
	Frames int64
}

// walCheckpoint runs PRAGMA wal_checkpoint in mode (PASSIVE, FULL, RESTART,
// TRUNCATE) on q: the one place that statement is written.
func walCheckpoint(ctx context.Context, q sqlx.QueryerContext, mode string) (CheckpointResult, error) {
	switch mode {
	case "PASSIVE", "FULL", "RESTART", "TRUNCATE":
	default:
		return CheckpointResult{}, fmt.Errorf("checkpoint: unknown mode %q", mode)
	}
	var busy, log, done int64
	if err := q.QueryRowxContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &log, &done); err != nil {
		return CheckpointResult{}, fmt.Errorf("checkpoint: %w", err)
	}
	return CheckpointResult{Busy: busy != 0, Frames: done}, nil
}

// Checkpoint folds the whole WAL into the database file and truncates it
// (TRUNCATE), on the writer connection, so that the file is self-contained.
// It waits (busy timeout) for writers and for readers of the WAL; Busy in
// the result says they still kept it from finishing. On PostgreSQL it does
// nothing.
func (db *DB) Checkpoint(ctx context.Context) (CheckpointResult, error) {
	if db.dialect != nil && db.dialect.isPostgres() {
		return CheckpointResult{}, nil
	}
	var res CheckpointResult
	err := db.Write(ctx, func(w *sqlx.DB) error {
		var err error
		res, err = walCheckpoint(ctx, w, "TRUNCATE")
		return err
	})
	return res, err
}
