package backup

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"filippo.io/age"
	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	sqlite "modernc.org/sqlite"
)

// DefaultStepPages is how many pages one step of the online backup copies
// between progress reports and cancellation checks.
const DefaultStepPages = 4096

// Copy methods.
const (
	// MethodBackupAPI copies pages with SQLite's online backup API inside one
	// read transaction: a fixed snapshot, progress per step, writers never wait.
	MethodBackupAPI = "backup-api"
	// MethodVacuumInto writes a compacted copy with VACUUM INTO.
	MethodVacuumInto = "vacuum-into"
)

// Manager takes, lists, verifies and restores backups of one store.DB.
type Manager struct {
	// DB is the live database.
	DB *store.DB
	// Dir is the backups folder; default <database folder>/backups.
	Dir string
	// Retention applies to scheduled backups after each scheduled backup.
	Retention Retention
	// StepPages is the number of pages copied per online-backup step.
	StepPages int
	// Method is MethodBackupAPI (default) or MethodVacuumInto.
	Method string
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// Logger receives background errors.
	Logger *slog.Logger
	// Destination names the destination Dir is: domain.DestinationLocal or
	// one the owner added (see ForDestination).
	Destination string
	// MediaPace is how long a media backup pauses after storing each new
	// file, as a share of the time the file took (0.5: half as long again),
	// so that durable commits are not queued behind its writes.
	MediaPace float64
	// HashCache is the file of the hash cache (see hashCache); default
	// hashcache.json in the local backups folder.
	HashCache string

	// key is the destination's marker; nil for the local folder. Sets are
	// encrypted to it when it says so.
	key *marker
	// local is the Manager of the local backups folder, for destinations.
	local *Manager

	// live is this process's share of the live lock, held while its
	// scheduler runs.
	live atomic.Pointer[opLock]

	// inOp is true while this Manager holds the operation lock, so the
	// pre-migration hook that Exclusive triggers during a restore does not
	// try to take it again.
	inOp atomic.Bool
}

// NewManager returns a Manager for db with default settings.
func NewManager(db *store.DB) *Manager {
	return &Manager{
		DB:        db,
		Dir:       filepath.Join(filepath.Dir(db.Path), "backups"),
		Retention: Retention{Keep: DefaultKeep},
		StepPages: DefaultStepPages,
		Method:    MethodBackupAPI,
		Now:       time.Now,
		Logger:    slog.Default(),

		Destination: domain.DestinationLocal,
		MediaPace:   DefaultMediaPace,
	}
}

// DefaultMediaPace is the default Manager.MediaPace.
const DefaultMediaPace = 0.5

// Options are the options of one backup.
type Options struct {
	// Kind is why the backup is taken; default manual.
	Kind domain.BackupKind
	// Out, if set, is where the backup file is written instead of the backups
	// folder; such a file is verified like any other but not catalogued.
	Out string
	// Progress, if set, is called as the backup advances.
	Progress func(domain.BackupProgress)
	// DBOnly leaves the video files out. Manual and scheduled backups into
	// a destination hold the files the database references unless it is
	// set; other kinds and backups to Out are always of the database only.
	DBOnly bool
}

// withMedia reports whether a backup with opts holds video files.
func (o Options) withMedia() bool {
	return !o.DBOnly && o.Out == "" && (o.Kind == domain.BackupManual || o.Kind == domain.BackupScheduled)
}

// Backup takes a verified, compressed backup of the live database while it
// keeps serving reads and writes. Returns ECONFLICT while another backup or
// restore runs, EINVALID for a bad kind.
func (m *Manager) Backup(ctx context.Context, opts Options) (*domain.Backup, error) {
	if opts.Kind == "" {
		opts.Kind = domain.BackupManual
	}
	if !opts.Kind.Valid() {
		return nil, domain.Invalidf("kind", "Backup kind %q is not one of manual, scheduled, pre-migration, pre-restore.", opts.Kind)
	}
	unlock, err := m.lock("backup")
	if err != nil {
		return nil, err
	}
	defer unlock()
	b, err := m.backupLive(ctx, opts)
	if err != nil {
		return nil, err
	}
	if opts.Kind == domain.BackupScheduled && opts.Out == "" {
		if _, err := m.prune(); err != nil {
			m.Logger.Error("prune backups", "err", err)
		}
	}
	return b, nil
}

// lock takes the operation lock for what ("backup", "restore") and returns
// its release.
func (m *Manager) lock(what string) (func(), error) {
	l, err := acquire(m.Dir, what)
	if err != nil {
		return nil, err
	}
	if err := m.recoverFiles(); err != nil {
		l.release()
		return nil, err
	}
	removeStaleScratch(m.Dir, m.now())
	m.inOp.Store(true)
	return func() {
		m.inOp.Store(false)
		l.release()
	}, nil
}

