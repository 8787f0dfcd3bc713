package desktop

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"strconv"

	"github.com/reelvault/reelvault/domain"
)

// MediaHandler serves GET /media/{video_id} inside the window: the file of a
// video registered in the database, with Range support so a <video> element
// can seek. The path comes from the database, never from the request, so
// only files the database references are ever served. Every request acts as
// the local owner: the window's asset server is reachable only from the
// window itself.
func MediaHandler(tasks domain.TaskService) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /media/{video_id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("video_id"), 10, 64)
		if err != nil || id <= 0 {
			http.Error(w, "The video ID must be a positive number.", http.StatusBadRequest)
			return
		}
		v, err := tasks.FindVideoByID(domain.WithOwner(r.Context()), id)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			http.Error(w, domain.ErrorMessage(err), http.StatusNotFound)
			return
		} else if err != nil {
			http.Error(w, domain.ErrorMessage(err), http.StatusInternalServerError)
			return
		}
		f, err := os.Open(v.FilePath)
		if errors.Is(err, fs.ErrNotExist) {
			http.Error(w, "The video file is missing from disk.", http.StatusNotFound)
			return
		} else if err != nil {
			http.Error(w, "The video file cannot be read.", http.StatusInternalServerError)
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil || !info.Mode().IsRegular() {
			http.Error(w, "The video file cannot be read.", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, info.Name(), info.ModTime(), f)
	})
	return mux
}
