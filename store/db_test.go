package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	_ "modernc.org/sqlite"
)

func TestDB_Open(t *testing.T) {
	ctx := context.Background()

	t.Run("CreatesFolderAndSchema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a", "b", "reelvault.db")
		db := store.NewDB(path)
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := v, store.LatestSchemaVersion(); got != want || want < 1 {
			t.Fatalf("version=%d, want %d (>= 1)", got, want)
		}
		var appID int32
		var journal, fk string
		err = db.Read(ctx, func(r *sqlx.DB) error {
			if err := r.GetContext(ctx, &appID, "PRAGMA application_id"); err != nil {
				return err
			}
			if err := r.GetContext(ctx, &journal, "PRAGMA journal_mode"); err != nil {
				return err
			}
			return r.GetContext(ctx, &fk, "PRAGMA foreign_keys")
		})
		if err != nil {
			t.Fatal(err)
		}
		if appID != store.ApplicationID {
			t.Fatalf("application_id=%#x, want %#x", appID, store.ApplicationID)
		}
		if journal != "wal" || fk != "1" {
			t.Fatalf("journal_mode=%q foreign_keys=%q, want wal and 1", journal, fk)
		}
	})

	t.Run("SynchronousFullByDefault", func(t *testing.T) {
		sqliteOnly(t)
		db := MustOpenDB(t)
		var sync int
		if err := db.Write(ctx, func(w *sqlx.DB) error {
			return w.GetContext(ctx, &sync, "PRAGMA synchronous")
		}); err != nil {
			t.Fatal(err)
		}
		// FULL durability: the writer connection runs NORMAL and the
		// store fsyncs the WAL itself before it answers (walsync.go).
		if db.Synchronous != "FULL" || sync != 1 {
			t.Fatalf("Synchronous=%q, writer synchronous=%d, want FULL and 1 (NORMAL, the WAL synced by the store)", db.Synchronous, sync)
		}
	})

	t.Run("ErrBadSynchronous", func(t *testing.T) {
		db := store.NewDB(filepath.Join(t.TempDir(), "x.db"))
		db.Synchronous = "OFF"
		err := db.Open(ctx)
		if got, want := domain.ErrorCode(err), domain.EINVALID; got != want {
			t.Fatalf("code=%q, want %q (%v)", got, want, err)
		}
		if got, want := domain.ErrorField(err), "synchronous"; got != want {
			t.Fatalf("field=%q, want %q", got, want)
		}
	})

	t.Run("ErrForeignSQLiteFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		other, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Exec("PRAGMA application_id = 42; CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')"); err != nil {
			t.Fatal(err)
		}
		other.Close()
		before, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}

		db := store.NewDB(path)
		err = db.Open(ctx)
		if got, want := domain.ErrorCode(err), domain.ECONFLICT; got != want {
			t.Fatalf("code=%q, want %q (%v)", got, want, err)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(before) != string(after) {
			t.Fatal("foreign file was modified")
		}
	})

	t.Run("ErrForeignSQLiteFileWithoutApplicationID", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		other, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Exec("CREATE TABLE notes (body TEXT)"); err != nil {
			t.Fatal(err)
		}
		other.Close()
		err = store.NewDB(path).Open(ctx)
		if got, want := domain.ErrorCode(err), domain.ECONFLICT; got != want {
			t.Fatalf("code=%q, want %q (%v)", got, want, err)
		}
	})

	t.Run("ErrNotADatabase", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "notes.txt")
		if err := os.WriteFile(path, []byte("this is a plain text file, long enough to have a header of sorts...............................................\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := store.NewDB(path).Open(ctx)
		if got, want := domain.ErrorCode(err), domain.EINVALID; got != want {
			t.Fatalf("code=%q, want %q (%v)", got, want, err)
		}
	})

	t.Run("ReopenAfterClose", func(t *testing.T) {
		db := MustOpenDB(t)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.Read(ctx, func(*sqlx.DB) error { return nil }); err == nil {
			t.Fatal("Read on a closed DB succeeded")
		}
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SchemaVersion(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDB_Exclusive(t *testing.T) {
	ctx := context.Background()

	t.Run("SwapsFile", func(t *testing.T) {
		dir := t.TempDir()
		// Build a second database with one marker row.
		other := store.NewDB(filepath.Join(dir, "other.db"))
		if err := other.Open(ctx); err != nil {
			t.Fatal(err)
		}
		if err := other.Write(ctx, func(w *sqlx.DB) error {
			_, err := w.ExecContext(ctx, "INSERT INTO statistics (date, total_tasks) VALUES ('2026-01-01', 7)")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := other.Close(); err != nil {
			t.Fatal(err)
		}

		db := store.NewDB(filepath.Join(dir, "reelvault.db"))
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Exclusive(ctx, func(path string) error {
			if _, err := os.Stat(path + "-wal"); err == nil {
				if fi, _ := os.Stat(path + "-wal"); fi.Size() != 0 {
					t.Errorf("WAL not truncated: %d bytes", fi.Size())
				}
			}
			os.Remove(path + "-wal")
			os.Remove(path + "-shm")
			return os.Rename(filepath.Join(dir, "other.db"), path)
		}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.Read(ctx, func(r *sqlx.DB) error {
			return r.GetContext(ctx, &n, "SELECT total_tasks FROM statistics WHERE date = '2026-01-01'")
		}); err != nil {
			t.Fatal(err)
		}
		if n != 7 {
			t.Fatalf("total_tasks=%d, want 7 from the swapped-in file", n)
		}
	})

	t.Run("OperationsWait", func(t *testing.T) {
		sqliteOnly(t)
		db := MustOpenDB(t)
		users := store.NewUserService(db)
		owner := domain.WithOwner(ctx)
		inFn, release := make(chan struct{}), make(chan struct{})
		swapped := make(chan error, 1)
		go func() {
			swapped <- db.Exclusive(ctx, func(path string) error {
				close(inFn)
				<-release
				// Replace the database with a fresh one holding one user.
				for _, suffix := range []string{"", "-wal", "-shm"} {
					os.Remove(path + suffix)
				}
				other := store.NewDB(path)
				if err := other.Open(ctx); err != nil {
					return err
				}
				if _, _, err := store.NewUserService(other).CreateUser(owner, domain.UserCreate{Username: "restored"}); err != nil {
					return err
				}
				return other.Close()
			})
		}()
		<-inFn
		found := make(chan []*domain.User, 1)
		go func() {
			list, err := users.FindUsers(owner)
			if err != nil {
				t.Error(err)
			}
			found <- list
		}()
		select {
		case <-found:
			t.Fatal("a read ran while Exclusive held the database")
		case <-time.After(100 * time.Millisecond):
		}
		close(release)
		if err := <-swapped; err != nil {
			t.Fatal(err)
		}
		if list := <-found; len(list) != 1 || list[0].Username != "restored" {
			t.Fatalf("users after the swap=%v, want the restored one", list)
		}
	})

	t.Run("ErrKeepsOldFile", func(t *testing.T) {
		sqliteOnly(t)
		db := MustOpenDB(t)
		if err := db.Write(ctx, func(w *sqlx.DB) error {
			_, err := w.ExecContext(ctx, "INSERT INTO statistics (date, total_tasks) VALUES ('2026-01-02', 3)")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		if err := db.Exclusive(ctx, func(string) error { return boom }); !errors.Is(err, boom) {
			t.Fatalf("err=%v, want boom", err)
		}
		var n int
		if err := db.Read(ctx, func(r *sqlx.DB) error {
			return r.GetContext(ctx, &n, "SELECT total_tasks FROM statistics WHERE date = '2026-01-02'")
		}); err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Fatalf("total_tasks=%d, want 3", n)
		}
	})
}
