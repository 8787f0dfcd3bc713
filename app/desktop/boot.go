package desktop

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"sync"

	"github.com/reelvault/reelvault/domain"
)

// BootElement is the id of the JSON block in which the window's index.html
// carries Boot (frontend/src/api/boot.ts reads it).
const BootElement = "reelvault-boot"

// FirstPageLimit is the size of the history's pages in the UI
// (frontend/src/screens/HistoryScreen.tsx, PAGE_SIZE): the first page the
// window hands over with the page is the newest FirstPageLimit tasks.
const FirstPageLimit = 100

// Boot is what the window's page is given with index.html, so that it can
// draw the history without asking first: every question the page asks
// through a binding is answered on the window's main loop, which is at its
// busiest while the window opens (BENCHMARKS.md).
type Boot struct {
	// Info is App.Status's answer without the database's figures (those
	// are read when a screen asks): whether the database opened, whether
	// it was upgraded.
	Info Status `json:"info"`
	// MediaBase is App.MediaBaseURL's answer.
	MediaBase string `json:"media_base,omitempty"`
	// FirstPage is the history's first page, unfiltered, as ListTasks
	// answers it for a filter of only Limit; nil when it could not be read.
	FirstPage *FirstPage `json:"first_page,omitempty"`
}

// FirstPage is the first page of the history, read before the page asked.
type FirstPage struct {
	Limit int              `json:"limit"`
	Page  *domain.TaskPage `json:"page"`
}

// firstPages reads the history's first page for the window's page: the
// first one is read ahead (Start, while WebKit starts), each later one
// (the page reloaded) when it is asked for.
type firstPages struct {
	tasks domain.TaskService

	mu      sync.Mutex
	started bool
	ahead   chan *FirstPage // the page read ahead; nil once taken
}

// Start reads the first page in the background.
func (f *firstPages) Start(ctx context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.started || f.tasks == nil {
		return
	}
	f.started = true
	ahead := make(chan *FirstPage, 1)
	f.ahead = ahead
	go func() { ahead <- f.read(ctx) }()
}

// Get returns the page read ahead the first time, a new one later.
func (f *firstPages) Get(ctx context.Context) *FirstPage {
	if f.tasks == nil {
		return nil
	}
	f.mu.Lock()
	ahead := f.ahead
	f.ahead = nil
	f.mu.Unlock()
	if ahead != nil {
		select {
		case p := <-ahead:
			return p
		case <-ctx.Done():
			return nil
		}
	}
	return f.read(ctx)
}

// read reads the first page; nil when it cannot (the page then asks).
func (f *firstPages) read(ctx context.Context) *FirstPage {
	page, err := f.tasks.FindTasks(domain.WithOwner(ctx), domain.TaskFilter{Limit: FirstPageLimit})
	if err != nil {
		return nil
	}
	return &FirstPage{Limit: FirstPageLimit, Page: page}
}

// withPage serves the page (/ and /index.html of assets) with, at the top
// of its head, a meta element naming lang (the system language, so the
// interface picks it before the first paint; none when lang is "") and,
// when boot is set, a JSON block of boot's answer (BootElement), then
// first, a script run as the page is parsed (the window's report of the
// first painted page). Every other request goes to next. Without an
// index.html with a head, it is next itself.
func withPage(assets fs.FS, lang string, boot func(r *http.Request) *Boot, first string, next http.Handler) http.Handler {
	if assets == nil || (lang == "" && boot == nil && first == "") {
		return next
	}
	page, err := fs.ReadFile(assets, "index.html")
	if err != nil || !bytes.Contains(page, []byte("<head>")) {
		return next
	}
	head := "<head>"
	if lang != "" {
		head += `<meta name="` + SystemLanguageMeta + `" content="` + htmlEscape(lang) + `" />`
	}
	if first != "" {
		head += "<script>" + first + "</script>"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || (r.URL.Path != "/" && r.URL.Path != "/index.html") {
			next.ServeHTTP(w, r)
			return
		}
		h := head
		if boot != nil {
			// encoding/json escapes <, > and &: the block cannot end early.
			if b, err := json.Marshal(boot(r)); err == nil {
				h += `<script type="application/json" id="` + BootElement + `">` + string(b) + `</script>`
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(bytes.Replace(page, []byte("<head>"), []byte(h), 1))
	})
}
