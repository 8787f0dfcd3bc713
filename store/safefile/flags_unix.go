//go:build unix && !linux

package safefile

import "syscall"

const (
	oNoFollow = syscall.O_NOFOLLOW
	oNonBlock = syscall.O_NONBLOCK
)

var errLoop error = syscall.ELOOP
