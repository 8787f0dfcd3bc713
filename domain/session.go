package domain

import (
	"context"
	"time"
)

// Owner session lifetimes. A session ends after SessionIdle without a
// request, and at the latest SessionMaxAge after it began; a sign-in link
// is good for one use within SignInLinkTTL.
const (
	SessionIdle   = 7 * 24 * time.Hour
	SessionMaxAge = 30 * 24 * time.Hour
	SignInLinkTTL = time.Hour

	// MaxSessions bounds the stored sessions and links: beyond it, the
	// least recently used are dropped.
	MaxSessions = 1000
)

// Kinds of stored owner secrets.
const (
	SessionKindSession = "session" // a browser's session cookie
	SessionKindLink    = "link"    // a one-time sign-in link
)

// SessionService keeps the web UI's owner sessions and one-time sign-in
// links. Only SHA-256 hashes of their secrets are stored, so a copy of the
// database cannot sign anyone in. The methods need no actor: the caller (the
// HTTP server, the local command line) is the one that decides who the
// owner is.
type SessionService interface {
	// CreateSession starts an owner session of kind SessionKindSession or
	// SessionKindLink and returns its secret, shown once. Returns EINVALID
	// for another kind.
	CreateSession(ctx context.Context, kind string) (string, error)

	// UseSession checks a session secret and records its use (which moves
	// its idle expiry). Returns EUNAUTHORIZED when the session is unknown,
	// ended or expired.
	UseSession(ctx context.Context, secret string) error

	// RedeemLink uses up a sign-in link. Returns EUNAUTHORIZED when the link
	// is unknown, already used or expired.
	RedeemLink(ctx context.Context, secret string) error

	// KeepSession stores the session secret again if it is missing (after a
	// restore replaced the database), with a fresh expiry.
	KeepSession(ctx context.Context, secret string) error

	// EndSession ends one session; an unknown secret is not an error.
	EndSession(ctx context.Context, secret string) error

	// EndAllSessions ends every session and unused sign-in link ("sign out
	// everywhere") and returns how many sessions it ended.
	EndAllSessions(ctx context.Context) (int, error)
}
