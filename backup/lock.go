//go:build unix

package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/reelvault/reelvault/domain"
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
			return nil, domain.Errorf(domain.ECONFLICT, "Another backup or restore is running; try the %s again when it has finished.", what)
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
