package server

import (
	"net/http"
	"strconv"

	"github.com/reelvault/reelvault/domain"
)

// videoFix is the body of PUT /api/v1/tasks/{task_id}/videos/{scene}: the
// new file and, optionally, what the client claims about it.
type videoFix struct {
	FilePath string   `json:"file_path"`
	Duration *float64 `json:"duration,omitempty"`
	Width    *int     `json:"width,omitempty"`
	Height   *int     `json:"height,omitempty"`
	FPS      *float64 `json:"fps,omitempty"`
}

func (s *Server) videoRoutes() []Route {
	return []Route{
		{"PUT", "/api/v1/tasks/{task_id}/videos/{scene}", Actor, "tasks", s.withVideos(s.handleReplaceVideo)},
		{"DELETE", "/api/v1/tasks/{task_id}/videos/{scene}", Actor, "tasks", s.withVideos(s.handleRemoveVideo)},
		{"GET", "/api/v1/storage", Actor, "tasks", s.withVideos(s.handleStorage)},
		{"POST", "/api/v1/relink", Owner, "tasks", s.withVideos(s.handleRelink)},
		{"GET", "/media/posters/{task_id}", Actor, "tasks", func(w http.ResponseWriter, r *http.Request) error {
			return servePoster(s.cfg.Tasks, w, r)
		}},
	}
}

// videos returns the video service of the task service, if it has one.
func (s *Server) videos() domain.VideoService {
	v, _ := s.cfg.Tasks.(domain.VideoService)
	return v
}

// withVideos answers 404 when the task service cannot fix videos.
func (s *Server) withVideos(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.videos() == nil {
			return domain.Errorf(domain.ENOTFOUND, "Video fixes are not available in this server.")
		}
		return h(w, r)
	}
}

// sceneParam reads the {scene} path value: 0 (the final video) to MaxScenes.
func sceneParam(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("scene"))
	if err != nil || n < 0 || n > domain.MaxScenes {
		return 0, domain.Invalidf("scene", "The scene must be a number from 0 (the final video) to %d.", domain.MaxScenes)
	}
	return n, nil
}

func (s *Server) handleReplaceVideo(w http.ResponseWriter, r *http.Request) error {
	scene, err := sceneParam(r)
	if err != nil {
		return err
	}
	var in videoFix
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	v, err := s.videos().ReplaceVideo(r.Context(), r.PathValue("task_id"), domain.VideoInput{
		SceneNumber: scene, FilePath: in.FilePath, Duration: in.Duration, Width: in.Width, Height: in.Height, FPS: in.FPS})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) handleRemoveVideo(w http.ResponseWriter, r *http.Request) error {
	scene, err := sceneParam(r)
	if err != nil {
		return err
	}
	if err := s.videos().RemoveVideo(r.Context(), r.PathValue("task_id"), scene); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleStorage(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.videos().Storage(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) handleRelink(w http.ResponseWriter, r *http.Request) error {
	var in domain.RelinkRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	rep, err := s.videos().Relink(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
