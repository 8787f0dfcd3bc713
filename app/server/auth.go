package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/reelvault/reelvault/domain"
)

// Failed-authentication limits per client address: a burst of
// FailedAuthBurst failures, then one more every FailedAuthEvery; further
// failures get 429 instead of 401. Right credentials are always accepted:
// every pipeline on this machine shares the address 127.0.0.1, and one
// pipeline retrying with a stale key must not lock the others out. (Keys
// and tokens are 256 random bits, so the limit is there to make a failing
// client back off, not to make guessing feasible-but-slow.)
const (
	FailedAuthBurst = 10
	FailedAuthEvery = 6 * time.Second
)

// authenticator resolves a request to an actor: an API key (Bearer) to its
// user, the owner session cookie to the owner. It holds the one-time owner
// token that serve prints (in memory: a restart prints a new one, as Jupyter
// does); the owner sessions and the sign-in links of "reelvault link" live in
// the SessionService, so a browser stays signed in across restarts.
type authenticator struct {
	users    domain.UserService
	sessions domain.SessionService
	now      func() time.Time

	// onRotate is called with the new token after a token was used, so that
	// the token file follows.
	onRotate func()

	mu        sync.Mutex
	tokenHash [sha256.Size]byte
	token     string
	limiters  map[string]*rate.Limiter // client address → failures
}

func newAuthenticator(users domain.UserService, sessions domain.SessionService, now func() time.Time) *authenticator {
	if sessions == nil {
		sessions = newMemSessions(now)
	}
	a := &authenticator{
		users:    users,
		sessions: sessions,
		now:      now,
		limiters: make(map[string]*rate.Limiter),
	}
	a.rotateLocked()
	return a
}

// randomToken returns 32 random bytes, base64url encoded.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

func (a *authenticator) rotateLocked() {
	a.token = randomToken()
	a.tokenHash = sha256.Sum256([]byte(a.token))
}

// ownerToken returns the current one-time owner token.
func (a *authenticator) ownerToken() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.token
}

// errLinkUsed is the error of a sign-in token or link that is wrong, used
// or expired.
func errLinkUsed() error {
	return domain.Errorf(domain.EUNAUTHORIZED, "The sign-in link was already used or has expired; run \"reelvault link\" for a new one.")
}

// exchange trades a sign-in token for a new session secret: serve's
// one-time owner token (after which a fresh one is issued; the comparison is
// on hashes, in constant time) or a link made by "reelvault link".
func (a *authenticator) exchange(r *http.Request, token string) (string, error) {
	h := sha256.Sum256([]byte(token))
	a.mu.Lock()
	ok := subtle.ConstantTimeCompare(h[:], a.tokenHash[:]) == 1
	if ok {
		a.rotateLocked()
	}
	a.mu.Unlock()
	if ok {
		if a.onRotate != nil {
			a.onRotate()
		}
	} else if err := a.sessions.RedeemLink(r.Context(), token); err != nil {
		if domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			return "", err
		}
		if err := a.fail(r); err != nil {
			return "", err
		}
		return "", errLinkUsed()
	}
	return a.sessions.CreateSession(r.Context(), domain.SessionKindSession)
}

// endSession forgets a session.
func (a *authenticator) endSession(r *http.Request, session string) error {
	return a.sessions.EndSession(r.Context(), session)
}

// hasSession reports whether the request carries a live owner session.
func (a *authenticator) hasSession(r *http.Request) bool {
	c, err := r.Cookie(SessionCookie)
	return err == nil && a.sessions.UseSession(r.Context(), c.Value) == nil
}

// authenticate returns the request's actor. It returns EUNAUTHORIZED for
// missing or bad credentials, EFORBIDDEN for a deactivated user's key and
// ERATELIMITED when the client failed too often.
func (a *authenticator) authenticate(r *http.Request) (domain.Actor, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, key, _ := strings.Cut(h, " ")
		key = strings.TrimSpace(key)
		if !strings.EqualFold(scheme, "Bearer") || key == "" {
			if err := a.fail(r); err != nil {
				return domain.Actor{}, err
			}
			return domain.Actor{}, domain.Errorf(domain.EUNAUTHORIZED, "The Authorization header must be \"Bearer %s…\".", domain.APIKeyPrefix)
		}
		// The store compares SHA-256 hashes of keys, so the time it takes
		// does not depend on how much of a guess is right.
		user, err := a.users.Authenticate(r.Context(), key)
		if err != nil {
			if domain.ErrorCode(err) == domain.EUNAUTHORIZED {
				if lerr := a.fail(r); lerr != nil {
					return domain.Actor{}, lerr
				}
			}
			return domain.Actor{}, err
		}
		return domain.Actor{UserID: user.ID}, nil
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := a.sessions.UseSession(r.Context(), c.Value); err != nil {
			if domain.ErrorCode(err) != domain.EUNAUTHORIZED {
				return domain.Actor{}, err
			}
			// A session is a 256-bit secret: guessing one is hopeless, so an
			// ended session (a browser left open across a restore or a sign
			// out everywhere) uses none of the client's failures, or its
			// tabs would lock out the fresh sign-in link. A client already
			// over its limit is still refused.
			if err := a.limited(r); err != nil {
				return domain.Actor{}, err
			}
			return domain.Actor{}, domain.Errorf(domain.EUNAUTHORIZED, "The owner session has ended or expired; run \"reelvault link\" for a new sign-in link.")
		}
		return domain.Actor{Owner: true}, nil
	}
	return domain.Actor{}, domain.Errorf(domain.EUNAUTHORIZED, "Authentication required: send \"Authorization: Bearer %s…\" with an API key, or open the owner link printed by reelvault serve.", domain.APIKeyPrefix)
}

// clientKey identifies the client for rate limiting: its IP address. Proxy
// headers are ignored; the server is meant to be reached directly.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (a *authenticator) limiter(r *http.Request) *rate.Limiter {
	key := clientKey(r)
	a.mu.Lock()
	defer a.mu.Unlock()
	l, ok := a.limiters[key]
	if !ok {
		if len(a.limiters) > 10000 {
			a.pruneLimitersLocked()
		}
		l = rate.NewLimiter(rate.Every(FailedAuthEvery), FailedAuthBurst)
		a.limiters[key] = l
	}
	return l
}

// pruneLimitersLocked drops the limiters of clients that have not failed
// recently (their bucket is full again).
func (a *authenticator) pruneLimitersLocked() {
	now := a.now()
	for k, l := range a.limiters {
		if l.TokensAt(now) >= FailedAuthBurst {
			delete(a.limiters, k)
		}
	}
}

// limited returns ERATELIMITED when the client is over its limit, without
// counting a failure.
func (a *authenticator) limited(r *http.Request) error {
	if a.limiter(r).TokensAt(a.now()) < 1 {
		return domain.Errorf(ERATELIMITED, "Too many failed authentication attempts; wait a few seconds and try again.")
	}
	return nil
}

// fail records one failed attempt by the client and returns ERATELIMITED
// when the client is over its limit.
func (a *authenticator) fail(r *http.Request) error {
	if !a.limiter(r).AllowN(a.now(), 1) {
		return domain.Errorf(ERATELIMITED, "Too many failed authentication attempts; wait a few seconds and try again.")
	}
	return nil
}
