//go:build desktop && !bindings

package desktop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/reelvault/reelvault/app/launchtrace"
	"github.com/reelvault/reelvault/app/server"
	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"
)

// openWindow runs the Wails application until the window closes.
//
// Order matters on the way in: the single-instance lock first (a second
// launch must not start a second API server or scheduler), then the API,
// then the window. On the way out (OnShutdown, after the window closed) the
// reverse: events, the API, the lock; the caller closes the store.
func openWindow(ctx context.Context, opts Options) (err error) {
	w := &window{opts: opts, ready: make(chan struct{}), done: make(chan struct{})}
	inst, err := AcquireInstance(opts.DataDir, opts.Route, w.show)
	if errors.Is(err, ErrAlreadyRunning) {
		fmt.Fprintln(opts.Stdout, "Reelvault is already open for this data folder; its window was brought to the front.")
		return nil
	} else if err != nil {
		return err
	}
	defer inst.Close()
	launchtrace.Mark("instance lock")

	state, serr := LoadWindowState(opts.DataDir)
	if serr != nil {
		opts.Logger.Warn("window state ignored", "err", serr)
	}
	w.state = state

	var (
		srv     *server.Server
		apiURL  string
		apiDone <-chan error
		aerr    error
		media   http.Handler = http.NotFoundHandler()
	)
	if opts.OpenError == nil {
		// Without a database there is nothing to serve: the window only
		// shows why.
		srv, apiURL, apiDone, aerr = startAPI(ctx, opts)
		media = MediaHandler(opts.Services.Tasks, opts.Logger)
	}
	if aerr != nil {
		opts.Logger.Warn("the window runs without the HTTP API", "err", aerr)
		fmt.Fprintf(opts.Stdout, "The HTTP API could not start (%v); the window opens without it.\n", aerr)
	}
	launchtrace.Mark("api started")
	info := opts.info(apiURL)
	// The background jobs (lease expiry, the trash purge, the backup
	// schedule) start once the first page is painted, or after
	// backgroundDelay, so that their start does not take the CPU the
	// window needs to open.
	bg := &lateStart{run: func() {}}
	if opts.Background != nil && opts.OpenError == nil {
		bg.run = func() {
			if err := opts.Background.Run(ctx); err != nil {
				opts.Logger.Warn("the window runs without the backup schedule", "err", err)
				fmt.Fprintf(opts.Stdout, "The backup schedule could not start (%v); backups still work by hand.\n", err)
			}
			launchtrace.Mark("background started")
		}
		bg.stop = opts.Background.Stop
		bg.after(backgroundDelay)
		defer bg.close()
	}
	w.app = NewApp(opts.Services, info)
	w.app.firstPage = func(rows int) {
		fmt.Fprintf(opts.Stdout, "Window: first history page painted (%d rows) %d ms after launch.\n", rows, launchtrace.Since().Milliseconds())
		go bg.start()
	}
	if path := opts.Getenv(EnvWindowScript); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("$%s: %w", EnvWindowScript, err)
		}
		w.script = string(b)
		w.app.probe = func(msg string) { fmt.Fprintf(opts.Stdout, "Window probe: %s\n", strings.ReplaceAll(msg, "\n", " ")) }
	}
	if launchtrace.Enabled() {
		// The page's own timings (see traceScript) come back as probes.
		probe := w.app.probe
		w.app.probe = func(msg string) {
			if tracePage(msg) {
				return
			}
			if probe != nil {
				probe(msg)
			}
		}
	}

	// Videos stream to the page over loopback HTTP (see MediaServer); the
	// asset server's /media route stays as the fallback.
	// Without a database there are no videos.
	if opts.OpenError == nil {
		ms, merr := StartMediaServer(media, opts.Logger)
		if merr != nil {
			opts.Logger.Warn("videos in the window may not play", "err", merr)
		} else {
			w.app.setMedia(ms.BaseURL())
			defer func() {
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := ms.Close(sctx); err != nil {
					opts.Logger.Warn("stop the media server", "err", err)
				}
			}()
		}
	}

	defer func() {
		// Stop what the window started, whatever way it ended.
		w.stopEvents()
		if srv != nil {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if serr := srv.Shutdown(sctx); serr != nil {
				opts.Logger.Warn("stop the API", "err", serr)
			}
			cancel()
			<-apiDone
		}
	}()

	// Close the window when ctx ends. Wails has its own SIGINT/SIGTERM
	// handler that closes the window, and a second quit while GTK destroys
	// the window crashes it; so on ctx's end the window gets a moment to
	// close by that path and is only asked to quit when it did not (ctx
	// cancelled for another reason).
	go func() {
		select {
		case <-ctx.Done():
		case <-w.closed():
			return
		}
		select {
		case <-w.closed():
		case <-time.After(3 * time.Second):
			if wctx := w.context(); wctx != nil {
				wruntime.Quit(wctx)
			}
		}
	}()

	defer func() {
		// GTK panics when it cannot open the display; report it so Run can
		// fall back to serve mode.
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && strings.Contains(e.Error(), errGTK.Error()) {
				err = errGTK
				return
			}
			panic(r)
		}
	}()

	lang := systemLanguage(os.Getenv) // before fixLocale replaces a POSIX locale
	if k := fixLocale(os.Getenv, os.Setenv); k != "" {
		opts.Logger.Debug("POSIX locale replaced for the webview", "var", k, "value", fallbackLocale)
	}
	// The history's first page is read while GTK and WebKit start, and
	// handed over with the page (see Boot).
	first := &firstPages{}
	if opts.OpenError == nil {
		first.tasks = opts.Services.Tasks
		first.Start(ctx)
	}
	boot := func(r *http.Request) *Boot {
		// A page that cannot be read soon is left to the page to ask for.
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		b := &Boot{Info: Status{Info: w.app.info}, MediaBase: w.app.MediaBaseURL(), FirstPage: first.Get(ctx)}
		launchtrace.MarkOnce("page served")
		return b
	}
	launchtrace.Mark("wails.Run")
	err = wails.Run(&options.App{
		Title:            "Reelvault",
		Width:            state.Width,
		Height:           state.Height,
		MinWidth:         MinWidth,
		MinHeight:        MinHeight,
		WindowStartState: startState(state),
		BackgroundColour: options.NewRGB(0xf5, 0xf5, 0xf7), // the light theme's page colour: no flash before the first paint
		AssetServer: &assetserver.Options{
			Assets:  opts.Assets,
			Handler: media,
			Middleware: func(next http.Handler) http.Handler {
				next = withPage(opts.Assets, lang, boot, firstPageScript, next)
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					opts.Logger.Debug("window request", "method", r.Method, "path", r.URL.Path, "range", r.Header.Get("Range"))
					next.ServeHTTP(w, r)
				})
			},
		},
		Bind:           []any{w.app},
		ErrorFormatter: FormatError,
		OnStartup:      w.startup,
		OnDomReady:     w.domReady,
		OnBeforeClose:  w.beforeClose,
		OnShutdown:     w.shutdown,
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId:               InstanceID(opts.DataDir),
			OnSecondInstanceLaunch: func(d options.SecondInstanceData) { w.show(RouteFromArgs(d.Args)) },
		},
		Linux: &linux.Options{
			ProgramName:         "reelvault",
			WindowIsTranslucent: false,
			WebviewGpuPolicy:    gpuPolicy(),
		},
	})
	w.markClosed()
	if err != nil {
		return fmt.Errorf("run window: %w", err)
	}
	return opts.OpenError
}

