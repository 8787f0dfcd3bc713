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
	Tag     string // the OpenAPI tag: tasks, library, users, backups or meta

	handler handlerFunc
}

// handlerFunc is an endpoint that reports failures by returning an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Routes returns the registered routes in registration order.
func (s *Server) Routes() []Route {
	return append([]Route(nil), s.routes...)
}

// Match returns the registered route that serves r, if any.
func (s *Server) Match(r *http.Request) (Route, bool) {
	_, pattern := s.routeMux.Handler(r)
	rt, ok := s.byPattern[pattern]
	return rt, ok
}

// register builds the route table and mounts it on the mux.
func (s *Server) register() {
	s.routes = []Route{
		{"GET", "/healthz", Public, "meta", s.handleHealthz},
		{"GET", "/api/v1/openapi.json", Public, "meta", s.handleOpenAPI},
		{"POST", "/api/v1/session", Public, "meta", s.handleCreateSession},
		{"DELETE", "/api/v1/session", Public, "meta", s.handleDeleteSession},

		{"GET", "/api/v1/me", Actor, "meta", s.handleMe},
		{"GET", "/api/v1/events", Actor, "meta", s.handleEvents},
		{"GET", "/api/v1/stats", Actor, "meta", s.handleStats},

		{"POST", "/api/v1/tasks", Actor, "tasks", s.handleCreateTask},
		{"GET", "/api/v1/tasks", Actor, "tasks", s.handleListTasks},
		{"GET", "/api/v1/tasks/counts", Actor, "tasks", s.handleCountTasks},
		{"POST", "/api/v1/tasks/claim", Actor, "tasks", s.handleClaimTask},
		{"GET", "/api/v1/tasks/{task_id}", Actor, "tasks", s.handleGetTask},
		{"POST", "/api/v1/tasks/{task_id}/start", Actor, "tasks", s.handleStartTask},
		{"POST", "/api/v1/tasks/{task_id}/progress", Actor, "tasks", s.handleProgressTask},
		{"POST", "/api/v1/tasks/{task_id}/complete", Actor, "tasks", s.handleCompleteTask},
		{"POST", "/api/v1/tasks/{task_id}/fail", Actor, "tasks", s.handleFailTask},
		{"POST", "/api/v1/tasks/{task_id}/cancel", Actor, "tasks", s.handleCancelTask},
		{"POST", "/api/v1/tasks/{task_id}/heartbeat", Actor, "tasks", s.handleHeartbeatTask},
		{"PUT", "/api/v1/tasks/{task_id}/scripts", Actor, "tasks", s.handleSetScripts},
		{"POST", "/api/v1/tasks/{task_id}/videos", Actor, "tasks", s.handleAddVideo},
		{"GET", "/media/{video_id}", Actor, "tasks", media{tasks: s.cfg.Tasks}.serve},

		{"GET", "/api/v1/users", Owner, "users", s.handleListUsers},
		{"POST", "/api/v1/users", Owner, "users", s.handleCreateUser},
		{"POST", "/api/v1/users/{name}/rotate-key", Owner, "users", s.handleRotateKey},
		{"POST", "/api/v1/users/{name}/deactivate", Owner, "users", s.handleDeactivateUser},
		{"POST", "/api/v1/users/{name}/activate", Owner, "users", s.handleActivateUser},
		{"POST", "/api/v1/users/{name}/quota", Owner, "users", s.handleSetQuota},
		{"GET", "/api/v1/status", Owner, "meta", s.handleStatus},
		{"DELETE", "/api/v1/sessions", Owner, "meta", s.handleEndAllSessions},
	}
	s.routes = append(s.routes, s.backupRoutes()...)
	s.routes = append(s.routes, s.destinationRoutes()...)
	s.routes = append(s.routes, s.mediaRootRoutes()...)
	s.routes = append(s.routes, s.videoRoutes()...)
	s.routes = append(s.routes, s.libraryRoutes()...)

	// probe knows each path without its method, to tell 405 from 404.
	probe := http.NewServeMux()
	allowed := map[string][]string{}
	s.routeMux = http.NewServeMux()
	s.byPattern = make(map[string]Route, len(s.routes))
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.endpoint(rt))
		s.routeMux.Handle(rt.Method+" "+rt.Pattern, http.NotFoundHandler())
		s.byPattern[rt.Method+" "+rt.Pattern] = rt
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
		lw := &loggedWriter{ResponseWriter: w, logger: s.logger}
		if err := rt.handler(lw, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// actorFrom returns the authenticated actor of a request's context.
func actorFrom(ctx context.Context) domain.Actor {
	a, _ := domain.ActorFromContext(ctx)
	return a
}
