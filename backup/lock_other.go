//go:build !unix

package backup

import (
	"sync"
)

// lockFile is the lock that allows one backup or restore at a time.
const lockFile = ".lock"

// held holds the backups folders locked by this process; without flock the
// lock is per process only.
var held sync.Map

// opLock is a held operation lock.
type opLock struct{ dir string }

// acquire takes the operation lock of dir without waiting; a held lock is ECONFLICT.
func acquire(dir, what string) (*opLock, error) {
	if _, loaded := held.LoadOrStore(dir, true); loaded {
		return nil, lockedError(what)
	}
	return &opLock{dir: dir}, nil
}

// release drops the lock.
func (l *opLock) release() { held.Delete(l.dir) }

// holdLive is a no-op without flock.
func holdLive(dir string) (*opLock, error) { return &opLock{dir: "\x00live"}, nil }

// liveElsewhere cannot tell without flock.
func liveElsewhere(dir string) (bool, error) { return false, nil }

// diskFree cannot tell without statfs.
func diskFree(dir string) (uint64, bool) { return 0, false }
