package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"filippo.io/age"
	"github.com/reelvault/reelvault/domain"
)

// verifyAndCompress checks the fresh copy at tmp and compresses it to
// tmp+".zst" (fsynced) at the same time, one on each core, and returns what
// the check read (schema version, row counts) with the compressed size and
// checksum. Both read the same bytes: the copy is switched to a
// rollback journal first, its only change, so the compressor never sees
// a header that the check rewrites. A failed check cancels the compression.
//
// The check is PRAGMA quick_check, not integrity_check: the copy is written
// page by page by SQLite from one snapshot, so what can go wrong in it (a
// torn, lost or flipped page, a broken b-tree) is what quick_check reads
// every page for. What only integrity_check adds, an index disagreeing with
// its table, cannot arise in the copy; it would be the live database's, and
// the weekly check job runs integrity_check there. The row counts are
// counted in the copy itself.
func verifyAndCompress(ctx context.Context, tmp string, rcpt age.Recipient, progress func(domain.BackupProgress)) (info *FileInfo, size int64, sum string, err error) {
	if err := rollbackJournal(ctx, tmp); err != nil {
		return nil, 0, "", fmt.Errorf("verify new backup: %w", err)
	}
	progress(domain.BackupProgress{Phase: "verify"})
	progress(domain.BackupProgress{Phase: "compress"})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The check and the compressor each hold a Go processor (P) while
	// they run, on threads of the lowest priority (lowerPriority). Two more
	// processors for as long as they run leave the writers a processor of
	// their own, so the kernel's priorities, not Go's 10 ms preemption,
	// decide who runs.
	procs := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(procs + 2)
	defer runtime.GOMAXPROCS(procs)
	var wg sync.WaitGroup
	var verr, cerr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		lowerPriority()
		if info, verr = checkDatabaseWith(ctx, tmp, "the new backup", "quick_check"); verr != nil {
			cancel()
		}
	}()
	go func() {
		defer wg.Done()
		lowerPriority()
		if size, sum, cerr = compressFileCtx(ctx, tmp, tmp+".zst", rcpt); cerr != nil {
			cancel()
		}
	}()
	wg.Wait()
	switch {
	case verr != nil && (cerr == nil || !errors.Is(verr, context.Canceled)):
		// Our own copy failing verification means the live database is
		// damaged (a check cancelled by a failed compression is not).
		return nil, 0, "", fmt.Errorf("verify new backup: %w", verr)
	case cerr != nil:
		return nil, 0, "", cerr
	}
	return info, size, sum, nil
}

// rollbackJournal switches the database file at path to rollback-journal
// mode (a copy of a WAL database says WAL in its header), so that it is one
// self-contained file.
func rollbackJournal(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("open database file: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `PRAGMA journal_mode=DELETE`); err != nil {
		return fmt.Errorf("set rollback journal: %w", err)
	}
	return db.Close()
}
