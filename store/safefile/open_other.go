//go:build !linux

package safefile

import (
	"errors"
	"fmt"
	"os"
)

// noFD marks a descriptor whose path cannot be read back: everywhere but
// Linux, realPath resolves the path and Open checks it names the open file.
const noFD = ^uintptr(0)

// openNoFollow opens path read-only. Where the platform has them, the
// flags refuse a symbolic link in the last component and keep a FIFO from
// blocking; the Lstat first refuses links and non-regular files elsewhere.
// Open's identity check decides in every case.
func openNoFollow(path string) (*os.File, uintptr, error) {
	if fi, err := os.Lstat(path); err != nil {
		return nil, noFD, err
	} else if fi.Mode()&os.ModeSymlink != 0 {
		return nil, noFD, fmt.Errorf("open %s: %w", path, ErrSymlink)
	} else if !fi.Mode().IsRegular() {
		return nil, noFD, fmt.Errorf("open %s: %w", path, ErrNotRegular)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow|oNonBlock, 0)
	if err != nil && errors.Is(err, errLoop) {
		return nil, noFD, fmt.Errorf("open %s: %w", path, ErrSymlink)
	}
	return f, noFD, err
}
