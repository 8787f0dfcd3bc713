package backup

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// journalFile, in the backups folder, names the pre-restore backup of the
// last restore so that Undo works after a restart.
const journalFile = "restore-journal.json"

// restoreJournal is the content of journalFile.
type restoreJournal struct {
	PreRestore string `json:"pre_restore"` // backup name in the backups folder
	// Tasks, set instead of PreRestore after a restore of chosen tasks,
	// names the record of those tasks as they were (see taskrestore.go).
	Tasks  string    `json:"tasks,omitempty"`
	Source string    `json:"source"` // the file that was restored
	At     time.Time `json:"at"`
}

// Restore replaces the live database with a backup: a catalogue name or the
// path of any backup file (zstd, gzip or plain SQLite). The file is proven
// good before anything changes; then a pre-restore backup is taken and the
// data is swapped in while the process keeps running. On any failure the
// live database is left exactly as it was.
//
// Returns ENOTFOUND (no such file), EINVALID (not a whole Reelvault database
// of a supported schema; the message says why), ECONFLICT (another backup or
// restore is running).
func (m *Manager) Restore(ctx context.Context, source string, progress func(domain.BackupProgress)) (*domain.RestoreResult, error) {
	return m.RestoreWith(ctx, source, RestoreOptions{Progress: progress})
}

// RestoreWith is Restore with options. A set that holds video files puts
// back, besides the database, every file that is missing or differs (see
// RestoreOptions); a file that differs is kept aside, renamed, and
// reported. The files are staged and verified before the database is
// swapped and put in place right after; a restore killed on the way is
// finished or undone at the next start, so the database and the files are
// always from the same side. A set of another destination is found by its
// name too; an encrypted one needs the destination's passphrase (EINVALID,
// field "passphrase", when it is missing or wrong; nothing changes).
func (m *Manager) RestoreWith(ctx context.Context, source string, opts RestoreOptions) (*domain.RestoreResult, error) {
	if strings.TrimSpace(source) == "" {
		return nil, domain.Invalidf("source", "Name a backup or a backup file to restore.")
	}
	if opts.Into != "" {
		if !filepath.IsAbs(opts.Into) || len(opts.Into) > 4096 {
			return nil, domain.Invalidf("into", "The folder to restore the files into must be an absolute path, not %q.", opts.Into)
		}
		opts.Into = filepath.Clean(opts.Into)
	}
	unlock, err := m.lock("restore")
	if err != nil {
		return nil, err
	}
	defer unlock()
	if m.DB.Engine() == store.EnginePostgres {
		return m.restoreDump(ctx, source, opts.Progress)
	}
	release, err := m.alone()
	if err != nil {
		return nil, err
	}
	defer release()
	set, err := m.resolveSet(ctx, source)
	if err != nil {
		return nil, err
	}
	if set.dir != m.Dir {
		// Keep the destination's retention from removing the set meanwhile.
		l, err := acquire(set.dir, "restore")
		if err != nil {
			return nil, err
		}
		defer l.release()
	}
	var id age.Identity
	if set.encrypted {
		if set.key == nil || !set.key.Encrypted {
			return nil, domain.Invalidf("file", "%s is encrypted but its folder has no destination key (%s).", set.name, markerFile)
		}
		if id, err = set.key.unlock(opts.Passphrase, set.dest); err != nil {
			return nil, err
		}
	}
	var fr *fileRestore
	if !opts.DBOnly {
		if fr, err = m.planFiles(set, id, opts.Into); err != nil {
			return nil, err
		}
	}
	path, sum := set.path, set.sum
	if set.encrypted {
		if sum != "" {
			if got, err := fileSHA256(path); err != nil {
				return nil, err
			} else if got != sum {
				return nil, domain.Invalidf("file", "%s does not match the checksum in the catalogue; it was changed or damaged.", set.name)
			}
		}
		// Decrypted copies of killed restores are removed first (the
		// operation lock is held, so none is in use).
		stale, _ := filepath.Glob(stagePrefix(m.DB.Path) + ".decrypted-*")
		removeAll(stale...)
		plain := fmt.Sprintf("%s.decrypted-%s.zst", stagePrefix(m.DB.Path), randomHex())
		defer os.Remove(plain)
		if err := decryptFile(path, plain, id, set.name); err != nil {
			return nil, err
		}
		path, sum = plain, ""
	}
	return m.restore(ctx, path, sum, fr, opts.Progress)
}

