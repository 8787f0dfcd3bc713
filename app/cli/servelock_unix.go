//go:build unix

package cli

import (
	"errors"
	"os"
	"syscall"
)

// errLocked is lockNB's error when another open file holds the lock.
var errLocked = syscall.EWOULDBLOCK

// lockNB takes an exclusive flock on f without waiting.
func lockNB(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}
