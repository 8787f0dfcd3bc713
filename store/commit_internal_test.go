package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// openGroupDB opens a SQLite database in a temp dir for the committer tests.
func openGroupDB(t *testing.T) *DB {
	t.Helper()
	db := NewDB(filepath.Join(t.TempDir(), "reelvault.db"))
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// setting returns the value of key, or "" when absent.
func setting(t *testing.T, db *DB, key string) string {
	t.Helper()
	var v []string
	if err := db.Read(context.Background(), func(r *sqlx.DB) error {
		return r.Select(&v, `SELECT value FROM settings WHERE key = ?`, key)
	}); err != nil {
		t.Fatal(err)
	}
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// writeSetting is a write that stores key=value.
func writeSetting(key, value string) func(tx *tx) error {
	return func(tx *tx) error {
		_, err := tx.exec(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)`, key, value, micros(tx.now))
		return err
	}
}

// TestCommitter_Batch holds the committer in one write while five more
// queue up, so they are committed as one batch, and checks each one's
// outcome: a plain write is kept; a write that fails, one that panics and
// one that hits a UNIQUE constraint are undone alone (their neighbours
// kept); a write whose ctx was cancelled while queued never runs; and the
// batch cost a single commit.
func TestCommitter_Batch(t *testing.T) {
	db := openGroupDB(t)
	ctx := context.Background()
	hold, held := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := db.write(ctx, func(tx *tx) error {
			close(held)
			<-hold
			return writeSetting("first", "1")(tx)
		})
		if err != nil {
			t.Errorf("first: %v", err)
		}
	}()
	<-held
	commitsBefore := db.checkpointer.commits.Load()

	errBoom := errors.New("boom")
	cancelled, cancel := context.WithCancel(ctx)
	ranCancelled := false
	type outcome struct {
		err      error
		panicked any
	}
	writes := []struct {
		name string
		ctx  context.Context
		fn   func(tx *tx) error
	}{
		{"kept", ctx, writeSetting("kept", "1")},
		{"fails", ctx, func(tx *tx) error {
			if err := writeSetting("fails", "1")(tx); err != nil {
				return err
			}
			return errBoom
		}},
		{"panics", ctx, func(tx *tx) error {
			if err := writeSetting("panics", "1")(tx); err != nil {
				return err
			}
			panic("fn panicked")
		}},
		{"duplicate", ctx, writeSetting("first", "again")},
		{"cancelled", cancelled, func(tx *tx) error {
			ranCancelled = true
			return writeSetting("cancelled", "1")(tx)
		}},
		{"kept2", ctx, writeSetting("kept2", "1")},
	}
	outcomes := make([]outcome, len(writes))
	queued := make(chan struct{}, len(writes))
	for i, w := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { outcomes[i].panicked = recover() }()
			queued <- struct{}{}
			outcomes[i].err = db.write(w.ctx, w.fn)
		}()
		<-queued
		// Let the write reach the queue before the next, so the batch keeps
		// this order.
		for len(db.committer.queue) < i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	cancel()
	close(hold)
	wg.Wait()

	if got := db.checkpointer.commits.Load() - commitsBefore; got != 2 {
		t.Fatalf("%d commits, want 2 (the held write, then one batch)", got)
	}
	for i, w := range writes {
		o := outcomes[i]
		switch w.name {
		case "kept", "kept2":
			if o.err != nil || setting(t, db, w.name) != "1" {
				t.Fatalf("%s: err=%v value=%q, want kept", w.name, o.err, setting(t, db, w.name))
			}
		case "fails":
			if !errors.Is(o.err, errBoom) || setting(t, db, w.name) != "" {
				t.Fatalf("fails: err=%v value=%q, want errBoom and nothing written", o.err, setting(t, db, w.name))
			}
		case "panics":
			if o.panicked != "fn panicked" || setting(t, db, w.name) != "" {
				t.Fatalf("panics: recovered %v value=%q, want the panic in the caller and nothing written", o.panicked, setting(t, db, w.name))
			}
		case "duplicate":
			if domain.ErrorCode(o.err) != domain.ECONFLICT || setting(t, db, "first") != "1" {
				t.Fatalf("duplicate: err=%v code=%s first=%q, want ECONFLICT and the first value", o.err, domain.ErrorCode(o.err), setting(t, db, "first"))
			}
		case "cancelled":
			if !errors.Is(o.err, context.Canceled) || ranCancelled || setting(t, db, w.name) != "" {
				t.Fatalf("cancelled: err=%v ran=%v, want context.Canceled and never run", o.err, ranCancelled)
			}
		}
	}
}

// TestCommitter_ConcurrentWriters runs many concurrent writes and checks
// each acknowledged one is in the database and that they shared commits.
func TestCommitter_ConcurrentWriters(t *testing.T) {
	db := openGroupDB(t)
	ctx := context.Background()
	const writers, each = 8, 50
	before := db.checkpointer.commits.Load()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := string(rune('a'+w)) + "-" + time.Duration(i).String()
				if err := db.write(ctx, writeSetting(key, "v")); err != nil {
					t.Errorf("write %s: %v", key, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	var n int
	if err := db.Read(ctx, func(r *sqlx.DB) error { return r.Get(&n, `SELECT count(*) FROM settings`) }); err != nil {
		t.Fatal(err)
	}
	if n < writers*each {
		t.Fatalf("%d settings, want at least %d", n, writers*each)
	}
	if commits := db.checkpointer.commits.Load() - before; commits > writers*each {
		t.Fatalf("%d commits for %d writes", commits, writers*each)
	} else {
		t.Logf("%d writes in %d commits", writers*each, commits)
	}
}

// TestCommitter_CheckpointsOffThePath checks that the writer does not
// checkpoint by itself and that the checkpointer empties the WAL once the
// database is idle.
func TestCommitter_CheckpointsOffThePath(t *testing.T) {
	setCheckpointTimes(t, 10*time.Millisecond, 50*time.Millisecond)
	db := openGroupDB(t)
	ctx := context.Background()
	var auto int
	if err := db.Write(ctx, func(w *sqlx.DB) error { return w.Get(&auto, `PRAGMA wal_autocheckpoint`) }); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Fatalf("writer wal_autocheckpoint=%d, want 0", auto)
	}
	for i := range 20 {
		if err := db.write(ctx, writeSetting(time.Duration(i).String(), "v")); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := walSize(db.Path)
		if err != nil {
			t.Fatal(err)
		}
		if st == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("WAL still %d bytes after the database went idle", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCommitter_WALRestartsUnderSteadyWrites makes 1,000 writes one after
// the other with no pause between them, the checkpointer running every
// 2 ms, and checks that the WAL is begun anew from its start again and
// again meanwhile (its header's salt changes) instead of growing until the
// writes stop: the committer copies what each checkpoint left as soon as
// no write is queued. (Without that, the same run restarted the WAL 6 to
// 22 times, only when a pause between two writes happened to follow a
// checkpoint; with it, 300 to 420 times.)
func TestCommitter_WALRestartsUnderSteadyWrites(t *testing.T) {
	setCheckpointTimes(t, 2*time.Millisecond, time.Hour)
	db := openGroupDB(t)
	ctx := context.Background()
	s := db.committer.syncer
	const writes = 1000
	restarts := 0
	last := s.state()
	for i := range writes {
		if err := db.write(ctx, writeSetting(fmt.Sprint("k", i), "v")); err != nil {
			t.Fatal(err)
		}
		if st := s.state(); st.salt != last.salt {
			restarts++
			last = st
		}
	}
	if restarts < writes/10 {
		t.Fatalf("the WAL was begun anew %d times in %d writes, want at least %d", restarts, writes, writes/10)
	}
}

// setCheckpointTimes sets the checkpointer's tunables for a test and puts
// them back after every cleanup registered later has run (the databases the
// test opens are closed first, so no checkpointer still reads them).
func setCheckpointTimes(t *testing.T, interval, idle time.Duration) {
	oldInterval, oldIdle := CheckpointInterval, CheckpointIdle
	t.Cleanup(func() { CheckpointInterval, CheckpointIdle = oldInterval, oldIdle })
	CheckpointInterval, CheckpointIdle = interval, idle
}

// walSize returns the size of the WAL file of the database at path (0 when
// absent).
func walSize(path string) (int64, error) {
	fi, err := os.Stat(path + "-wal")
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// TestCommitter_LostTransaction has one write of a batch end the shared
// transaction (as SQLite does itself after some I/O errors): its
// neighbours must not be acknowledged — the one before it loses its work
// with the batch and the one after it never runs — and the next write
// commits normally.
func TestCommitter_LostTransaction(t *testing.T) {
	db := openGroupDB(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	release := holdCommitter(ctx, t, db, &wg)
	errOwn := errors.New("own error")
	fns := []func(tx *tx) error{
		writeSetting("before", "1"),
		func(tx *tx) error {
			if _, err := tx.ext.ExecContext(tx.ctx, "ROLLBACK"); err != nil {
				return err
			}
			return errOwn
		},
		writeSetting("after", "1"),
	}
	errs := make([]error, len(fns))
	for i, fn := range fns {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = db.write(ctx, fn) }()
		for len(db.committer.queue) < i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	release()
	wg.Wait()
	if errs[0] == nil || !errors.Is(errs[1], errOwn) || errs[2] == nil {
		t.Fatalf("errors %v, want all three to fail (the second with its own error)", errs)
	}
	if setting(t, db, "before") != "" || setting(t, db, "after") != "" {
		t.Fatal("a write of the lost batch was kept")
	}
	if err := db.write(ctx, writeSetting("next", "1")); err != nil || setting(t, db, "next") != "1" {
		t.Fatalf("next write: %v", err)
	}
}

// holdCommitter starts a write that holds the committer until release is
// called, and returns once it runs, so that the writes queued meanwhile go
// into one batch; wg counts the holding write.
func holdCommitter(ctx context.Context, t *testing.T, db *DB, wg *sync.WaitGroup) (release func()) {
	t.Helper()
	hold, held := make(chan struct{}), make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := db.write(ctx, func(tx *tx) error { close(held); <-hold; return nil }); err != nil {
			t.Errorf("held write: %v", err)
		}
	}()
	<-held
	return func() { close(hold) }
}
