package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// filesJournal, in the local backups folder, lists the video files a
// restore has staged beside their places, so that a restore killed half way
// is finished or undone at the next start (see recoverFiles).
const filesJournal = "restore-files.json"

// RestoreOptions are the options of one restore.
type RestoreOptions struct {
	// Progress, if set, is called as the restore advances.
	Progress func(domain.BackupProgress)
	// Passphrase opens a set of an encrypted destination.
	Passphrase string
	// Into, if set, is the folder the video files are put back under
	// (keeping their layout below the folder they share); the restored
	// database is re-linked to point there. Default: their own paths.
	Into string
	// DBOnly restores the database alone, leaving the files as they are.
	DBOnly bool
}

// fileRestore is the video-file part of a restore: planned and staged
// before the database is swapped, put in place right after.
type fileRestore struct {
	set     string
	files   []manifestFile
	store   *objectStore
	into    string
	cache   *hashCache
	relink  map[string]string // old path → new path, when into is set
	entries []fileEntry
	result  domain.RestoredFiles
}

// fileEntry is one file a restore puts back.
type fileEntry struct {
	Target string `json:"target"` // the file's place
	Staged string `json:"staged"` // the verified copy beside it
	Aside  string `json:"aside"`  // where a different file at Target goes

	file manifestFile // what goes there (not journaled)
}

// journalOfFiles is the content of filesJournal.
type journalOfFiles struct {
	// StageDB is the staged database of the restore. While it exists the
	// database was not swapped and the files are undone; once it is gone
	// the database was swapped and the files are finished.
	StageDB string      `json:"stage_db"`
	Entries []fileEntry `json:"entries"`
	// Mark, set instead of StageDB by a restore of chosen tasks and by its
	// undo, is the value the setting markKey holds exactly when their rows
	// committed: then the files are finished (Entries put in place, or the
	// Undo steps taken), else the staged files are removed.
	Mark string     `json:"mark,omitempty"`
	Undo []undoFile `json:"undo,omitempty"`
}

// markKey is the setting a restore of chosen tasks (or its undo) stores
// with its rows; see journalOfFiles.Mark.
const markKey = "backup.files_mark"

// undoFile is a video file a restore of chosen tasks put in place, as its
// undo takes it back.
type undoFile struct {
	Target string `json:"target"`
	Aside  string `json:"aside"`  // where a different file found there was kept
	SHA256 string `json:"sha256"` // of the file the restore put there
}

