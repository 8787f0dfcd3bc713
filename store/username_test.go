package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // the test writes a version-3 database directly

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// TestUserService_UsernameCase proves usernames are unique regardless of
// letter case (the conflict names the existing user) and that names in any
// script, like 李明, are valid.
func TestUserService_UsernameCase(t *testing.T) {
	e := newEnv(t)
	e.MustCreateUser(t, "alice", 1)
	for _, name := range []string{"ALICE", "Alice"} {
		_, _, err := e.Users.CreateUser(e.Owner, domain.UserCreate{Username: name})
		AssertCode(t, err, domain.ECONFLICT, "")
		if msg := domain.ErrorMessage(err); !strings.Contains(msg, "alice") || !strings.Contains(msg, name) {
			t.Fatalf("message %q should name %s and the existing alice", msg, name)
		}
	}
	e.MustCreateUser(t, "李明", 1)
	e.MustCreateUser(t, "Zoë", 1)
	_, _, err := e.Users.CreateUser(e.Owner, domain.UserCreate{Username: "ZOË"})
	AssertCode(t, err, domain.ECONFLICT, "")
	if got, want := e.Count(t, "users"), 3; got != want {
		t.Fatalf("users=%d, want %d", got, want)
	}
}

// TestDB_MigrateUsernameCase proves migration 4 keeps the oldest of users
// whose names differ only in case and renames the others to name-<id>.
func TestDB_MigrateUsernameCase(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reelvault.db")
	if err := store.CreateAtVersion(ctx, path, 3); err != nil {
		t.Fatal(err)
	}
	raw, err := sqlx.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"alice", "ALICE", "bob", "Alice"} {
		if _, err := raw.Exec(`INSERT INTO users (id, username, api_key_hash, key_prefix, quota, created_at, updated_at)
			VALUES (?, ?, ?, '', 1, 0, 0)`, i+1, name, name); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	users, err := store.NewUserService(db).FindUsers(domain.WithOwner(ctx))
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, u := range users {
		got[u.ID] = u.Username
	}
	want := map[int64]string{1: "alice", 2: "ALICE-2", 3: "bob", 4: "Alice-4"}
	for id, name := range want {
		if got[id] != name {
			t.Fatalf("users=%v, want %v", got, want)
		}
	}
	_, _, err = store.NewUserService(db).CreateUser(domain.WithOwner(ctx), domain.UserCreate{Username: "BOB"})
	AssertCode(t, err, domain.ECONFLICT, "")
}