// setRef is a backup set found by resolveSet.
type setRef struct {
	path, sum string // the database file; the catalogue's checksum, if any
	name      string // the file's name
	dir       string // the folder of the set (its media list and objects)
	dest      string // the destination's name
	key       *marker
	encrypted bool
}

// resolveSet finds source: a set of the local catalogue, a set of another
// destination's catalogue, or the path of a backup file (its folder is then
// taken for its destination).
func (m *Manager) resolveSet(ctx context.Context, source string) (*setRef, error) {
	path, sum, err := m.resolve(source)
	if err != nil && domain.ErrorCode(err) == domain.ENOTFOUND && !strings.ContainsRune(source, os.PathSeparator) {
		if ref, ferr := m.findInDestinations(ctx, source); ferr != nil || ref != nil {
			return ref, ferr
		}
	}
	if err != nil {
		return nil, err
	}
	ref := &setRef{path: path, sum: sum, name: filepath.Base(path), dir: filepath.Dir(path), dest: domain.DestinationLocal}
	ref.encrypted = strings.HasSuffix(ref.name, ".age")
	if ref.dir != filepath.Clean(m.Dir) {
		ref.dest = ref.dir
		if mk, ok, err := readMarker(ref.dir); err != nil {
			return nil, err
		} else if ok {
			ref.key = mk
			ref.dest = mk.Name
		}
	}
	return ref, nil
}

// planFiles reads the media list of set and prepares the file part of its
// restore; nil when the set holds no files.
func (m *Manager) planFiles(set *setRef, id age.Identity, into string) (*fileRestore, error) {
	mf, err := readManifest(set.dir, set.name)
	if err != nil || mf == nil {
		return nil, err
	}
	files, err := mf.files(id)
	if err != nil {
		return nil, err
	}
	fr := &fileRestore{
		set:   set.name,
		files: files,
		store: &objectStore{dir: set.dir, id: id},
		into:  into,
		cache: loadHashCache(m.hashCachePath()),
	}
	fr.planRelink()
	return fr, nil
}

// Undo returns the database to its state before the last restore (or undo:
// two undos in a row bring the restored data back). Returns ENOTFOUND when
// there is nothing to undo, ECONFLICT while a backup or restore runs.
func (m *Manager) Undo(ctx context.Context, progress func(domain.BackupProgress)) (*domain.RestoreResult, error) {
	unlock, err := m.lock("undo")
	if err != nil {
		return nil, err
	}
	defer unlock()
	data, err := os.ReadFile(filepath.Join(m.Dir, journalFile))
	var j restoreJournal
	if err == nil && json.Unmarshal(data, &j) == nil && j.Tasks != "" {
		return m.undoTasks(ctx, j) // a restore of chosen tasks: no file to swap
	}
	if m.DB.Engine() != store.EnginePostgres {
		// Swapping the file back needs the database to itself; say so
		// before anything else (a server running elsewhere is the news).
		release, aerr := m.alone()
		if aerr != nil {
			return nil, aerr
		}
		defer release()
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no restore to undo.")
	} else if err != nil {
		return nil, fmt.Errorf("read restore journal: %w", err)
	}
	err = json.Unmarshal(data, &j)
	if err != nil || j.PreRestore == "" {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no restore to undo (the restore journal is unreadable).")
	}
	if m.DB.Engine() == store.EnginePostgres {
		if _, err := os.Stat(filepath.Join(m.Dir, j.PreRestore)); err != nil {
			return nil, domain.Errorf(domain.ENOTFOUND, "There is no restore to undo: the last restore stopped before it replaced the database.")
		}
		return m.restoreDump(ctx, j.PreRestore, progress)
	}
	// The journal is written before the swap; a restore killed before it
	// linked the old data never replaced anything, so there is nothing to
	// undo (the data is still the data from before that restore).
	if _, err := os.Stat(filepath.Join(m.Dir, j.PreRestore)); errors.Is(err, fs.ErrNotExist) {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no restore to undo: the last restore stopped before it replaced the database.")
	}
	path, sum, err := m.resolve(j.PreRestore)
	if err != nil {
		return nil, err
	}
	return m.restore(ctx, path, sum, nil, progress)
}

