// Package systrash moves files to the freedesktop.org trash (the Trash
// specification 1.0 that file managers on Linux and the BSDs follow), so a
// person can still restore them from the desktop's trash can.
//
// A file goes to the home trash ($XDG_DATA_HOME/Trash, by default
// ~/.local/share/Trash) when it is on the same file system; otherwise to
// the top directory trash of its own file system ($topdir/.Trash-$uid),
// created if need be. Each trashed file gets a .trashinfo record written
// first, exclusively, so two trashings never take the same name. Where no
// trash can be made (no home, a read-only mount) Put returns ErrNoTrash and
// the file stays where it is.
package systrash

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNoTrash says a file could not be moved to any trash; it is untouched.
var ErrNoTrash = errors.New("no trash can hold the file")

// Trash is the trash of one user.
type Trash struct {
	// Home is the home trash folder (…/Trash); "" means none.
	Home string
	// TopDirs lets a file on another file system than Home go to the trash
	// of its own file system's top directory.
	TopDirs bool
	// Now stamps DeletionDate; time.Now when nil.
	Now func() time.Time
}

// Default returns the trash of the current user: $XDG_DATA_HOME/Trash, or
// ~/.local/share/Trash. Its Home is "" when neither can be found.
func Default() *Trash {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			return &Trash{TopDirs: true}
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return &Trash{Home: filepath.Join(dir, "Trash"), TopDirs: true}
}

// Put moves the regular file at path into the trash and returns where it
// now is. It returns an error wrapping ErrNoTrash when no trash could take
// the file, and fs.ErrNotExist when there is no file.
func (t *Trash) Put(path string) (string, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("trash %s: %w", path, err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return "", fmt.Errorf("trash %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("trash %s: not a regular file: %w", path, ErrNoTrash)
	}
	var errs []error
	if t.Home != "" {
		dest, err := t.put(t.Home, path, path)
		if err == nil {
			return dest, nil
		}
		errs = append(errs, err)
	}
	// Another file system: its top directory trash, with the path
	// relative to the top directory as the specification asks.
	if top := topDir(filepath.Dir(path)); t.TopDirs && top != "" {
		dir := filepath.Join(top, ".Trash-"+strconv.Itoa(os.Getuid()))
		rel, err := filepath.Rel(top, path)
		if err == nil {
			dest, err := t.put(dir, path, rel)
			if err == nil {
				return dest, nil
			}
			errs = append(errs, err)
		}
	}
	return "", fmt.Errorf("trash %s: %w (%v)", path, ErrNoTrash, errors.Join(errs...))
}

// put moves path into the trash folder dir, recording name (absolute, or
// relative to dir's top directory) in its .trashinfo.
func (t *Trash) put(dir, path, name string) (string, error) {
	files, info := filepath.Join(dir, "files"), filepath.Join(dir, "info")
	for _, d := range []string{dir, files, info} {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	record := "[Trash Info]\nPath=" + escapePath(name) + "\nDeletionDate=" + now().Format("2006-01-02T15:04:05") + "\n"
	for i := 1; i < 10000; i++ {
		candidate := base
		if i > 1 {
			candidate = stem + "." + strconv.Itoa(i) + ext
		}
		infoPath := filepath.Join(info, candidate+".trashinfo")
		f, err := os.OpenFile(infoPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, werr := f.WriteString(record)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		dest := filepath.Join(files, candidate)
		if werr == nil {
			if _, err := os.Lstat(dest); err == nil {
				werr = fs.ErrExist // a file without its record: keep looking
			}
		}
		if werr == nil {
			werr = os.Rename(path, dest)
		}
		if werr != nil {
			os.Remove(infoPath)
			if errors.Is(werr, fs.ErrExist) {
				continue
			}
			return "", werr
		}
		return dest, nil
	}
	return "", errors.New("too many files of that name in the trash")
}

// escapePath percent-encodes p as the specification's Path key asks,
// keeping the slashes.
func escapePath(p string) string {
	parts := strings.Split(filepath.ToSlash(p), "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}
