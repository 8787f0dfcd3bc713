package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/reelvault/reelvault/domain"
)

// LastRestore returns the restore that Undo would take back, or nil when
// there is nothing to undo (no restore yet, or one that stopped before it
// replaced the database). After a restore of chosen tasks PreRestore is
// empty: undo puts those tasks back from their record.
func (m *Manager) LastRestore() (*domain.LastRestore, error) {
	data, err := os.ReadFile(filepath.Join(m.Dir, journalFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read restore journal: %w", err)
	}
	var j restoreJournal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, nil
	}
	if j.Tasks != "" { // a restore of chosen tasks: undone from its record
		if filepath.Base(j.Tasks) != j.Tasks {
			return nil, nil
		}
		if _, err := os.Stat(filepath.Join(m.Dir, j.Tasks)); err != nil {
			return nil, nil
		}
		return &domain.LastRestore{Source: j.Source, At: j.At}, nil
	}
	if j.PreRestore == "" {
		return nil, nil
	}
	if _, err := os.Stat(filepath.Join(m.Dir, j.PreRestore)); err != nil {
		return nil, nil
	}
	return &domain.LastRestore{PreRestore: j.PreRestore, Source: j.Source, At: j.At}, nil
}

// newestVerified returns the newest backup that passed verification, or nil.
func newestVerified(backups []*domain.Backup) *domain.Backup {
	var newest *domain.Backup
	for _, b := range backups {
		if b.VerifiedAt.IsZero() {
			continue
		}
		if newest == nil || b.CreatedAt.After(newest.CreatedAt) {
			newest = b
		}
	}
	return newest
}

// Delete removes the catalogued backup name from the backups folder and the
// catalogue. It refuses (ECONFLICT) the newest verified backup, which is
// what a person reaches for after a mistake, and the backup that "undo"
// returns to. Returns EINVALID for a name that is not a backup's,
// ENOTFOUND, ECONFLICT (also while another backup or restore runs).
func (m *Manager) Delete(ctx context.Context, name string) error {
	if _, _, ok := parseName(name); !ok || filepath.Base(name) != name {
		return domain.Invalidf("name", "%q is not the name of a backup in the backups folder.", name)
	}
	unlock, err := m.lock("delete")
	if err != nil {
		return err
	}
	defer unlock()
	c, err := m.loadCatalog(ctx)
	if err != nil {
		return err
	}
	b := c.find(name)
	if b == nil {
		return domain.Errorf(domain.ENOTFOUND, "There is no backup %s.", name)
	}
	if newest := newestVerified(c.Backups); newest != nil && newest.Name == name {
		return domain.Errorf(domain.ECONFLICT, "%s is the newest verified backup and cannot be deleted; take a new backup first.", name)
	}
	if last, err := m.LastRestore(); err != nil {
		return err
	} else if last != nil && last.PreRestore == name {
		return domain.Errorf(domain.ECONFLICT, "%s holds the data from before the last restore (\"Undo last restore\" returns to it) and cannot be deleted.", name)
	}
	if err := os.Remove(filepath.Join(m.Dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete backup: %w", err)
	}
	kept := c.Backups[:0]
	for _, x := range c.Backups {
		if x.Name != name {
			kept = append(kept, x)
		}
	}
	c.Backups = kept
	if err := writeCatalog(m.Dir, c); err != nil {
		return err
	}
	if err := syncDir(m.Dir); err != nil {
		return err
	}
	m.Logger.Info("deleted backup", "name", name)
	return nil
}
