package server

import (
	"net/http"

	"github.com/reelvault/reelvault/domain"
)

// mediaRootRequest is the body of POST /api/v1/media-roots.
type mediaRootRequest struct {
	Path string `json:"path"`
}

func (s *Server) mediaRootRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/media-roots", Owner, "meta", s.withMedia(s.handleListMediaRoots)},
		{"POST", "/api/v1/media-roots", Owner, "meta", s.withMedia(s.handleAddMediaRoot)},
		{"DELETE", "/api/v1/media-roots", Owner, "meta", s.withMedia(s.handleRemoveMediaRoot)},
	}
}

// withMedia answers 404 when the server runs without a media service.
func (s *Server) withMedia(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.cfg.Media == nil {
			return domain.Errorf(domain.ENOTFOUND, "Media roots are not available in this server.")
		}
		return h(w, r)
	}
}

func (s *Server) handleListMediaRoots(w http.ResponseWriter, r *http.Request) error {
	roots, err := s.cfg.Media.MediaRoots(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, roots)
	return nil
}

func (s *Server) handleAddMediaRoot(w http.ResponseWriter, r *http.Request) error {
	var in mediaRootRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	roots, err := s.cfg.Media.AddMediaRoot(r.Context(), in.Path)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, roots)
	return nil
}

func (s *Server) handleRemoveMediaRoot(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		if k != "path" {
			return domain.Invalidf(k, "Unknown query parameter %q.", k)
		}
	}
	roots, err := s.cfg.Media.RemoveMediaRoot(r.Context(), q.Get("path"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, roots)
	return nil
}
