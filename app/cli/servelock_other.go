//go:build !unix

package cli

import (
	"errors"
	"os"
)

// errLocked is lockNB's error when another open file holds the lock.
var errLocked = errors.New("locked")

// lockNB cannot lock without flock; the window's own single-instance lock
// (Wails') is all there is on these systems.
func lockNB(f *os.File) error { return nil }
