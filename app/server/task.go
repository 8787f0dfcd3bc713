package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// Request bodies of the task endpoints that have no domain type.
type (
	completeRequest struct {
		FinalVideoPath string `json:"final_video_path"`
	}
	failRequest struct {
		Message string `json:"message"`
	}
	scriptsRequest struct {
		Scripts []domain.ScriptInput `json:"scripts"`
	}
	scriptsResponse struct {
		Scripts []*domain.Script `json:"scripts"`
	}
	claimRequest struct {
		Worker       string `json:"worker"`
		LeaseSeconds int    `json:"lease_seconds,omitempty"`
		MaxAttempts  int    `json:"max_attempts,omitempty"`
	}
	heartbeatRequest struct {
		Worker       string `json:"worker"`
		LeaseSeconds int    `json:"lease_seconds,omitempty"`
	}
)

func (s *Server) handleCreateTask(w http.ResponseWriter, r *http.Request) error {
	var in domain.TaskCreate
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	t, err := s.cfg.Tasks.CreateTask(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tasks/"+t.TaskID)
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) handleGetTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cfg.Tasks.FindTaskByID(r.Context(), r.PathValue("task_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) handleListTasks(w http.ResponseWriter, r *http.Request) error {
	filter, err := parseTaskFilter(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := s.cfg.Tasks.FindTasks(r.Context(), filter)
	if err != nil {
		return err
	}
	if page.Tasks == nil {
		page.Tasks = []*domain.Task{}
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// handleCountTasks serves GET /api/v1/tasks/counts: the tasks matching the
// filters of GET /api/v1/tasks, counted per status. The pattern is more
// specific than /api/v1/tasks/{task_id}, so it wins over a task named
// "counts". cursor and limit are accepted and ignored.
func (s *Server) handleCountTasks(w http.ResponseWriter, r *http.Request) error {
	filter, err := parseTaskFilter(r.URL.Query())
	if err != nil {
		return err
	}
	counts, err := s.cfg.Tasks.CountTasksByStatus(r.Context(), filter)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, counts)
	return nil
}

// taskQueryParams are the query parameters GET /api/v1/tasks understands.
var taskQueryParams = map[string]bool{
	"user_id": true, "username": true, "status": true, "created_from": true,
	"created_to": true, "search": true, "q": true, "cursor": true, "limit": true,
	"starred": true, "rating": true, "tag": true, "collection": true, "trashed": true,
}

// parseTaskFilter reads a TaskFilter from query parameters. status may repeat
// or hold a comma-separated list; dates are RFC 3339 or YYYY-MM-DD (UTC).
func parseTaskFilter(q url.Values) (domain.TaskFilter, error) {
	var f domain.TaskFilter
	for k := range q {
		if !taskQueryParams[k] {
			return f, domain.Invalidf(k, "Unknown query parameter %q.", k)
		}
	}
	if v := q.Get("user_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, domain.Invalidf("user_id", "user_id must be a positive integer, not %q.", v)
		}
		f.UserID = &id
	}
	f.Username = q.Get("username")
	for _, v := range q["status"] {
		for _, st := range strings.Split(v, ",") {
			st = strings.TrimSpace(st)
			if st == "" {
				continue
			}
			if !domain.Status(st).Valid() {
				return f, domain.Invalidf("status", "Unknown status %q; use pending, processing, completed, failed or cancelled.", st)
			}
			f.Status = append(f.Status, domain.Status(st))
		}
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"created_from", &f.CreatedFrom}, {"created_to", &f.CreatedTo}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		t, err := parseTime(v)
		if err != nil {
			return f, domain.Invalidf(p.name, "%s must be a date (YYYY-MM-DD) or an RFC 3339 time, not %q.", p.name, v)
		}
		*p.dst = &t
	}
	f.Search = q.Get("search")
	if f.Search == "" {
		f.Search = q.Get("q")
	}
	f.Cursor = q.Get("cursor")
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return f, domain.Invalidf("limit", "limit must be an integer, not %q.", v)
		}
		f.Limit = n
	}
	return f, parseLibraryFilter(q, &f)
}

// parseLibraryFilter reads the library's filters: starred and trashed
// (true or false), rating (at least, 1–5), tag (repeatable: every one of
// them) and collection (a name). Tags and the collection name are checked
// like the service checks them, so a bad one is refused naming its
// parameter before anything is read.
func parseLibraryFilter(q url.Values, f *domain.TaskFilter) error {
	for _, p := range []struct {
		name string
		dst  *bool
	}{{"starred", &f.Starred}, {"trashed", &f.Trashed}} {
		if v := q.Get(p.name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return domain.Invalidf(p.name, "%s must be true or false, not %q.", p.name, v)
			}
			*p.dst = b
		}
	}
	if v := q.Get("rating"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > domain.MaxRating {
			return domain.Invalidf("rating", "rating must be a whole number from 1 to %d (the least rating shown), not %q.", domain.MaxRating, v)
		}
		f.MinRating = n
	}
	if tags := q["tag"]; len(tags) > 0 {
		if len(tags) > domain.MaxTagsPerTask {
			return domain.Invalidf("tag", "At most %d tags can be filtered on; %d were given.", domain.MaxTagsPerTask, len(tags))
		}
		for _, t := range tags {
			tag, err := domain.NormalizeTag(t)
			if err != nil {
				return err
			}
			f.Tags = append(f.Tags, tag)
		}
	}
	if q.Has("collection") {
		name, err := domain.NormalizeCollectionName(q.Get("collection"))
		if err != nil {
			return domain.Invalidf("collection", "%s", domain.ErrorMessage(err))
		}
		f.Collection = name
	}
	return nil
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

