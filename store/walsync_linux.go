//go:build linux

package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// datasync makes the data written to f durable (fdatasync: the WAL's size
// changes are data too, and its other metadata is not needed to read it).
func datasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }
