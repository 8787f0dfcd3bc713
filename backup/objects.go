package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"filippo.io/age"
	"github.com/reelvault/reelvault/domain"
)

// objectsDir is the object store inside a destination folder.
const objectsDir = "objects"

// sumPattern matches a hex SHA-256.
var sumPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// objectStore holds the video files of a destination's sets, each stored
// once under the SHA-256 of its content: objects/ab/abcdef… . On an
// encrypted destination an object is the age encryption of the file; its
// name is still the hash of the plain content, so sets share objects.
type objectStore struct {
	dir  string
	rcpt age.Recipient // nil: objects are stored plain
	id   age.Identity  // set to read an encrypted store
}

// path returns where the object sum is.
func (o *objectStore) path(sum string) string {
	return filepath.Join(o.dir, objectsDir, sum[:2], sum)
}

// has reports whether the object sum is stored, whole: a plain object must
// have the file's size (an encrypted one is larger; it must exist).
func (o *objectStore) has(sum string, size int64) bool {
	fi, err := os.Stat(o.path(sum))
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	if o.rcpt == nil {
		return fi.Size() == size
	}
	return fi.Size() >= size
}

// put stores the content of src and returns its hash and size; added is
// false when the object was already there. The content goes to a temporary
// file that is fsynced, dropped from the page cache, read back and hashed
// again; only when that hash matches is it renamed into place. A partial
// or damaged object is never found under an object name.
func (o *objectStore) put(src io.Reader) (sum string, n int64, added bool, err error) {
	root := filepath.Join(o.dir, objectsDir)
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", 0, false, unwritable(root, err)
	}
	f, err := os.CreateTemp(root, ".tmp-*")
	if err != nil {
		return "", 0, false, unwritable(root, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)                // no-op after the rename
	h, ch := sha256.New(), sha256.New() // of the content, of the bytes written
	var w io.Writer = &trickleWriter{f: f}
	var enc io.WriteCloser
	if o.rcpt != nil {
		if enc, err = age.Encrypt(io.MultiWriter(w, ch), o.rcpt); err != nil {
			f.Close()
			return "", 0, false, fmt.Errorf("encrypt object: %w", err)
		}
		w = enc
	}
	n, err = io.Copy(io.MultiWriter(w, h), src)
	if err == nil && enc != nil {
		err = enc.Close()
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		f.Close()
		return "", 0, false, fmt.Errorf("write object: %w", err)
	}
	// Drop the written pages so the read-back below comes from the disk.
	dropCache(f)
	if err := f.Close(); err != nil {
		return "", 0, false, fmt.Errorf("write object: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if o.has(sum, n) {
		return sum, n, false, nil
	}
	if err := o.check(tmp, sum, hex.EncodeToString(ch.Sum(nil))); err != nil {
		return "", 0, false, fmt.Errorf("verify object at the destination: %w", err)
	}
	final := o.path(sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return "", 0, false, unwritable(root, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", 0, false, fmt.Errorf("rename object into place: %w", err)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return "", 0, false, err
	}
	return sum, n, true, nil
}

// errDamaged marks an object whose content does not hash to its name.
var errDamaged = errors.New("content does not match its checksum")

// check hashes the object file at path and compares: the plain content
// with sum when the store can be read (plain, or encrypted and unlocked),
// else the encrypted bytes with cipherSum (given by the writer that just
// wrote them).
func (o *objectStore) check(path, sum, cipherSum string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	want := sum
	switch {
	case o.id != nil:
		if r, err = age.Decrypt(f, o.id); err != nil {
			return fmt.Errorf("%w (%v)", errDamaged, err)
		}
	case o.rcpt != nil:
		want = cipherSum
	}
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return fmt.Errorf("%w (%v)", errDamaged, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != want {
		return errDamaged
	}
	return nil
}

// open returns the plain content of object sum.
func (o *objectStore) open(sum string) (io.ReadCloser, error) {
	f, err := os.Open(o.path(sum))
	if err != nil {
		return nil, err
	}
	if o.id == nil {
		return f, nil
	}
	r, err := age.Decrypt(f, o.id)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w (%v)", errDamaged, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{r, f}, nil
}

// gc removes the objects that no set in keep references, and temporary
// files left by killed backups. The caller holds the operation lock.
func (o *objectStore) gc(keep map[string]bool) (removed int, bytes int64, err error) {
	root := filepath.Join(o.dir, objectsDir)
	var errs []error
	walkErr := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		name := d.Name()
		if !strings.HasPrefix(name, ".tmp-") && !strings.HasSuffix(name, damagedSuffix) && (!sumPattern.MatchString(name) || keep[name]) {
			return nil
		}
		fi, ierr := d.Info()
		if rerr := os.Remove(p); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			errs = append(errs, rerr)
			return nil
		}
		if ierr == nil && sumPattern.MatchString(name) {
			removed++
			bytes += fi.Size()
		}
		return nil
	})
	if walkErr != nil {
		errs = append(errs, walkErr)
	}
	return removed, bytes, errors.Join(errs...)
}

// damagedSuffix marks an object found damaged, set aside under its name
// plus the suffix so that the next backup stores the file again (an object
// present under its name is taken as stored). Retention removes it.
const damagedSuffix = ".damaged"

// quarantine sets the damaged object sum aside; the caller holds the
// operation lock.
func (o *objectStore) quarantine(sum string) error {
	p := o.path(sum)
	if err := os.Rename(p, p+damagedSuffix); err != nil {
		return fmt.Errorf("set the damaged object aside: %w", err)
	}
	return syncDir(filepath.Dir(p))
}

// damagedCopy is the error of a check (drill, verification) that found the
// copy of path in set damaged (err) and set it aside.
func damagedCopy(set, path string, err error) error {
	return domain.Invalidf("file", "Backup %s is damaged: its copy of %s %v. The damaged copy was set aside, so the next backup stores the file again if it is still on disk; until then restore from another backup, or the database alone with --db-only.", set, path, err)
}

// damagedObject is the error of a set whose copy of path is damaged or gone.
func damagedObject(set, path string, err error) error {
	return domain.Invalidf("file", "Backup %s is damaged: its copy of %s %v. Nothing was changed; restore the database alone with --db-only, or pick another backup.", set, path, err)
}

// trickleChunk is how much of an object is written before its pages are
// sent to the disk.
const trickleChunk = 1 << 20

// trickleWriter writes a new object and starts the write-back of each
// megabyte as it goes (sync_file_range), so that the object's fsync at the
// end has little left to flush: the disk sees a steady trickle rather than
// one burst of many megabytes queued ahead of the database's commits.
type trickleWriter struct {
	f       *os.File
	off     int64 // bytes written
	flushed int64 // bytes whose write-back was started
}

func (t *trickleWriter) Write(p []byte) (int, error) {
	n, err := t.f.Write(p)
	t.off += int64(n)
	if t.off-t.flushed >= trickleChunk {
		// Best effort: where the call is missing, the final fsync does it all.
		startWriteback(t.f, t.flushed, t.off-t.flushed)
		t.flushed = t.off
	}
	return n, err
}
