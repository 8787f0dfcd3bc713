// Package app is Reelvault's composition root: Main builds the store, the
// notification hub, the domain services, the backup manager and its
// schedule, and the lease-expiry runner in one place, for `reelvault serve`,
// the desktop window and the one-shot commands alike.
//
// The packages read top-down: main → app (and its cli, server and desktop
// packages) → backup → store → domain. The interfaces live in domain; store
// and backup implement them; the HTTP server and the window consume them
// and never see SQL.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reelvault/reelvault/app/hub"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// Main is one opened Reelvault: fill its configuration, then Open; a
// serving process (serve, the window) also calls Run to start the
// background jobs; Close stops them and closes the store.
type Main struct {
	// Path is the SQLite database file or a PostgreSQL URL.
	Path string
	// DataDir is the data directory: its media folder is the default media
	// root and is protected from media registrations.
	DataDir string
	// BackupDir, if set, is where backups go instead of the default folder
	// beside the database.
	BackupDir string
	// SlowQuery is the slow-query log's threshold; the store's default
	// when zero.
	SlowQuery time.Duration
	// Serving is set for a serving process (serve, the window: it holds the
	// serve lock). Only it watches the database for other processes'
	// changes (publishing them on the hub) and checkpoints the WAL when it
	// closes; a one-shot command opens no watcher connection.
	Serving bool
	// LeaseCheckInterval is how often Run's lease expiry returns expired
	// worker leases to pending; DefaultLeaseCheckInterval when zero.
	LeaseCheckInterval time.Duration
	// Logger receives background errors.
	Logger *slog.Logger

	// Built by Open.
	DB    *store.DB
	Hub   *hub.Hub
	Tasks *store.TaskService
	// Library organises the history: trash, stars, ratings, tags,
	// collections, bulk actions and run again.
	Library *store.LibraryService
	Users   domain.UserService
	Stats   domain.StatsService
	Media   domain.MediaService
	// Sessions keeps the web UI's owner sessions and sign-in links, so a
	// browser stays signed in across restarts.
	Sessions domain.SessionService
	// Backup and Scheduler work on both engines (a PostgreSQL store is
	// backed up as a logical dump); Export is nil unless the store is
	// SQLite.
	Backup    *backup.Service
	Export    domain.ExportService
	Scheduler *backup.Scheduler
	// Upgrade is set when Open upgraded an older database's schema (after a
	// pre-migration backup), for the person to be told.
	Upgrade *domain.Upgrade

	backupOnce sync.Once
	backupMgr  *backup.Manager // see BackupManager

	bg bgJobs
}

// DefaultLeaseCheckInterval is how often expired worker leases are
// returned to pending while Reelvault serves.
const DefaultLeaseCheckInterval = 5 * time.Second

// Open opens the store and builds the services. On SQLite an existing
// database is backed up before migrations change it (Upgrade says so).
func (m *Main) Open(ctx context.Context) error {
	if m.Logger == nil {
		m.Logger = slog.New(slog.DiscardHandler)
	}
	db := store.NewDB(m.Path)
	db.Logger = m.Logger
	if m.SlowQuery > 0 {
		db.SlowQuery = m.SlowQuery
	}
	m.Hub = hub.New()
	db.Notifier = m.Hub
	if !m.Serving {
		db.WatchInterval = 0
	}
	db.CheckpointOnClose = m.Serving
	m.DB = db
	m.Tasks = store.NewTaskService(db)
	m.Tasks.Media = store.NewMediaService(db, m.DataDir)
	if m.DataDir != "" {
		// Poster frames are cached in the data directory, made by ffmpeg.
		m.Tasks.Posters = store.NewPosterCache(filepath.Join(m.DataDir, "posters"))
		m.Tasks.Posters.Notifier = m.Hub
		m.Tasks.Posters.Logger = m.Logger
	}
	m.Media = m.Tasks.Media
	m.Library = store.NewLibraryService(db)
	m.Library.Media = m.Tasks.Media
	m.Users = store.NewUserService(db)
	m.Sessions = store.NewSessionService(db)
	m.Stats = store.NewStatsService(db)
	sqlite := !store.IsPostgresURL(m.Path)
	if sqlite {
		// Before migrations change an existing database, back it up. The
		// hook also runs when a restore reopens the store; only the first
		// open's upgrade is reported.
		var opened atomic.Bool
		db.BeforeMigrate = func(ctx context.Context, path string, from, to int64) error {
			bm := m.BackupManager()
			b, err := bm.PreMigrationBackup(ctx, path, from, to)
			if err == nil && !opened.Load() {
				m.Upgrade = &domain.Upgrade{From: from, To: to, Backup: filepath.Join(bm.Dir, b.Name)}
			}
			return err
		}
		defer opened.Store(true)
	}
	if err := db.Open(ctx); err != nil {
		if sqlite {
			return fmt.Errorf("open database %s: %w", m.Path, err)
		}
		return fmt.Errorf("open database: %w", err)
	}
	m.Scheduler = backup.NewScheduler(m.BackupManager())
	m.Backup = backup.NewService(m.Scheduler)
	if db.Engine() == store.EngineSQLite {
		m.Export = store.NewExportService(db)
	}
	return nil
}

