package desktop

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// MediaServer streams the window's videos over loopback HTTP.
//
// WebKitGTK hands a <video> URL straight to GStreamer, which has no source
// element for the window's own wails:// scheme: every video failed with
// "FormatError" (WebKit bug 146351). Plain http:// URLs stream, with Range
// requests for seeking, so the window starts this server on 127.0.0.1 and a
// random port and points its <video> elements at it. Each launch draws a
// secret that every URL carries as its first path segment, so another local
// program (or a web page in a browser) cannot read the owner's videos
// through it; the Host header must name the listener itself, which defeats
// DNS rebinding. Behind those checks the request goes to the window's media
// handler, the same one the HTTP API serves (MediaHandler).
type MediaServer struct {
	srv    *http.Server
	ln     net.Listener
	secret string
	done   chan error
}

// StartMediaServer listens on a random loopback port and serves media with
// h, which must handle GET /media/{video_id}.
func StartMediaServer(h http.Handler, logger *slog.Logger) (*MediaServer, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("media server secret: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("media server: %w", err)
	}
	m := &MediaServer{ln: ln, secret: hex.EncodeToString(b[:]), done: make(chan error, 1)}
	m.srv = &http.Server{
		Handler:           m.guard(h, logger),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	go func() { m.done <- m.srv.Serve(ln) }()
	return m, nil
}

// BaseURL is the prefix of the media URLs: BaseURL()+"/media/42". It holds
// the secret; it is handed to the window's page only.
func (m *MediaServer) BaseURL() string {
	return "http://" + m.ln.Addr().String() + "/" + m.secret
}

// Close stops the server, waiting up to ctx for streams in flight.
func (m *MediaServer) Close(ctx context.Context) error {
	err := m.srv.Shutdown(ctx)
	if err != nil {
		m.srv.Close()
	}
	if serr := <-m.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// guard admits GET and HEAD requests addressed to the listener itself whose
// path starts with the secret, and passes them to h without the secret.
func (m *MediaServer) guard(h http.Handler, logger *slog.Logger) http.Handler {
	host := m.ln.Addr().String()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.Debug("window media request", "method", r.Method, "path", redact(r.URL.Path, m.secret), "range", r.Header.Get("Range"))
		if r.Host != host {
			http.Error(w, "wrong host", http.StatusMisdirectedRequest)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		secret, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if subtle.ConstantTimeCompare([]byte(secret), []byte(m.secret)) != 1 || !strings.HasPrefix(rest, "media/") {
			http.NotFound(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + rest
		r2.URL.RawPath = ""
		r2.RequestURI = r2.URL.RequestURI()
		h.ServeHTTP(w, r2)
	})
}

// redact replaces the secret in a logged path.
func redact(path, secret string) string {
	return strings.Replace(path, secret, "SECRET", 1)
}
