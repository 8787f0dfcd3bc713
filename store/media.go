package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/safefile"
)

// mediaRootsKey is the setting that holds the media roots the owner added,
// as a JSON array of absolute paths.
const mediaRootsKey = "media_roots"

// videoExts are the extensions of the files the media rule accepts.
var videoExts = map[string]bool{
	".mp4": true, ".m4v": true, ".mov": true, ".webm": true, ".mkv": true, ".ogv": true,
	".ogg": true, ".avi": true, ".mpg": true, ".mpeg": true, ".ts": true, ".m2ts": true,
	".3gp": true, ".flv": true, ".wmv": true, ".gif": true,
}

// MediaService implements domain.MediaService and applies the media rule
// (see domain.MediaRoots) for TaskService. The roots live in the settings
// table, so a root added by the command line applies at once in a running
// server.
type MediaService struct {
	db *DB
	// dataDir is never served outside its media folder, which is always a
	// root. Empty: no default root and no data directory to protect.
	dataDir string
}

var _ domain.MediaService = (*MediaService)(nil)

// NewMediaService returns the media rule of db for the data directory
// dataDir (made absolute).
func NewMediaService(db *DB, dataDir string) *MediaService {
	if dataDir != "" {
		if abs, err := filepath.Abs(dataDir); err == nil {
			dataDir = abs
		}
	}
	return &MediaService{db: db, dataDir: dataDir}
}

// defaultRoot is the data directory's media folder ("" without one).
func (s *MediaService) defaultRoot() string {
	if s.dataDir == "" {
		return ""
	}
	return filepath.Join(s.dataDir, domain.MediaFolder)
}

// MediaRoots returns the media roots.
func (s *MediaService) MediaRoots(ctx context.Context) (*domain.MediaRoots, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return nil, err
	}
	var roots []string
	err := s.db.read(ctx, false, func(tx *tx) (err error) {
		roots, err = readMediaRoots(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &domain.MediaRoots{Default: s.defaultRoot(), Roots: roots}, nil
}

// AddMediaRoot adds an existing folder to the media roots.
func (s *MediaService) AddMediaRoot(ctx context.Context, dir string) (*domain.MediaRoots, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return nil, err
	}
	dir, err := cleanRoot(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, domain.Invalidf("path", "%s is not an existing folder.", dir)
	}
	var roots []string
	err = s.db.write(ctx, func(tx *tx) error {
		if roots, err = readMediaRoots(tx); err != nil {
			return err
		}
		if dir == s.defaultRoot() || slices.Contains(roots, dir) {
			return nil
		}
		if len(roots) >= domain.MaxMediaRoots {
			return domain.Invalidf("path", "There are already %d media roots, the most allowed; remove one first.", domain.MaxMediaRoots)
		}
		roots = append(roots, dir)
		return writeMediaRoots(tx, roots)
	})
	if err != nil {
		return nil, err
	}
	return &domain.MediaRoots{Default: s.defaultRoot(), Roots: roots}, nil
}

// RemoveMediaRoot removes a folder the owner added.
func (s *MediaService) RemoveMediaRoot(ctx context.Context, dir string) (*domain.MediaRoots, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return nil, err
	}
	dir, err := cleanRoot(dir)
	if err != nil {
		return nil, err
	}
	if dir == s.defaultRoot() {
		return nil, domain.Invalidf("path", "%s is the data directory's media folder, always a media root.", dir)
	}
	var roots []string
	err = s.db.write(ctx, func(tx *tx) error {
		if roots, err = readMediaRoots(tx); err != nil {
			return err
		}
		i := slices.Index(roots, dir)
		if i < 0 {
			return domain.Errorf(domain.ENOTFOUND, "%s is not a media root.", dir)
		}
		roots = slices.Delete(roots, i, i+1)
		return writeMediaRoots(tx, roots)
	})
	if err != nil {
		return nil, err
	}
	return &domain.MediaRoots{Default: s.defaultRoot(), Roots: roots}, nil
}

// cleanRoot validates a media root's path: absolute, bounded, cleaned.
func cleanRoot(dir string) (string, error) {
	if err := validText("path", "folder path", dir, MaxPathChars); err != nil {
		return "", err
	}
	if !filepath.IsAbs(dir) {
		return "", domain.Invalidf("path", "The folder path must be absolute, not %q.", dir)
	}
	return filepath.Clean(dir), nil
}

