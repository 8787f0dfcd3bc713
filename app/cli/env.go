package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/reelvault/reelvault/app"
	"github.com/reelvault/reelvault/app/hub"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// DBFile is the name of the SQLite database inside the data directory.
const DBFile = "reelvault.db"

// Environment variables read by the command line.
const (
	EnvDataDir = "REELVAULT_DATA_DIR" // the data directory, like --data-dir
	EnvDB      = "REELVAULT_DB"       // a PostgreSQL URL, like --db

	// EnvSlowQuery is the slow-query log's threshold as a Go duration
	// ("250ms"); default store.DefaultSlowQuery.
	EnvSlowQuery = "REELVAULT_SLOW_QUERY"

	// EnvBackupDir is the folder of backups and their catalogue; default
	// <data dir>/backups, beside the database.
	EnvBackupDir = "REELVAULT_BACKUP_DIR"
)

// Config is the global configuration from flags and the environment.
type Config struct {
	// DataDir holds the SQLite database, backups and settings. Empty means
	// the default: $REELVAULT_DATA_DIR, else the user data directory.
	DataDir string `json:"data_dir"`

	// DBURL is a PostgreSQL URL (--db, $REELVAULT_DB). Empty means SQLite
	// in DataDir.
	DBURL string `json:"db_url,omitempty"`

	JSON    bool `json:"json"`    // print JSON instead of tables
	Verbose bool `json:"verbose"` // log debug messages to stderr
}

// Services are the store's services as the commands use them.
type Services struct {
	// DB is the store, on SQLite or PostgreSQL (DB.Engine tells which;
	// backups and maintenance work on SQLite only); nil for a registered
	// Backend that is not the store.
	DB *store.DB

	Tasks domain.TaskService
	Users domain.UserService
	Stats domain.StatsService
	// Sessions keeps the web UI's owner sessions and sign-in links; nil for
	// a registered Backend that has none.
	Sessions domain.SessionService
	// Media manages the media roots, which Tasks applies; nil for a
	// registered Backend that has none.
	Media domain.MediaService
	// Library keeps the trash, stars, ratings, tags, collections, bulk
	// actions and reruns; nil for a registered Backend that has none.
	Library domain.LibraryService

	// Hub receives the store's notifications, for the window's and the
	// server's live updates.
	Hub *hub.Hub

	// Main is the composition root that opened the store: it holds the
	// backup manager, the schedule and the lease expiry of a serving
	// process. Nil for a registered Backend that is not the store.
	Main *app.Main

	// Close releases the backend; Env.Close calls it.
	Close func() error

	// Upgrade is set when opening the store upgraded an older database's
	// schema (after a pre-migration backup), for the person to be told.
	Upgrade *domain.Upgrade
}

// Backend opens the services for a --db URL with one of its schemes, for
// engines the store does not open itself (it opens postgres:// and
// postgresql:// URLs). Open should set Services.Hub as the store's notifier.
type Backend struct {
	Schemes []string // URL schemes, e.g. "postgres", "postgresql"
	Open    func(ctx context.Context, url string, logger *slog.Logger) (*Services, error)
}

var (
	backendsMu sync.Mutex
	backends   = map[string]Backend{}
)

// RegisterBackend makes a --db backend available, typically from an init
// function in the backend's own file.
func RegisterBackend(b Backend) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	for _, s := range b.Schemes {
		backends[s] = b
	}
}

// Env is what a command runs with: configuration, streams, a logger and the
// services, opened on first use.
type Env struct {
	Config  Config
	Version string
	Assets  fs.FS

	// Commit and BuildDate identify the build (Options); see BuildInfo.
	Commit    string
	BuildDate string

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string

	// Logger writes to Stderr: warnings (slow queries among them) by
	// default, debug messages too with --verbose.
	Logger *slog.Logger

	// WindowRoute is the screen the window opens on, a hash route such as
	// "#/task/ID"; the open command sets it. Empty: wherever the window
	// starts, and an open window is only brought to the front.
	WindowRoute string

	opts     Options
	logLevel *slog.LevelVar
	cmd      *Command
	flags    *flag.FlagSet // the running command's flags, once parsed
	svc      *Services

	serveLock *ServeLock // see LockServe
}

func newEnv(opts Options) *Env {
	env := &Env{
		Version:   opts.Version,
		Commit:    opts.Commit,
		BuildDate: opts.BuildDate,
		Assets:    opts.Assets,
		Stdin:     opts.Stdin,
		Stdout:    opts.Stdout,
		Stderr:    opts.Stderr,
		Getenv:    opts.Getenv,
		opts:      opts,
		logLevel:  new(slog.LevelVar),
	}
	if env.Version == "" {
		env.Version = "dev"
	}
	if env.Stdin == nil {
		env.Stdin = os.Stdin
	}
	if env.Stdout == nil {
		env.Stdout = os.Stdout
	}
	if env.Stderr == nil {
		env.Stderr = os.Stderr
	}
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	env.logLevel.Set(logLevel(false))
	env.Logger = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: env.logLevel}))
	env.Config.DBURL = env.Getenv(EnvDB)
	return env
}

// BuildInfo identifies the running build: what "reelvault version" prints
// and the window's About shows.
type BuildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	BuildDate string `json:"build_date,omitempty"` // RFC 3339
	// SchemaVersion is the newest database schema this build reads and
	// writes; it refuses a database with a newer one.
	SchemaVersion int64 `json:"schema_version"`
}

