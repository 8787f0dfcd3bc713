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
// "restore") and its data the notification as JSON; its id lets a
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
			if !visible.allows(ctx, m.Notification) {
				continue
			}
			data, err := json.Marshal(m.Notification)
			if err != nil {
				s.logger.Error("encode event", "err", err)
				continue
			}
			if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", m.ID, m.Notification.Type, data); err != nil {
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

func (v *visibility) allows(ctx context.Context, n domain.Notification) bool {
	if v.actor.Owner {
		return true
	}
	if (n.Type != "task" && n.Type != domain.NotifyVideo && n.Type != domain.NotifyPoster) || n.TaskID == "" {
		return false // backups, jobs and restores are the owner's business
	}
	if ok, seen := v.tasks[n.TaskID]; seen {
		return ok
	}
	// The store answers ENOTFOUND for another user's task; any error hides
	// the event.
	_, err := v.s.cfg.Tasks.FindTaskByID(ctx, n.TaskID)
	ok := err == nil
	if len(v.tasks) >= 4096 {
		clear(v.tasks)
	}
	v.tasks[n.TaskID] = ok
	return ok
}