// resolve turns a catalogue name or a path into a file path, with the
// catalogue's checksum when the file is catalogued.
func (m *Manager) resolve(source string) (path, sum string, err error) {
	if !strings.ContainsRune(source, os.PathSeparator) {
		if c, _, err := readCatalog(m.Dir); err == nil {
			if b := c.find(source); b != nil {
				return filepath.Join(m.Dir, b.Name), b.SHA256, nil
			}
		}
		// A backup not (yet) in the catalogue, such as the pre-restore
		// backup of a restore killed between its swap and the catalogue
		// write, is found by name in the backups folder; with no checksum
		// to compare, it gets the full integrity check.
		if p := filepath.Join(m.Dir, source); source != ".." {
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p, "", nil
			}
		}
	}
	abs, err := filepath.Abs(source)
	if err != nil {
		return "", "", domain.Invalidf("source", "Path %q is not usable: %v.", source, err)
	}
	if _, err := checkSource(abs); err != nil {
		return "", "", err
	}
	return abs, "", nil
}

// alone refuses (ECONFLICT) while another process has the database open,
// or claims the database until release: any other process with the file
// open would keep writing to the file the restore replaces, and its
// acknowledged writes would vanish.
func (m *Manager) alone() (release func(), err error) {
	release, err = m.DB.Claim()
	if err != nil {
		return nil, err
	}
	if m.live.Load() == nil {
		if busy, err := liveElsewhere(m.Dir); err != nil || busy {
			release()
			if err != nil {
				return nil, err
			}
			return nil, domain.Errorf(domain.ECONFLICT, "A running Reelvault (the window or \"reelvault serve\") uses this backups folder; restore from it, or stop it first.")
		}
	}
	return release, nil
}