// backupLive backs up the live database through its reader pool; the caller
// holds the operation lock.
func (m *Manager) backupLive(ctx context.Context, opts Options) (*domain.Backup, error) {
	if m.DB.Engine() == store.EnginePostgres {
		b, err := m.takeDump(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		return b, nil
	}
	var b *domain.Backup
	err := m.DB.Read(ctx, func(r *sqlx.DB) error {
		conn, err := r.Conn(ctx)
		if err != nil {
			return fmt.Errorf("reader connection: %w", err)
		}
		defer conn.Close()
		b, err = m.take(ctx, conn, opts)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return b, nil
}

// BeforeMigrate is the store.DB.BeforeMigrate hook: it takes a pre-migration
// backup of the file at path before its schema moves from version from to to.
func (m *Manager) BeforeMigrate(ctx context.Context, path string, from, to int64) error {
	_, err := m.PreMigrationBackup(ctx, path, from, to)
	return err
}

// PreMigrationBackup is BeforeMigrate returning the backup it took.
func (m *Manager) PreMigrationBackup(ctx context.Context, path string, from, to int64) (*domain.Backup, error) {
	if !m.inOp.Load() {
		unlock, err := m.lock("migration")
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("open for pre-migration backup: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open for pre-migration backup: %w", err)
	}
	defer conn.Close()
	b, err := m.take(ctx, conn, Options{Kind: domain.BackupPreMigration})
	if err != nil {
		return nil, fmt.Errorf("pre-migration backup: %w", err)
	}
	m.Logger.Info("pre-migration backup", "name", b.Name, "from", from, "to", to)
	return b, nil
}

// take copies the database behind conn into a verified, compressed backup
// file: temp file → (verify ∥ compress → fsync) → rename → fsync dir.
// The caller holds the operation lock.
func (m *Manager) take(ctx context.Context, conn *sql.Conn, opts Options) (*domain.Backup, error) {
	now := m.now()
	dir, final := m.Dir, ""
	if opts.Out != "" {
		abs, err := filepath.Abs(opts.Out)
		if err != nil {
			return nil, domain.Invalidf("out", "Output path %q is not usable: %v.", opts.Out, err)
		}
		if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
			abs = filepath.Join(abs, backupName(now, opts.Kind))
		}
		dir, final = filepath.Dir(abs), abs
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, unwritable(dir, err)
	}
	var rcpt age.Recipient
	if final == "" {
		rc, err := m.key.recipient()
		if err != nil {
			return nil, err
		}
		rcpt = rc
		name := backupName(now, opts.Kind)
		if rcpt != nil {
			name += ".age"
		}
		final = uniquePath(dir, name)
		removeStaleTemps(dir)
	}
	tmp := filepath.Join(dir, ".tmp-"+randomHex()+".db")
	defer removeAll(tmp, tmp+"-journal", tmp+"-wal", tmp+"-shm", tmp+".zst")

	progress := func(p domain.BackupProgress) {
		if opts.Progress != nil {
			opts.Progress(p)
		}
		m.notify(domain.Notification{Type: "backup_progress", Progress: percent(p), Data: p})
	}
	// Create the copy's file here, private, so that a folder that cannot be
	// written is reported with its path and cause rather than as SQLite's
	// "unable to open database file".
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, unwritable(dir, err)
	}
	f.Close()
	if m.Method == MethodVacuumInto {
		err = vacuumInto(ctx, conn, tmp, progress)
	} else {
		err = onlineCopy(ctx, conn, tmp, m.stepPages(), progress)
	}
	if err != nil {
		return nil, err
	}
	// The copy is scratch: the check and the compressor read it back at
	// once, from the page cache, and only the compressed file (what gets
	// listed) must reach the disk, so the copy is not fsynced.
	info, size, sum, err := verifyAndCompress(ctx, tmp, rcpt, progress)
	if err != nil {
		return nil, err
	}
	var media *domain.BackupMedia
	if opts.withMedia() {
		// The files are those the copy references: the set's database and
		// files agree whatever was written meanwhile. The media list is
		// written before the database file is renamed into place, so a set
		// that is found is a set whose files are all stored and verified.
		if media, err = m.takeMedia(ctx, tmp, filepath.Base(final), rcpt, progress); err != nil {
			return nil, err
		}
	}
	if m.key != nil {
		// An added destination is another disk, a NAS or a synced folder:
		// read the file back from there, past the page cache, and prove
		// it is the bytes that were written before it is listed.
		if err := readBack(tmp+".zst", sum); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(tmp+".zst", final); err != nil {
		return nil, fmt.Errorf("rename backup into place: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}

	b := &domain.Backup{
		Name:          filepath.Base(final),
		Kind:          opts.Kind,
		CreatedAt:     now.UTC(),
		Size:          size,
		SHA256:        sum,
		SchemaVersion: info.SchemaVersion,
		Rows:          info.Rows,
		VerifiedAt:    m.now().UTC(),
		Media:         media,
		Encrypted:     rcpt != nil,
	}
	if opts.Out == "" {
		b.Destination = m.destination()
		if err := m.addToCatalog(b); err != nil {
			return nil, err
		}
	}
	b.Path = final
	m.notify(domain.Notification{Type: "backup_progress", Progress: 100, Data: b})
	return b, nil
}

// backuper is the part of modernc's connection that starts an online backup.
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

// onlineCopy copies the database behind conn to dst with the online backup
// API. It holds one read transaction on conn for the whole copy: the snapshot
// stays fixed, so concurrent commits (which go to the WAL) neither wait for
// the backup nor force it to restart, however long it takes.
func onlineCopy(ctx context.Context, conn *sql.Conn, dst string, step int, progress func(domain.BackupProgress)) (err error) {
	if _, err := conn.ExecContext(ctx, "BEGIN DEFERRED"); err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil && err == nil {
			err = fmt.Errorf("end snapshot: %w", rerr)
		}
	}()
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return fmt.Errorf("start snapshot: %w", err)
	}
	return conn.Raw(func(dc any) error {
		bc, ok := dc.(backuper)
		if !ok {
			return errors.New("driver has no online backup")
		}
		bk, err := bc.NewBackup(dst + "?_pragma=synchronous(OFF)&_pragma=journal_mode(OFF)")
		if err != nil {
			return fmt.Errorf("start online backup: %w", err)
		}
		for {
			more, err := bk.Step(int32(step))
			if err != nil {
				bk.Finish()
				return fmt.Errorf("online backup step: %w", err)
			}
			total := int64(bk.PageCount())
			progress(domain.BackupProgress{Phase: "copy", Done: total - int64(bk.Remaining()), Total: total})
			if !more {
				break
			}
			if err := ctx.Err(); err != nil {
				bk.Finish()
				return err
			}
		}
		if err := bk.Finish(); err != nil {
			return fmt.Errorf("finish online backup: %w", err)
		}
		return nil
	})
}

// vacuumInto writes a compacted copy of the database behind conn to dst with
// VACUUM INTO, reporting progress as the bytes written so far of the source
// size (the copy is at most as large as the source).
func vacuumInto(ctx context.Context, conn *sql.Conn, dst string, progress func(domain.BackupProgress)) error {
	var pages, pageSize int64
	if err := conn.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return fmt.Errorf("page count: %w", err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		return fmt.Errorf("page size: %w", err)
	}
	total := pages * pageSize
	// Reader connections are query_only, which refuses VACUUM INTO even
	// though it writes only the new file; lift it for this statement.
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
		return fmt.Errorf("vacuum into: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA query_only = 1")
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if fi, err := os.Stat(dst); err == nil {
					progress(domain.BackupProgress{Phase: "copy", Done: min(fi.Size(), total), Total: total})
				}
			}
		}
	}()
	_, err := conn.ExecContext(ctx, "VACUUM INTO ?", dst)
	close(done)
	if err != nil {
		return fmt.Errorf("vacuum into: %w", err)
	}
	progress(domain.BackupProgress{Phase: "copy", Done: total, Total: total})
	return nil
}

