package server

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// memSessions is a domain.SessionService in memory, for a server built
// without one (tests, embedders): its sessions end with the process.
type memSessions struct {
	now func() time.Time

	mu   sync.Mutex
	rows map[[sha256.Size]byte]memSession
}

type memSession struct {
	kind    string
	created time.Time
	expires time.Time
}

func newMemSessions(now func() time.Time) *memSessions {
	return &memSessions{now: now, rows: make(map[[sha256.Size]byte]memSession)}
}

// CreateSession starts a session or a link.
func (m *memSessions) CreateSession(ctx context.Context, kind string) (string, error) {
	ttl := domain.SessionIdle
	switch kind {
	case domain.SessionKindSession:
	case domain.SessionKindLink:
		ttl = domain.SignInLinkTTL
	default:
		return "", domain.Invalidf("kind", "The session kind must be %q or %q.", domain.SessionKindSession, domain.SessionKindLink)
	}
	secret := randomToken()
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for h, s := range m.rows {
		if !now.Before(s.expires) {
			delete(m.rows, h)
		}
	}
	if len(m.rows) >= domain.MaxSessions {
		return "", domain.Errorf(domain.ECONFLICT, "Too many owner sessions; sign out everywhere first.")
	}
	m.rows[sha256.Sum256([]byte(secret))] = memSession{kind: kind, created: now, expires: now.Add(ttl)}
	return secret, nil
}

// UseSession checks a session and moves its idle expiry.
func (m *memSessions) UseSession(ctx context.Context, secret string) error {
	h := sha256.Sum256([]byte(secret))
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.rows[h]
	if !ok || s.kind != domain.SessionKindSession || !now.Before(s.expires) {
		return domain.Errorf(domain.EUNAUTHORIZED, "The owner session has ended or expired.")
	}
	s.expires = now.Add(domain.SessionIdle)
	if maxEnd := s.created.Add(domain.SessionMaxAge); s.expires.After(maxEnd) {
		s.expires = maxEnd
	}
	m.rows[h] = s
	return nil
}

// RedeemLink uses up a link.
func (m *memSessions) RedeemLink(ctx context.Context, secret string) error {
	h := sha256.Sum256([]byte(secret))
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.rows[h]
	if !ok || s.kind != domain.SessionKindLink || !m.now().Before(s.expires) {
		return domain.Errorf(domain.EUNAUTHORIZED, "The sign-in link was already used or has expired.")
	}
	delete(m.rows, h)
	return nil
}

// KeepSession stores the session again if it is missing.
func (m *memSessions) KeepSession(ctx context.Context, secret string) error {
	h := sha256.Sum256([]byte(secret))
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.rows[h]; !ok {
		m.rows[h] = memSession{kind: domain.SessionKindSession, created: now, expires: now.Add(domain.SessionIdle)}
	}
	return nil
}

// EndSession forgets one session.
func (m *memSessions) EndSession(ctx context.Context, secret string) error {
	m.mu.Lock()
	delete(m.rows, sha256.Sum256([]byte(secret)))
	m.mu.Unlock()
	return nil
}

// EndAllSessions forgets every session and link.
func (m *memSessions) EndAllSessions(ctx context.Context) (int, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, s := range m.rows {
		if s.kind == domain.SessionKindSession && now.Before(s.expires) {
			n++
		}
	}
	clear(m.rows)
	return n, nil
}
