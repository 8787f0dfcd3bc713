//go:build !unix

package store

import (
	"fmt"
	"os"
)

// importLock marks an import in progress with a file, <db>-import-<id>.
// Without flock an opener cannot tell a live import from a dead one: it
// undoes an unfinished import only when the file is gone.
type importLock struct{ name string }

func lockImport(dbPath string, id int64) (*importLock, error) {
	name := importLockPath(dbPath, id)
	if err := os.WriteFile(name, nil, 0o600); err != nil {
		return nil, fmt.Errorf("import lock: %w", err)
	}
	return &importLock{name: name}, nil
}

func (l *importLock) release() { os.Remove(l.name) }

// drop keeps the file, for a next opener to try again.
func (l *importLock) drop() {}

func importAbandoned(dbPath string, id int64) (*importLock, bool) {
	if _, err := os.Stat(importLockPath(dbPath, id)); err == nil {
		return nil, false
	}
	return nil, true
}
