package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

func init() {
	Register(&Command{
		Name:    "serve",
		Args:    "[--addr HOST:PORT] [--allow-remote]",
		Summary: "Serve the HTTP API and the web UI until interrupted; runs the backup schedule.",
		Run:     runServe,
	})
}

// serveOutput is the JSON "serve --json" prints once it listens.
type serveOutput struct {
	URL       string `json:"url"`
	OwnerURL  string `json:"owner_url"`
	TokenFile string `json:"token_file"`
}

// shutdownGrace bounds how long serve waits for requests in flight when it
// is told to stop.
const shutdownGrace = 10 * time.Second

// runServe runs the HTTP server until SIGINT or SIGTERM (which cancel ctx in
// main), then stops accepting, finishes the requests in flight, stops the
// scheduler, checkpoints the WAL and lets Main close the store.
func runServe(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	addr := fs.String("addr", server.DefaultAddr, "listen on `HOST:PORT` (loopback unless --allow-remote)")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback --addr (anyone who can reach it may try API keys)")
	if _, err := env.Parse(fs, args); err != nil {
		return err
	}
	if err := server.CheckAddr(*addr, *allowRemote); err != nil {
		return err
	}
	dataDir, err := env.DataDir()
	if err != nil {
		return err
	}
	// One serving process per data dir, before the store is even opened: a
	// second server would keep writing beside a restore of the first, and
	// its shutdown would delete the first one's token file.
	lock, err := env.LockServe("serve")
	if err != nil {
		return err
	}
	svc, err := env.Services(ctx)
	if err != nil {
		return err
	}

	cfg := server.Config{
		Tasks:       svc.Tasks,
		Users:       svc.Users,
		Stats:       svc.Stats,
		Media:       svc.Media,
		Hub:         svc.Hub,
		Assets:      env.Assets,
		DataDir:     dataDir,
		Addr:        *addr,
		AllowRemote: *allowRemote,
		Logger:      env.Logger,
	}
	// On a PostgreSQL store the backup routes answer 404.
	var sched *backup.Scheduler
	if b := svc.Backup(env.Logger); b != nil {
		sched = b.Scheduler
		cfg.Backup = b
		cfg.Export = svc.Export()
	}

	srv := server.New(cfg)
	ln, err := srv.Listen()
	if err != nil {
		return err
	}
	if err := lock.SetAddr(srv.URL()); err != nil {
		ln.Close()
		return err
	}
	if host, _, _ := net.SplitHostPort(*addr); *allowRemote && !isLoopbackHost(host) {
		env.Logger.Warn("serving on a non-loopback address: anyone who can reach it can try API keys, and the owner link signs in from any machine", "addr", ln.Addr().String())
	}
	if sched != nil {
		if err := sched.Start(ctx); err != nil {
			ln.Close()
			return fmt.Errorf("start the backup schedule: %w", err)
		}
	}

	out := serveOutput{URL: srv.URL(), OwnerURL: srv.OwnerURL(), TokenFile: filepath.Join(dataDir, server.TokenFile)}
	if env.Config.JSON {
		if err := env.PrintJSON(out); err != nil {
			return err
		}
	} else {
		env.Printf("Reelvault is serving the API at %s/api/v1\n", out.URL)
		env.Printf("Open the web UI (the link signs you in once):\n\n    %s\n\n", out.OwnerURL)
		env.Printf("A new sign-in token is kept in %s after each use. Press Ctrl+C to stop.\n", out.TokenFile)
	}

	serveErr := srv.Serve(ctx, ln) // returns after a graceful shutdown once ctx is done
	if sched != nil {
		sched.Stop()
	}
	if svc.DB != nil && svc.DB.Engine() == store.EngineSQLite {
		if err := checkpoint(svc.DB); err != nil {
			env.Logger.Warn("checkpoint at shutdown", "err", err)
		}
	}
	if serveErr != nil {
		return serveErr
	}
	env.Logger.Info("stopped serving")
	return nil
}

// Backup builds the backup service of the store for `serve` and the window:
// the backup manager and its schedule (not started: start and stop it with
// Scheduler.Start and Stop), with logger for background errors. It returns
// nil unless the store is SQLite: backups and the schedule work on the
// SQLite store only, and a PostgreSQL store is backed up with pg_dump.
func (s *Services) Backup(logger *slog.Logger) *backup.Service {
	if !s.sqlite() {
		return nil
	}
	return backup.NewService(backup.NewScheduler(s.BackupManager(logger)))
}

// Export returns the export service of the store for `serve` and the
// window, or nil unless the store is SQLite (like backups, export and import
// are offered on the SQLite store only).
func (s *Services) Export() domain.ExportService {
	if !s.sqlite() {
		return nil
	}
	return store.NewExportService(s.DB)
}

// sqlite reports whether the services run on the store's SQLite engine.
func (s *Services) sqlite() bool {
	return s.DB != nil && s.DB.Engine() == store.EngineSQLite
}

// BackupManager returns the backup Manager of the SQLite store, writing to
// BackupDir when set; logger may be nil. There is one Manager per Services:
// a restore holds the backup lock while the store reopens and may run its
// pre-migration hook, which must be the same Manager to see that it holds
// the lock. The first call's logger is kept.
func (s *Services) BackupManager(logger *slog.Logger) *backup.Manager {
	s.backupOnce.Do(func() {
		m := backup.NewManager(s.DB)
		if s.BackupDir != "" {
			m.Dir = s.BackupDir
		}
		if logger != nil {
			m.Logger = logger
		}
		s.backup = m
	})
	return s.backup
}

// checkpoint folds the WAL into the database file before Main closes the
// store, so the data dir holds one self-contained file after a stop.
func checkpoint(db *store.DB) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return db.Write(ctx, func(w *sqlx.DB) error {
		_, err := w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		return err
	})
}

// isLoopbackHost reports whether host is localhost or a loopback IP.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
