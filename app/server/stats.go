package server

import (
	"net/http"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// statsResponse is the body of GET /api/v1/stats. Days are global and shown
// to the owner only; Counts cover the tasks the caller can see.
type statsResponse struct {
	From   string                `json:"from,omitempty"`
	To     string                `json:"to,omitempty"`
	Days   []*domain.DayStats    `json:"days,omitempty"`
	Counts map[domain.Status]int `json:"counts"`
}

// healthResponse is the body of GET /healthz.
type healthResponse struct {
	Status string `json:"status"`
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, healthResponse{Status: "ok"})
	return nil
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		if k != "from" && k != "to" {
			return domain.Invalidf(k, "Unknown query parameter %q; use from and to.", k)
		}
	}
	resp := statsResponse{From: q.Get("from"), To: q.Get("to")}
	var filter domain.TaskFilter
	if resp.From != "" {
		t, err := parseDate(resp.From)
		if err != nil {
			return domain.Invalidf("from", "from must be a date (YYYY-MM-DD), not %q.", resp.From)
		}
		filter.CreatedFrom = &t
	}
	if resp.To != "" {
		t, err := parseDate(resp.To)
		if err != nil {
			return domain.Invalidf("to", "to must be a date (YYYY-MM-DD), not %q.", resp.To)
		}
		t = t.AddDate(0, 0, 1) // to is inclusive; CreatedTo is exclusive
		filter.CreatedTo = &t
	}
	if actorFrom(r.Context()).Owner {
		days, err := s.cfg.Stats.DailyStats(r.Context(), resp.From, resp.To)
		if err != nil {
			return err
		}
		if days == nil {
			days = []*domain.DayStats{}
		}
		resp.Days = days
	}
	counts, err := s.cfg.Tasks.CountTasksByStatus(r.Context(), filter)
	if err != nil {
		return err
	}
	resp.Counts = counts
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := s.cfg.Stats.Status(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// parseDate parses a YYYY-MM-DD date as midnight UTC.
func parseDate(v string) (time.Time, error) {
	return time.Parse(time.DateOnly, v)
}