// addToCatalog records a new backup in the catalogue.
func (m *Manager) addToCatalog(b *domain.Backup) error {
	c, err := m.loadCatalog(context.Background(), b.Name)
	if err != nil {
		return err
	}
	kept := c.Backups[:0]
	for _, e := range c.Backups {
		if e.Name != b.Name {
			kept = append(kept, e)
		}
	}
	entry := *b
	c.Backups = append(kept, &entry)
	return writeCatalog(m.Dir, c)
}

func (m *Manager) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}

func (m *Manager) stepPages() int {
	if m.StepPages <= 0 {
		return DefaultStepPages
	}
	return m.StepPages
}

// notify publishes n through the store's notifier, if any.
func (m *Manager) notify(n domain.Notification) {
	if m.DB != nil && m.DB.Notifier != nil {
		m.DB.Notifier.Notify(n)
	}
}

// percent turns progress into 0–100.
func percent(p domain.BackupProgress) int {
	if p.Total <= 0 {
		return 0
	}
	return int(p.Done * 100 / p.Total)
}

// uniquePath returns dir/name, or dir/name with a -N suffix before ".db" when
// that name is taken.
func uniquePath(dir, name string) string {
	p := filepath.Join(dir, name)
	sep := ".db"
	if strings.HasSuffix(name, dumpExt) {
		sep = dumpExt
	}
	base, ext, _ := strings.Cut(name, sep)
	for i := 2; ; i++ {
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			return p
		}
		p = filepath.Join(dir, fmt.Sprintf("%s-%d%s%s", base, i, sep, ext))
	}
}

