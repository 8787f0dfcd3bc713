package server

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

// When more than 10,000 clients have failed, the limiters of those whose
// bucket is full again are dropped; a client still over its limit keeps
// its limiter, so its past failures still count.
func TestAuthenticator_PruneLimiters(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := newAuthenticator(nil, nil, func() time.Time { return now })
	hot := httptest.NewRequest("GET", "/", nil)
	hot.RemoteAddr = "192.0.2.1:5000"
	for i := 0; i < FailedAuthBurst; i++ {
		if err := a.fail(hot); err != nil {
			t.Fatalf("failure %d of %d: %v", i+1, FailedAuthBurst, err)
		}
	}
	if err := a.limited(hot); err == nil {
		t.Fatal("a client over its limit is not limited")
	}
	for i := 0; i < 10000; i++ {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:4000", i>>16, (i>>8)&0xff, i&0xff)
		if err := a.fail(r); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(a.limiters); n != 10001 {
		t.Fatalf("limiters=%d, want 10001", n)
	}
	// One failure is forgiven after FailedAuthEvery; the hot client's ten
	// are not.
	now = now.Add(FailedAuthEvery)
	late := httptest.NewRequest("GET", "/", nil)
	late.RemoteAddr = "198.51.100.7:6000"
	if err := a.limited(late); err != nil {
		t.Fatalf("a new client is limited: %v", err)
	}
	if n := len(a.limiters); n != 2 {
		t.Fatalf("limiters=%d after the prune, want 2 (the hot client and the new one)", n)
	}
	l, ok := a.limiters["192.0.2.1"]
	if !ok {
		t.Fatal("the prune dropped the limiter of a client still over its limit")
	}
	if tokens := l.TokensAt(now); tokens >= 2 {
		t.Fatalf("the hot client has %.1f attempts left, want its failures remembered (1)", tokens)
	}
}