func (s *Server) handleStartTask(w http.ResponseWriter, r *http.Request) error {
	if err := decodeJSON(w, r, &struct{}{}, true); err != nil {
		return err
	}
	t, err := s.cfg.Tasks.StartTask(r.Context(), r.PathValue("task_id"))
	return writeTask(w, t, err)
}

// progressRequest is the body of a progress update; progress is required,
// so an empty object is refused instead of setting the progress to 0.
type progressRequest struct {
	Progress        *int `json:"progress"`
	CompletedScenes *int `json:"completed_scenes,omitempty"`
}

func (s *Server) handleProgressTask(w http.ResponseWriter, r *http.Request) error {
	var in progressRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	if in.Progress == nil {
		return domain.Invalidf("progress", "The field \"progress\" is required: a whole number from 0 to 100.")
	}
	t, err := s.cfg.Tasks.UpdateProgress(r.Context(), r.PathValue("task_id"),
		domain.TaskProgress{Progress: *in.Progress, CompletedScenes: in.CompletedScenes})
	return writeTask(w, t, err)
}

func (s *Server) handleCompleteTask(w http.ResponseWriter, r *http.Request) error {
	var in completeRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	t, err := s.cfg.Tasks.CompleteTask(r.Context(), r.PathValue("task_id"), in.FinalVideoPath)
	return writeTask(w, t, err)
}

func (s *Server) handleFailTask(w http.ResponseWriter, r *http.Request) error {
	var in failRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	t, err := s.cfg.Tasks.FailTask(r.Context(), r.PathValue("task_id"), in.Message)
	return writeTask(w, t, err)
}

func (s *Server) handleCancelTask(w http.ResponseWriter, r *http.Request) error {
	if err := decodeJSON(w, r, &struct{}{}, true); err != nil {
		return err
	}
	t, err := s.cfg.Tasks.CancelTask(r.Context(), r.PathValue("task_id"))
	return writeTask(w, t, err)
}

// writeTask writes the result of a service call that returns a task.
func writeTask(w http.ResponseWriter, t *domain.Task, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) handleSetScripts(w http.ResponseWriter, r *http.Request) error {
	var in scriptsRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	if in.Scripts == nil {
		return domain.Invalidf("scripts", "scripts is required: an array of scenes.")
	}
	scripts, err := s.cfg.Tasks.SetScripts(r.Context(), r.PathValue("task_id"), in.Scripts)
	if err != nil {
		return err
	}
	if scripts == nil {
		scripts = []*domain.Script{}
	}
	writeJSON(w, http.StatusOK, scriptsResponse{Scripts: scripts})
	return nil
}

func (s *Server) handleAddVideo(w http.ResponseWriter, r *http.Request) error {
	var in domain.VideoInput
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	v, err := s.cfg.Tasks.AddVideo(r.Context(), r.PathValue("task_id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// handleClaimTask hands the oldest pending task to a worker. Expired leases
// are returned to pending first, so an abandoned task is claimable at once
// rather than after the next background pass. 204 when nothing is pending.
func (s *Server) handleClaimTask(w http.ResponseWriter, r *http.Request) error {
	var in claimRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	lease, err := domain.LeaseSeconds(in.LeaseSeconds)
	if err != nil {
		return err
	}
	req := domain.ClaimRequest{Worker: in.Worker, Lease: lease, MaxAttempts: in.MaxAttempts}
	if err := req.Validate(); err != nil {
		return err // before the lease sweep, so bad input changes nothing
	}
	s.expireLeases(r.Context())
	t, err := s.cfg.Tasks.ClaimTask(r.Context(), req)
	if err != nil {
		return err
	}
	if t == nil {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) handleHeartbeatTask(w http.ResponseWriter, r *http.Request) error {
	var in heartbeatRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	lease, err := domain.LeaseSeconds(in.LeaseSeconds)
	if err != nil {
		return err
	}
	t, err := s.cfg.Tasks.HeartbeatTask(r.Context(), r.PathValue("task_id"), in.Worker, lease)
	return writeTask(w, t, err)
}

// expireLeases runs one lease expiry pass as the owner before a claim (the
// periodic passes run in app.Main) and logs what it did.
func (s *Server) expireLeases(ctx context.Context) {
	n, err := s.cfg.Tasks.ExpireLeases(domain.WithOwner(ctx), domain.DefaultMaxAttempts)
	switch {
	case err != nil && ctx.Err() == nil:
		s.logger.Error("expire leases", slog.Any("err", err))
	case err == nil && n > 0:
		s.logger.Info("expired worker leases", slog.Int("tasks", n))
	}
}