// undoFiles takes back the files of a restore of chosen tasks: a file that
// still holds what the restore put there is removed, and the file kept
// aside, if any, goes back to its place. A file changed since is left as it
// is and reported (its kept-aside file stays aside). Each step is a remove
// or a rename, so running it again after a crash finishes the work.
func undoFiles(files []undoFile) (*domain.RestoredFiles, error) {
	res := &domain.RestoredFiles{}
	var errs []error
	for _, f := range files {
		if fi, err := os.Lstat(f.Target); err == nil {
			sum, herr := fileSHA256(f.Target)
			if !fi.Mode().IsRegular() || herr != nil || sum != f.SHA256 {
				reason := "changed since the restore; left as it is"
				if _, err := os.Lstat(f.Aside); err == nil {
					reason += "; the file from before it is kept as " + f.Aside
				}
				res.KeptAside = append(res.KeptAside, domain.SkippedFile{Path: f.Target, Reason: reason})
				continue
			}
			if err := os.Remove(f.Target); err != nil {
				errs = append(errs, fmt.Errorf("remove %s: %w", f.Target, err))
				continue
			}
			res.Removed++
		}
		if _, err := os.Lstat(f.Aside); err == nil {
			if err := os.Rename(f.Aside, f.Target); err != nil {
				errs = append(errs, fmt.Errorf("put %s back: %w", f.Target, err))
				continue
			}
			res.Restored++
		}
		if err := syncDir(filepath.Dir(f.Target)); err != nil {
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

// markCommitted reports whether the live database holds mark under markKey.
func (m *Manager) markCommitted(ctx context.Context, mark string) (bool, error) {
	all, err := store.NewSettings(m.DB).All(ctx)
	if err != nil {
		return false, fmt.Errorf("read the restore mark: %w", err)
	}
	return all[markKey] == mark, nil
}

// writeJournalOfFiles writes the files journal j, fsynced, before the rows
// it goes with are written.
func (m *Manager) writeJournalOfFiles(j journalOfFiles) error {
	data, _ := json.Marshal(j)
	if err := writeFileAtomic(filepath.Join(m.Dir, filesJournal), data); err != nil {
		return fmt.Errorf("write restore journal: %w", err)
	}
	return nil
}

// removeJournalOfFiles removes the files journal once its work is done.
func (m *Manager) removeJournalOfFiles() error {
	if err := os.Remove(filepath.Join(m.Dir, filesJournal)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove restore journal: %w", err)
	}
	return syncDir(m.Dir)
}

// targetOf returns where f goes: its path, or under r.into.
func (r *fileRestore) targetOf(p string) string {
	if t, ok := r.relink[p]; ok {
		return t
	}
	return p
}

// planRelink maps each file to r.into, keeping the layout below the folder
// all the files share.
func (r *fileRestore) planRelink() {
	if r.into == "" || len(r.files) == 0 {
		return
	}
	common := filepath.Dir(r.files[0].Path)
	for _, f := range r.files[1:] {
		for common != filepath.Dir(common) {
			rel, err := filepath.Rel(common, f.Path)
			if err == nil && !strings.HasPrefix(rel, "..") {
				break
			}
			common = filepath.Dir(common)
		}
	}
	r.relink = make(map[string]string, len(r.files))
	for _, f := range r.files {
		rel, err := filepath.Rel(common, f.Path)
		if err != nil || strings.HasPrefix(rel, "..") {
			rel = strings.TrimPrefix(f.Path, string(filepath.Separator))
		}
		r.relink[f.Path] = filepath.Join(r.into, rel)
	}
	r.result.Relinked = r.into
}

// relinkDB points the staged database at the files' new places.
func (r *fileRestore) relinkDB(ctx context.Context, stage string) error {
	if len(r.relink) == 0 {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+stage+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("re-link files: %w", err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("re-link files: %w", err)
	}
	defer tx.Rollback()
	for old, now := range r.relink {
		if _, err := tx.ExecContext(ctx, `UPDATE videos SET file_path = ? WHERE file_path = ?`, now, old); err != nil {
			return fmt.Errorf("re-link files: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET final_video_path = ? WHERE final_video_path = ?`, now, old); err != nil {
			return fmt.Errorf("re-link files: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("re-link files: %w", err)
	}
	return nil
}

// plan decides, file by file, whether its place already holds the same
// content; every other file gets an entry: a hidden name beside its place
// to stage it under, and a name to keep a different file aside under.
func (r *fileRestore) plan(ctx context.Context) error {
	seen := map[string]bool{}
	stamp := time.Now().UTC().Format("20060102T150405Z")
	for _, f := range r.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		target := r.targetOf(f.Path)
		if seen[target] {
			continue
		}
		seen[target] = true
		if same(r.cache, target, f) {
			r.result.Same++
			continue
		}
		staged := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".reelvault-restore-"+randomHex())
		r.entries = append(r.entries, fileEntry{Target: target, Staged: staged, Aside: asideName(target, stamp), file: f})
		r.result.Restored++
		r.result.Bytes += f.Size
	}
	return nil
}

// stage copies every planned file from the object store to its hidden
// name, verified against its hash and fsynced. Nothing the user has is
// touched. A damaged or missing object fails the restore.
func (r *fileRestore) stage(ctx context.Context, progress func(domain.BackupProgress)) error {
	for i, e := range r.entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if progress != nil {
			progress(domain.BackupProgress{Phase: "files", Done: int64(i), Total: int64(len(r.entries))})
		}
		if err := os.MkdirAll(filepath.Dir(e.Target), 0o755); err != nil {
			return domain.Invalidf("into", "Cannot put %s back: %v.", e.Target, err)
		}
		if err := r.copyObject(e.file, e.Staged); err != nil {
			return err
		}
	}
	return nil
}

// copyObject writes the content of f's object to path and proves its hash.
func (r *fileRestore) copyObject(f manifestFile, path string) error {
	src, err := r.store.open(f.SHA256)
	if errors.Is(err, fs.ErrNotExist) {
		return damagedObject(r.set, f.Path, errors.New("is missing"))
	} else if err != nil {
		return damagedObject(r.set, f.Path, err)
	}
	defer src.Close()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return domain.Invalidf("into", "Cannot put %s back: %v.", f.Path, err)
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), src)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s back: %w", f.Path, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != f.SHA256 {
		return damagedObject(r.set, f.Path, errDamaged)
	}
	return nil
}

// same reports whether path holds f's content (by the hash cache, else by
// hashing it).
func same(c *hashCache, path string, f manifestFile) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != f.Size {
		return false
	}
	if h, ok := c.lookup(path, fi.Size(), fi.ModTime().UnixNano()); ok {
		return h == f.SHA256
	}
	sum, err := fileSHA256(path)
	return err == nil && sum == f.SHA256
}

// asideName returns where a different file at target is kept:
// name.before-restore-<time>.ext beside it.
func asideName(target, stamp string) string {
	ext := filepath.Ext(target)
	return strings.TrimSuffix(target, ext) + ".before-restore-" + stamp + ext
}

