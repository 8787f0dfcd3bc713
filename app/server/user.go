package server

import (
	"net/http"

	"github.com/reelvault/reelvault/domain"
)

// Request and response bodies of the user endpoints.
type (
	quotaRequest struct {
		Quota *int `json:"quota"`
	}
	meResponse struct {
		Owner bool         `json:"owner"`
		User  *domain.User `json:"user,omitempty"`
	}
)

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	actor := actorFrom(r.Context())
	if actor.Owner {
		writeJSON(w, http.StatusOK, meResponse{Owner: true})
		return nil
	}
	u, err := s.cfg.Users.FindUserByID(r.Context(), actor.UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, meResponse{User: u})
	return nil
}

func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.cfg.Users.FindUsers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, domain.NewUserList(users))
	return nil
}

func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request) error {
	var in domain.UserCreate
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	u, key, err := s.cfg.Users.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, domain.UserWithKey{User: u, APIKey: key})
	return nil
}

func (s *Server) handleRotateKey(w http.ResponseWriter, r *http.Request) error {
	if err := decodeJSON(w, r, &struct{}{}, true); err != nil {
		return err
	}
	u, key, err := s.cfg.Users.RotateKey(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, domain.UserWithKey{User: u, APIKey: key})
	return nil
}

func (s *Server) handleDeactivateUser(w http.ResponseWriter, r *http.Request) error {
	return s.setActive(w, r, false)
}

func (s *Server) handleActivateUser(w http.ResponseWriter, r *http.Request) error {
	return s.setActive(w, r, true)
}

func (s *Server) setActive(w http.ResponseWriter, r *http.Request, active bool) error {
	if err := decodeJSON(w, r, &struct{}{}, true); err != nil {
		return err
	}
	u, err := s.cfg.Users.SetActive(r.Context(), r.PathValue("name"), active)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) handleSetQuota(w http.ResponseWriter, r *http.Request) error {
	var in quotaRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	if in.Quota == nil {
		return domain.Invalidf("quota", "quota is required.")
	}
	u, err := s.cfg.Users.SetQuota(r.Context(), r.PathValue("name"), *in.Quota)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}
