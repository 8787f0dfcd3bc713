package safefile

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// noFD marks a descriptor whose path cannot be read back.
const noFD = ^uintptr(0)

// openNoFollow opens path read-only without following a symbolic link in
// its last component and without blocking (a FIFO with no writer opens at
// once instead of waiting forever).
func openNoFollow(path string) (*os.File, uintptr, error) {
	var fd int
	var err error
	for {
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		if err != unix.EINTR {
			break
		}
	}
	switch {
	case err == unix.ELOOP:
		return nil, noFD, fmt.Errorf("open %s: %w", path, ErrSymlink)
	case err == unix.ENXIO: // a socket, or a device without a driver
		return nil, noFD, fmt.Errorf("open %s: %w", path, ErrNotRegular)
	case err != nil:
		return nil, noFD, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), uintptr(fd), nil
}
