//go:build linux

package backup

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// lowerPriority makes the calling goroutine's thread yield the CPU to the
// process's other threads (nice 19), for work that may wait: a backup's
// check and compression, while writers keep committing. The goroutine stays
// on that thread and must end without unlocking it, so that Go discards the
// thread instead of running other goroutines at that priority (an
// unprivileged process cannot raise it back).
func lowerPriority() {
	runtime.LockOSThread()
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 19)
}
