package server

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// handleMedia streams a registered video with Range support, so a <video>
// element can seek. The request names a video ID only: the file path comes
// from the database row (which the store shows only to the task's user or the
// owner), so no part of the request path ever reaches the file system.
func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("video_id"), 10, 64)
	if err != nil || id <= 0 {
		return domain.Invalidf("video_id", "video_id must be a positive integer.")
	}
	v, err := s.cfg.Tasks.FindVideoByID(r.Context(), id)
	if err != nil {
		return err
	}
	f, err := os.Open(v.FilePath)
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
