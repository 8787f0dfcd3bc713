// Package safefile opens files that a server streams to clients so that the
// decision to serve a file is made on the file that was actually opened,
// never on a path that may change between a check and the open.
//
// Open is the one way Reelvault opens a file it serves (videos, backup
// downloads): it never follows a symbolic link in the last component, never
// blocks (a FIFO opens at once and is refused), accepts regular files only,
// and reports the real path of what it opened — read back from the open
// descriptor (/proc/self/fd on Linux), so a symbolic link anywhere in the
// path, a swapped parent folder included, shows in File.Path — and checks
// that this path still names the very file that is open (same device and
// inode). Callers then judge File.Path (Within, extensions) and serve File.
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Errors of Open, besides fs.ErrNotExist and other open errors (wrapped).
var (
	// ErrSymlink means the last component of the path is a symbolic link.
	ErrSymlink = errors.New("the path is a symbolic link")
	// ErrNotRegular means the path names a folder, FIFO, socket or device.
	ErrNotRegular = errors.New("not a regular file")
	// ErrChanged means the file moved or was replaced while it was opened.
	ErrChanged = errors.New("the file changed while it was opened")
)

// File is a regular file opened for reading.
type File struct {
	*os.File
	// Path is the real, absolute path of the opened file: no symbolic
	// links, no "." or "..". Judge this, not the path given to Open.
	Path string
	// Info is the opened file's own information (fstat).
	Info fs.FileInfo
}

// Open opens path for reading and returns it only if it is a regular file,
// with its real path. The file is opened first and judged after, so a path
// swapped for a symbolic link, a FIFO or another file between a caller's
// earlier checks and the open can never reach the caller unnoticed.
func Open(path string) (*File, error) {
	f, fd, err := openNoFollow(path)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
	}()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("open %s: %w", path, ErrNotRegular)
	}
	if testHookOpened != nil {
		testHookOpened(path)
	}
	real, err := realPath(path, fd)
	if err != nil {
		return nil, err
	}
	// The real path must name the open file now: this catches a file that
	// was deleted or renamed over after the open, and is the whole check
	// where the descriptor cannot tell its own path.
	now, err := os.Lstat(real)
	if err != nil || !os.SameFile(info, now) {
		return nil, fmt.Errorf("open %s: %w", path, ErrChanged)
	}
	ok = true
	return &File{File: f, Path: real, Info: info}, nil
}

// testHookOpened, when set by a test, runs between the open and the checks.
var testHookOpened func(path string)

// procFD is where Linux shows the targets of a process's open descriptors.
// A variable so tests can take the fallback used where it is missing.
var procFD = "/proc/self/fd"

// realPath returns the real path of the file open as fd, which was opened
// by path: from /proc/self/fd where there is one, else by resolving path
// (Open's identity check then proves it names the open file).
func realPath(path string, fd uintptr) (string, error) {
	if fd != noFD {
		if p, err := os.Readlink(fmt.Sprintf("%s/%d", procFD, fd)); err == nil && filepath.IsAbs(p) {
			return p, nil
		}
	}
	p, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, ErrChanged)
	}
	return filepath.Abs(p)
}

// Within reports whether the real path p lies inside dir (or is dir). Symbolic
// links in dir are resolved first; a dir that cannot be resolved holds nothing.
func Within(p, dir string) bool {
	if dir == "" {
		return false
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return false
	}
	if real, err = filepath.Abs(real); err != nil {
		return false
	}
	rel, err := filepath.Rel(real, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
