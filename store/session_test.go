package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

func TestSessionService_Session(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := store.NewSessionService(e.DB)

	secret, err := s.CreateSession(ctx, domain.SessionKindSession)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UseSession(ctx, secret); err != nil {
		t.Fatalf("use: %v", err)
	}

	t.Run("StoredHashed", func(t *testing.T) {
		var hashes []string
		if err := e.DB.Read(ctx, func(r *sqlx.DB) error {
			return r.Select(&hashes, "SELECT hash FROM owner_sessions")
		}); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(secret))
		if len(hashes) != 1 || hashes[0] != hex.EncodeToString(sum[:]) {
			t.Fatalf("stored %q, want only the SHA-256 of the secret", hashes)
		}
	})

	t.Run("SurvivesReopen", func(t *testing.T) {
		if err := e.DB.Close(); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.Open(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.UseSession(ctx, secret); err != nil {
			t.Fatalf("use after reopen: %v", err)
		}
	})

	t.Run("IdleExpiryMovesOnUse", func(t *testing.T) {
		e.Clock.Advance(domain.SessionIdle - time.Hour)
		if err := s.UseSession(ctx, secret); err != nil {
			t.Fatalf("use before idle expiry: %v", err)
		}
		e.Clock.Advance(domain.SessionIdle - time.Hour)
		if err := s.UseSession(ctx, secret); err != nil {
			t.Fatalf("use within idle time of the last use: %v", err)
		}
		e.Clock.Advance(domain.SessionIdle)
		AssertCode(t, s.UseSession(ctx, secret), domain.EUNAUTHORIZED, "")
	})

	t.Run("MaxAge", func(t *testing.T) {
		secret, err := s.CreateSession(ctx, domain.SessionKindSession)
		if err != nil {
			t.Fatal(err)
		}
		for elapsed := time.Duration(0); elapsed < domain.SessionMaxAge; elapsed += 6 * 24 * time.Hour {
			if err := s.UseSession(ctx, secret); err != nil {
				t.Fatalf("use after %v: %v", elapsed, err)
			}
			e.Clock.Advance(6 * 24 * time.Hour)
		}
		AssertCode(t, s.UseSession(ctx, secret), domain.EUNAUTHORIZED, "")
	})

	t.Run("EndSession", func(t *testing.T) {
		secret, err := s.CreateSession(ctx, domain.SessionKindSession)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EndSession(ctx, secret); err != nil {
			t.Fatal(err)
		}
		AssertCode(t, s.UseSession(ctx, secret), domain.EUNAUTHORIZED, "")
		if err := s.EndSession(ctx, "unknown"); err != nil {
			t.Fatalf("end unknown: %v", err)
		}
	})

	t.Run("KeepSession", func(t *testing.T) {
		secret := "a-session-a-restore-forgot"
		AssertCode(t, s.UseSession(ctx, secret), domain.EUNAUTHORIZED, "")
		if err := s.KeepSession(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if err := s.KeepSession(ctx, secret); err != nil {
			t.Fatalf("keep twice: %v", err)
		}
		if err := s.UseSession(ctx, secret); err != nil {
			t.Fatalf("use kept session: %v", err)
		}
		AssertCode(t, s.KeepSession(ctx, ""), domain.EUNAUTHORIZED, "")
	})

	t.Run("BadSecrets", func(t *testing.T) {
		AssertCode(t, s.UseSession(ctx, ""), domain.EUNAUTHORIZED, "")
		AssertCode(t, s.UseSession(ctx, string(make([]byte, 200))), domain.EUNAUTHORIZED, "")
		AssertCode(t, s.RedeemLink(ctx, ""), domain.EUNAUTHORIZED, "")
		_, err := s.CreateSession(ctx, "forever")
		AssertCode(t, err, domain.EINVALID, "kind")
	})
}

func TestSessionService_Link(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := store.NewSessionService(e.DB)

	link, err := s.CreateSession(ctx, domain.SessionKindLink)
	if err != nil {
		t.Fatal(err)
	}
	// A link is not a session.
	AssertCode(t, s.UseSession(ctx, link), domain.EUNAUTHORIZED, "")
	if err := s.RedeemLink(ctx, link); err != nil {
		t.Fatalf("redeem: %v", err)
	}
	AssertCode(t, s.RedeemLink(ctx, link), domain.EUNAUTHORIZED, "")

	t.Run("Expired", func(t *testing.T) {
		link, err := s.CreateSession(ctx, domain.SessionKindLink)
		if err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(domain.SignInLinkTTL)
		AssertCode(t, s.RedeemLink(ctx, link), domain.EUNAUTHORIZED, "")
	})

	t.Run("SessionIsNotALink", func(t *testing.T) {
		secret, err := s.CreateSession(ctx, domain.SessionKindSession)
		if err != nil {
			t.Fatal(err)
		}
		AssertCode(t, s.RedeemLink(ctx, secret), domain.EUNAUTHORIZED, "")
	})
}

func TestSessionService_EndAllSessions(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := store.NewSessionService(e.DB)

	var secrets []string
	for range 3 {
		secret, err := s.CreateSession(ctx, domain.SessionKindSession)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, secret)
	}
	link, err := s.CreateSession(ctx, domain.SessionKindLink)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.EndAllSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n, 3; got != want {
		t.Fatalf("ended=%d, want %d", got, want)
	}
	for _, secret := range secrets {
		AssertCode(t, s.UseSession(ctx, secret), domain.EUNAUTHORIZED, "")
	}
	AssertCode(t, s.RedeemLink(ctx, link), domain.EUNAUTHORIZED, "")
	if got := e.Count(t, "owner_sessions"); got != 0 {
		t.Fatalf("rows=%d, want 0", got)
	}
}

func TestSessionService_Bounded(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := store.NewSessionService(e.DB)

	first, err := s.CreateSession(ctx, domain.SessionKindSession)
	if err != nil {
		t.Fatal(err)
	}
	// Expired rows are dropped by the next create.
	e.Clock.Advance(domain.SessionIdle)
	if _, err := s.CreateSession(ctx, domain.SessionKindSession); err != nil {
		t.Fatal(err)
	}
	if got := e.Count(t, "owner_sessions"); got != 1 {
		t.Fatalf("rows=%d after an expiry, want 1", got)
	}
	AssertCode(t, s.UseSession(ctx, first), domain.EUNAUTHORIZED, "")

	if testing.Short() {
		return
	}
	for range domain.MaxSessions + 5 {
		e.Clock.Advance(time.Second)
		if _, err := s.CreateSession(ctx, domain.SessionKindSession); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.Count(t, "owner_sessions"); got != domain.MaxSessions {
		t.Fatalf("rows=%d, want at most %d", got, domain.MaxSessions)
	}
}
