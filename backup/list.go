package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"filippo.io/age"
	"github.com/reelvault/reelvault/domain"
)

// List returns the verified backups in the backups folder, newest first.
// A lost or damaged catalogue is rebuilt from the files (each is verified
// again); files that fail verification are not listed.
func (m *Manager) List(ctx context.Context) ([]*domain.Backup, error) {
	c, ok, err := readCatalog(m.Dir)
	if err != nil {
		return nil, err
	}
	if !ok {
		if files, err := backupFiles(m.Dir); err != nil {
			return nil, err
		} else if len(files) > 0 {
			// Rebuild under the lock; while another operation holds it, show
			// what the catalogue says (that operation rewrites it anyway).
			if unlock, err := m.lock("listing"); err == nil {
				c, err = m.loadCatalog(ctx)
				unlock()
				if err != nil {
					return nil, err
				}
			}
		}
	}
	out := make([]*domain.Backup, 0, len(c.Backups))
	for _, b := range c.Backups {
		p := filepath.Join(m.Dir, b.Name)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		b.Path = p
		b.Destination = m.destination()
		out = append(out, b)
	}
	return out, nil
}

// loadCatalog reads the catalogue and reconciles it with the files: entries
// whose file is gone are dropped, and backup files missing from it (a lost
// catalogue, or a crash between a backup's rename and the catalogue write)
// are verified and added. It rewrites the catalogue when anything changed.
// Files named in skip are left out of that (the caller is adding them).
// The caller holds the operation lock.
func (m *Manager) loadCatalog(ctx context.Context, skip ...string) (*catalog, error) {
	c, ok, err := readCatalog(m.Dir)
	if err != nil {
		return nil, err
	}
	files, err := backupFiles(m.Dir)
	if err != nil {
		return nil, err
	}
	onDisk := make(map[string]bool, len(files))
	for _, f := range files {
		onDisk[f] = true
	}
	changed := !ok && len(files) > 0
	kept := c.Backups[:0]
	for _, b := range c.Backups {
		if onDisk[b.Name] {
			kept = append(kept, b)
		} else {
			changed = true
		}
	}
	c.Backups = kept
	for _, name := range files {
		if c.find(name) != nil || slices.Contains(skip, name) {
			continue
		}
		b, err := m.inspect(ctx, filepath.Join(m.Dir, name))
		if err != nil {
			if domain.ErrorCode(err) == domain.EINVALID {
				m.Logger.Warn("backup file failed verification; not listed", "name", name, "err", err)
				continue
			}
			return nil, err
		}
		c.Backups = append(c.Backups, b)
		changed = true
	}
	if changed {
		if err := writeCatalog(m.Dir, c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// inspect verifies a backup file in the backups folder and returns its
// catalogue entry; its kind and time come from its name.
func (m *Manager) inspect(ctx context.Context, path string) (*domain.Backup, error) {
	if isDump(path) {
		return m.inspectDump(ctx, path)
	}
	name := filepath.Base(path)
	created, kind, ok := parseName(name)
	if !ok {
		return nil, domain.Invalidf("file", "%s is not named like a Reelvault backup.", name)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("stat backup: %w", err)
	}
	if strings.HasSuffix(name, ".age") {
		return nil, domain.Invalidf("file", "%s is encrypted; it cannot be verified again without the passphrase.", name)
	}
	tmp := filepath.Join(m.Dir, ".tmp-"+randomHex()+".db")
	defer removeAll(tmp, tmp+"-journal", tmp+"-wal", tmp+"-shm")
	if err := expandFile(ctx, path, tmp); err != nil {
		return nil, err
	}
	info, err := verifyDatabase(ctx, tmp, name)
	if err != nil {
		return nil, err
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, err
	}
	media, err := m.verifyMedia(name, nil)
	if err != nil {
		return nil, err
	}
	return &domain.Backup{
		Media:         media,
		Name:          name,
		Kind:          kind,
		CreatedAt:     created,
		Size:          fi.Size(),
		SHA256:        sum,
		SchemaVersion: info.SchemaVersion,
		Rows:          info.Rows,
		VerifiedAt:    m.now().UTC(),
	}, nil
}

// prune applies retention; the caller holds the operation lock.
func (m *Manager) prune() ([]string, error) {
	c, err := m.loadCatalog(context.Background())
	if err != nil {
		return nil, err
	}
	drop := m.Retention.prunable(c.Backups, m.now())
	if len(drop) == 0 {
		return nil, nil
	}
	gone := make(map[string]bool, len(drop))
	var names []string
	var errs []error
	for _, b := range drop {
		if err := os.Remove(filepath.Join(m.Dir, b.Name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		gone[b.Name] = true
		names = append(names, b.Name)
	}
	kept := c.Backups[:0]
	for _, b := range c.Backups {
		if !gone[b.Name] {
			kept = append(kept, b)
		}
	}
	c.Backups = kept
	if err := writeCatalog(m.Dir, c); err != nil {
		return names, err
	}
	for name := range gone {
		os.Remove(filepath.Join(m.Dir, manifestName(name)))
	}
	if err := m.collect(c); err != nil {
		errs = append(errs, err)
	}
	if err := syncDir(m.Dir); err != nil {
		return names, err
	}
	if err := errors.Join(errs...); err != nil {
		return names, fmt.Errorf("prune: %w", err)
	}
	return names, nil
}

// VerifyOptions say which set VerifyWith proves whole again.
type VerifyOptions struct {
	// Destination names the destination of the set: "" or "local" for the
	// local backups folder.
	Destination string
	// Name is the set; the destination's newest when empty.
	Name string
	// Passphrase opens the video files of an encrypted destination's set
	// so they can be hashed; without it they are only proven present.
	Passphrase string
}

// VerifyWith proves a set of any destination whole again, as Verify does,
// under the operation lock (so retention does not remove it meanwhile).
// Returns ENOTFOUND, EINVALID naming what is damaged (or field
// "destination" for a malformed destination name, "passphrase" for a
// wrong passphrase), ECONFLICT when the destination is not connected or
// another backup or restore runs.
func (m *Manager) VerifyWith(ctx context.Context, opts VerifyOptions) (*domain.Backup, error) {
	src, _, err := m.at(ctx, opts.Destination)
	if err != nil {
		return nil, err
	}
	name := opts.Name
	if name == "" {
		list, err := src.List(ctx)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, domain.Errorf(domain.ENOTFOUND, "There is no backup in %s to verify yet.", src.destination())
		}
		name = list[0].Name
	}
	l, err := acquire(src.Dir, "verify")
	if err != nil {
		return nil, err
	}
	defer l.release()
	return src.Verify(ctx, name, opts.Passphrase)
}

// Verify proves the set name whole again: its database file matches the
// catalogue's checksum and every video file it holds hashes to its name
// (an encrypted set's files only with the passphrase). Returns ENOTFOUND,
// EINVALID naming what is damaged.
func (m *Manager) Verify(ctx context.Context, name, passphrase string) (*domain.Backup, error) {
	c, _, err := readCatalog(m.Dir)
	if err != nil {
		return nil, err
	}
	b := c.find(name)
	if b == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no backup called %q in %s.", name, m.destination())
	}
	sum, err := fileSHA256(filepath.Join(m.Dir, b.Name))
	if err != nil {
		return nil, err
	}
	if sum != b.SHA256 {
		return nil, domain.Invalidf("file", "Backup %s is damaged: its database file does not match its checksum.", name)
	}
	var id age.Identity
	if b.Encrypted && passphrase != "" {
		if id, err = m.key.unlock(passphrase, m.destination()); err != nil {
			return nil, err
		}
	}
	if _, err := m.verifyMedia(name, id); err != nil {
		return nil, err
	}
	b.Path = filepath.Join(m.Dir, b.Name)
	b.Destination = m.destination()
	return b, nil
}
