//go:build !unix

package store

import "os"

// openLock does nothing without flock: a restore cannot see other openers.
type openLock struct{}

func takeOpenLock(path string, readOnly bool) (*openLock, error) { return &openLock{}, nil }
func (l *openLock) release()                                     {}
func (l *openLock) claim(path string) error                      { return nil }
func (l *openLock) unclaim()                                     {}

// writable reports whether dir accepts a new file (a best guess).
func writable(dir, path string) bool {
	f, err := os.CreateTemp(dir, ".rw-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}
