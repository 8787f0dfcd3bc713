package server

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// MediaHandler serves GET /media/{video_id}: the file of a registered video,
// streamed with Range support so a <video> element can seek. The request
// names a video ID only: the file path comes from the database row, which
// the store shows only to the actor in the request context (the task's user
// or the owner), so no part of the request path ever reaches the file
// system. Only video files (by extension, after following symbolic links)
// outside dataDir are served. Failures are JSON error bodies; internal ones
// are logged to logger (nil discards them).
//
// The server mounts it behind authentication; the desktop window mounts it
// behind its asset server with the owner in the context.
func MediaHandler(tasks domain.TaskService, dataDir string, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m := media{tasks: tasks, dataDir: dataDir}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /media/{video_id}", func(w http.ResponseWriter, r *http.Request) {
		if err := m.serve(w, r); err != nil {
			writeError(logger, w, r, err)
		}
	})
	return mux
}

// media streams registered videos; see MediaHandler.
type media struct {
	tasks   domain.TaskService
	dataDir string
}

// serve streams the video named by the request's video_id path value.
func (m media) serve(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("video_id"), 10, 64)
	if err != nil || id <= 0 {
		return domain.Invalidf("video_id", "video_id must be a positive integer.")
	}
	v, err := m.tasks.FindVideoByID(r.Context(), id)
	if err != nil {
		return err
	}
	path, err := m.servablePath(id, v.FilePath)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return domain.Errorf(domain.ENOTFOUND, "The file of video %d is no longer on disk.", id)
	} else if err != nil {
		return fmt.Errorf("open video: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat video: %w", err)
	}
	if !st.Mode().IsRegular() {
		return domain.Errorf(domain.ENOTFOUND, "The file of video %d is not a regular file.", id)
	}
	// A long video on a slow link must not hit the server's write timeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, filepath.Base(v.FilePath), st.ModTime(), f)
	return nil
}

// videoExts are the extensions of the files the media endpoint streams.
var videoExts = map[string]bool{
	".mp4": true, ".m4v": true, ".mov": true, ".webm": true, ".mkv": true, ".ogv": true,
	".ogg": true, ".avi": true, ".mpg": true, ".mpeg": true, ".ts": true, ".m2ts": true,
	".3gp": true, ".flv": true, ".wmv": true, ".gif": true,
}

// servablePath resolves a registered video path (following symbolic links)
// and refuses what is not a video file or lies inside the data directory. A
// video's path is written by the task's API user: without this check a key
// holder could register any file the server can read (the owner token, the
// database, an SSH key) as a "video" and download it.
func (m media) servablePath(id int64, path string) (string, error) {
	real, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", domain.Errorf(domain.ENOTFOUND, "The file of video %d is no longer on disk.", id)
	} else if err != nil {
		return "", fmt.Errorf("resolve video path: %w", err)
	}
	if !videoExts[strings.ToLower(filepath.Ext(real))] {
		return "", domain.Errorf(domain.EFORBIDDEN, "The file of video %d is not a video file (%s); only video files are streamed.", id, filepath.Base(real))
	}
	if m.dataDir != "" {
		if data, err := filepath.EvalSymlinks(m.dataDir); err == nil {
			if rel, err := filepath.Rel(data, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return "", domain.Errorf(domain.EFORBIDDEN, "The file of video %d is inside the data directory; it is not streamed.", id)
			}
		}
	}
	return real, nil
}
