// Package server is Reelvault's local HTTP server: the v1 JSON API that
// generation pipelines call with API keys, the owner session of the web UI,
// live events over Server-Sent Events, video streaming and the embedded web UI.
//
// Handlers are thin: they authenticate, decode, put the actor in the context
// and call the domain services; error codes become HTTP statuses only here.
// The server is built to be safe on a laptop: it binds loopback by default,
// checks the Host header (DNS rebinding) and the Origin of state-changing
// requests (CSRF), limits bodies, rate-limits failed logins and never lets a
// request path reach the file system.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/reelvault/reelvault/app/hub"
	"github.com/reelvault/reelvault/domain"
)

// Defaults for Config fields left zero.
const (
	DefaultAddr = "127.0.0.1:7788"
	// DefaultSessionTTL is the session cookie's lifetime in the browser;
	// the server ends a session earlier after domain.SessionIdle unused.
	DefaultSessionTTL        = domain.SessionMaxAge
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultSSEKeepAlive      = 15 * time.Second

	// TokenFile is the name of the owner token file in the data directory.
	TokenFile = "owner-token"
	// SessionCookie is the name of the owner session cookie.
	SessionCookie = "reelvault_session"
)

// Config is what a Server needs. Tasks, Users and Stats are required.
type Config struct {
	Tasks  domain.TaskService
	Users  domain.UserService
	Stats  domain.StatsService
	Backup domain.BackupService // optional: backup routes answer 404 without it
	Export domain.ExportService // optional: export and import answer 404 without it
	Hub    *hub.Hub             // optional: the event stream is empty without it

	// Sessions keeps the owner sessions and sign-in links; optional: without
	// it they are kept in memory and end with the process.
	Sessions domain.SessionService

	// Media manages the media roots; optional: its routes answer 404
	// without it.
	Media domain.MediaService

	// Library keeps the trash, stars, ratings, tags, collections, bulk
	// actions and reruns; optional: its routes answer 404 without it.
	Library domain.LibraryService

	// Assets is the web UI (the built frontend), served at / with a
	// fallback to index.html for client-side routes. Optional.
	Assets fs.FS

	// DataDir receives the owner token file (0600). Optional.
	DataDir string

	// Addr is the listen address; DefaultAddr when empty. A non-loopback
	// address is refused unless AllowRemote is set.
	Addr        string
	AllowRemote bool
	// AllowedHosts are extra Host header names accepted besides the loopback
	// names and the host of Addr.
	AllowedHosts []string

	// WriteTimeout bounds the time to write a response; DefaultWriteTimeout
	// when zero. Event streams, media, downloads and export lift it.
	WriteTimeout time.Duration

	// Logger receives request failures and lifecycle messages.
	Logger *slog.Logger

	// Now returns the current time; tests may replace it.
	Now func() time.Time
}

// Server serves the HTTP API. Create it with New.
type Server struct {
	cfg    Config
	logger *slog.Logger
	mux    *http.ServeMux
	routes []Route
	// routeMux and byPattern find the route of a request (Match).
	routeMux  *http.ServeMux
	byPattern map[string]Route
	auth      *authenticator
	// streams counts open event streams per API key (MaxStreamsPerKey).
	streams keyStreams

	// ctx is cancelled by Shutdown so that event streams end and background
	// loops stop before in-flight requests are waited for. It is not the
	// requests' context: an ordinary request in flight runs to completion.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	httpSrv   *http.Server
	listenURL string // http://host:port once listening

	// stopped is closed when Shutdown has finished, so that Serve returns
	// only after the requests in flight are done.
	stopped  chan struct{}
	stopOnce sync.Once
}

// New returns a server for cfg. It does not listen; call ListenAndServe, or
// mount Handler on a server of your own.
func New(cfg Config) *Server {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:     cfg,
		logger:  cfg.Logger,
		mux:     http.NewServeMux(),
		ctx:     ctx,
		cancel:  cancel,
		stopped: make(chan struct{}),
	}
	s.auth = newAuthenticator(cfg.Users, cfg.Sessions, cfg.Now)
	s.auth.onRotate = func() {
		// Only a serving server has a token file to keep current.
		if s.URL() == "" {
			return
		}
		if err := s.writeTokenFile(); err != nil {
			s.logger.Error("rewrite owner token file", slog.Any("err", err))
		}
	}
	s.register()
	return s
}