// BuildInfo returns the running build's version, commit, date and schema.
func (env *Env) BuildInfo() BuildInfo {
	return BuildInfo{
		Version:       env.Version,
		Commit:        env.Commit,
		BuildDate:     env.BuildDate,
		SchemaVersion: store.LatestSchemaVersion(),
	}
}

// Command returns the running command, nil when there is none.
func (env *Env) Command() *Command { return env.cmd }

// DataDir returns the data directory: --data-dir, else $REELVAULT_DATA_DIR,
// else the user data directory's "reelvault" folder.
func (env *Env) DataDir() (string, error) {
	if env.Config.DataDir != "" {
		return filepath.Abs(env.Config.DataDir)
	}
	if dir := env.Getenv(EnvDataDir); dir != "" {
		return filepath.Abs(dir)
	}
	base, err := userDataDir(env.Getenv)
	if err != nil {
		return "", fmt.Errorf("find data directory (set --data-dir or $%s): %w", EnvDataDir, err)
	}
	return filepath.Join(base, "reelvault"), nil
}

// DBPath returns the SQLite database file in the data directory.
func (env *Env) DBPath() (string, error) {
	dir, err := env.DataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, DBFile), nil
}

// userDataDir is the per-user data directory, in the spirit of
// os.UserConfigDir: $XDG_DATA_HOME or ~/.local/share on Unix,
// ~/Library/Application Support on macOS, %LocalAppData% on Windows.
func userDataDir(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "windows":
		if dir := getenv("LocalAppData"); dir != "" {
			return dir, nil
		}
		return "", errors.New("%LocalAppData% is not set")
	case "darwin", "ios":
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("$HOME is not set")
		}
		return filepath.Join(home, "Library", "Application Support"), nil
	}
	if dir := getenv("XDG_DATA_HOME"); dir != "" {
		if !filepath.IsAbs(dir) {
			return "", fmt.Errorf("$XDG_DATA_HOME is not an absolute path: %q", dir)
		}
		return dir, nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither $XDG_DATA_HOME nor $HOME is set")
	}
	return filepath.Join(home, ".local", "share"), nil
}

// Services opens the store on first use and returns its services. Env.Close
// (called by Main) closes it; calling Services again after Close reopens it.
func (env *Env) Services(ctx context.Context) (*Services, error) {
	if env.svc != nil {
		return env.svc, nil
	}
	var (
		svc *Services
		err error
	)
	if env.Config.DBURL != "" {
		svc, err = env.openBackend(ctx, env.Config.DBURL)
	} else {
		var path string
		if path, err = env.DBPath(); err == nil {
			svc, err = env.openStore(ctx, path)
		}
	}
	if err != nil {
		return nil, err
	}
	env.svc = svc
	return svc, nil
}

// openStore opens the store on path (a SQLite file, or a PostgreSQL URL)
// through the composition root, app.Main.
func (env *Env) openStore(ctx context.Context, path string) (*Services, error) {
	m := &app.Main{
		Path:      path,
		BackupDir: env.Getenv(EnvBackupDir),
		// Only a serving process (serve, the window: it holds the serve
		// lock) shows other processes' changes live; a one-shot command
		// opens no watcher connection and polls nothing.
		Serving: env.serveLock != nil,
		Logger:  env.Logger,
	}
	if v := env.Getenv(EnvSlowQuery); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, domain.Invalidf("slow_query", "$%s must be a positive duration such as 250ms, not %q.", EnvSlowQuery, v)
		}
		m.SlowQuery = d
	}
	// The media rule protects the data directory and makes its media
	// folder the default root, on either engine.
	m.DataDir, _ = env.DataDir()
	if err := m.Open(ctx); err != nil {
		return nil, err
	}
	if u := m.Upgrade; u != nil {
		fmt.Fprintf(env.Stderr, "Upgraded the database from schema version %d to %d; the database as it was is backed up in %s.\n", u.From, u.To, u.Backup)
	}
	return &Services{
		DB:       m.DB,
		Tasks:    m.Tasks,
		Media:    m.Media,
		Library:  m.Library,
		Users:    m.Users,
		Sessions: m.Sessions,
		Stats:    m.Stats,
		Hub:      m.Hub,
		Upgrade:  m.Upgrade,
		Main:     m,
		Close:    m.Close,
	}, nil
}

func (env *Env) openBackend(ctx context.Context, url string) (*Services, error) {
	scheme, _, ok := strings.Cut(url, "://")
	if !ok {
		// The value is not echoed: it may hold a password.
		return nil, domain.Invalidf("db", "--db must be a URL such as postgres://user@host/dbname.")
	}
	backendsMu.Lock()
	b, ok := backends[scheme]
	backendsMu.Unlock()
	if !ok {
		if store.IsPostgresURL(url) {
			return env.openStore(ctx, url)
		}
		return nil, domain.Invalidf("db", "--db: this build cannot open %q databases.", scheme)
	}
	svc, err := b.Open(ctx, url, env.Logger)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", scheme, err)
	}
	return svc, nil
}

// Close closes the services if they are open.
func (env *Env) Close() error {
	if env.serveLock != nil {
		env.serveLock.Release()
		env.serveLock = nil
	}
	if env.svc == nil {
		return nil
	}
	svc := env.svc
	env.svc = nil
	if svc.Close == nil {
		return nil
	}
	return svc.Close()
}
