package server

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// MaxStreamsPerKey caps the event streams one API key may hold open at once;
// the next one is refused with 429 until one closes. A dashboard and a
// pipeline need a few; a thousand would only cost the server.
const MaxStreamsPerKey = 8

// KeyRecheckEvery is how often an open event stream's API key is checked
// again, so that a key revoked by rotate-key or user deactivate, in this
// process or by the CLI in another, closes its streams within about this
// long. The check is shared by all streams of one key (one lookup per key
// per period, not per stream per event).
const KeyRecheckEvery = time.Second

// keyStreams counts the open event streams of each API key and caches
// whether the key is still valid.
type keyStreams struct {
	mu   sync.Mutex
	keys map[[32]byte]*keyState
}

// keyState is one key's open streams and its last check.
type keyState struct {
	streams int
	checked time.Time
	valid   bool
}

// bearerKey returns the API key of a request authenticated by one, or "".
func bearerKey(r *http.Request) string {
	scheme, key, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(key)
}

// openStream registers a stream of key. It returns ERATELIMITED when the
// key already holds MaxStreamsPerKey streams; release must be called when
// the stream ends.
func (s *Server) openStream(key string) (release func(), err error) {
	h := sha256.Sum256([]byte(key))
	ks := &s.streams
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.keys == nil {
		ks.keys = make(map[[32]byte]*keyState)
	}
	st := ks.keys[h]
	if st == nil {
		// Authentication just succeeded: the key is valid now.
		st = &keyState{checked: time.Now(), valid: true}
		ks.keys[h] = st
	}
	if st.streams >= MaxStreamsPerKey {
		return nil, domain.Errorf(ERATELIMITED, "This API key already has %d open event streams, the most allowed; close one first.", MaxStreamsPerKey)
	}
	st.streams++
	return func() {
		ks.mu.Lock()
		defer ks.mu.Unlock()
		if st.streams--; st.streams == 0 {
			delete(ks.keys, h)
		}
	}, nil
}

// keyValid reports whether key still authenticates an active user, asking
// the store at most once per KeyRecheckEvery per key. A store failure other
// than a refusal keeps the stream open (it is logged).
func (s *Server) keyValid(ctx context.Context, key string) bool {
	h := sha256.Sum256([]byte(key))
	ks := &s.streams
	ks.mu.Lock()
	st := ks.keys[h]
	if st == nil || time.Since(st.checked) < KeyRecheckEvery {
		valid := st != nil && st.valid
		ks.mu.Unlock()
		return valid
	}
	st.checked = time.Now() // other streams of the key wait for this answer
	ks.mu.Unlock()

	_, err := s.cfg.Users.Authenticate(ctx, key)
	valid := true
	switch domain.ErrorCode(err) {
	case "":
	case domain.EUNAUTHORIZED, domain.EFORBIDDEN:
		valid = false
	default:
		if ctx.Err() == nil {
			s.logger.Warn("recheck event stream key", slog.Any("err", err))
		}
	}
	ks.mu.Lock()
	st.valid = st.valid && valid
	valid = st.valid
	ks.mu.Unlock()
	return valid
}