// Handler returns the server's HTTP handler with every check applied.
func (s *Server) Handler() http.Handler {
	return s.guard(s.mux)
}

// CheckAddr reports whether addr may be listened on: a loopback address
// always, any other only with allowRemote.
func CheckAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return domain.Invalidf("addr", "The address %q is not host:port.", addr)
	}
	if isLoopbackName(host) || allowRemote {
		return nil
	}
	return domain.Invalidf("addr", "The address %q is not a loopback address; pass --allow-remote to listen on it.", addr)
}

// Listen opens the listener for cfg.Addr after checking it with CheckAddr,
// and writes the owner token file.
func (s *Server) Listen() (net.Listener, error) {
	if err := CheckAddr(s.cfg.Addr, s.cfg.AllowRemote); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s.mu.Lock()
	s.listenURL = "http://" + urlHost(ln.Addr().String())
	s.mu.Unlock()
	// The token file exists as soon as the owner link can be printed.
	if err := s.writeTokenFile(); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// ListenAndServe listens on cfg.Addr and serves until Shutdown is called or
// ctx is done (which shuts the server down gracefully). It returns nil after a
// clean shutdown.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := s.Listen()
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln and writes the owner token file until Shutdown or ctx
// is done. (Lease expiry runs beside it, in app.Main.)
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout, // lifted per request for streams
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	s.mu.Lock()
	s.httpSrv = srv
	s.listenURL = "http://" + urlHost(ln.Addr().String())
	s.mu.Unlock()
	if s.ctx.Err() != nil { // Shutdown came first
		ln.Close()
		return nil
	}

	if err := s.writeTokenFile(); err != nil {
		ln.Close()
		return err
	}

	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Shutdown(sctx)
	})
	defer stop()

	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		// Serve returns as soon as the listener closes; wait for Shutdown
		// to finish the requests in flight.
		<-s.stopped
		return nil
	}
	return fmt.Errorf("serve: %w", err)
}

// Shutdown stops accepting connections, ends event streams, waits for
// requests in flight (until ctx is done) and removes the owner token file.
func (s *Server) Shutdown(ctx context.Context) error {
	defer s.stopOnce.Do(func() { close(s.stopped) })
	s.cancel()
	s.mu.Lock()
	srv := s.httpSrv
	s.mu.Unlock()
	var err error
	if srv != nil {
		err = srv.Shutdown(ctx)
	}
	s.wg.Wait()
	// Remove the token file only if it is still this server's: another
	// process's token must never go with it.
	if s.cfg.DataDir != "" && s.URL() != "" {
		path := filepath.Join(s.cfg.DataDir, TokenFile)
		if b, rerr := os.ReadFile(path); rerr == nil && strings.TrimSpace(string(b)) == s.auth.ownerToken() {
			if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
				err = fmt.Errorf("remove token file: %w", rerr)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// URL returns the base URL the server listens on ("http://127.0.0.1:7788"),
// or "" before Listen or Serve.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listenURL
}

// OwnerURL returns the web UI URL carrying the current one-time owner token.
// Opening it exchanges the token for an owner session cookie; a fresh token
// is then issued (and written to the token file). It is "" before Listen or
// Serve.
func (s *Server) OwnerURL() string {
	base := s.URL()
	if base == "" {
		return ""
	}
	return base + "/?token=" + s.auth.ownerToken()
}

// OwnerToken returns the current one-time owner token.
func (s *Server) OwnerToken() string {
	return s.auth.ownerToken()
}

// writeTokenFile writes the current owner token to DataDir with mode 0600.
func (s *Server) writeTokenFile() error {
	if s.cfg.DataDir == "" {
		return nil
	}
	if err := os.MkdirAll(s.cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(s.cfg.DataDir, TokenFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(s.auth.ownerToken()+"\n"), 0o600); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	// WriteFile keeps the mode of an existing file; make sure it is 0600.
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	return nil
}

// urlHost turns a listener address into the host part of a URL, preferring
// 127.0.0.1 for wildcard binds.
func urlHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
