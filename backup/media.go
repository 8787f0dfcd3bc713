package backup

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/safefile"
)

// manifestVersion is the version of a set's media manifest.
const manifestVersion = 1

// manifest lists the video files of one backup set: the file
// <set base>.media.json beside the set's database file.
type manifest struct {
	Version int    `json:"version"`
	Set     string `json:"set"` // the database file's name
	// Objects are the hashes of every object the set references, sorted.
	// They are plain even on an encrypted destination, so retention can
	// tell which objects are still needed without the passphrase.
	Objects []string `json:"objects"`
	// Files are the set's files; on an encrypted destination they are in
	// FilesAge instead (the age encryption of their JSON), paths being the
	// owner's business.
	Files    []manifestFile     `json:"files,omitempty"`
	FilesAge []byte             `json:"files_age,omitempty"`
	Media    domain.BackupMedia `json:"media"`
}

// manifestFile is one video file of a set.
type manifestFile struct {
	Path   string `json:"path"`   // as the database references it
	SHA256 string `json:"sha256"` // of the content: the object's name
	Size   int64  `json:"size"`
	MTime  int64  `json:"mtime_ns"` // when it was read
}

// setBase returns a set's name without ".db…": the stem of its files.
func setBase(name string) string {
	base, _, _ := strings.Cut(name, ".db")
	return base
}

// manifestName returns the manifest file name of the set name.
func manifestName(name string) string { return setBase(name) + ".media.json" }

// readManifest reads the manifest of the set name in dir; nil when the set
// has none (a database-only backup).
func readManifest(dir, name string) (*manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, manifestName(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read media list: %w", err)
	}
	mf := &manifest{}
	if err := json.Unmarshal(data, mf); err != nil || mf.Version != manifestVersion {
		return nil, domain.Invalidf("file", "The media list of backup %s is damaged.", name)
	}
	for _, s := range mf.Objects {
		if !sumPattern.MatchString(s) {
			return nil, domain.Invalidf("file", "The media list of backup %s is damaged.", name)
		}
	}
	return mf, nil
}

// files returns the manifest's files, decrypting them with id when sealed.
func (mf *manifest) files(id age.Identity) ([]manifestFile, error) {
	if len(mf.FilesAge) == 0 {
		return mf.Files, nil
	}
	if id == nil {
		return nil, errors.New("the media list is encrypted")
	}
	r, err := age.Decrypt(bytes.NewReader(mf.FilesAge), id)
	if err != nil {
		return nil, domain.Invalidf("file", "The media list of backup %s cannot be decrypted: %v.", mf.Set, err)
	}
	var files []manifestFile
	if err := json.NewDecoder(r).Decode(&files); err != nil {
		return nil, domain.Invalidf("file", "The media list of backup %s is damaged.", mf.Set)
	}
	return files, nil
}

// writeManifest seals (when rcpt is set) and writes mf atomically into dir.
func writeManifest(dir string, mf *manifest, rcpt age.Recipient) error {
	if rcpt != nil {
		var buf bytes.Buffer
		w, err := age.Encrypt(&buf, rcpt)
		if err != nil {
			return fmt.Errorf("encrypt media list: %w", err)
		}
		if err := json.NewEncoder(w).Encode(mf.Files); err != nil {
			return fmt.Errorf("encrypt media list: %w", err)
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("encrypt media list: %w", err)
		}
		mf.FilesAge, mf.Files = buf.Bytes(), nil
	}
	data, err := json.Marshal(mf)
	if err != nil {
		return fmt.Errorf("encode media list: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, manifestName(mf.Set)), data); err != nil {
		return fmt.Errorf("write media list: %w", err)
	}
	return nil
}

// hashCache remembers the SHA-256 of each video file by path, size and
// modification time, so a backup does not read again the files that have
// not changed since the last one (it only checks that their object is in
// the store). It lives in the local backups folder and serves every
// destination; losing it costs one full read.
type hashCache struct {
	mu      sync.Mutex
	path    string
	entries map[string]cacheEntry
}

// cacheEntry is what the hash cache knows of one path.
type cacheEntry struct {
	Size   int64  `json:"size"`
	MTime  int64  `json:"mtime_ns"`
	SHA256 string `json:"sha256"`
}

// hashCacheFile is the name of the hash cache in the local backups folder.
const hashCacheFile = "hashcache.json"

// hashCaches shares one cache per file among the managers of a process.
var hashCaches sync.Map // path → *hashCache

// loadHashCache returns the cache stored at path (empty when missing or
// unreadable).
func loadHashCache(path string) *hashCache {
	v, _ := hashCaches.LoadOrStore(path, &hashCache{path: path})
	c := v.(*hashCache)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[string]cacheEntry{}
	if data, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(data, &c.entries)
	}
	return c
}

// lookup returns the cached hash of path at size and mtime.
func (c *hashCache) lookup(path string, size, mtime int64) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[path]
	if !ok || e.Size != size || e.MTime != mtime {
		return "", false
	}
	return e.SHA256, true
}