// discard removes the staged files of a restore that did not swap.
func (r *fileRestore) discard() {
	for _, e := range r.entries {
		os.Remove(e.Staged)
	}
}

// writeFilesJournal records the staged files before the database swap.
func (m *Manager) writeFilesJournal(stageDB string, entries []fileEntry) error {
	j, _ := json.Marshal(journalOfFiles{StageDB: stageDB, Entries: entries})
	if err := writeFileAtomic(filepath.Join(m.Dir, filesJournal), j); err != nil {
		return fmt.Errorf("write restore journal: %w", err)
	}
	return nil
}

// applyFiles moves every staged file into its place, keeping a different
// file found there aside (renamed, never overwritten). Each step is a
// rename, so running it again after a crash finishes the work.
func applyFiles(entries []fileEntry) (aside []domain.SkippedFile, err error) {
	var errs []error
	for _, e := range entries {
		if _, err := os.Lstat(e.Staged); err != nil {
			continue // put in place before a crash
		}
		if _, err := os.Lstat(e.Target); err == nil {
			to := e.Aside
			if _, err := os.Lstat(to); err == nil {
				to = asideName(e.Target, randomHex())
			}
			if err := os.Rename(e.Target, to); err != nil {
				errs = append(errs, fmt.Errorf("keep %s aside: %w", e.Target, err))
				continue
			}
			aside = append(aside, domain.SkippedFile{Path: e.Target, Reason: "differed; kept aside as " + to})
		}
		if err := os.Rename(e.Staged, e.Target); err != nil {
			errs = append(errs, fmt.Errorf("put %s back: %w", e.Target, err))
			continue
		}
		if err := syncDir(filepath.Dir(e.Target)); err != nil {
			errs = append(errs, err)
		}
	}
	return aside, errors.Join(errs...)
}

// recoverFiles finishes or undoes the file part of a restore that was
// killed: if its staged database is still there the swap never happened
// and the staged files are removed; otherwise the database is the restored
// one and the files are put in place. Either way the database and the files
// end up from the same side. The caller holds the operation lock.
func (m *Manager) recoverFiles() error {
	path := filepath.Join(m.Dir, filesJournal)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("read restore journal: %w", err)
	}
	var j journalOfFiles
	if err := json.Unmarshal(data, &j); err != nil {
		m.Logger.Warn("unreadable file restore journal; removed", "err", err)
		return os.Remove(path)
	}
	if j.Mark != "" {
		// A restore of chosen tasks, or its undo: finished when its rows
		// committed, else undone.
		committed, err := m.markCommitted(context.Background(), j.Mark)
		if err != nil {
			return err
		}
		switch {
		case committed && len(j.Undo) > 0:
			if _, err := undoFiles(j.Undo); err != nil {
				return fmt.Errorf("finish taking back the files of a restore of tasks: %w", err)
			}
			m.Logger.Warn("finished taking back the files of an undo that stopped", "files", len(j.Undo))
		case committed:
			aside, err := applyFiles(j.Entries)
			if err != nil {
				return fmt.Errorf("finish restoring files: %w", err)
			}
			m.Logger.Warn("finished putting back the files of a restore of tasks that stopped", "files", len(j.Entries), "kept_aside", len(aside))
		default:
			(&fileRestore{entries: j.Entries}).discard()
			m.Logger.Warn("a restore of tasks stopped before it wrote its rows; its staged files were removed", "files", len(j.Entries))
		}
		return m.removeJournalOfFiles()
	}
	if _, err := os.Lstat(j.StageDB); err == nil || j.StageDB == "" {
		(&fileRestore{entries: j.Entries}).discard()
		m.Logger.Warn("a restore stopped before it replaced the database; its staged files were removed", "files", len(j.Entries))
	} else {
		aside, err := applyFiles(j.Entries)
		if err != nil {
			return fmt.Errorf("finish restoring files: %w", err)
		}
		m.Logger.Warn("finished putting back the files of a restore that stopped", "files", len(j.Entries), "kept_aside", len(aside))
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove restore journal: %w", err)
	}
	return syncDir(m.Dir)
}

// decryptFile writes the plain content of the age file src to dst.
func decryptFile(src, dst string, id age.Identity, name string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer in.Close()
	r, err := age.Decrypt(in, id)
	if err != nil {
		return domain.Invalidf("file", "%s cannot be decrypted: %v.", name, err)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create decrypted copy: %w", err)
	}
	defer out.Close()
	if _, err := io.Copy(out, r); err != nil {
		return domain.Invalidf("file", "%s cannot be decrypted: %v.", name, err)
	}
	return out.Close()
}
