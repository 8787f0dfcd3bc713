package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// The fsync off the committer (SQLite, synchronous=FULL).
//
// With synchronous=FULL, SQLite's COMMIT writes the transaction's pages to
// the WAL and then fsyncs it, and the committer could build no batch while
// it waited. Instead the writer connection runs synchronous=NORMAL (COMMIT
// writes the WAL frames and returns; the writes are then safe from a crash
// of the process but not yet from a power loss) and the committer hands
// each committed batch to the syncer, which fsyncs the WAL file itself and
// only then answers the batch's callers. Meanwhile the committer already
// runs the next batch; the syncer answers every batch that committed while
// it was syncing with its next fsync. Acknowledged still means durable:
//   - fsync makes every frame written to the file before it started
//     durable, whichever descriptor wrote it, and a batch is queued to the
//     syncer only after its COMMIT wrote all its frames.
//   - Batches are answered in commit order. A WAL is replayed from its
//     start up to the first frame that fails its checksum, so a durable
//     batch never depends on a later one.
//   - SQLite still syncs where NORMAL syncs: the WAL before a checkpoint
//     copies it, the database file after, and a restarted WAL's header.
//   - If an fsync fails, the batches it covered are answered with the
//     error, and so is every later write: after a failed fsync Linux may
//     have dropped the unwritten pages and a later fsync can succeed
//     without them, so nothing written after it is known to be durable.
//     The database must be reopened (PostgreSQL panics for the same
//     reason).
//
// What changes: another connection can read a batch between its COMMIT
// and its fsync (a few hundred microseconds), before its writer is
// answered; a power loss in that window loses it with everything after it,
// as it would an unacknowledged write.

// When the syncer has nothing queued and no write is waiting, the
// committer fsyncs a batch itself: there is nothing to overlap the fsync
// with, and a lone writer is spared two goroutine hand-offs.

// syncBatch is a committed batch waiting for its fsync.
type syncBatch struct {
	batch   []*commitRequest
	results []commitResult
	// synced: the batch committed work that must be made durable before
	// its callers are answered (a batch that kept nothing just waits its
	// turn, so answers stay in commit order).
	synced bool
	bt     *batchTimes
}

// walSyncer fsyncs the WAL of a DB and answers the batches it made durable.
type walSyncer struct {
	path    string // the -wal file
	f       *os.File
	queue   chan syncBatch
	stopped sync.WaitGroup
	// mu guards failed and f against syncNow.
	mu     sync.Mutex
	failed error
	// pending counts the batches queued and not yet answered.
	pending atomic.Int64
	// syncs counts the fsyncs done (for the tests).
	syncs atomic.Int64
}

// newWALSyncer starts a syncer for the database file at path.
func newWALSyncer(path string) *walSyncer {
	s := &walSyncer{path: path + "-wal", queue: make(chan syncBatch, maxBatch)}
	s.stopped.Add(1)
	go s.run()
	return s
}

// stop answers the batches still queued and stops the syncer.
func (s *walSyncer) stop() {
	close(s.queue)
	s.stopped.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// run takes every batch queued, fsyncs once and answers them.
func (s *walSyncer) run() {
	defer s.stopped.Done()
	var pending []syncBatch
	for first := range s.queue {
		pending = append(pending[:0], first)
	gather:
		for {
			select {
			case b, ok := <-s.queue:
				if !ok {
					break gather
				}
				pending = append(pending, b)
			default:
				break gather
			}
		}
		need := false
		for _, b := range pending {
			need = need || b.synced
		}
		var err error
		start := time.Now()
		if need {
			err = s.syncNow()
		}
		end := time.Now()
		for _, b := range pending {
			b.bt.syncStart, b.bt.synced = start, end
			answer(b.batch, b.results, b.synced, err)
		}
		s.pending.Add(-int64(len(pending)))
		clear(pending)
	}
}

// syncNow fsyncs the WAL file: everything committed before the call is
// durable when it returns nil.
func (s *walSyncer) syncNow() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed != nil {
		return s.failed
	}
	if err := s.open(); err != nil {
		s.failed = fmt.Errorf("sync WAL: %w", err)
		return s.failed
	}
	if s.f == nil {
		return nil // no WAL file: nothing was written to it
	}
	if err := datasync(s.f); err != nil {
		s.failed = fmt.Errorf("sync WAL: %w", err)
		return s.failed
	}
	s.syncs.Add(1)
	return nil
}

// open opens the WAL file, or opens it again if the file at its path is no
// longer the one open (SQLite deletes the WAL when its last connection
// closes and creates it anew; a descriptor of the old file would sync
// nothing). Without a WAL file s.f stays nil.
func (s *walSyncer) open() error {
	cur, err := os.Stat(s.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if s.f != nil {
				s.f.Close()
				s.f = nil
			}
			return nil
		}
		return err
	}
	if s.f != nil {
		open, err := s.f.Stat()
		if err != nil {
			return err
		}
		if os.SameFile(open, cur) {
			return nil
		}
		s.f.Close()
		s.f = nil
	}
	// Read-only is enough for fsync, and SQLite takes no locks on the WAL
	// file itself (they are on the -shm file), so closing this descriptor
	// never drops one of SQLite's POSIX locks.
	f, err := os.Open(s.path)
	if err != nil {
		return err
	}
	s.f = f
	return nil
}
