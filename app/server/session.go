package server

import (
	"net/http"

	"github.com/reelvault/reelvault/domain"
)

// sessionRequest is the body of POST /api/v1/session.
type sessionRequest struct {
	Token string `json:"token"`
}

// setSessionCookie starts an owner session in the browser. The cookie is
// HttpOnly (no script can read it) and SameSite=Strict (no other site's page
// can make the browser send it).
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, session string) {
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    session,
		Path:     "/",
		MaxAge:   int(DefaultSessionTTL.Seconds()),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteStrictMode,
	})
}

// handleCreateSession exchanges the one-time owner token for a session cookie.
func (s *Server) handleCreateSession(w http.ResponseWriter, r *http.Request) error {
	var in sessionRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	if in.Token == "" {
		return domain.Invalidf("token", "token is required.")
	}
	session, err := s.auth.exchange(r, in.Token)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, session)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleDeleteSession ends the owner session (signs the browser out).
func (s *Server) handleDeleteSession(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		s.auth.endSession(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}
