package server

import (
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// MediaHandler serves GET /media/{video_id}: the file of a registered video,
// and GET /media/posters/{task_id}, a task's poster (see servePoster),
// streamed with Range support so a <video> element can seek. The request
// names a video ID only: the file path comes from the database row, which
// the store shows only to the actor in the request context (the task's user
// or the owner), so no part of the request path ever reaches the file
// system. The store opens the file and applies the media rule to what it
// opened (TaskService.OpenVideo): regular video files only, never the data
// directory, and for a user's key only files under the media roots.
// Failures are JSON error bodies; internal ones are logged to logger (nil
// discards them).
//
// The server mounts it behind authentication; the desktop window mounts it
// with the owner in the context.
func MediaHandler(tasks domain.TaskService, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m := media{tasks: tasks}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /media/{video_id}", func(w http.ResponseWriter, r *http.Request) {
		if err := m.serve(w, r); err != nil {
			writeError(logger, w, r, err)
		}
	})
	mux.HandleFunc("GET /media/posters/{task_id}", func(w http.ResponseWriter, r *http.Request) {
		if err := servePoster(tasks, w, r); err != nil {
			writeError(logger, w, r, err)
		}
	})
	return mux
}

// media streams registered videos; see MediaHandler.
type media struct {
	tasks domain.TaskService
}

// serve streams the video named by the request's video_id path value.
func (m media) serve(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("video_id"), 10, 64)
	if err != nil || id <= 0 {
		return domain.Invalidf("video_id", "video_id must be a positive integer.")
	}
	v, f, err := m.tasks.OpenVideo(r.Context(), id)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	// A long video on a slow link must not hit the server's write timeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Cache-Control", "private, max-age=3600")
	serveContent(w, r, filepath.Base(v.FilePath), st.ModTime(), f)
	return nil
}
