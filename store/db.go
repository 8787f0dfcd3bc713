package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	_ "github.com/reelvault/reelvault/store/sqlitemt" // connections without SQLite's per-call mutex
	"github.com/reelvault/reelvault/store/sqliteqpsg"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ApplicationID is written to PRAGMA application_id of every Reelvault
// database ("RVLT"); a file with another id is refused.
const ApplicationID int32 = 0x52564C54

// Defaults for the tunables of a DB.
const (
	DefaultSlowQuery   = 100 * time.Millisecond
	DefaultSynchronous = "FULL"
	DefaultBusyTimeout = 10 * time.Second
)

// DB is a Reelvault SQLite database: one writer connection and a reader pool.
type DB struct {
	// Path is the database file.
	Path string
	// Now returns the current time; tests replace it to move time.
	Now func() time.Time
	// Logger receives the slow-query log and background errors.
	Logger *slog.Logger
	// SlowQuery is the duration above which a query is logged.
	SlowQuery time.Duration
	// Synchronous is "FULL" (every acknowledged commit survives power loss)
	// or "NORMAL" (faster; the last commits may be lost on power loss).
	Synchronous string
	// Notifier, if set, is told about each committed task change. On
	// PostgreSQL, a Notifier set before Open also hears of the changes other
	// Reelvault processes commit to the same database.
	Notifier domain.Notifier
	// WatchInterval is how often a SQLite DB with a Notifier looks for
	// changes that other processes committed to the file and passes them to
	// the Notifier (see watch.go); 0 turns the watcher off. NewDB sets
	// DefaultWatchInterval.
	WatchInterval time.Duration
	// CheckpointOnClose makes Close fold the WAL into the database file
	// (TRUNCATE) first, so that once a long-running process stops, the data
	// folder holds one self-contained file. A checkpoint that fails is
	// logged: the data is safe in the WAL either way. SQLite only.
	CheckpointOnClose bool
	// BeforeMigrate, if set, is called when an existing non-empty database is
	// about to be migrated from version from to version to; an error aborts
	// Open. The WAL has been checkpointed into the file before the call.
	BeforeMigrate func(ctx context.Context, path string, from, to int64) error
	// SchemaTarget, if set, is the schema version Open migrates a
	// PostgreSQL database up to instead of the latest: a backup of an older
	// version is loaded into a scratch schema of its own version, then
	// upgraded (see Upgrade).
	SchemaTarget int64

	// dialect is the SQL engine, chosen by Open from Path.
	dialect *dialect
	// origin and listener relay other processes' notifications on
	// PostgreSQL (see postgres_notify.go).
	origin    string
	listener  *listener
	publisher *publisher
	// watcher finds other processes' commits on SQLite; seen is what was
	// announced lately, so no change is announced twice.
	watcher *watcher
	seen    seenStates
	// stmtCache keeps prepared statements per pool (see stmt.go).
	stmtCache stmtCache
	// claims gathers concurrent claims on PostgreSQL into batches (see
	// task_claim_postgres.go).
	claims claimQueues
	// swap is held shared by every operation and exclusively by Exclusive.
	swap   sync.RWMutex
	writer *sqlx.DB
	reader *sqlx.DB
	// committer batches SQLite writes (see commit.go); checkpointer folds
	// the WAL back into the file off the commit path (see checkpoint.go).
	committer    *committer
	checkpointer *checkpointer
	// checkpoints counts the checkpointer's starts and ends (odd while
	// one runs), for the commit trace.
	checkpoints atomic.Int64
	// lock is this DB's share of the opener lock (see openlock_unix.go),
	// held from Open to Close, across Exclusive's reopen.
	lock *openLock
	// readOnly is set by Open when the data folder cannot be written: the
	// reader pool opens the file immutable and there is no writer.
	readOnly bool
	// life is cancelled when Close starts: background reads started by a
	// request (Status's table sizes) run under it, so that they end with
	// the process instead of holding Close until they finish.
	lifeMu  sync.Mutex
	life    context.Context
	endLife context.CancelFunc
}

// lifetime returns a context that Close cancels before it waits for the
// operations in flight.
func (db *DB) lifetime() context.Context {
	db.lifeMu.Lock()
	defer db.lifeMu.Unlock()
	if db.life == nil {
		db.life, db.endLife = context.WithCancel(context.Background())
	}
	return db.life
}

// endLifetime cancels the context lifetime returned; the next call to
// lifetime starts a new one.
func (db *DB) endLifetime() {
	db.lifeMu.Lock()
	defer db.lifeMu.Unlock()
	if db.endLife != nil {
		db.endLife()
	}
	db.life, db.endLife = nil, nil
}

