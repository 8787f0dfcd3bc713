package server

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// guard applies the checks every request passes before routing: the Host
// header must name this server (a DNS-rebinding page reaches a loopback port
// under its own host name), and a state-changing request from a browser must
// come from this server's own origin (CSRF). It also sets headers that keep
// the UI out of frames and the owner token out of Referer headers.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")

		if !s.hostAllowed(r.Host) {
			s.writeError(w, r, domain.Errorf(domain.EFORBIDDEN, "Host %q is not allowed; use http://127.0.0.1 or http://localhost.", r.Host))
			return
		}
		if !safeMethod(r.Method) {
			if err := s.checkOrigin(r); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if !s.logger.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		// The path only: the query may carry the owner token.
		s.logger.Debug("request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)))
	})
}

// statusWriter remembers the status of a response for the access log.
// Unwrap lets http.ResponseController reach the connection (Flush, write
// deadlines) through it.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkOrigin refuses a state-changing request whose Origin is not this
// server, or that the browser marks as cross-site. Requests without an Origin
// (curl, pipelines, Go clients) are not browsers' cross-site requests and pass.
func (s *Server) checkOrigin(r *http.Request) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return domain.Errorf(domain.EFORBIDDEN, "Cross-site requests are not allowed.")
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || origin == "null" || u.Host == "" {
		return domain.Errorf(domain.EFORBIDDEN, "Origin %q is not allowed.", origin)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || !strings.EqualFold(u.Host, r.Host) || !s.hostAllowed(u.Host) {
		return domain.Errorf(domain.EFORBIDDEN, "Origin %q is not allowed; requests must come from this server's own pages.", origin)
	}
	return nil
}

// hostAllowed reports whether a Host header names this server: a loopback
// name, the host of the configured address, or one of AllowedHosts. With
// AllowRemote and a wildcard address, any IP literal is accepted too (DNS
// rebinding needs a host name, so IP literals are safe).
func (s *Server) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if host == "" {
		return false
	}
	if isLoopbackName(host) {
		return true
	}
	cfgHost, _, _ := net.SplitHostPort(s.cfg.Addr)
	if strings.EqualFold(host, cfgHost) {
		return true
	}
	for _, h := range s.cfg.AllowedHosts {
		if strings.EqualFold(host, h) {
			return true
		}
	}
	if s.cfg.AllowRemote {
		if ip := net.ParseIP(cfgHost); cfgHost == "" || (ip != nil && ip.IsUnspecified()) {
			return net.ParseIP(host) != nil
		}
	}
	return false
}

// isLoopbackName reports whether host is "localhost" or a loopback IP.
func isLoopbackName(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
