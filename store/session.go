package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// sessionTouchEvery is how stale a session's last use must be before a
// request records a new one: a page makes many requests a minute, and each
// need not be a write.
const sessionTouchEvery = 60_000_000 // one minute, in microseconds

// SessionService implements domain.SessionService on a DB.
type SessionService struct {
	db *DB
}

var _ domain.SessionService = (*SessionService)(nil)

// NewSessionService returns a SessionService on db.
func NewSessionService(db *DB) *SessionService {
	return &SessionService{db: db}
}

// sessionRow is an owner_sessions row as stored.
type sessionRow struct {
	Kind       string `db:"kind"`
	CreatedAt  int64  `db:"created_at"`
	LastSeenAt int64  `db:"last_seen_at"`
	ExpiresAt  int64  `db:"expires_at"`
}

// CreateSession starts a session or a sign-in link and returns its secret.
// Expired rows go first, and beyond domain.MaxSessions the least recently
// used, so the table stays small.
func (s *SessionService) CreateSession(ctx context.Context, kind string) (string, error) {
	var ttl int64
	switch kind {
	case domain.SessionKindSession:
		ttl = domain.SessionIdle.Microseconds()
	case domain.SessionKindLink:
		ttl = domain.SignInLinkTTL.Microseconds()
	default:
		return "", domain.Invalidf("kind", "The session kind must be %q or %q.", domain.SessionKindSession, domain.SessionKindLink)
	}
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	err := s.db.write(ctx, func(tx *tx) error {
		now := micros(tx.now)
		if _, err := tx.exec(`DELETE FROM owner_sessions WHERE expires_at <= ?`, now); err != nil {
			return err
		}
		if _, err := tx.exec(`
			DELETE FROM owner_sessions
			WHERE last_seen_at < (
				SELECT last_seen_at
				FROM owner_sessions
				ORDER BY last_seen_at DESC
				LIMIT 1 OFFSET ?
			)`, domain.MaxSessions-2); err != nil {
			return err
		}
		_, err := tx.exec(`
			INSERT INTO owner_sessions (
				hash,
				kind,
				created_at,
				last_seen_at,
				expires_at
			) VALUES (?, ?, ?, ?, ?)`,
			hashKey(secret), kind, now, now, now+ttl)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return secret, nil
}

// expired is the error of an unknown, ended or expired session.
func expired() error {
	return domain.Errorf(domain.EUNAUTHORIZED, "The owner session has ended or expired; run \"reelvault link\" for a new sign-in link.")
}

// UseSession checks a session secret and moves its idle expiry. The check
// is a read; a write follows only when the last recorded use is older than
// a minute.
func (s *SessionService) UseSession(ctx context.Context, secret string) error {
	if secret == "" || len(secret) > 128 {
		return expired()
	}
	hash := hashKey(secret)
	var r sessionRow
	now := micros(s.db.now())
	err := s.db.read(ctx, false, func(tx *tx) error {
		return tx.get(&r, `
			SELECT
				kind,
				created_at,
				last_seen_at,
				expires_at
			FROM owner_sessions
			WHERE hash = ?`, hash)
	})
	if isNoRows(err) {
		return expired()
	} else if err != nil {
		return fmt.Errorf("use session: %w", err)
	}
	if r.Kind != domain.SessionKindSession || now >= r.ExpiresAt {
		return expired()
	}
	if now-r.LastSeenAt < sessionTouchEvery {
		return nil
	}
	// The session is good; recording its use only moves the idle expiry, so
	// a database that cannot take the write (read-only, busy) does not turn
	// a signed-in owner away.
	_ = s.db.write(ctx, func(tx *tx) error {
		now := micros(tx.now)
		_, err := tx.exec(`
			UPDATE owner_sessions SET
				last_seen_at = ?,
				expires_at = ?
			WHERE hash = ?`,
			now, min(now+domain.SessionIdle.Microseconds(), r.CreatedAt+domain.SessionMaxAge.Microseconds()), hash)
		return err
	})
	return nil
}

// RedeemLink deletes a sign-in link that is still good; the delete is the
// check, so two requests racing with one link cannot both win.
func (s *SessionService) RedeemLink(ctx context.Context, secret string) error {
	if secret == "" || len(secret) > 128 {
		return expired()
	}
	var n int64
	err := s.db.write(ctx, func(tx *tx) error {
		res, err := tx.exec(`
			DELETE FROM owner_sessions
			WHERE hash = ?
				AND kind = 'link'
				AND expires_at > ?`,
			hashKey(secret), micros(tx.now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("redeem sign-in link: %w", err)
	}
	if n == 0 {
		return domain.Errorf(domain.EUNAUTHORIZED, "The sign-in link was already used or has expired; run \"reelvault link\" for a new one.")
	}
	return nil
}

// KeepSession inserts the session again when it is missing.
func (s *SessionService) KeepSession(ctx context.Context, secret string) error {
	if secret == "" || len(secret) > 128 {
		return expired()
	}
	err := s.db.write(ctx, func(tx *tx) error {
		now := micros(tx.now)
		_, err := tx.exec(`
			INSERT INTO owner_sessions (
				hash,
				kind,
				created_at,
				last_seen_at,
				expires_at
			) VALUES (?, 'session', ?, ?, ?)
			ON CONFLICT (hash) DO NOTHING`,
			hashKey(secret), now, now, now+domain.SessionIdle.Microseconds())
		return err
	})
	if err != nil {
		return fmt.Errorf("keep session: %w", err)
	}
	return nil
}

// EndSession deletes one session.
func (s *SessionService) EndSession(ctx context.Context, secret string) error {
	err := s.db.write(ctx, func(tx *tx) error {
		_, err := tx.exec(`DELETE FROM owner_sessions WHERE hash = ?`, hashKey(secret))
		return err
	})
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// EndAllSessions deletes every session and link.
func (s *SessionService) EndAllSessions(ctx context.Context) (int, error) {
	var n int
	err := s.db.write(ctx, func(tx *tx) error {
		if err := tx.get(&n, `
			SELECT count(*)
			FROM owner_sessions
			WHERE kind = 'session'
				AND expires_at > ?`, micros(tx.now)); err != nil {
			return err
		}
		_, err := tx.exec(`DELETE FROM owner_sessions`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("end all sessions: %w", err)
	}
	return n, nil
}

// keptSession is a whole owner_sessions row, carried across a file swap.
type keptSession struct {
	Hash string `db:"hash"`
	sessionRow
}

// liveSessions reads every owner session and sign-in link of w (none when
// the schema predates them).
func liveSessions(ctx context.Context, w *sqlx.DB) ([]keptSession, error) {
	var rows []keptSession
	err := w.SelectContext(ctx, &rows, `SELECT hash, kind, created_at, last_seen_at, expires_at FROM owner_sessions`)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read owner sessions: %w", mapError(err))
	}
	return rows, nil
}

// putSessions makes rows the owner sessions of w, in one transaction.
func putSessions(ctx context.Context, w *sqlx.DB, rows []keptSession) error {
	tx, err := w.BeginTxx(ctx, nil)
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM owner_sessions`); err != nil {
		return mapError(err)
	}
	for _, r := range rows {
		if _, err := tx.ExecContext(ctx, `INSERT INTO owner_sessions (hash, kind, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			r.Hash, r.Kind, r.CreatedAt, r.LastSeenAt, r.ExpiresAt); err != nil {
			return mapError(err)
		}
	}
	return mapError(tx.Commit())
}