// BackupManager returns the backup Manager of the store, writing to
// BackupDir when set (on PostgreSQL, else to the data folder's backups). There is one Manager per Main: a restore holds the
// backup lock while the store reopens and may run its pre-migration hook,
// which must be the same Manager to see that it holds the lock.
func (m *Main) BackupManager() *backup.Manager {
	m.backupOnce.Do(func() {
		bm := backup.NewManager(m.DB)
		switch {
		case m.BackupDir != "":
			bm.Dir = m.BackupDir
		case store.IsPostgresURL(m.Path) && m.DataDir != "":
			// A PostgreSQL store has no folder of its own: its backups
			// go to the data folder's backups folder.
			bm.Dir = filepath.Join(m.DataDir, "backups")
		}
		bm.Logger = m.Logger
		m.backupMgr = bm
	})
	return m.backupMgr
}

// Run starts the background jobs of a serving process: lease expiry (so a
// worker that dies never strands its task, with or without the HTTP API),
// the daily purge of the trash and, on SQLite, the maintenance schedule. It returns at once. An error
// says the schedule could not start; lease expiry runs anyway. Stop (or
// Close) stops both.
func (m *Main) Run(ctx context.Context) error {
	return m.bg.start(ctx, m)
}

// Stop stops what Run started and waits for it. It may be called more than
// once, and without Run.
func (m *Main) Stop() {
	m.bg.stop()
}

// Close stops the background jobs and closes the store (which folds the
// SQLite WAL into the database file first).
func (m *Main) Close() error {
	m.Stop()
	if m.DB == nil {
		return nil
	}
	return m.DB.Close()
}

// bgJobs are the goroutines Run starts.
type bgJobs struct {
	mu        sync.Mutex
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	scheduler *backup.Scheduler // started, to stop
}

func (b *bgJobs) start(ctx context.Context, m *Main) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cancel != nil {
		return nil // already running
	}
	ctx, b.cancel = context.WithCancel(ctx)
	le := LeaseExpiry{Tasks: m.Tasks, Interval: m.LeaseCheckInterval, Logger: m.Logger}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		le.Run(ctx)
	}()
	if m.Library != nil && !m.DB.ReadOnly() {
		tp := TrashPurge{Library: m.Library, Runs: store.NewJobRuns(m.DB), Logger: m.Logger}
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			tp.Run(ctx)
		}()
	}
	if m.Scheduler != nil {
		if err := m.Scheduler.Start(ctx); err != nil {
			return fmt.Errorf("start the backup schedule: %w", err)
		}
		b.scheduler = m.Scheduler
	}
	return nil
}

func (b *bgJobs) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cancel == nil {
		return
	}
	if b.scheduler != nil {
		b.scheduler.Stop()
		b.scheduler = nil
	}
	b.cancel()
	b.wg.Wait()
	b.cancel = nil
}
