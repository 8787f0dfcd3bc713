package backup

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// openedSet is a backup set opened for reading: a private store on a
// scratch copy of its data, migrated to this binary's schema exactly as a
// restore would migrate it. Close removes the copy.
type openedSet struct {
	// Name is how the set is shown: its catalogue name or its path.
	Name string
	// Path is the set's file.
	Path string
	// Info describes the data the set holds, as read from it.
	Info *FileInfo
	// DB is the scratch store holding the set's data.
	DB *store.DB
	// Schema is the scratch schema a PostgreSQL set is loaded into.
	Schema string

	close func()
}

// Close closes the scratch store and removes the copy.
func (s *openedSet) Close() {
	if s.close != nil {
		s.close()
		s.close = nil
	}
}

// openSet opens the backup set source (a catalogue name or a path) into a
// scratch folder inside the backups folder. A catalogued set is first
// checked against its catalogue checksum, so a flipped bit anywhere in it
// is refused; with integrity, or for a file the catalogue does not vouch
// for, the full integrity check runs as well.
//
// Returns ENOTFOUND for no such set, EINVALID for a damaged or foreign one.
func (m *Manager) openSet(ctx context.Context, source string, integrity bool) (*openedSet, error) {
	path, sum, err := m.resolve(source)
	if err != nil {
		return nil, err
	}
	name := path
	if filepath.Dir(path) == filepath.Clean(m.Dir) {
		name = filepath.Base(path)
	}
	if _, err := checkSource(path); err != nil {
		return nil, err
	}
	// The kept expanded copy of a catalogued set is the content its
	// checksum vouched for when it was made: reading the set again to hash
	// it would prove nothing more.
	kept := !integrity && sum != "" && m.hasExpanded(sum)
	if sum != "" && !kept {
		got, err := fileSHA256(path)
		if err != nil {
			return nil, err
		}
		if got != sum {
			return nil, domain.Invalidf("file", "%s does not match the checksum in the catalogue; it was changed or damaged.", name)
		}
	}
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return nil, unwritable(m.Dir, err)
	}
	dir, err := os.MkdirTemp(m.Dir, ".scratch-")
	if err != nil {
		return nil, unwritable(m.Dir, err)
	}
	set := &openedSet{Name: name, Path: path, close: func() { os.RemoveAll(dir) }}
	ok := false
	defer func() {
		if !ok {
			set.Close()
		}
	}()
	if isDump(path) {
		if err := m.openDumpSet(ctx, set, dir); err != nil {
			return nil, err
		}
		ok = true
		return set, nil
	}
	copyPath := filepath.Join(dir, "set.db")
	if !integrity && sum != "" {
		// A catalogued set whose checksum matched: its expanded copy is
		// kept (one set at a time) so that a preview and the restore of
		// tasks that follows, or several restores from the same set, pay
		// for the decompression once.
		if copyPath, set.Info, err = m.expandedCopy(ctx, path, sum, name); err != nil {
			return nil, err
		}
	} else {
		if err := expandFile(ctx, path, copyPath); err != nil {
			return nil, err
		}
		if set.Info, err = checkDatabase(ctx, copyPath, name, true); err != nil {
			return nil, err
		}
	}
	db := store.NewDB(copyPath)
	db.Logger = m.Logger
	db.WatchInterval = 0
	db.Synchronous = "NORMAL"
	if err := db.Open(ctx); err != nil {
		if filepath.Dir(copyPath) != dir {
			os.RemoveAll(filepath.Dir(copyPath)) // a kept copy that does not open is dropped
		}
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	removeDir := set.close
	set.DB, set.close = db, func() {
		db.Close()
		removeDir()
	}
	ok = true
	return set, nil
}

// Inspect reads a backup set (catalogue name or path) and says what it
// holds: version and row counts, proven by opening it as a restore would.
// Nothing live changes. Returns ENOTFOUND, EINVALID (not a backup set, or
// damaged).
func (m *Manager) Inspect(ctx context.Context, source string) (*domain.SetInfo, error) {
	set, err := m.openSet(ctx, source, false)
	if err != nil {
		return nil, err
	}
	defer set.Close()
	fi, err := os.Stat(set.Path)
	if err != nil {
		return nil, fmt.Errorf("stat backup: %w", err)
	}
	info := &domain.SetInfo{Name: set.Name, Engine: store.EngineSQLite, Size: fi.Size(), SchemaVersion: set.Info.SchemaVersion,
		Rows: set.Info.Rows}
	if isDump(set.Path) {
		info.Engine = store.EnginePostgres
	}
	if t, _, ok := parseName(filepath.Base(set.Path)); ok {
		info.CreatedAt = &t
	}
	return info, nil
}

// expandedDir, in the backups folder, keeps the expanded copy of the set
// last opened for a preview or a restore of tasks.
const expandedDir = ".expanded"

// expandedCopy returns the kept expanded copy of the catalogued set at path
// whose checksum is sum, expanding it (and dropping any other kept copy)
// when there is none. The copy is checked (header, schema, rows) once, when
// it is made; its description is kept beside it. The caller holds the
// operation lock.
func (m *Manager) expandedCopy(ctx context.Context, path, sum, name string) (string, *FileInfo, error) {
	dir := filepath.Join(m.Dir, expandedDir)
	copyPath := filepath.Join(dir, sum+".db")
	infoPath := filepath.Join(dir, sum+".json")
	if data, err := os.ReadFile(infoPath); err == nil {
		var info FileInfo
		if json.Unmarshal(data, &info) == nil {
			if _, err := os.Stat(copyPath); err == nil {
				return copyPath, &info, nil
			}
		}
	}
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, unwritable(m.Dir, err)
	}
	tmp := copyPath + ".tmp"
	if err := expandFile(ctx, path, tmp); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	info, err := checkDatabase(ctx, tmp, name, false)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	data, _ := json.Marshal(info)
	if err := writeFileAtomic(infoPath, data); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	if err := os.Rename(tmp, copyPath); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("keep expanded copy: %w", err)
	}
	return copyPath, info, nil
}

// hasExpanded reports whether the expanded copy of the set with checksum
// sum is kept.
func (m *Manager) hasExpanded(sum string) bool {
	for _, p := range []string{sum + ".db", sum + ".json"} {
		if _, err := os.Stat(filepath.Join(m.Dir, expandedDir, p)); err != nil {
			return false
		}
	}
	return true
}