func startState(s WindowState) options.WindowStartState {
	if s.Maximised {
		return options.Maximised
	}
	return options.Normal
}

// window holds the Wails lifecycle callbacks of one open window.
type window struct {
	opts   Options
	app    *App
	state  WindowState
	script string // run in the page when the DOM is ready ($REELVAULT_WINDOW_SCRIPT)

	mu       sync.Mutex
	ctx      context.Context // the Wails runtime context, once started
	sub      subscription
	events   sync.WaitGroup
	ready    chan struct{} // closed once the runtime context is set
	done     chan struct{} // closed once the window closed
	doneOnce sync.Once
}

// subscription is the part of a hub subscription the window closes.
type subscription interface{ Close() }

func (w *window) context() context.Context {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ctx
}

func (w *window) closed() <-chan struct{} { return w.done }

func (w *window) markClosed() { w.doneOnce.Do(func() { close(w.done) }) }

// startup runs when the runtime is up: keep its context and start
// forwarding notifications as events.
func (w *window) startup(ctx context.Context) {
	launchtrace.Mark("OnStartup")
	w.mu.Lock()
	w.ctx = ctx
	w.mu.Unlock()
	w.app.setContext(ctx)
	w.app.setChooser(func(ctx context.Context, title string) (string, error) {
		return wruntime.OpenFileDialog(ctx, wruntime.OpenDialogOptions{
			Title: title,
			Filters: []wruntime.FileFilter{
				{DisplayName: "Videos", Pattern: "*.mp4;*.mov;*.m4v;*.webm;*.mkv"},
				{DisplayName: "All files", Pattern: "*"},
			},
		})
	})
	w.app.setSaver(func(ctx context.Context, title, name string) (string, error) {
		return wruntime.SaveFileDialog(ctx, wruntime.SaveDialogOptions{
			Title:           title,
			DefaultFilename: name,
			Filters:         []wruntime.FileFilter{{DisplayName: "Reelvault export (JSON)", Pattern: "*.json"}},
		})
	})
	if w.opts.Hub != nil {
		sub := w.opts.Hub.Subscribe(0)
		w.mu.Lock()
		w.sub = sub
		w.mu.Unlock()
		w.events.Add(1)
		go func() {
			defer w.events.Done()
			ForwardEvents(sub, func(name string, data any) { wruntime.EventsEmit(ctx, name, data) })
		}()
	}
	if url := w.app.info.APIURL; url != "" {
		fmt.Fprintf(w.opts.Stdout, "Reelvault API listening on %s while the window is open.\n", url)
	}
	close(w.ready)
}

