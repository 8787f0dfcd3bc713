package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

// Access is who may call a route.
type Access string

// Access levels.
const (
	Public Access = "public" // anyone who passes the Host and Origin checks
	Actor  Access = "actor"  // a user's API key or the owner session
	Owner  Access = "owner"  // the owner session only
)

// Route is one registered endpoint.
type Route struct {
	Method  string
	Pattern string // a net/http ServeMux path pattern, e.g. /api/v1/tasks/{task_id}
	Access  Access

	handler handlerFunc
}

// handlerFunc is an endpoint that reports failures by returning an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Routes returns the registered routes in registration order.
func (s *Server) Routes() []Route {
	return append([]Route(nil), s.routes...)
}

// register builds the route table and mounts it on the mux.
func (s *Server) register() {
	s.routes = []Route{
		{"GET", "/healthz", Public, s.handleHealthz},
		{"GET", "/api/v1/openapi.json", Public, s.handleOpenAPI},
		{"POST", "/api/v1/session", Public, s.handleCreateSession},
		{"DELETE", "/api/v1/session", Public, s.handleDeleteSession},

		{"GET", "/api/v1/me", Actor, s.handleMe},
		{"GET", "/api/v1/events", Actor, s.handleEvents},
		{"GET", "/api/v1/stats", Actor, s.handleStats},

		{"POST", "/api/v1/tasks", Actor, s.handleCreateTask},
		{"GET", "/api/v1/tasks", Actor, s.handleListTasks},
		{"POST", "/api/v1/tasks/claim", Actor, s.handleClaimTask},
		{"GET", "/api/v1/tasks/{task_id}", Actor, s.handleGetTask},
		{"POST", "/api/v1/tasks/{task_id}/start", Actor, s.handleStartTask},
		{"POST", "/api/v1/tasks/{task_id}/progress", Actor, s.handleProgressTask},
		{"POST", "/api/v1/tasks/{task_id}/complete", Actor, s.handleCompleteTask},
		{"POST", "/api/v1/tasks/{task_id}/fail", Actor, s.handleFailTask},
		{"POST", "/api/v1/tasks/{task_id}/cancel", Actor, s.handleCancelTask},
		{"POST", "/api/v1/tasks/{task_id}/heartbeat", Actor, s.handleHeartbeatTask},
		{"PUT", "/api/v1/tasks/{task_id}/scripts", Actor, s.handleSetScripts},
		{"POST", "/api/v1/tasks/{task_id}/videos", Actor, s.handleAddVideo},
		{"GET", "/media/{video_id}", Actor, s.handleMedia},

		{"GET", "/api/v1/users", Owner, s.handleListUsers},
		{"POST", "/api/v1/users", Owner, s.handleCreateUser},
		{"POST", "/api/v1/users/{name}/rotate-key", Owner, s.handleRotateKey},
		{"POST", "/api/v1/users/{name}/deactivate", Owner, s.handleDeactivateUser},
		{"POST", "/api/v1/users/{name}/activate", Owner, s.handleActivateUser},
		{"POST", "/api/v1/users/{name}/quota", Owner, s.handleSetQuota},
		{"GET", "/api/v1/status", Owner, s.handleStatus},
	}
	s.routes = append(s.routes, s.backupRoutes()...)

	// probe knows each path without its method, to tell 405 from 404.
	probe := http.NewServeMux()
	allowed := map[string][]string{}
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.endpoint(rt))
		if _, ok := allowed[rt.Pattern]; !ok {
			probe.Handle(rt.Pattern, http.NotFoundHandler())
		}
		allowed[rt.Pattern] = append(allowed[rt.Pattern], rt.Method)
	}
	// Everything else: a wrong method on a known path, an unknown API path,
	// or the web UI.
	s.mux.Handle("/", s.endpoint(Route{Access: Public, handler: func(w http.ResponseWriter, r *http.Request) error {
		if _, pattern := probe.Handler(r); pattern != "" && pattern != "/" {
			w.Header().Set("Allow", strings.Join(allowed[pattern], ", "))
			writeJSON(w, http.StatusMethodNotAllowed, errorResponse{Error: domain.Error{
				Code:    domain.EINVALID,
				Message: fmt.Sprintf("Method %s is not allowed on %s; use %s.", r.Method, r.URL.Path, strings.Join(allowed[pattern], " or ")),
			}})
			return nil
		}
		if strings.HasPrefix(r.URL.Path, "/api/") || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			return domain.Errorf(domain.ENOTFOUND, "No endpoint %s %s.", r.Method, r.URL.Path)
		}
		return s.handleAssets(w, r)
	}}))
}

// endpoint wraps a route with authentication and error writing.
func (s *Server) endpoint(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Access != Public {
			actor, err := s.auth.authenticate(r)
			if err != nil {
				if domain.ErrorCode(err) == domain.EUNAUTHORIZED {
					w.Header().Set("WWW-Authenticate", `Bearer realm="reelvault"`)
				}
				s.writeError(w, r, err)
				return
			}
			if rt.Access == Owner && !actor.Owner {
				s.writeError(w, r, domain.Errorf(domain.EFORBIDDEN, "Only the owner of this Reelvault may do this; API keys cannot."))
				return
			}
			r = r.WithContext(domain.WithActor(r.Context(), actor))
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("Cache-Control", "no-store")
		}
		if err := rt.handler(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// actorFrom returns the authenticated actor of a request's context.
func actorFrom(ctx context.Context) domain.Actor {
	a, _ := domain.ActorFromContext(ctx)
	return a
}