// restore does the work of Restore; the caller holds the operation lock and
// the claim of alone.
func (m *Manager) restore(ctx context.Context, src, wantSum string, fr *fileRestore, progress func(domain.BackupProgress)) (*domain.RestoreResult, error) {
	step := func(n int64) {
		p := domain.BackupProgress{Phase: "restore", Done: n, Total: 4}
		if progress != nil {
			progress(p)
		}
		m.notify(domain.Notification{Type: "restore", Progress: percent(p), Data: p})
	}
	name := src // messages name the file as the user knows it
	if filepath.Dir(src) == filepath.Clean(m.Dir) {
		name = filepath.Base(src)
	}
	if _, err := checkSource(src); err != nil {
		return nil, err
	}
	if wantSum != "" {
		if sum, err := fileSHA256(src); err != nil {
			return nil, err
		} else if sum != wantSum {
			return nil, domain.Invalidf("file", "%s does not match the checksum in the catalogue; it was changed or damaged.", name)
		}
	}

	// Stage a private copy next to the database, so the final rename is
	// atomic (same file system) and the user's file is never modified.
	dbPath := m.DB.Path
	removeStale(dbPath)
	stage := fmt.Sprintf("%s.restore-%s", stagePrefix(dbPath), randomHex())
	defer removeAll(stage, stage+"-journal", stage+"-wal", stage+"-shm")
	step(0)
	if err := expandFile(ctx, src, stage); err != nil {
		return nil, err
	}
	step(1)
	// A catalogued file whose checksum matched is byte for byte a backup
	// that passed the integrity check when it was taken: the slow check is
	// not repeated. Any other file gets it.
	info, err := checkDatabase(ctx, stage, name, wantSum == "")
	if err != nil {
		return nil, err
	}
	committed := false
	if fr != nil {
		if err := fr.relinkDB(ctx, stage); err != nil {
			return nil, err
		}
		// Registered after the stage's removal, so it runs first: a restore
		// that fails before the swap removes its staged files and journal
		// while the staged database still says "not swapped".
		defer func() {
			if !committed {
				fr.discard()
				os.Remove(filepath.Join(m.Dir, filesJournal))
			}
		}()
		// The journal names the staged files before any is written, so a
		// restore killed while staging leaves nothing behind: its staged
		// database is still there, and recovery removes them.
		if err := fr.plan(ctx); err != nil {
			return nil, err
		}
		if len(fr.entries) > 0 {
			if err := m.writeFilesJournal(stage, fr.entries); err != nil {
				return nil, err
			}
		}
		if err := fr.stage(ctx, progress); err != nil {
			return nil, err
		}
	}
	if err := syncFile(stage); err != nil {
		return nil, err
	}
	step(2)

	// The pre-restore backup is the database file itself: once the store
	// has checkpointed and closed it, a hard link in the backups folder
	// keeps it at no cost, however large, and the link survives the rename
	// that swaps the restored file in. Only when the backups folder is on
	// another file system is it copied first, as an ordinary backup.
	preName := filepath.Base(uniquePath(m.Dir, strings.TrimSuffix(backupName(m.now(), domain.BackupPreRestore), ".zst")))
	prePath := filepath.Join(m.Dir, preName)
	var pre *domain.Backup
	// The journal is written before the swap: if the process dies after
	// the rename, Undo still knows where the old data is; if it dies before,
	// undoing restores a copy of the unchanged data, which is harmless.
	if err := m.writeJournal(preName, src); err != nil {
		return nil, err
	}
	step(3)

	linked, swapped := false, false
	swap := func(path string) error {
		if err := swapIn(stage, path); err != nil {
			return err
		}
		swapped = true
		return nil
	}
	err = m.DB.Exclusive(ctx, func(path string) error {
		if err := os.Link(path, prePath); err != nil {
			return errNoLink{err}
		}
		linked = true
		if err := syncDir(m.Dir); err != nil {
			return err
		}
		return swap(path)
	})
	var nolink errNoLink
	switch {
	case errors.As(err, &nolink):
		m.Logger.Info("backups folder cannot link the database; copying it", "err", nolink.err)
		if pre, err = m.backupLive(ctx, Options{Kind: domain.BackupPreRestore}); err != nil {
			return nil, fmt.Errorf("pre-restore backup: %w", err)
		}
		prePath = filepath.Join(m.Dir, pre.Name)
		if err := m.writeJournal(pre.Name, src); err != nil {
			return nil, err
		}
		err = m.DB.Exclusive(ctx, swap)
	case linked && !swapped:
		os.Remove(prePath) // the swap failed before the rename: the link is the live file
	case linked:
		var cerr error
		if pre, cerr = m.catalogLinked(ctx, prePath); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	if err != nil {
		if swapped {
			// The new file was swapped in but the store could not open it:
			// put the old data back so the process keeps working.
			if rerr := m.putBack(ctx, prePath); rerr != nil {
				return nil, errors.Join(fmt.Errorf("restore: %w", err), fmt.Errorf("put back the pre-restore backup %s: %w", preName, rerr))
			}
		}
		return nil, fmt.Errorf("restore: %w", err)
	}
	committed = true
	if pre.VerifiedAt.IsZero() {
		pre = m.sealPreRestore(ctx, pre)
	}
	res := &domain.RestoreResult{Source: src, PreRestore: pre, SchemaVersion: info.SchemaVersion, Rows: info.Rows}
	if fr != nil {
		aside, ferr := applyFiles(fr.entries)
		if ferr != nil {
			// The journal stays: the next start finishes the work.
			return nil, fmt.Errorf("restore: database restored, but putting the files back failed: %w", ferr)
		}
		if err := os.Remove(filepath.Join(m.Dir, filesJournal)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			m.Logger.Warn("remove restore journal", "err", err)
		}
		fr.result.KeptAside = aside
		res.Files = &fr.result
	}
	step(4)
	m.Logger.Info("restored database", "source", src, "pre_restore", pre.Name)
	return res, nil
}

// errNoLink is a failed hard link of the database into the backups folder.
type errNoLink struct{ err error }

func (e errNoLink) Error() string { return "link pre-restore backup: " + e.err.Error() }

// writeJournal records that the last restore replaced the data now kept in
// the backup named pre.
func (m *Manager) writeJournal(pre, src string) error {
	j, _ := json.Marshal(restoreJournal{PreRestore: pre, Source: src, At: m.now().UTC()})
	if err := writeFileAtomic(filepath.Join(m.Dir, journalFile), j); err != nil {
		return fmt.Errorf("write restore journal: %w", err)
	}
	return nil
}

// catalogLinked catalogues the pre-restore backup made by linking the
// database file: checksum, schema version and rows, read without changing
// a byte (immutable, read-only). It is the file the store was using, so it
// is not put through the integrity check again: a damaged database can still
// be restored over, and the restore undone.
func (m *Manager) catalogLinked(ctx context.Context, path string) (*domain.Backup, error) {
	name := filepath.Base(path)
	created, _, _ := parseName(name)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("stat pre-restore backup: %w", err)
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		return nil, fmt.Errorf("open pre-restore backup: %w", err)
	}
	defer db.Close()
	info, err := describe(ctx, db, name)
	if err != nil {
		return nil, err
	}
	b := &domain.Backup{
		Name:          name,
		Kind:          domain.BackupPreRestore,
		CreatedAt:     created,
		Size:          fi.Size(),
		SHA256:        sum,
		SchemaVersion: info.SchemaVersion,
		Rows:          info.Rows,
	}
	if err := m.addToCatalog(b); err != nil {
		return nil, err
	}
	b.Path = path
	return b, nil
}