// domReady puts the window where it was last time and starts watching for
// the first painted page of the history.
func (w *window) domReady(ctx context.Context) {
	launchtrace.Mark("DomReady")
	if w.state.Positioned && !w.state.Maximised {
		wruntime.WindowSetPosition(ctx, w.state.X, w.state.Y)
	}
	wruntime.WindowExecJS(ctx, firstPageScript)
	if r := w.opts.Route; r != "" {
		wruntime.WindowExecJS(ctx, navigateScript(r))
	}
	if w.script != "" {
		wruntime.WindowExecJS(ctx, w.script)
	}
	if launchtrace.Enabled() {
		wruntime.WindowExecJS(ctx, traceScript)
	}
}

// navigateScript shows the screen of route, a ValidRoute.
func navigateScript(route string) string {
	b, _ := json.Marshal(route)
	return "location.hash = " + string(b) + ";"
}

// firstPageScript reports to App.ReportFirstPage once history rows (or the
// empty history) are in the DOM and a frame has been painted with them.
const firstPageScript = `(function () {
  if (window.__rvFirstPage) return;
  window.__rvFirstPage = true;
  function found() {
    return document.querySelector('.task-row') || document.querySelector('[data-empty]');
  }
  function report() {
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        window.go.desktop.App.ReportFirstPage(document.querySelectorAll('.task-row').length);
      });
    });
  }
  if (found()) { report(); return; }
  var o = new MutationObserver(function () {
    if (found()) { o.disconnect(); report(); }
  });
  o.observe(document.documentElement, { childList: true, subtree: true });
})();`

// beforeClose remembers the window's geometry; it never prevents closing.
func (w *window) beforeClose(ctx context.Context) bool {
	s := w.state
	s.Maximised = wruntime.WindowIsMaximised(ctx)
	if !s.Maximised {
		s.Width, s.Height = wruntime.WindowGetSize(ctx)
		s.X, s.Y = wruntime.WindowGetPosition(ctx)
		s.Positioned = true
	}
	if s.Width >= MinWidth && s.Height >= MinHeight {
		if err := SaveWindowState(w.opts.DataDir, s); err != nil {
			w.opts.Logger.Warn("remember window state", "err", err)
		}
	}
	return false
}

// shutdown runs after the window closed.
func (w *window) shutdown(ctx context.Context) {
	w.stopEvents()
}

// stopEvents ends the event forwarding and waits for it.
func (w *window) stopEvents() {
	w.mu.Lock()
	sub := w.sub
	w.sub = nil
	w.mu.Unlock()
	if sub != nil {
		sub.Close()
	}
	w.events.Wait()
}

// show brings the window to the front (a second launch asked for it), on
// the screen of route unless it is empty.
func (w *window) show(route string) {
	select {
	case <-w.ready:
	case <-time.After(30 * time.Second):
		return
	}
	ctx := w.context()
	wruntime.WindowUnminimise(ctx)
	wruntime.WindowShow(ctx)
	if route != "" && ValidRoute(route) {
		wruntime.WindowExecJS(ctx, navigateScript(route))
	}
}

// windowBuilt reports whether this binary can open the window.
const windowBuilt = true

// gpuPolicy chooses WebKit's hardware acceleration. With a GPU (a DRM
// device) compositing is used on demand; without one (a virtual machine,
// Xvfb) WebKit would composite in software, which made the first page take
// about twice as long as not compositing at all (BENCHMARKS.md).
func gpuPolicy() linux.WebviewGpuPolicy {
	if _, err := os.Stat("/dev/dri"); err != nil {
		return linux.WebviewGpuPolicyNever
	}
	return linux.WebviewGpuPolicyOnDemand
}