// NewDB returns a DB for the file at path with default settings. Call Open
// before use.
func NewDB(path string) *DB {
	return &DB{
		Path:          path,
		Now:           time.Now,
		Logger:        slog.Default(),
		SlowQuery:     DefaultSlowQuery,
		Synchronous:   DefaultSynchronous,
		WatchInterval: DefaultWatchInterval,
	}
}

// Open creates the folder if needed, refuses a file that is not a Reelvault
// database, opens the pools and applies pending migrations.
func (db *DB) Open(ctx context.Context) error {
	db.swap.Lock()
	defer db.swap.Unlock()
	if db.writer != nil || db.reader != nil {
		return fmt.Errorf("open database: already open")
	}
	err := db.open(ctx)
	if err != nil {
		db.lock.release()
		db.lock = nil
	}
	return err
}

func (db *DB) open(ctx context.Context) (err error) {
	if db.Path == "" {
		return domain.Invalidf("path", "The database path is required.")
	}
	if db.Now == nil {
		db.Now = time.Now
	}
	if db.Logger == nil {
		db.Logger = slog.Default()
	}
	// Plans that do not depend on bound values on every SQLite connection
	// from now on (see sqliteqpsg); without them the store is slower, not
	// wrong.
	if err := sqliteqpsg.Enable(); err != nil {
		db.Logger.Warn("query planner stability guarantee not enabled", "err", err)
	}
	if db.SlowQuery <= 0 {
		db.SlowQuery = DefaultSlowQuery
	}
	if db.Synchronous == "" {
		db.Synchronous = DefaultSynchronous
	}
	mode := strings.ToUpper(db.Synchronous)
	if mode != "FULL" && mode != "NORMAL" {
		return domain.Invalidf("synchronous", "Synchronous must be FULL or NORMAL, not %q.", db.Synchronous)
	}
	if IsPostgresURL(db.Path) {
		db.dialect = postgresDialect
		return db.openPostgres(ctx)
	}
	db.dialect = sqliteDialect
	if err := os.MkdirAll(filepath.Dir(db.Path), 0o700); err != nil {
		return fmt.Errorf("create database folder: %w", err)
	}
	db.readOnly = !writable(filepath.Dir(db.Path), db.Path)
	if db.lock == nil {
		if db.lock, err = takeOpenLock(db.Path, db.readOnly); err != nil {
			return err
		}
	}
	if db.readOnly {
		return db.openReadOnly(ctx)
	}
	// SQLite creates the file with the umask's mode and gives -wal and -shm
	// the mode of the database file: create it private first.
	if f, err := os.OpenFile(db.Path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create database: %w", err)
	}

	// Check the file before any pragma that would change it (journal_mode=WAL
	// rewrites the header), so a foreign file is left exactly as it was.
	fresh, err := checkFile(ctx, db.Path)
	if err != nil {
		return err
	}

	writer, err := sqlx.Open("sqlite", db.dsn(true))
	if err != nil {
		return fmt.Errorf("open writer: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	defer func() {
		if err != nil {
			writer.Close()
		}
	}()

	if fresh {
		if _, err := writer.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
			return fmt.Errorf("set application id: %w", mapError(err))
		}
	}
	if err := db.migrate(ctx, writer, fresh); err != nil {
		return err
	}
	if err := db.undoImports(ctx, writer); err != nil {
		return err
	}

	reader, err := sqlx.Open("sqlite", db.dsn(false))
	if err != nil {
		return fmt.Errorf("open reader: %w", err)
	}
	n := max(4, runtime.NumCPU())
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	reader.SetConnMaxLifetime(0)
	reader.SetConnMaxIdleTime(0)
	if err := reader.PingContext(ctx); err != nil {
		reader.Close()
		return fmt.Errorf("open reader: %w", mapError(err))
	}

	if db.Notifier != nil && db.WatchInterval > 0 {
		if err := db.startWatcher(ctx); err != nil {
			reader.Close()
			return fmt.Errorf("open database: %w", mapError(err))
		}
	}
	db.writer, db.reader = writer, reader
	db.startBackground()
	return nil
}

// openReadOnly opens the reader pool on a database in a folder that cannot
// be written: immutable (no -shm or lock files needed), no writer, no
// migrations. A database that needs migrating is refused: reading it with
// this binary's queries would fail in confusing ways.
func (db *DB) openReadOnly(ctx context.Context) error {
	if _, err := os.Stat(db.Path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return db.readOnlyError()
		}
		return fmt.Errorf("stat database: %w", err)
	}
	reader, err := sqlx.Open("sqlite", "file:"+db.Path+"?mode=ro&immutable=1&_pragma=foreign_keys(1)&_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("open reader: %w", err)
	}
	n := max(4, runtime.NumCPU())
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	var appID int32
	var version int64
	err = reader.GetContext(ctx, &appID, "PRAGMA application_id")
	if err == nil && appID != ApplicationID {
		err = domain.Errorf(domain.EINVALID, "The file %s is not a Reelvault database.", db.Path)
	}
	if err == nil {
		err = reader.GetContext(ctx, &version, schemaVersionSQL)
	}
	if err == nil && version < LatestSchemaVersion() {
		err = domain.Errorf(domain.ECONFLICT, "The data folder %s is read-only and its database needs upgrading from schema version %d to %d; make the folder writable and run Reelvault once.", filepath.Dir(db.Path), version, LatestSchemaVersion())
	}
	if err != nil {
		reader.Close()
		return fmt.Errorf("open read-only database: %w", mapError(err))
	}
	db.reader = reader
	return nil
}

