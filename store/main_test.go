package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/reelvault/reelvault/store"
)

// clock is a settable time source for DB.Now.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)} }

// MustOpenDB opens a new database in a temporary folder and closes it when
// the test ends.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db := store.NewDB(filepath.Join(tb.TempDir(), "reelvault.db"))
	if err := db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}
