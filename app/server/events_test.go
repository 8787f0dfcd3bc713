package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/domain"
)

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	ID, Event string
	Data      domain.Notification
}

// openStream connects to /api/v1/events and returns a channel of events.
func openStream(t *testing.T, e *env, auth *Auth, lastID string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+"/api/v1/events", nil)
	if auth.Key != "" {
		req.Header.Set("Authorization", "Bearer "+auth.Key)
	}
	if auth.Owner {
		req.Header.Set("Cookie", "reelvault_session="+e.session)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("events: status=%d", resp.StatusCode)
	}
	if got, want := resp.Header.Get("Content-Type"), "text/event-stream"; got != want {
		t.Fatalf("Content-Type=%q, want %q", got, want)
	}
	out := make(chan sseEvent, 64)
	sc := bufio.NewScanner(resp.Body)
	// Wait for the stream's greeting so that the subscription exists.
	for sc.Scan() && sc.Text() != ": connected" {
	}
	go func() {
		defer resp.Body.Close()
		defer close(out)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Event != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.Event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.Data)
			}
		}
	}()
	return out
}

// next returns the next event or fails after ten seconds.
func next(t *testing.T, c <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-c:
		if !ok {
			t.Fatal("event stream closed")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	return sseEvent{}
}

func TestServer_Events(t *testing.T) {
	e := MustOpenEnv(t)
	_, ka := e.MustCreateUser("alice", 10)
	_, kb := e.MustCreateUser("bob", 10)

	ownerStream := openStream(t, e, owner, "")
	bobStream := openStream(t, e, key(kb), "")

	a := e.MustCreateTask(ka, "alice's", 1)
	ev := next(t, ownerStream)
	if ev.Event != "task" || ev.Data.TaskID != a.TaskID || ev.Data.Status != domain.StatusPending || ev.ID == "" {
		t.Fatalf("owner got %+v, want alice's task created", ev)
	}
	e.MustDo(http.StatusOK, "POST", "/api/v1/tasks/"+a.TaskID+"/start", nil, key(ka))
	if ev := next(t, ownerStream); ev.Data.TaskID != a.TaskID || ev.Data.Status != domain.StatusProcessing {
		t.Fatalf("owner got %+v, want alice's task processing", ev)
	}

	// Bob sees his own task change and none of alice's.
	b := e.MustCreateTask(kb, "bob's", 1)
	if ev := next(t, bobStream); ev.Data.TaskID != b.TaskID {
		t.Fatalf("bob got an event of task %s, want only his own %s", ev.Data.TaskID, b.TaskID)
	}

	// The owner sees non-task events; bob does not.
	e.hub.Notify(domain.Notification{Type: "job", Data: map[string]string{"job_id": "backup"}})
	e.MustCreateTask(kb, "bob's second", 1)
	if ev := next(t, ownerStream); ev.Data.TaskID != b.TaskID {
		t.Fatalf("owner: got %+v, want bob's task", ev)
	}
	if ev := next(t, ownerStream); ev.Event != "job" {
		t.Fatalf("owner: got %q, want job", ev.Event)
	}
	if ev := next(t, bobStream); ev.Event != "task" {
		t.Fatalf("bob: got %q event, want his task (jobs are the owner's)", ev.Event)
	}

	t.Run("Resume", func(t *testing.T) {
		last := e.hub.LastID()
		e.MustCreateTask(ka, "while away", 1)
		s := openStream(t, e, owner, itoa(last))
		if ev := next(t, s); ev.ID != itoa(last+1) {
			t.Fatalf("resumed at id %s, want %d", ev.ID, last+1)
		}
	})

	t.Run("ResyncAfterLoss", func(t *testing.T) {
		first := e.hub.LastID()
		for i := 0; i < 300; i++ { // more than the hub keeps
			e.hub.Notify(domain.Notification{Type: "job"})
		}
		s := openStream(t, e, owner, itoa(first))
		if ev := next(t, s); ev.Event != "resync" || ev.Data.Type != "resync" {
			t.Fatalf("resumed beyond the backlog: got %q, want resync first", ev.Event)
		}
		if ev := next(t, s); ev.Event != "job" {
			t.Fatalf("after resync: got %q, want the retained jobs", ev.Event)
		}
	})

	t.Run("ShutdownEndsStream", func(t *testing.T) {
		s := openStream(t, e, owner, "")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.srv.Shutdown(ctx); err != nil {
			t.Fatalf("shutdown with an open stream: %v", err)
		}
		select {
		case _, ok := <-s:
			if ok {
				t.Fatal("event after shutdown")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("stream still open after shutdown")
		}
	})
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// A served event stream outlives the server's write timeout (lifted per
// request), while the access log never records the owner token.
func TestServer_StreamOutlivesWriteTimeout(t *testing.T) {
	e := MustOpenEnv(t)
	_, k := e.MustCreateUser("alice", 10)
	var logs syncBuffer
	srv := startServing(t, e, func(c *server.Config) {
		c.WriteTimeout = 200 * time.Millisecond
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})

	req, _ := http.NewRequest("GET", srv.URL()+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+k)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()

	time.Sleep(500 * time.Millisecond) // past the write timeout
	task := e.MustCreateTask(k, "late", 1)
	deadline := time.After(10 * time.Second)
	for found := false; !found; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("stream cut before the event: the write timeout was not lifted")
			}
			found = strings.Contains(l, task.TaskID)
		case <-deadline:
			t.Fatal("no event after the write timeout")
		}
	}

	token := srv.OwnerToken()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r2, err := noRedirect.Get(srv.URL() + "/?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner link: status=%d", r2.StatusCode)
	}
	waitFor(t, func() bool { return strings.Contains(logs.String(), "path=/ status=303") })
	if strings.Contains(logs.String(), token) {
		t.Fatalf("the access log shows the owner token:\n%s", logs.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
