//go:build !linux

package backup

import "os"

// dropCache is a no-op where the kernel offers no fadvise: the read-back
// then may come from the cache.
func dropCache(f *os.File) {}

// startWriteback is a no-op here: the final fsync writes everything.
func startWriteback(f *os.File, off, n int64) {}
