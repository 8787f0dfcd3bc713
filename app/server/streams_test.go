package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/server"
)

// waitClosed drains events until the stream ends, failing after d.
func waitClosed(t *testing.T, events <-chan sseEvent, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case _, ok := <-events:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatalf("event stream still open %s after the key was revoked", d)
		}
	}
}

// TestServer_EventsRevokedKey proves an open event stream ends soon after
// its key is revoked, by deactivating the user or rotating the key.
func TestServer_EventsRevokedKey(t *testing.T) {
	for _, op := range []string{"deactivate", "rotate-key"} {
		t.Run(op, func(t *testing.T) {
			e := MustOpenEnv(t)
			_, k := e.MustCreateUser("gina", 10)
			events := openStream(t, e, key(k), "")
			e.MustCreateTask(k, "before", 0)
			e.MustDo(http.StatusOK, "POST", "/api/v1/users/gina/"+op, nil, &Auth{Owner: true})
			waitClosed(t, events, 3*server.KeyRecheckEvery+2*time.Second)
		})
	}
}

// streamRequest opens /api/v1/events with key and returns the response
// (200 with an open body, or an error reply read in full).
func streamRequest(t *testing.T, e *env, k string) (*http.Response, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+k)
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, cancel
}

// TestServer_EventsStreamCap proves one key may hold at most
// MaxStreamsPerKey streams: the next is refused with 429 and the error
// shape, another key is unaffected, and closing one frees a place.
func TestServer_EventsStreamCap(t *testing.T) {
	e := MustOpenEnv(t)
	_, k := e.MustCreateUser("hank", 10)
	_, other := e.MustCreateUser("ivy", 10)
	var cancels []context.CancelFunc
	for range server.MaxStreamsPerKey {
		resp, cancel := streamRequest(t, e, k)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("stream: status=%d, want 200", resp.StatusCode)
		}
		cancels = append(cancels, cancel)
	}
	resp, _ := streamRequest(t, e, k)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("stream %d: status=%d, want 429", server.MaxStreamsPerKey+1, resp.StatusCode)
	}
	var er ErrorBody
	if err := json.Unmarshal(body, &er); err != nil || er.Error.Code != server.ERATELIMITED || er.Error.Message == "" {
		t.Fatalf("body=%s, want the error shape with code %s", body, server.ERATELIMITED)
	}
	if resp, _ := streamRequest(t, e, other); resp.StatusCode != http.StatusOK {
		t.Fatalf("another key's stream: status=%d, want 200", resp.StatusCode)
	}
	cancels[0]()
	waitFor(t, func() bool {
		resp, cancel := streamRequest(t, e, k)
		if resp.StatusCode == http.StatusOK {
			return true
		}
		cancel()
		resp.Body.Close()
		return false
	})
}
