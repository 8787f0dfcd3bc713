//go:build !linux

package store

import "os"

// datasync makes the data written to f durable (os.File.Sync: fsync, or
// F_FULLFSYNC on macOS).
func datasync(f *os.File) error { return f.Sync() }
