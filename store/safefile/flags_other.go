//go:build !unix

package safefile

import "errors"

// Without O_NOFOLLOW and O_NONBLOCK, openNoFollow's Lstat and Open's
// identity check stand in for them.
const (
	oNoFollow = 0
	oNonBlock = 0
)

var errLoop = errors.New("no symbolic link loops here")