// remember records the hash of path at size and mtime.
func (c *hashCache) remember(path string, size, mtime int64, sum string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[path] = cacheEntry{Size: size, MTime: mtime, SHA256: sum}
}

// save writes the cache atomically, keeping only the paths in keep (the
// files of the newest set) when keep is not nil.
func (c *hashCache) save(keep map[string]bool) error {
	c.mu.Lock()
	if keep != nil {
		for p := range c.entries {
			if !keep[p] {
				delete(c.entries, p)
			}
		}
	}
	data, err := json.Marshal(c.entries)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return err
	}
	return writeFileAtomic(c.path, data)
}

// referencedFiles returns the video files the database copy at path
// references (every video row and every task's final video), sorted, and
// the media roots stored in it.
func referencedFiles(ctx context.Context, path string) (files, roots []string, err error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, nil, fmt.Errorf("open backup copy: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `
		SELECT file_path FROM videos
		UNION
		SELECT final_video_path FROM tasks WHERE final_video_path <> ''
		ORDER BY 1`)
	if err != nil {
		return nil, nil, fmt.Errorf("list video files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, nil, fmt.Errorf("list video files: %w", err)
		}
		files = append(files, p)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("list video files: %w", err)
	}
	var value string
	err = db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, mediaRootsSetting).Scan(&value)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("read media roots: %w", err)
	}
	if value != "" {
		_ = json.Unmarshal([]byte(value), &roots)
	}
	return files, roots, nil
}

// mediaRootsSetting is the setting in which the store keeps the media roots
// the owner added (store.MediaService).
const mediaRootsSetting = "media_roots"

// Reasons a referenced file is not in a set.
const (
	skipMissing    = "missing"
	skipOutside    = "outside the media roots"
	skipNotRegular = "not a regular file"
	skipDataDir    = "inside the data folder"
)

// mediaRun backs up the files a database copy references into a
// destination's object store.
type mediaRun struct {
	store    *objectStore
	cache    *hashCache
	dataDir  string   // the data directory: only its media folder is backed up
	roots    []string // media roots, the data directory's media folder first
	progress func(domain.BackupProgress)
	pace     float64 // see Manager.MediaPace
}

// run stores every file of paths and returns the set's file list and its
// summary. Files that cannot be read are skipped and named, never fatal;
// failing to write the destination is.
func (r *mediaRun) run(ctx context.Context, paths []string) ([]manifestFile, domain.BackupMedia, error) {
	var sum domain.BackupMedia
	files := make([]manifestFile, 0, len(paths))
	skip := func(p, why string) {
		sum.SkippedCount++
		if len(sum.Skipped) < domain.MaxSkippedListed {
			sum.Skipped = append(sum.Skipped, domain.SkippedFile{Path: p, Reason: why})
		}
	}
	last := time.Now()
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, sum, err
		}
		if r.progress != nil && (i == 0 || time.Since(last) > 200*time.Millisecond || i == len(paths)-1) {
			r.progress(domain.BackupProgress{Phase: "media", Done: int64(i), Total: int64(len(paths))})
			last = time.Now()
		}
		f, err := safefile.Open(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			skip(p, skipMissing)
			continue
		case errors.Is(err, safefile.ErrSymlink), errors.Is(err, safefile.ErrNotRegular), errors.Is(err, safefile.ErrChanged):
			skip(p, skipNotRegular)
			continue
		case err != nil:
			skip(p, err.Error())
			continue
		}
		if why := r.judge(f.Path); why != "" {
			f.Close()
			skip(p, why)
			continue
		}
		size, mtime := f.Info.Size(), f.Info.ModTime().UnixNano()
		if h, ok := r.cache.lookup(p, size, mtime); ok && r.store.has(h, size) {
			f.Close()
			files = append(files, manifestFile{Path: p, SHA256: h, Size: size, MTime: mtime})
			sum.Files++
			sum.Bytes += size
			continue
		}
		began := time.Now()
		h, n, added, err := r.store.put(&ctxReader{ctx: ctx, r: f})
		f.Close()
		if added && r.pace > 0 {
			// Leave the disk idle for a share of the time the copy took, so
			// the database's commits are not queued behind a long burst.
			select {
			case <-ctx.Done():
			case <-time.After(time.Duration(float64(time.Since(began)) * r.pace)):
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, sum, ctx.Err()
			}
			return nil, sum, err
		}
		if n == size {
			r.cache.remember(p, size, mtime, h)
		}
		files = append(files, manifestFile{Path: p, SHA256: h, Size: n, MTime: mtime})
		sum.Files++
		sum.Bytes += n
		if added {
			sum.NewFiles++
			sum.NewBytes += n
		}
	}
	return files, sum, nil
}

// judge returns why the opened file at real path p is not backed up, or "".
func (r *mediaRun) judge(p string) string {
	if r.dataDir != "" && safefile.Within(p, r.dataDir) && !safefile.Within(p, filepath.Join(r.dataDir, domain.MediaFolder)) {
		return skipDataDir
	}
	for _, root := range r.roots {
		if safefile.Within(p, root) {
			return ""
		}
	}
	return skipOutside
}

// objectsOf returns the sorted, unique hashes of files.
func objectsOf(files []manifestFile) []string {
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, f.SHA256)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// takeMedia stores the files the database copy at tmp references in the
// destination's object store and writes the media list of the set named
// set. It returns nil when the copy references no file.
func (m *Manager) takeMedia(ctx context.Context, tmp, set string, rcpt age.Recipient, progress func(domain.BackupProgress)) (*domain.BackupMedia, error) {
	paths, roots, err := referencedFiles(ctx, tmp)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, nil
	}
	dataDir := filepath.Dir(m.DB.Path)
	run := &mediaRun{
		store:    &objectStore{dir: m.Dir, rcpt: rcpt},
		cache:    loadHashCache(m.hashCachePath()),
		dataDir:  dataDir,
		roots:    append([]string{filepath.Join(dataDir, domain.MediaFolder)}, roots...),
		progress: progress,
		pace:     m.MediaPace,
	}
	files, media, err := run.run(ctx, paths)
	if err != nil {
		return nil, err
	}
	keep := make(map[string]bool, len(files))
	for _, f := range files {
		keep[f.Path] = true
	}
	if err := run.cache.save(keep); err != nil {
		m.Logger.Warn("save the media hash cache", "err", err)
	}
	mf := &manifest{Version: manifestVersion, Set: set, Objects: objectsOf(files), Files: files, Media: media}
	if err := writeManifest(m.Dir, mf, rcpt); err != nil {
		return nil, err
	}
	if media.SkippedCount > 0 {
		m.Logger.Warn("video files left out of the backup", "set", set, "count", media.SkippedCount, "first", media.Skipped[0].Path, "reason", media.Skipped[0].Reason)
	}
	return &media, nil
}

// hashCachePath returns the hash cache file: HashCache, else the local
// backups folder's.
func (m *Manager) hashCachePath() string {
	if m.HashCache != "" {
		return m.HashCache
	}
	if m.local != nil {
		return m.local.hashCachePath()
	}
	return filepath.Join(m.Dir, hashCacheFile)
}

// destination returns the name of m's destination.
func (m *Manager) destination() string {
	if m.Destination == "" {
		return domain.DestinationLocal
	}
	return m.Destination
}

// collect removes the media lists of sets that are gone and the objects
// that no listed set references. A media list that cannot be read stops it:
// an object is removed only when every kept set is known not to need it.
// The caller holds the operation lock.
func (m *Manager) collect(c *catalog) error {
	keep := map[string]bool{}
	kept := map[string]bool{}
	for _, b := range c.Backups {
		kept[manifestName(b.Name)] = true
		mf, err := readManifest(m.Dir, b.Name)
		if err != nil {
			return fmt.Errorf("collect unused media: %w", err)
		}
		if mf == nil {
			continue
		}
		for _, s := range mf.Objects {
			keep[s] = true
		}
	}
	entries, err := os.ReadDir(m.Dir)
	if err != nil {
		return fmt.Errorf("collect unused media: %w", err)
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".media.json") && !kept[n] {
			os.Remove(filepath.Join(m.Dir, n))
		}
	}
	store := &objectStore{dir: m.Dir}
	n, bytes, err := store.gc(keep)
	if n > 0 {
		m.Logger.Info("removed media no kept backup references", "objects", n, "bytes", bytes)
	}
	return err
}

// verifyMedia proves every object of the set name present and whole by
// hashing it again; id opens an encrypted store (without it, encrypted
// objects are only checked for presence). It returns the set's media
// summary, nil for a database-only set. A missing or damaged object is
// EINVALID naming the file.
func (m *Manager) verifyMedia(name string, id age.Identity) (*domain.BackupMedia, error) {
	mf, err := readManifest(m.Dir, name)
	if err != nil || mf == nil {
		return nil, err
	}
	st := &objectStore{dir: m.Dir, id: id}
	encrypted := len(mf.FilesAge) > 0
	files, _ := mf.files(id)
	pathOf := map[string]string{}
	for _, f := range files {
		pathOf[f.SHA256] = f.Path
	}
	for _, s := range mf.Objects {
		what := pathOf[s]
		if what == "" {
			what = "object " + s[:12]
		}
		if _, err := os.Stat(st.path(s)); err != nil {
			return nil, damagedObject(name, what, errors.New("is missing"))
		}
		if encrypted && id == nil {
			continue
		}
		if err := st.check(st.path(s), s, ""); err != nil {
			if errors.Is(err, errDamaged) {
				if qerr := st.quarantine(s); qerr == nil {
					return nil, damagedCopy(name, what, err)
				}
			}
			return nil, damagedObject(name, what, err)
		}
	}
	media := mf.Media
	return &media, nil
}
