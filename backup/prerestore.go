package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/reelvault/reelvault/domain"
)

// DefaultKeepPreRestore is how many pre-restore backups are kept (the
// newest), besides the one "undo" returns to, which is always kept.
const DefaultKeepPreRestore = 3

// sealPreRestore makes the linked pre-restore backup (the old database file
// itself: uncompressed and not yet verified) an ordinary backup: compressed,
// verified by expanding the compressed file and checking it, catalogued
// with its verification time, and named in the restore journal; then the
// link goes and pre-restore retention applies. Every step leaves a backup
// Undo can use: the new file is complete before the journal names it, and
// the link is removed last. When sealing fails (the old database was
// damaged, the disk is full) the linked file stays as it was and the
// failure is logged. The caller holds the operation lock.
func (m *Manager) sealPreRestore(ctx context.Context, pre *domain.Backup) *domain.Backup {
	sealed, err := m.seal(ctx, pre)
	if err != nil {
		m.Logger.Warn("pre-restore backup kept uncompressed and unverified", "name", pre.Name, "err", err)
		return pre
	}
	if _, err := m.prunePreRestore(ctx); err != nil {
		m.Logger.Error("prune pre-restore backups", "err", err)
	}
	return sealed
}

func (m *Manager) seal(ctx context.Context, pre *domain.Backup) (*domain.Backup, error) {
	raw := filepath.Join(m.Dir, pre.Name)
	tmp := filepath.Join(m.Dir, ".tmp-"+randomHex()+".db")
	defer removeAll(tmp, tmp+"-journal", tmp+"-wal", tmp+"-shm", tmp+".zst")
	size, sum, err := compressFile(raw, tmp+".zst", nil) // the local folder, like the linked file: not encrypted
	if err != nil {
		return nil, err
	}
	if err := expandFile(ctx, tmp+".zst", tmp); err != nil {
		return nil, err
	}
	info, err := verifyDatabase(ctx, tmp, pre.Name)
	if err != nil {
		return nil, err
	}
	final := uniquePath(m.Dir, pre.Name+".zst")
	if err := os.Rename(tmp+".zst", final); err != nil {
		return nil, fmt.Errorf("rename pre-restore backup into place: %w", err)
	}
	if err := syncDir(m.Dir); err != nil {
		return nil, err
	}
	sealed := &domain.Backup{
		Name:          filepath.Base(final),
		Kind:          domain.BackupPreRestore,
		CreatedAt:     pre.CreatedAt,
		Size:          size,
		SHA256:        sum,
		SchemaVersion: info.SchemaVersion,
		Rows:          info.Rows,
		VerifiedAt:    m.now().UTC(),
	}
	if err := m.repointJournal(pre.Name, sealed.Name); err != nil {
		return nil, err
	}
	if err := m.addToCatalog(sealed); err != nil {
		return nil, err
	}
	c, err := m.loadCatalog(ctx)
	if err != nil {
		return nil, err
	}
	kept := c.Backups[:0]
	for _, b := range c.Backups {
		if b.Name != pre.Name {
			kept = append(kept, b)
		}
	}
	c.Backups = kept
	if err := os.Remove(raw); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove linked pre-restore backup: %w", err)
	}
	if err := writeCatalog(m.Dir, c); err != nil {
		return nil, err
	}
	if err := syncDir(m.Dir); err != nil {
		return nil, err
	}
	sealed.Path = final
	return sealed, nil
}

// repointJournal makes the restore journal name to instead of from, if it
// names from.
func (m *Manager) repointJournal(from, to string) error {
	data, err := os.ReadFile(filepath.Join(m.Dir, journalFile))
	if err != nil {
		return fmt.Errorf("read restore journal: %w", err)
	}
	var j restoreJournal
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("read restore journal: %w", err)
	}
	if j.PreRestore != from {
		return nil
	}
	return m.writeJournal(to, j.Source)
}

// prunePreRestore removes pre-restore backups beyond the newest
// DefaultKeepPreRestore, never the one "undo" returns to. The caller holds
// the operation lock.
func (m *Manager) prunePreRestore(ctx context.Context) ([]string, error) {
	c, err := m.loadCatalog(ctx)
	if err != nil {
		return nil, err
	}
	last, err := m.LastRestore()
	if err != nil {
		return nil, err
	}
	var pre []*domain.Backup
	for _, b := range c.Backups {
		if b.Kind == domain.BackupPreRestore {
			pre = append(pre, b)
		}
	}
	sort.SliceStable(pre, func(i, j int) bool { return pre[i].CreatedAt.After(pre[j].CreatedAt) })
	drop := map[string]bool{}
	for i, b := range pre {
		if i >= DefaultKeepPreRestore && (last == nil || last.PreRestore != b.Name) {
			drop[b.Name] = true
		}
	}
	if len(drop) == 0 {
		return nil, nil
	}
	var names []string
	kept := c.Backups[:0]
	for _, b := range c.Backups {
		if !drop[b.Name] {
			kept = append(kept, b)
			continue
		}
		if err := os.Remove(filepath.Join(m.Dir, b.Name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			kept = append(kept, b)
			continue
		}
		names = append(names, b.Name)
	}
	c.Backups = kept
	if err := writeCatalog(m.Dir, c); err != nil {
		return names, err
	}
	return names, syncDir(m.Dir)
}
