package server

import (
	"net/http"

	"github.com/reelvault/reelvault/domain"
)

// Request and response bodies of the destination routes.
type (
	destinationsResponse struct {
		Destinations []domain.DestinationStatus `json:"destinations"`
	}
	addDestinationRequest struct {
		Name       string `json:"name"`
		Dir        string `json:"dir"`
		Cron       string `json:"cron"`
		Keep       int    `json:"keep"`
		Encrypt    bool   `json:"encrypt"`
		Passphrase string `json:"passphrase"`
	}
	createBackupRequest struct {
		DBOnly bool   `json:"db_only"`
		To     string `json:"to"`
	}
)

func (s *Server) destinationRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/destinations", Owner, "backups", s.withDestinations(s.handleListDestinations)},
		{"POST", "/api/v1/destinations", Owner, "backups", s.withDestinations(s.handleAddDestination)},
		{"DELETE", "/api/v1/destinations/{name}", Owner, "backups", s.withDestinations(s.handleRemoveDestination)},
	}
}

// destinations returns the destination service, or nil.
func (s *Server) destinations() domain.DestinationService {
	d, _ := s.cfg.Backup.(domain.DestinationService)
	return d
}

// withDestinations answers 404 when the backup service has no destinations.
func (s *Server) withDestinations(h handlerFunc) handlerFunc {
	return s.withBackup(func(w http.ResponseWriter, r *http.Request) error {
		if s.destinations() == nil {
			return domain.Errorf(domain.ENOTFOUND, "Backup destinations are not available in this server.")
		}
		return h(w, r)
	})
}

func (s *Server) handleListDestinations(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.destinations().Destinations(r.Context())
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []domain.DestinationStatus{}
	}
	writeJSON(w, http.StatusOK, destinationsResponse{Destinations: ds})
	return nil
}

func (s *Server) handleAddDestination(w http.ResponseWriter, r *http.Request) error {
	var in addDestinationRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	d := domain.Destination{Name: in.Name, Dir: in.Dir, Cron: in.Cron, Keep: in.Keep, Encrypted: in.Encrypt}
	st, err := s.destinations().AddDestination(r.Context(), d, in.Passphrase)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, st)
	return nil
}

func (s *Server) handleRemoveDestination(w http.ResponseWriter, r *http.Request) error {
	if err := s.destinations().RemoveDestination(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
