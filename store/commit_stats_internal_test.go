package store

// CommitCounts returns the batches committed by db's group committer and
// the writes they held, for the benchmarks (zero on PostgreSQL).
func CommitCounts(db *DB) (batches, writes int64) {
	db.swap.RLock()
	defer db.swap.RUnlock()
	if c := db.committer; c != nil {
		return c.batches.Load(), c.writes.Load()
	}
	return 0, 0
}

// SetCommitTrace has fn told the phases of every write of db from now on
// (nil: no longer), for the benchmarks.
func SetCommitTrace(db *DB, fn func(CommitPhases)) {
	db.swap.RLock()
	defer db.swap.RUnlock()
	if c := db.committer; c != nil {
		if fn == nil {
			c.trace.Store(nil)
		} else {
			c.trace.Store(&fn)
		}
	}
}
