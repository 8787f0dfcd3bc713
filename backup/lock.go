//go:build unix

package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFile is the lock that allows one backup or restore at a time, across
// processes (the CLI and a running server share the backups folder).
const lockFile = ".lock"

// opLock is a held operation lock.
type opLock struct{ f *os.File }

// acquire takes the operation lock of dir without waiting. A held lock (in
// this process or another) is ECONFLICT. The kernel drops the lock when the
// process dies, so a crash never leaves it stuck.
func acquire(dir, what string) (*opLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create backups folder: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, lockedError(what)
		}
		return nil, fmt.Errorf("lock backups folder: %w", err)
	}
	return &opLock{f: f}, nil
}

// release drops the lock.
func (l *opLock) release() {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}

// liveFile is share-locked by every process that runs the scheduler (serve,
// the window) for as long as it runs, so that a restore from another process
// (the CLI) can tell that the database is in use and refuse: the running
// process would keep writing to the file that the restore replaced.
const liveFile = ".live"

// holdLive takes a shared lock on the live file of dir until release.
func holdLive(dir string) (*opLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create backups folder: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, liveFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open live lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock live file: %w", err)
	}
	return &opLock{f: f}, nil
}

// liveElsewhere reports whether some process holds the live lock of dir.
func liveElsewhere(dir string) (bool, error) {
	f, err := os.OpenFile(filepath.Join(dir, liveFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return false, fmt.Errorf("open live lock: %w", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return true, nil
		}
		return false, fmt.Errorf("probe live lock: %w", err)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false, nil
}

// diskFree returns the bytes free to this process on the file system of dir.
func diskFree(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}