// swapIn replaces the closed database at path with the staged file. The
// stale -wal and -shm go first: the store checkpointed them into the file
// before closing, and a WAL left beside the new file would be replayed into
// it. The one rename then switches old for new; a crash leaves one or the
// other whole.
func swapIn(stage, path string) error {
	for _, p := range []string{path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", filepath.Base(p), err)
		}
	}
	if err := os.Rename(stage, path); err != nil {
		return fmt.Errorf("swap in restored file: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// putBack reinstates the pre-restore backup at path after a swap whose
// reopen failed.
func (m *Manager) putBack(ctx context.Context, path string) error {
	stage := fmt.Sprintf("%s.restore-%s", stagePrefix(m.DB.Path), randomHex())
	defer removeAll(stage)
	if err := expandFile(ctx, path, stage); err != nil {
		return err
	}
	if err := syncFile(stage); err != nil {
		return err
	}
	m.DB.Close() // closed already when the reopen failed; make sure
	if err := swapIn(stage, m.DB.Path); err != nil {
		return err
	}
	return m.DB.Open(context.WithoutCancel(ctx))
}

// stagePrefix is the prefix of staged restore files beside the database.
func stagePrefix(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "."+filepath.Base(dbPath))
}

// removeStale deletes staged files left by a restore that was killed.
func removeStale(dbPath string) {
	matches, _ := filepath.Glob(stagePrefix(dbPath) + ".restore-*")
	for _, p := range matches {
		os.Remove(p)
	}
}
