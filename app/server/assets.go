package server

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

// handleAssets serves the web UI. A ?token= query (the link printed by serve
// or by "reelvault link") is exchanged for a session cookie and removed from
// the address bar by a redirect; a token that cannot be exchanged gets a
// page saying how to get a new link. Paths that are not files get index.html, so the UI's own routes
// survive a reload; missing files with an extension get 404.
func (s *Server) handleAssets(w http.ResponseWriter, r *http.Request) error {
	if token := r.URL.Query().Get("token"); token != "" {
		q := r.URL.Query()
		q.Del("token")
		target := r.URL.Path
		if enc := q.Encode(); enc != "" {
			target += "?" + enc
		}
		session, err := s.auth.exchange(r, token)
		if err != nil {
			code := domain.ErrorCode(err)
			if code != domain.EUNAUTHORIZED && code != ERATELIMITED {
				return err
			}
			// A browser that is signed in already just goes on (a link
			// opened twice, or from the history).
			if s.auth.hasSession(r) {
				http.Redirect(w, r, target, http.StatusSeeOther)
				return nil
			}
			s.writeSignInProblem(w, r, err)
			return nil
		}
		s.setSessionCookie(w, r, session)
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
	if s.cfg.Assets == nil {
		return domain.Errorf(domain.ENOTFOUND, "The web UI is not built into this binary; the API is at /api/v1.")
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	st, err := fs.Stat(s.cfg.Assets, name)
	switch {
	case err == nil && !st.IsDir():
	case errors.Is(err, fs.ErrNotExist) && path.Ext(name) != "", err != nil && !errors.Is(err, fs.ErrNotExist):
		return domain.Errorf(domain.ENOTFOUND, "No file %s.", r.URL.Path)
	default:
		name = "index.html"
	}
	if name == "index.html" {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'")
	} else if strings.HasPrefix(name, "assets/") {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	f, err := s.cfg.Assets.Open(name)
	if err != nil {
		return domain.Errorf(domain.ENOTFOUND, "The web UI has no index.html.")
	}
	defer f.Close()
	st, err = f.Stat()
	if err != nil {
		return err
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		return errors.New("asset file is not seekable")
	}
	http.ServeContent(w, r, name, st.ModTime(), rs)
	return nil
}