// randomHex returns 8 random bytes in hex, for temporary names.
func randomHex() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// staleScratch is how old a scratch folder (of a drill, a preview, an
// inspection) must be to be taken for one left by a killed process: far
// longer than any of them runs.
const staleScratch = 6 * time.Hour

// removeStaleScratch removes the scratch folders in dir older than
// staleScratch: a drill killed half way leaves a copy as large as the
// database.
func removeStaleScratch(dir string, now time.Time) {
	matches, _ := filepath.Glob(filepath.Join(dir, ".scratch-*"))
	for _, p := range matches {
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() && now.Sub(fi.ModTime()) > staleScratch {
			os.RemoveAll(p)
		}
	}
}

// removeStaleTemps deletes the temporary files that backups killed before
// they finished left in the backups folder (each can be as large as the
// database). The caller holds the operation lock, which is taken across
// processes, so no running backup is writing one of them.
//
// Media lists without their set's database file (a backup killed between
// the two) go too; their objects stay for the next backup to reuse, and
// retention removes what no set needs.
func removeStaleTemps(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	objs, _ := filepath.Glob(filepath.Join(dir, objectsDir, ".tmp-*"))
	// The catalog and the media lists are written through a temp file of
	// their own name (writeFileAtomic), which a kill at that moment leaves
	// behind.
	atomics, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	removeAll(append(append(matches, objs...), atomics...)...)
	lists, _ := filepath.Glob(filepath.Join(dir, "*.media.json"))
	for _, l := range lists {
		base := strings.TrimSuffix(filepath.Base(l), ".media.json")
		if sets, _ := filepath.Glob(filepath.Join(dir, base+".db*")); len(sets) == 0 {
			os.Remove(l)
		}
	}
}

// Recover finishes or undoes the file part of a restore that was killed
// (see RestoreWith). Every backup, restore and undo does it first; a
// process that opens the store calls it to have it done at once. Returns
// ECONFLICT while another operation runs (it then recovers itself).
func (m *Manager) Recover() error {
	// Nothing to recover: no lock needed, so a read-only backups folder can
	// still be listed.
	if _, err := os.Lstat(filepath.Join(m.Dir, filesJournal)); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	unlock, err := m.lock("recovery")
	if err != nil {
		return err
	}
	unlock()
	return nil
}

// removeAll removes files, ignoring those that do not exist.
func removeAll(paths ...string) {
	for _, p := range paths {
		os.Remove(p)
	}
}

// unwritable is the error of a backup into a folder that cannot be written:
// EINVALID naming the folder and the cause ("permission denied",
// "read-only file system").
func unwritable(dir string, err error) error {
	cause := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	return &wrappedErr{domain.Errorf(domain.EINVALID, "Cannot back up to %s: %v.", dir, cause), err}
}

// wrappedErr is a domain error that keeps its cause for errors.Is.
type wrappedErr struct {
	err   *domain.Error
	cause error
}

func (w *wrappedErr) Error() string   { return w.err.Error() }
func (w *wrappedErr) Unwrap() []error { return []error{w.err, w.cause} }

// readBack drops path's pages from the cache and checks that the file read
// again has the SHA-256 sum.
func readBack(path, sum string) error {
	if f, err := os.Open(path); err == nil {
		dropCache(f)
		f.Close()
	}
	got, err := fileSHA256(path)
	if err != nil {
		return err
	}
	if got != sum {
		return fmt.Errorf("verify backup at the destination: the file read back differs from what was written")
	}
	return nil
}

// errLocked marks the refusal of an operation because another one holds
// the operation lock; scheduled jobs wait for it (see Scheduler.LockWait).
var errLocked = errors.New("the operation lock is held")

// lockedError is the ECONFLICT answer to an operation (what) that found the
// operation lock held.
func lockedError(what string) error {
	return &wrappedErr{domain.Errorf(domain.ECONFLICT, "Another backup or restore is running; try the %s again when it has finished.", what), errLocked}
}