// readOnlyError is the error of a write to a database in a read-only folder.
func (db *DB) readOnlyError() error {
	return domain.Errorf(domain.ECONFLICT, "The data folder %s is read-only; Reelvault can show its data but not change it.", filepath.Dir(db.Path))
}

// ReadOnly reports whether the database was opened read-only because its
// folder cannot be written.
func (db *DB) ReadOnly() bool { return db.readOnly }

// Claim takes the database for this DB alone: it fails with ECONFLICT,
// naming them, while other processes (or other DBs in this process) have
// the file open, and keeps them from opening it until release. Restores
// claim the database before they change anything.
func (db *DB) Claim() (release func(), err error) {
	db.swap.RLock()
	defer db.swap.RUnlock()
	if db.reader == nil {
		return nil, errClosed
	}
	if db.readOnly {
		return nil, db.readOnlyError()
	}
	if db.dialect.isPostgres() {
		return nil, errExclusivePostgres
	}
	if err := db.lock.claim(db.Path); err != nil {
		return nil, err
	}
	return db.lock.unclaim, nil
}

// dsn returns the connection string of the writer or the reader pool. Every
// pragma lives here so each pooled connection gets it.
// pageCacheKiB is each connection's page cache (SQLite's cache_size).
const pageCacheKiB = 16000

func (db *DB) dsn(writer bool) string {
	params := []string{
		"_pragma=busy_timeout(" + fmt.Sprint(DefaultBusyTimeout.Milliseconds()) + ")",
		"_pragma=journal_mode(WAL)",
		"_pragma=foreign_keys(1)",
		"_pragma=synchronous(" + strings.ToUpper(db.Synchronous) + ")",
		// Reads go through a memory map instead of a read() per page, and
		// each connection keeps up to 16 MB of pages.
		"_pragma=mmap_size(268435456)",
		"_pragma=cache_size(" + strconv.Itoa(-pageCacheKiB) + ")",
	}
	if writer {
		// BEGIN IMMEDIATE takes the write lock up front: a transaction never
		// fails half-way when it upgrades from reading to writing.
		params = append(params, "_txlock=immediate")
		// Checkpoints run on their own connection (see checkpoint.go), not
		// inside whichever commit crosses the threshold.
		params = append(params, "_pragma=wal_autocheckpoint(0)")
	} else {
		params = append(params, "_pragma=query_only(1)")
	}
	return db.Path + "?" + strings.Join(params, "&")
}

// checkFile reports whether the file at path is new (absent or without any
// schema) and refuses a SQLite file that belongs to another application.
func checkFile(ctx context.Context, path string) (fresh bool, err error) {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	} else if err != nil {
		return false, fmt.Errorf("stat database: %w", err)
	} else if fi.IsDir() {
		return false, domain.Invalidf("path", "The database path %s is a folder, not a file.", path)
	} else if fi.Size() == 0 {
		return true, nil
	}

	conn, err := sqlx.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return false, fmt.Errorf("check database: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)

	var appID int32
	if err := conn.GetContext(ctx, &appID, "PRAGMA application_id"); err != nil {
		if code := sqliteCode(err); code == sqliteNotADB {
			return false, domain.Errorf(domain.EINVALID, "The file %s is not a Reelvault database.", path)
		}
		return false, fmt.Errorf("check database: %w", err)
	}
	var objects int
	if err := conn.GetContext(ctx, &objects, "SELECT count(*) FROM sqlite_schema"); err != nil {
		return false, fmt.Errorf("check database: %w", err)
	}
	switch {
	case appID == ApplicationID:
		return objects == 0, nil
	case appID == 0 && objects == 0:
		return true, nil
	default:
		return false, domain.Errorf(domain.ECONFLICT,
			"The file %s is a SQLite database of another application (application_id %#x), not a Reelvault database; it was left untouched.", path, uint32(appID))
	}
}

// Close closes both pools (after a checkpoint when CheckpointOnClose is
// set). The DB may be opened again.
func (db *DB) Close() error {
	db.endLifetime()
	if db.CheckpointOnClose {
		db.checkpointOnClose()
	}
	db.swap.Lock()
	defer db.swap.Unlock()
	err := db.close()
	db.lock.release()
	db.lock = nil
	return err
}

