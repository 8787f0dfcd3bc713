package store

import (
	"encoding/binary"
	"os"
	"runtime/metrics"
	"time"
)

// CommitPhases is where the time of one write through the committer went,
// stage by stage, for the benchmarks' breakdown of a slow write (see
// SetCommitTrace). The stages follow each other: their sum is the write's
// latency as its caller saw it.
type CommitPhases struct {
	// Queue is from the write being queued to the committer taking the
	// first write of its batch: waiting for the batch before it (and for
	// the committer goroutine to wake up).
	Queue time.Duration
	// Linger is the batch gathering more writes (CommitDelay).
	Linger time.Duration
	// Begin is BEGIN IMMEDIATE.
	Begin time.Duration
	// Exec is the batch's writes: their savepoints and statements.
	Exec time.Duration
	// Search is the batch's deferred task_search changes.
	Search time.Duration
	// Commit is COMMIT: the WAL frames are written (and, when the commit
	// restarts the WAL from its beginning, SQLite fsyncs its new header).
	Commit time.Duration
	// SyncWait is from the COMMIT to the start of the fsync that covers
	// it: the hand-off to the syncer and an earlier batch's fsync.
	SyncWait time.Duration
	// Fsync is the fsync of the WAL.
	Fsync time.Duration
	// Answer is from the end of the fsync to the write's answer being sent.
	Answer time.Duration
	// Wake is from the answer being sent until the caller runs again.
	Wake time.Duration

	// Restarted: the COMMIT began the WAL anew from its start (all of it
	// had been copied into the database file), which has SQLite fsync the
	// WAL header inside the COMMIT. Exact for a lone writer.
	Restarted bool
	// Grew: the COMMIT made the WAL file longer (a file that grows costs
	// its fsync a journal commit of the new size). Exact for a lone
	// writer.
	Grew bool
	// BySyncer: the syncer goroutine, not the committer, did the fsync.
	BySyncer bool
	// Checkpoint: the checkpointer ran a checkpoint while the batch ran or
	// synced.
	Checkpoint bool
	// GCs is how many garbage collections ended while the write waited.
	GCs int
}

// batchTimes is when a batch passed each stage; every write of the batch
// points to it.
type batchTimes struct {
	taken, lingered, begun, ran, searched, commitStart, committed time.Time
	syncStart, synced                                             time.Time
	bySyncer                                                      bool
	// ckpt0 is DB.checkpoints when the batch began, wal the WAL before
	// its commit (while tracing).
	ckpt0 int64
	wal   walState
}

// phases returns where the time of req went; gc0 is gcCycles() when req
// was queued. It runs in the caller's goroutine, after the answer, and
// compares the WAL then with the WAL before the batch: exact for a lone
// writer, whose next batch has not begun yet.
func (req *commitRequest) phases(c *committer, gc0 uint64) CommitPhases {
	bt := req.bt
	if bt == nil {
		return CommitPhases{}
	}
	commitStart := bt.commitStart
	if commitStart.IsZero() {
		commitStart = bt.searched
	}
	wake := time.Since(req.answered)
	// checkpoints is odd while a checkpoint runs.
	ckpt := c.db.checkpoints.Load() != bt.ckpt0 || bt.ckpt0%2 == 1
	var wal walState
	if c.syncer != nil {
		wal = c.syncer.state()
	}
	return CommitPhases{
		Queue:      bt.taken.Sub(req.queued),
		Linger:     bt.lingered.Sub(bt.taken),
		Begin:      bt.begun.Sub(bt.lingered),
		Exec:       bt.ran.Sub(bt.begun),
		Search:     commitStart.Sub(bt.ran),
		Commit:     bt.committed.Sub(commitStart),
		SyncWait:   bt.syncStart.Sub(bt.committed),
		Fsync:      bt.synced.Sub(bt.syncStart),
		Answer:     req.answered.Sub(bt.synced),
		Wake:       wake,
		Restarted:  wal.salt != bt.wal.salt,
		Grew:       wal.size > bt.wal.size,
		BySyncer:   bt.bySyncer,
		Checkpoint: ckpt,
		GCs:        int(gcCycles() - gc0),
	}
}

// gcCycles returns how many garbage collections the process has finished.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// walState is the WAL file's size and the salt of its header, which
// changes whenever SQLite begins the WAL anew.
type walState struct {
	size int64
	salt uint64
}

// state reads the WAL's size and header salt on a descriptor of its own
// (the syncer's may be busy in an fsync); for the trace only.
func (s *walSyncer) state() walState {
	f, err := os.Open(s.path)
	if err != nil {
		return walState{}
	}
	defer f.Close()
	var st walState
	if fi, err := f.Stat(); err == nil {
		st.size = fi.Size()
	}
	var hdr [8]byte
	if _, err := f.ReadAt(hdr[:], 16); err == nil {
		st.salt = binary.BigEndian.Uint64(hdr[:])
	}
	return st
}
