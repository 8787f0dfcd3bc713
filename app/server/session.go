package server

import (
	"log/slog"
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
		if err := s.auth.endSession(r, c.Value); err != nil {
			return err
		}
	}
	clearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// clearSessionCookie removes the session cookie from the browser.
func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// endedSessions is the body of DELETE /api/v1/sessions.
type endedSessions struct {
	Ended int `json:"ended"`
}

// handleEndAllSessions signs every browser out ("sign out everywhere"),
// this one included, and voids every unused sign-in link.
func (s *Server) handleEndAllSessions(w http.ResponseWriter, r *http.Request) error {
	n, err := s.auth.sessions.EndAllSessions(r.Context())
	if err != nil {
		return err
	}
	clearSessionCookie(w)
	writeJSON(w, http.StatusOK, endedSessions{Ended: n})
	return nil
}

// keepSession stores the request's own session again after a restore or
// undo, should it be missing. The store carries every live session across
// a restore (sessions are credentials, not history), so this only matters
// for a session service that does not.
func (s *Server) keepSession(r *http.Request) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return
	}
	if err := s.auth.sessions.KeepSession(r.Context(), c.Value); err != nil {
		s.logger.Warn("keep the owner session after a restore", slog.Any("err", err))
	}
}
