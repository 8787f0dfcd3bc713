package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

func TestUserService_CreateUser(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := newEnv(t)
		u, key, err := e.Users.CreateUser(e.Owner, domain.UserCreate{Username: "alice", Email: "alice@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(key, domain.APIKeyPrefix) || len(key) != 3+43 {
			t.Fatalf("key=%q, want rv_ and 43 base64url characters", key)
		}
		if u.Quota != domain.DefaultQuota || !u.IsActive || u.Email != "alice@example.com" || !strings.HasPrefix(key, u.KeyPrefix) || len(u.KeyPrefix) < 6 {
			t.Fatalf("user=%+v", u)
		}
		// Only the hash is stored.
		var stored string
		if err := e.DB.Read(context.Background(), func(r *sqlx.DB) error {
			return r.Get(&stored, r.Rebind("SELECT api_key_hash FROM users WHERE id = ?"), u.ID)
		}); err != nil {
			t.Fatal(err)
		}
		if stored == key || strings.Contains(stored, key[3:]) || len(stored) != 64 {
			t.Fatalf("stored key material %q", stored)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		e := newEnv(t)
		neg := -1
		for _, tt := range []struct {
			name  string
			in    domain.UserCreate
			field string
		}{
			{"EmptyName", domain.UserCreate{}, "username"},
			{"SpaceInName", domain.UserCreate{Username: "al ice"}, "username"},
			{"SQLName", domain.UserCreate{Username: "x'; DROP TABLE users;--"}, "username"},
			{"LongName", domain.UserCreate{Username: strings.Repeat("a", 65)}, "username"},
			{"BadEmail", domain.UserCreate{Username: "alice", Email: "not-an-email"}, "email"},
			{"NamedEmail", domain.UserCreate{Username: "alice", Email: "Alice <a@example.com>"}, "email"},
			{"NegativeQuota", domain.UserCreate{Username: "alice", Quota: &neg}, "quota"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := e.Users.CreateUser(e.Owner, tt.in)
				AssertCode(t, err, domain.EINVALID, tt.field)
			})
		}
		if n := e.Count(t, "users"); n != 0 {
			t.Fatalf("users=%d, want 0", n)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		e := newEnv(t)
		if _, _, err := e.Users.CreateUser(e.Owner, domain.UserCreate{Username: "alice", Email: "a@example.com"}); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.Users.CreateUser(e.Owner, domain.UserCreate{Username: "alice"})
		AssertCode(t, err, domain.ECONFLICT, "")
		_, _, err = e.Users.CreateUser(e.Owner, domain.UserCreate{Username: "bob", Email: "a@example.com"})
		AssertCode(t, err, domain.ECONFLICT, "")
		if !strings.Contains(domain.ErrorMessage(err), "email") {
			t.Fatalf("message %q does not name the email", domain.ErrorMessage(err))
		}
		if n := e.Count(t, "users"); n != 1 {
			t.Fatalf("users=%d, want 1", n)
		}
	})

	t.Run("ErrNotOwner", func(t *testing.T) {
		e := newEnv(t)
		_, _, uctx := e.MustCreateUser(t, "alice", 1)
		_, _, err := e.Users.CreateUser(uctx, domain.UserCreate{Username: "bob"})
		AssertCode(t, err, domain.EFORBIDDEN, "")
		_, _, err = e.Users.CreateUser(context.Background(), domain.UserCreate{Username: "bob"})
		AssertCode(t, err, domain.EUNAUTHORIZED, "")
	})
}

func TestUserService_Authenticate(t *testing.T) {
	e := newEnv(t)
	alice, key, _ := e.MustCreateUser(t, "alice", 1)
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		u, err := e.Users.Authenticate(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != alice.ID {
			t.Fatalf("id=%d, want %d", u.ID, alice.ID)
		}
	})

	t.Run("ErrUnknownKey", func(t *testing.T) {
		for _, k := range []string{"", "rv_", key + "x", key[:len(key)-1], "rv_' OR '1'='1", strings.ToUpper(key)} {
			_, err := e.Users.Authenticate(ctx, k)
			AssertCode(t, err, domain.EUNAUTHORIZED, "")
		}
	})

	t.Run("RotateKey", func(t *testing.T) {
		u, newKey, err := e.Users.RotateKey(e.Owner, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if newKey == key || !strings.HasPrefix(newKey, u.KeyPrefix) {
			t.Fatalf("new key %q, prefix %q", newKey, u.KeyPrefix)
		}
		_, err = e.Users.Authenticate(ctx, key)
		AssertCode(t, err, domain.EUNAUTHORIZED, "")
		if _, err := e.Users.Authenticate(ctx, newKey); err != nil {
			t.Fatal(err)
		}
		key = newKey
	})

	t.Run("Deactivate", func(t *testing.T) {
		if _, err := e.Users.SetActive(e.Owner, "alice", false); err != nil {
			t.Fatal(err)
		}
		_, err := e.Users.Authenticate(ctx, key)
		AssertCode(t, err, domain.EFORBIDDEN, "")
		if _, err := e.Users.SetActive(e.Owner, "alice", true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Users.Authenticate(ctx, key); err != nil {
			t.Fatal(err)
		}
	})
}

func TestUserService_Manage(t *testing.T) {
	e := newEnv(t)
	alice, _, actx := e.MustCreateUser(t, "alice", 5)
	bob, _, _ := e.MustCreateUser(t, "bob", 5)

	users, err := e.Users.FindUsers(e.Owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[0].Username != "alice" || users[1].Username != "bob" {
		t.Fatalf("users=%v", users)
	}
	if u, err := e.Users.FindUserByID(actx, alice.ID); err != nil || u.Username != "alice" {
		t.Fatalf("self lookup: %v %v", u, err)
	}
	_, err = e.Users.FindUserByID(actx, bob.ID)
	AssertCode(t, err, domain.EFORBIDDEN, "")
	_, err = e.Users.FindUsers(actx)
	AssertCode(t, err, domain.EFORBIDDEN, "")
	_, err = e.Users.FindUserByName(e.Owner, "carol")
	AssertCode(t, err, domain.ENOTFOUND, "")
	_, err = e.Users.SetQuota(e.Owner, "carol", 3)
	AssertCode(t, err, domain.ENOTFOUND, "")
	_, _, err = e.Users.RotateKey(e.Owner, "carol")
	AssertCode(t, err, domain.ENOTFOUND, "")
	_, err = e.Users.SetQuota(e.Owner, "alice", -1)
	AssertCode(t, err, domain.EINVALID, "quota")
	_, err = e.Users.SetQuota(actx, "alice", 100)
	AssertCode(t, err, domain.EFORBIDDEN, "")
	u, err := e.Users.SetQuota(e.Owner, "alice", 7)
	if err != nil || u.Quota != 7 {
		t.Fatalf("set quota: %v %v", u, err)
	}
	if got := fmt.Sprint(u.UpdatedAt.Equal(e.Clock.Now())); got != "true" {
		t.Fatalf("updated_at=%v, want %v", u.UpdatedAt, e.Clock.Now())
	}
}
