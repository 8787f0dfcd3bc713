package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// CatalogFile is the name of the catalogue inside the backups folder.
const CatalogFile = "catalog.json"

// catalogVersion is the version of the catalogue document.
const catalogVersion = 1

// catalog is the catalogue document: every verified backup, newest first.
type catalog struct {
	Version int              `json:"version"`
	Backups []*domain.Backup `json:"backups"`
}

// nameTime is the timestamp layout inside backup file names (UTC, ms).
const nameTime = "20060102T150405.000Z"

// namePattern matches the names this package gives backup files.
var namePattern = regexp.MustCompile(`^reelvault-(\d{8}T\d{6}\.\d{3}Z)-(manual|scheduled|pre-migration|pre-restore|uploaded)(?:-\d+)?(?:\.db(?:\.zst)?(?:\.age)?|\.pg\.tar)$`)

// backupName returns the file name of a backup of kind taken at t.
func backupName(t time.Time, kind domain.BackupKind) string {
	return fmt.Sprintf("reelvault-%s-%s.db.zst", t.UTC().Format(nameTime), kind)
}

// parseName recovers the time and kind from a backup file name.
func parseName(name string) (time.Time, domain.BackupKind, bool) {
	m := namePattern.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}, "", false
	}
	t, err := time.Parse(nameTime, m[1])
	if err != nil {
		return time.Time{}, "", false
	}
	return t, domain.BackupKind(m[2]), true
}

// readCatalog reads the catalogue of dir. ok is false when it is missing or
// unreadable, in which case it must be rebuilt from the files.
func readCatalog(dir string) (c *catalog, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, CatalogFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &catalog{Version: catalogVersion}, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("read catalogue: %w", err)
	}
	c = &catalog{}
	if err := json.Unmarshal(data, c); err != nil || c.Version != catalogVersion {
		return &catalog{Version: catalogVersion}, false, nil
	}
	return c, true, nil
}

// writeCatalog atomically replaces the catalogue of dir.
func writeCatalog(dir string, c *catalog) error {
	c.Version = catalogVersion
	sort.SliceStable(c.Backups, func(i, j int) bool {
		return c.Backups[i].CreatedAt.After(c.Backups[j].CreatedAt)
	})
	for _, b := range c.Backups {
		b.Path = "" // derived from the folder when listed
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode catalogue: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, CatalogFile), append(data, '\n')); err != nil {
		return fmt.Errorf("write catalogue: %w", err)
	}
	return nil
}

// find returns the entry named name, or nil.
func (c *catalog) find(name string) *domain.Backup {
	for _, b := range c.Backups {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// backupFiles lists the names in dir that look like backup files.
func backupFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read backups folder: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && namePattern.MatchString(e.Name()) && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names, nil
}
