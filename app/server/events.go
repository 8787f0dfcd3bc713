package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/reelvault/reelvault/app/hub"
	"github.com/reelvault/reelvault/domain"
)

// handleEvents streams notifications as Server-Sent Events. Each event's
// name is the notification type ("task", "backup_progress", "job",
// "restore", "library", "trash", "collection", …) and its data the notification as JSON; its id lets a
// reconnecting EventSource resume with Last-Event-ID. When messages were
// lost, a "resync" event tells the page to reload what it shows. The owner
// sees every event; a user sees changes of its own tasks only.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) error {
	rc := http.NewResponseController(w)
	// The stream outlives the server's write timeout by design.
	if err := rc.SetWriteDeadline(time.Time{}); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	// A stream of an API key is counted against MaxStreamsPerKey and ends
	// when the key is revoked (rotated, or its user deactivated).
	ctx := r.Context()
	actor := actorFrom(ctx)
	key := ""
	if !actor.Owner {
		key = bearerKey(r)
	}
	if key != "" {
		release, err := s.openStream(key)
		if err != nil {
			return err
		}
		defer release()
	}
	revoked := func() bool { return key != "" && !s.keyValid(ctx, key) }
	// The owner's stream ends when its session does (signed out here or
	// everywhere, or expired), so the page learns it lost the session.
	session := ""
	if c, err := r.Cookie(SessionCookie); err == nil && actor.Owner {
		session = c.Value
	}
	sessionEnded := func() bool {
		return session != "" && domain.ErrorCode(s.auth.sessions.UseSession(ctx, session)) == domain.EUNAUTHORIZED
	}
	var after uint64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		after, _ = strconv.ParseUint(v, 10, 64)
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	visible := newVisibility(s, actor)

	var msgs <-chan hub.Message
	if s.cfg.Hub != nil {
		sub := s.cfg.Hub.Subscribe(after)
		defer sub.Close()
		msgs = sub.C
	}
	// The first write tells the client the stream is open and how soon to
	// reconnect.
	if _, err := fmt.Fprint(w, "retry: 3000\n: connected\n\n"); err != nil {
		return nil
	}
	if err := rc.Flush(); err != nil {
		return nil
	}
	last := after
	keepAlive := time.NewTicker(DefaultSSEKeepAlive)
	defer keepAlive.Stop()
	var recheck <-chan time.Time
	if key != "" || session != "" {
		t := time.NewTicker(KeyRecheckEvery)
		defer t.Stop()
		recheck = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.ctx.Done():
			return nil
		case <-recheck:
			if revoked() || sessionEnded() {
				return nil
			}
			continue
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			// A gap in the IDs means messages were dropped (the client was
			// slow, or resumed from beyond the backlog): tell it to reload.
			if last != 0 && m.ID > last+1 {
				if _, err := fmt.Fprintf(w, "id: %d\nevent: resync\ndata: {\"type\":\"resync\"}\n\n", m.ID-1); err != nil {
					return nil
				}
			}
			last = m.ID
			if revoked() {
				return nil // nothing more for a revoked key, not even this
			}
			n, ok := visible.filter(ctx, m.Notification)
			if !ok {
				continue
			}
			data, err := json.Marshal(n)
			if err != nil {
				s.logger.Error("encode event", "err", err)
				continue
			}
			if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", m.ID, n.Type, data); err != nil {
				return nil
			}
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}

// visibility decides which notifications an actor may see, remembering the
// answer per task so that a busy task costs one lookup per stream.
type visibility struct {
	s     *Server
	actor domain.Actor
	tasks map[string]bool
}

func newVisibility(s *Server, actor domain.Actor) *visibility {
	return &visibility{s: s, actor: actor, tasks: make(map[string]bool)}
}

// filter returns the notification as the actor may see it, and false when
// it may see none of it. The owner sees everything. A user sees the task,
// video, poster, library and trash changes of its own tasks: a library or
// trash change to many tasks (Data holding their IDs) reaches it with only
// its own tasks' IDs, and one that names no task bare. A collection change
// reaches it bare (the type only),
// so that its page reloads the collections, which the service lists as the
// user may see them. Backups, jobs and restores are the owner's business.
func (v *visibility) filter(ctx context.Context, n domain.Notification) (domain.Notification, bool) {
	if v.actor.Owner {
		return n, true
	}
	switch n.Type {
	case "task", domain.NotifyVideo, domain.NotifyPoster:
		return n, n.TaskID != "" && v.allowsTask(ctx, n.TaskID)
	case domain.NotifyCollection:
		return domain.Notification{Type: n.Type}, true
	case domain.NotifyLibrary, domain.NotifyTrash:
		if n.TaskID != "" {
			return n, v.allowsTask(ctx, n.TaskID)
		}
		if n.Data == nil {
			// Which tasks is not said: pass the change on bare, so that
			// the page reloads what it shows.
			return domain.Notification{Type: n.Type}, true
		}
		ids, ok := taskIDsOf(n.Data)
		if !ok {
			return n, false
		}
		var mine []string
		for _, id := range ids {
			if ctx.Err() != nil {
				return n, false
			}
			if v.allowsTask(ctx, id) {
				mine = append(mine, id)
			}
		}
		if len(mine) == 0 {
			return n, false
		}
		n.Data = mine
		return n, true
	}
	return n, false
}

// allowsTask reports whether the actor may see a task. The store answers
// ENOTFOUND for another user's task; any error hides the event.
func (v *visibility) allowsTask(ctx context.Context, taskID string) bool {
	if ok, seen := v.tasks[taskID]; seen {
		return ok
	}
	_, err := v.s.cfg.Tasks.FindTaskByID(ctx, taskID)
	ok := err == nil
	if len(v.tasks) >= 4096 {
		clear(v.tasks)
	}
	v.tasks[taskID] = ok
	return ok
}

// taskIDsOf reads the task IDs a notification about many tasks carries in
// Data: a []string from this process, or a JSON array of strings from
// another one.
func taskIDsOf(data any) ([]string, bool) {
	switch d := data.(type) {
	case []string:
		return d, true
	case []any:
		ids := make([]string, 0, len(d))
		for _, x := range d {
			id, ok := x.(string)
			if !ok {
				return nil, false
			}
			ids = append(ids, id)
		}
		return ids, true
	}
	return nil, false
}