// readMediaRoots returns the roots the owner added.
func readMediaRoots(tx *tx) ([]string, error) {
	var value string
	err := tx.get(&value, `
		SELECT
			value
		FROM settings
		WHERE key = ?`, mediaRootsKey)
	if isNoRows(err) {
		return []string{}, nil
	} else if err != nil {
		return nil, fmt.Errorf("read media roots: %w", err)
	}
	roots := []string{}
	if err := json.Unmarshal([]byte(value), &roots); err != nil {
		return nil, fmt.Errorf("read media roots: %w", err)
	}
	return roots, nil
}

// writeMediaRoots replaces the roots the owner added.
func writeMediaRoots(tx *tx, roots []string) error {
	b, err := json.Marshal(roots)
	if err != nil {
		return fmt.Errorf("write media roots: %w", err)
	}
	if err := putSetting(tx, mediaRootsKey, string(b)); err != nil {
		return fmt.Errorf("write media roots: %w", err)
	}
	return nil
}

// rule is the media rule for one actor, with the roots read once.
type rule struct {
	s     *MediaService // nil: no data directory and no roots to apply
	owner bool
	roots []string // every root, the default first (users only)
}

// rule returns the media rule for actor a.
func (s *MediaService) rule(ctx context.Context, a domain.Actor) (*rule, error) {
	r := &rule{s: s, owner: a.Owner}
	if s == nil || a.Owner {
		return r, nil
	}
	var added []string
	err := s.db.read(ctx, false, func(tx *tx) (err error) {
		added, err = readMediaRoots(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	if d := s.defaultRoot(); d != "" {
		r.roots = append(r.roots, d)
	}
	r.roots = append(r.roots, added...)
	return r, nil
}

// restricted reports whether the rule limits its actor to the media roots.
func (r *rule) restricted() bool { return r.s != nil && !r.owner }

// judge returns why the opened file f may not be served under r, or "".
func (r *rule) judge(f *safefile.File) string {
	if !videoExts[strings.ToLower(filepath.Ext(f.Path))] {
		return fmt.Sprintf("is not a video file (%s); only video files are streamed", filepath.Base(f.Path))
	}
	if r.s == nil {
		return ""
	}
	if safefile.Within(f.Path, r.s.dataDir) && !safefile.Within(f.Path, r.s.defaultRoot()) {
		return "is inside the data directory; it is not streamed"
	}
	if r.owner {
		return ""
	}
	for _, root := range r.roots {
		if safefile.Within(f.Path, root) {
			return ""
		}
	}
	return "is outside the media roots"
}

// open opens path and judges it under r: the file, or why not ("" with an
// error from the open).
func (r *rule) open(path string) (*safefile.File, string, error) {
	f, err := safefile.Open(path)
	if err != nil {
		return nil, "", err
	}
	if why := r.judge(f); why != "" {
		f.Close()
		return nil, why, nil
	}
	return f, "", nil
}

// stat refreshes v's size from its file, or marks it missing. For a
// restricted actor a file it may not stream reads as missing, so the video
// list cannot probe the file system either.
func (r *rule) stat(v *domain.Video) {
	if !r.restricted() {
		statVideo(v)
		return
	}
	f, why, err := r.open(v.FilePath)
	if err != nil || why != "" {
		v.Missing = true
		return
	}
	defer f.Close()
	size := f.Info.Size()
	v.FileSize = &size
}

// openVideo opens the file of video v for streaming under r.
func (r *rule) openVideo(v *domain.Video) (*os.File, error) {
	f, why, err := r.open(v.FilePath)
	if err == nil && why == "" {
		return f.File, nil
	}
	if !r.owner {
		// One answer for every refusal: a user learns nothing about a
		// path it may not stream.
		return nil, domain.Errorf(domain.ENOTFOUND, "The file of video %d is not available: it is gone, or not a regular video file under the media roots.", v.ID)
	}
	switch {
	case why != "":
		return nil, domain.Errorf(domain.EFORBIDDEN, "The file of video %d %s.", v.ID, why)
	case errors.Is(err, fs.ErrNotExist):
		return nil, domain.Errorf(domain.ENOTFOUND, "The file of video %d is no longer on disk.", v.ID)
	case errors.Is(err, safefile.ErrSymlink), errors.Is(err, safefile.ErrNotRegular):
		return nil, domain.Errorf(domain.EFORBIDDEN, "The file of video %d is not a regular file (a link, folder, FIFO or device); only regular files are streamed.", v.ID)
	case errors.Is(err, safefile.ErrChanged):
		return nil, domain.Errorf(domain.ENOTFOUND, "The file of video %d was replaced or removed while it was opened; try again.", v.ID)
	case errors.Is(err, fs.ErrPermission):
		return nil, domain.Errorf(domain.EFORBIDDEN, "The file of video %d cannot be read by Reelvault.", v.ID)
	}
	return nil, fmt.Errorf("open video %d: %w", v.ID, err)
}
