package store_test

import (
	"context"
	"testing"

	"github.com/reelvault/reelvault/store"
)

func TestSettings_Set(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	s := store.NewSettings(db)

	if got, err := s.All(ctx); err != nil {
		t.Fatal(err)
	} else if len(got) != 0 {
		t.Fatalf("settings=%v, want none", got)
	}
	if err := s.Set(ctx, map[string]string{"a": "1", "b": "2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, map[string]string{"b": "3"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got["a"] != "1" || got["b"] != "3" || len(got) != 2 {
		t.Fatalf("settings=%v, want a=1 b=3", got)
	}

	// Settings survive a reopen.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	} else if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := s.All(ctx); err != nil {
		t.Fatal(err)
	} else if got["b"] != "3" {
		t.Fatalf("after reopen b=%q, want 3", got["b"])
	}
}
