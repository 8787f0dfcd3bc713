package desktop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"runtime"

	"github.com/reelvault/reelvault/app/hub"
	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/domain"
)

// ErrNoWindow is returned by Run when no window can be shown here (no
// display, or GTK failed to start) and Options.Serve is nil.
var ErrNoWindow = errors.New("no display to open the window on")

// ErrNotBuilt is returned by Run in a binary built without the desktop
// window (a plain `go build`, without the desktop tag).
var ErrNotBuilt = errors.New("this reelvault was built without the desktop window: build it with `make build` (wails build), or run `reelvault serve` for the web UI")

// EnvAddr names the environment variable that sets the loopback address of
// the HTTP API while the window is open (Options.Addr).
const EnvAddr = "REELVAULT_ADDR"

// EnvWindowScript names the environment variable that gives the window a
// JavaScript file to run in its page once the DOM is ready: the hook of the
// window's smoke test, whose script reports what it sees through App.Probe
// (printed on stdout as "Window probe: …").
const EnvWindowScript = "REELVAULT_WINDOW_SCRIPT"

// Options are what Run needs. Services are required.
type Options struct {
	// Version is the build's version, shown in the UI's status and About,
	// with Commit, BuildDate and the newest SchemaVersion it supports.
	Version       string
	Commit        string
	BuildDate     string
	SchemaVersion int64
	// Upgrade, if set, says that opening the database upgraded it; the
	// window tells the person.
	Upgrade *domain.Upgrade
	// OpenError, if set, is why the database could not be opened: the
	// window then shows only this message (Services may be empty), and Run
	// returns it once the window is closed.
	OpenError error
	// DataDir holds the database; the window keeps its state and its
	// single-instance lock there.
	DataDir string
	// Assets is the built frontend (frontend/dist, with index.html at its root).
	Assets fs.FS

	Services Services
	// Background are the serving process's background jobs (lease expiry
	// and the maintenance schedule: backups, optimize, vacuum, checkpoints),
	// run while the window is open; app.Main is one. Optional.
	Background Background
	// Hub carries the store's notifications (it is the store's Notifier);
	// the window forwards them as events. Optional.
	Hub *hub.Hub

	// Addr is where the HTTP API listens on loopback while the window is
	// open, so pipelines can write; server.DefaultAddr when empty. When it
	// is taken (a `reelvault serve` already runs), the window opens without
	// the API and says so.
	Addr string

	// Route is the screen to open on, a hash route such as "#/task/ID"
	// (see ValidRoute); empty opens the history. When the window is already
	// open for DataDir, that window is brought to the front on Route.
	Route string

	// Serve runs serve mode; Run calls it instead of the window when there
	// is no display. Optional: without it Run returns ErrNoWindow then.
	Serve func(ctx context.Context) error

	Logger *slog.Logger
	Stdout io.Writer // messages for the person at the terminal; default os.Stdout
	// Getenv reads the environment; default os.Getenv.
	Getenv func(string) string
	// Listening, if set, is told the API's base URL once it listens.
	Listening func(url string)
}

// Background starts and stops a serving process's background jobs. Run
// starts them at once and says whether they all started (an error leaves
// the others running); Stop stops whatever Run started.
type Background interface {
	Run(ctx context.Context) error
	Stop()
}

// Run opens the window and blocks until it is closed or ctx is done. Without
// a display it falls back to Options.Serve with a message saying so. When the
// window is already open for the same data dir, that window comes to the
// front and Run returns nil. A binary built without the desktop tag returns
// ErrNotBuilt.
func Run(ctx context.Context, opts Options) error {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Addr == "" {
		opts.Addr = server.DefaultAddr
	}
	if !ValidRoute(opts.Route) {
		return fmt.Errorf("desktop: invalid route %q", opts.Route)
	}
	if opts.OpenError == nil && (opts.Services.Tasks == nil || opts.Services.Users == nil || opts.Services.Stats == nil) {
		return errors.New("desktop: services are required")
	}
	if !windowBuilt {
		return ErrNotBuilt
	}
	if !HasDisplay(opts.Getenv) {
		return fallback(ctx, opts, "no display found ($DISPLAY and $WAYLAND_DISPLAY are empty)")
	}
	err := openWindow(ctx, opts)
	if errors.Is(err, errGTK) {
		return fallback(ctx, opts, "the display cannot be opened")
	}
	return err
}

// info is what the UI is told about this window; apiURL is where its HTTP
// API listens ("" when it does not).
func (opts Options) info(apiURL string) Info {
	info := Info{
		Version:       opts.Version,
		Commit:        opts.Commit,
		BuildDate:     opts.BuildDate,
		SchemaVersion: opts.SchemaVersion,
		DataDir:       opts.DataDir,
		APIURL:        apiURL,
		Upgrade:       opts.Upgrade,
	}
	if opts.OpenError != nil {
		info.OpenError = openErrorMessage(opts.OpenError)
	}
	return info
}

// openErrorMessage is the text of an error that kept the database closed:
// an application error's message, else the local failure as it is (a file
// that cannot be read helps the person at the machine).
func openErrorMessage(err error) string {
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// errGTK is returned by openWindow when GTK cannot start.
var errGTK = errors.New("failed to init GTK")

// fallback runs serve mode instead of the window.
func fallback(ctx context.Context, opts Options, why string) error {
	if opts.Serve == nil {
		return fmt.Errorf("%w: %s", ErrNoWindow, why)
	}
	fmt.Fprintf(opts.Stdout, "Cannot open the window: %s. Serving the web UI instead; open the URL below in a browser.\n", why)
	return opts.Serve(ctx)
}

// HasDisplay reports whether a graphical session looks reachable: on Linux
// and the BSDs GTK needs an X11 or Wayland display; elsewhere there is one.
func HasDisplay(getenv func(string) string) bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
		return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
	}
	return true
}

// startAPI starts the HTTP API on loopback for the time the window is open.
// It returns the server, its base URL, and a channel that receives Serve's
// result once it stops.
func startAPI(ctx context.Context, opts Options) (*server.Server, string, <-chan error, error) {
	srv := server.New(server.Config{
		Tasks:    opts.Services.Tasks,
		Users:    opts.Services.Users,
		Stats:    opts.Services.Stats,
		Sessions: opts.Services.Sessions,
		Backup:   opts.Services.Backup,
		Export:   opts.Services.Export,
		Media:    opts.Services.Media,
		Library:  opts.Services.Library,
		Hub:      opts.Hub,
		Assets:   opts.Assets,
		DataDir:  opts.DataDir,
		Addr:     opts.Addr,
		Logger:   opts.Logger,
	})
	ln, err := srv.Listen()
	if err != nil {
		return nil, "", nil, fmt.Errorf("start the API on %s: %w", opts.Addr, err)
	}
	if opts.Listening != nil {
		opts.Listening(srv.URL())
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	return srv, "http://" + ln.Addr().String(), done, nil
}
