package desktop

import (
	"log/slog"
	"net/http"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/domain"
)

// MediaHandler serves GET /media/{video_id} inside the window with the
// server's handler (server.MediaHandler: Range support, the path taken from
// the database, the file opened first and judged by the store's media rule).
// Every request acts as the local owner: the window's asset server is
// reachable only from the window itself.
func MediaHandler(tasks domain.TaskService, logger *slog.Logger) http.Handler {
	h := server.MediaHandler(tasks, logger)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(domain.WithOwner(r.Context())))
	})
}
