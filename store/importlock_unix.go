//go:build unix

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// importLock is the lock file of an import in progress, <db>-import-<id>,
// held with an exclusive flock while the import runs. The kernel drops the
// lock of a process that dies, so an opener can tell an unfinished import
// whose process is gone (undo it) from one still running (leave it).
type importLock struct{ f *os.File }

// lockImport creates and locks the lock file of import id.
func lockImport(dbPath string, id int64) (*importLock, error) {
	f, err := os.OpenFile(importLockPath(dbPath, id), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("import lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("import lock: %w", err)
	}
	return &importLock{f: f}, nil
}

// release removes the lock file and drops the lock.
func (l *importLock) release() {
	os.Remove(l.f.Name())
	l.f.Close()
}

// drop drops the lock and keeps the file, for a next opener to try again.
func (l *importLock) drop() { l.f.Close() }

// importAbandoned reports whether import id has no live process: its lock
// file is missing or can be locked. When it returns true with a lock, the
// caller releases it after undoing the import.
func importAbandoned(dbPath string, id int64) (*importLock, bool) {
	f, err := os.OpenFile(importLockPath(dbPath, id), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, true
	} else if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return &importLock{f: f}, true
}
