package cli

import (
	"context"
	"fmt"
	"net"
	"path/filepath"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
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

// runServe runs the HTTP server until SIGINT or SIGTERM (which cancel ctx in
// main), then stops accepting, finishes the requests in flight, stops the
// background jobs and lets Main close the store (which checkpoints the WAL).
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
		Sessions:    svc.Sessions,
		Stats:       svc.Stats,
		Media:       svc.Media,
		Library:     svc.Library,
		Hub:         svc.Hub,
		Assets:      env.Assets,
		DataDir:     dataDir,
		Addr:        *addr,
		AllowRemote: *allowRemote,
		Logger:      env.Logger,
	}
	// On a PostgreSQL store the backup routes answer 404.
	if b := svc.Backup(); b != nil {
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
		env.warn("addr", fmt.Sprintf("serving on the non-loopback address %s: anyone who can reach it can try API keys, and a sign-in link signs in from any machine.", ln.Addr().String()))
	}
	// The background jobs: lease expiry and, on SQLite, the schedule.
	// Main.Close (through Env.Close) stops them and checkpoints the store.
	if svc.Main != nil {
		if err := svc.Main.Run(ctx); err != nil {
			ln.Close()
			return err
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
	if svc.Main != nil {
		svc.Main.Stop()
	}
	if serveErr != nil {
		return serveErr
	}
	env.Logger.Info("stopped serving")
	return nil
}

// Backup returns the backup service of the store for `serve` and the
// window: the backup manager and its schedule (started by Main.Run). It
// returns nil without Reelvault's own store; on PostgreSQL backups are
// logical dumps (see package backup).
func (s *Services) Backup() *backup.Service {
	if s.Main == nil {
		return nil
	}
	return s.Main.Backup
}

// Export returns the export service of the store for `serve` and the
// window, or nil unless the store is SQLite (like backups, export and import
// are offered on the SQLite store only).
func (s *Services) Export() domain.ExportService {
	if s.Main == nil || s.Main.Export == nil {
		return nil
	}
	return s.Main.Export
}

// BackupManager returns the backup Manager of the SQLite store (see
// app.Main.BackupManager).
func (s *Services) BackupManager() *backup.Manager {
	return s.Main.BackupManager()
}

// isLoopbackHost reports whether host is localhost or a loopback IP.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
