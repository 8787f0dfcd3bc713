package server

import (
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// pendingPoster is a 1×1 transparent GIF: the answer for a poster still
// being made. The page tells it by its size (naturalWidth 1) and asks again
// when the "poster" notification comes; API clients see X-Poster: pending.
var pendingPoster = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// servePoster serves GET /media/posters/{task_id}: the poster frame of a
// task's final video (else its highest scene's) as a JPEG, with an ETag
// (the poster's key, which changes with the video's file) and a private
// cache lifetime; or, while the poster is being made, the pending image,
// never cached. Like the media route, the request names a task only; the
// store finds the file, opens it and judges what it opened.
func servePoster(tasks domain.TaskService, w http.ResponseWriter, r *http.Request) error {
	ps, ok := tasks.(domain.PosterService)
	if !ok {
		return domain.Errorf(domain.ENOTFOUND, "Posters are not available in this server.")
	}
	p, err := ps.Poster(r.Context(), r.PathValue("task_id"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if !p.Ready {
		h.Set("Content-Type", "image/gif")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Poster", "pending")
		h.Set("Retry-After", "1")
		h.Set("Content-Length", strconv.Itoa(len(pendingPoster)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(pendingPoster)
		}
		return nil
	}
	f, err := os.Open(p.Path)
	if err != nil {
		// Evicted between the answer and the open: make it again.
		return domain.Errorf(domain.ENOTFOUND, "The poster of task %s is being made again; ask again in a moment.", r.PathValue("task_id"))
	}
	defer f.Close()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Cache-Control", "private, max-age=300")
	h.Set("ETag", `"`+p.Key+`"`)
	h.Set("X-Poster", "ready")
	h.Set("X-Video-Id", strconv.FormatInt(p.VideoID, 10))
	serveContent(w, r, "poster.jpg", time.Time{}, f)
	return nil
}