// closeCheckpointTimeout bounds the checkpoint of Close.
const closeCheckpointTimeout = 10 * time.Second

// checkpointOnClose runs Close's checkpoint on an open, writable SQLite
// database and logs a failure.
func (db *DB) checkpointOnClose() {
	db.swap.RLock()
	skip := db.writer == nil || db.dialect == nil || db.dialect.isPostgres()
	db.swap.RUnlock()
	if skip {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeCheckpointTimeout)
	defer cancel()
	if _, err := db.Checkpoint(ctx); err != nil {
		db.Logger.Warn("checkpoint at shutdown", "err", err)
	}
}

func (db *DB) close() error {
	db.stopBackground()
	db.stopListener()
	db.stopWatcher()
	db.stopPublisher()
	db.closeStmts()
	var errs []error
	if db.reader != nil {
		errs = append(errs, db.reader.Close())
	}
	if db.writer != nil {
		errs = append(errs, db.writer.Close())
	}
	db.reader, db.writer = nil, nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// errClosed is returned by operations on a DB that is not open.
var errClosed = errors.New("database is not open")

// Read runs fn with the reader pool while holding the swap lock shared.
// fn must not call Read, Write or Exclusive.
func (db *DB) Read(ctx context.Context, fn func(r *sqlx.DB) error) error {
	db.swap.RLock()
	defer db.swap.RUnlock()
	if db.reader == nil {
		return errClosed
	}
	return fn(db.reader)
}

// Write runs fn with the writer pool (a single connection whose transactions
// begin IMMEDIATE) while holding the swap lock shared. fn must not call Read,
// Write or Exclusive. What fn commits is durable when Write returns.
func (db *DB) Write(ctx context.Context, fn func(w *sqlx.DB) error) error {
	return db.useWriter(ctx, func(w *sqlx.DB) error {
		err := fn(w)
		if c := db.committer; c != nil && c.syncer != nil {
			// The writer connection runs synchronous=NORMAL while the
			// syncer does the fsyncs (see walsync.go).
			err = errors.Join(err, c.syncer.syncNow())
		}
		return err
	})
}

// useWriter is Write without the fsync of fn's commits, for the service
// writes, which the committer makes durable.
func (db *DB) useWriter(ctx context.Context, fn func(w *sqlx.DB) error) error {
	db.swap.RLock()
	defer db.swap.RUnlock()
	if db.writer == nil {
		if db.readOnly && db.reader != nil {
			return db.readOnlyError()
		}
		return errClosed
	}
	return fn(db.writer)
}

// Exclusive waits for every in-flight operation, checkpoints the WAL into
// the main file, closes both pools and runs fn with the database path; fn may
// replace the file. The database is then reopened (running migrations). New
// operations wait meanwhile. If fn fails, the old file is reopened and fn's
// error returned.
func (db *DB) Exclusive(ctx context.Context, fn func(path string) error) error {
	db.swap.Lock()
	defer db.swap.Unlock()
	if db.writer == nil {
		if db.readOnly && db.reader != nil {
			return db.readOnlyError()
		}
		return errClosed
	}
	if db.dialect.isPostgres() {
		return errExclusivePostgres
	}
	// TRUNCATE leaves the whole database in the main file and an empty WAL,
	// so fn sees a self-contained file it can copy or replace. The
	// background checkpointer stops first so it cannot hold the checkpoint
	// lock meanwhile.
	db.stopBackground()
	if _, err := walCheckpoint(ctx, db.writer, "TRUNCATE"); err != nil {
		return err
	}
	sessions, err := liveSessions(ctx, db.writer)
	if err != nil {
		return err
	}
	if err := db.close(); err != nil {
		return err
	}
	fnErr := fn(db.Path)
	// Reopen even when ctx is done: leaving the DB closed would break the
	// running process.
	if err := db.open(context.WithoutCancel(ctx)); err != nil {
		if fnErr != nil {
			return errors.Join(fnErr, fmt.Errorf("reopen database: %w", err))
		}
		return fmt.Errorf("reopen database: %w", err)
	}
	if fnErr == nil {
		// The owner's sessions are this install's credentials, not
		// history: a file put in place (a restore, an undo) gets the ones
		// signed in now, before any request sees it, so no open browser
		// is signed out and no session ended since the backup comes back.
		if err := putSessions(context.WithoutCancel(ctx), db.writer, sessions); err != nil {
			return fmt.Errorf("keep the owner sessions: %w", err)
		}
	}
	return fnErr
}

// SchemaVersion returns the version of the last migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.Read(ctx, func(r *sqlx.DB) error {
		return r.GetContext(ctx, &v, schemaVersionSQL)
	})
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}
