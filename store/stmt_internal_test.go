package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// TestDB_StatementCache checks that a query is prepared once in the
// background, served from the cache afterwards, and forgotten when the
// pools are replaced.
func TestDB_StatementCache(t *testing.T) {
	ctx := context.Background()
	db := NewDB(filepath.Join(t.TempDir(), "reelvault.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	users := NewUserService(db)
	owner := domain.WithOwner(ctx)
	query := `SELECT` + userColumns + ` FROM users ORDER BY username`

	if _, err := users.FindUsers(owner); err != nil { // first use: unprepared, prepares in the background
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for db.lookup(db.reader, query) == nil {
		if time.Now().After(deadline) {
			t.Fatal("statement never cached")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := users.FindUsers(owner); err != nil { // served prepared
		t.Fatal(err)
	}

	old := db.reader
	if err := db.Exclusive(ctx, func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if db.reader == old {
		t.Fatal("Exclusive kept the old reader pool")
	}
	n := 0
	db.stmtCache.stmts.Range(func(k, _ any) bool {
		if k.(stmtKey).pool == old {
			n++
		}
		return true
	})
	if n != 0 {
		t.Fatalf("%d statements of the closed pool still cached", n)
	}
	if _, err := users.FindUsers(owner); err != nil {
		t.Fatal(err)
	}
}
