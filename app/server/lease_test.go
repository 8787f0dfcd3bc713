package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

func TestServer_ClaimTask(t *testing.T) {
	e := MustOpenEnv(t)
	_, k := e.MustCreateUser("alice", 10)

	t.Run("NothingPending", func(t *testing.T) {
		r := e.MustDo(http.StatusNoContent, "POST", "/api/v1/tasks/claim", map[string]any{"worker": "w1"}, key(k))
		if len(r.Body) != 0 {
			t.Fatalf("204 with a body: %s", r.Body)
		}
	})

	older := e.MustCreateTask(k, "older", 1)
	e.clock.Advance(time.Millisecond)
	newer := e.MustCreateTask(k, "newer", 1)

	var got domain.Task
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/claim", map[string]any{"worker": "w1", "lease_seconds": 30}, key(k)).Decode(t, &got)
	if got.TaskID != older.TaskID {
		t.Fatalf("claimed %s, want the oldest pending task %s", got.TaskID, older.TaskID)
	}
	if got.Status != domain.StatusProcessing || got.LeaseOwner != "w1" || got.Attempts != 1 || got.LeaseExpiresAt == nil {
		t.Fatalf("claimed task: status=%q lease_owner=%q attempts=%d lease_expires_at=%v", got.Status, got.LeaseOwner, got.Attempts, got.LeaseExpiresAt)
	}
	if d := got.LeaseExpiresAt.Sub(e.clock.Now()); d < 29*time.Second || d > 31*time.Second {
		t.Fatalf("lease runs %v, want 30s", d)
	}

	t.Run("Heartbeat", func(t *testing.T) {
		e.clock.Advance(20 * time.Second)
		var hb domain.Task
		e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+older.TaskID+"/heartbeat", map[string]any{"worker": "w1", "lease_seconds": 30}, key(k)).Decode(t, &hb)
		if d := hb.LeaseExpiresAt.Sub(e.clock.Now()); d < 29*time.Second {
			t.Fatalf("heartbeat left %v of lease, want 30s", d)
		}
	})
	t.Run("HeartbeatByOtherWorker", func(t *testing.T) {
		r := e.MustDo(http.StatusConflict, "POST", "/api/v1/tasks/"+older.TaskID+"/heartbeat", map[string]any{"worker": "w2"}, key(k))
		if got, want := r.Err(t).Error.Code, domain.ECONFLICT; got != want {
			t.Fatalf("code=%q, want %q", got, want)
		}
	})
	t.Run("BadLease", func(t *testing.T) {
		r := e.MustDo(http.StatusBadRequest, "POST", "/api/v1/tasks/claim", map[string]any{"worker": "w1", "lease_seconds": -5}, key(k))
		if got, want := r.Err(t).Error.Field, "lease_seconds"; got != want {
			t.Fatalf("field=%q, want %q", got, want)
		}
	})
	t.Run("NoWorker", func(t *testing.T) {
		r := e.MustDo(http.StatusBadRequest, "POST", "/api/v1/tasks/claim", map[string]any{}, key(k))
		if got, want := r.Err(t).Error.Field, "worker"; got != want {
			t.Fatalf("field=%q, want %q", got, want)
		}
	})

	// The second claim gets the other task.
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/claim", map[string]any{"worker": "w2"}, key(k)).Decode(t, &got)
	if got.TaskID != newer.TaskID {
		t.Fatalf("second claim got %s, want %s", got.TaskID, newer.TaskID)
	}
}

// A worker that stops heartbeating loses its lease; the task goes back to
// pending and another worker claims it; after the last attempt it fails.
func TestServer_LeaseExpiry(t *testing.T) {
	e := MustOpenEnv(t)
	_, k := e.MustCreateUser("alice", 10)
	task := e.MustCreateTask(k, "long render", 1)

	var got domain.Task
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/claim", map[string]any{"worker": "crashy", "lease_seconds": 10}, key(k)).Decode(t, &got)
	if got.TaskID != task.TaskID {
		t.Fatalf("claimed %s, want %s", got.TaskID, task.TaskID)
	}
	// The lease still runs: nothing to claim.
	e.MustDo(http.StatusNoContent, "POST", "/api/v1/tasks/claim", map[string]any{"worker": "healthy"}, key(k))

	e.clock.Advance(11 * time.Second) // crashy never heartbeats
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/claim", map[string]any{"worker": "healthy", "lease_seconds": 10}, key(k)).Decode(t, &got)
	if got.TaskID != task.TaskID || got.LeaseOwner != "healthy" || got.Attempts != 2 {
		t.Fatalf("reclaimed: task=%s lease_owner=%q attempts=%d, want %s healthy 2", got.TaskID, got.LeaseOwner, got.Attempts, task.TaskID)
	}
	// The crashed worker's late heartbeat is refused.
	e.MustDo(http.StatusConflict, "POST", "/api/v1/tasks/"+task.TaskID+"/heartbeat", map[string]any{"worker": "crashy"}, key(k))

	full := e.MustGetTask(task.TaskID)
	var expired bool
	for _, ev := range full.Events {
		expired = expired || ev.Type == domain.EventLeaseExpired
	}
	if !expired {
		t.Fatal("no lease_expired event in the task's log")
	}

	// The third worker also dies; with the attempts used up the task fails.
	e.clock.Advance(11 * time.Second)
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/claim", map[string]any{"worker": "third", "lease_seconds": 10}, key(k))
	e.clock.Advance(11 * time.Second)
	e.MustDo(http.StatusNoContent, "POST", "/api/v1/tasks/claim", map[string]any{"worker": "fourth"}, key(k))
	final := e.MustGetTask(task.TaskID)
	if final.Status != domain.StatusFailed || final.ErrorMessage == "" {
		t.Fatalf("after %d attempts: status=%q error=%q, want failed with a reason", final.Attempts, final.Status, final.ErrorMessage)
	}
}
