package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestWALSyncer_Writes runs concurrent writes on a FULL database and checks
// that each one is kept and that the WAL was synced by the store, fewer
// times than there were writes (one fsync answers every batch committed
// while the previous one ran).
func TestWALSyncer_Writes(t *testing.T) {
	db := openGroupDB(t)
	ctx := context.Background()
	s := db.committer.syncer
	if s == nil {
		t.Fatal("no WAL syncer on a FULL database")
	}
	before := s.syncs.Load()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := fmt.Sprintf("k%d-%d", w, i)
				if err := db.write(ctx, writeSetting(key, "v")); err != nil {
					t.Errorf("%s: %v", key, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for w := range writers {
		for i := range each {
			if got := setting(t, db, fmt.Sprintf("k%d-%d", w, i)); got != "v" {
				t.Fatalf("k%d-%d=%q, want v", w, i, got)
			}
		}
	}
	n := s.syncs.Load() - before
	if n < 1 || n > writers*each {
		t.Fatalf("%d fsyncs for %d writes, want between 1 and %d", n, writers*each, writers*each)
	}
}

// TestWALSyncer_Failed checks that once an fsync has failed every later
// write is answered with the error (nothing written after it is known to
// be durable), and that a write that fails on its own keeps its own error.
func TestWALSyncer_Failed(t *testing.T) {
	db := openGroupDB(t)
	ctx := context.Background()
	s := db.committer.syncer
	s.mu.Lock()
	s.failed = errors.New("sync WAL: input/output error")
	s.mu.Unlock()
	err := db.write(ctx, writeSetting("after", "1"))
	if err == nil || !strings.Contains(err.Error(), "input/output error") {
		t.Fatalf("write after a failed fsync: err=%v, want the fsync's error", err)
	}
	errOwn := errors.New("own")
	if err := db.write(ctx, func(tx *tx) error { return errOwn }); !errors.Is(err, errOwn) {
		t.Fatalf("failing write: err=%v, want its own error", err)
	}
}

// TestWALSyncer_Normal checks that a NORMAL database has no syncer (SQLite's
// own NORMAL behaviour).
func TestWALSyncer_Normal(t *testing.T) {
	db := NewDB(filepath.Join(t.TempDir(), "reelvault.db"))
	db.Synchronous = "NORMAL"
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.committer.syncer != nil {
		t.Fatal("a NORMAL database has a WAL syncer")
	}
	if err := db.write(context.Background(), writeSetting("k", "v")); err != nil {
		t.Fatal(err)
	}
}
