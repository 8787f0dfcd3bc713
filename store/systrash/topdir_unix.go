//go:build unix

package systrash

import (
	"path/filepath"
	"syscall"
)

// topDir returns the top directory (mount point) of the file system dir
// is on: the last ancestor on the same device. "" when dir cannot be read.
func topDir(dir string) string {
	var st syscall.Stat_t
	if syscall.Stat(dir, &st) != nil {
		return ""
	}
	for {
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		var ps syscall.Stat_t
		if syscall.Stat(parent, &ps) != nil || ps.Dev != st.Dev {
			return dir
		}
		dir = parent
	}
}
