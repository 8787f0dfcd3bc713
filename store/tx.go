package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// execer is what a service helper runs SQL on: a transaction, or a pool for
// single-statement reads.
type execer interface {
	sqlx.ExtContext
	sqlx.PreparerContext
}

// tx is one unit of work of a service method. It stamps a single now for
// every timestamp it writes, times every statement for the slow-query log
// and collects notifications that are sent only after commit.
type tx struct {
	ctx   context.Context
	db    *DB
	ext   execer
	pool  *sqlx.DB // the pool ext belongs to, for the statement cache
	now   time.Time
	notes []domain.Notification
}

// read runs fn on the reader pool. With inTx, fn sees one consistent
// snapshot across several statements; without, each statement stands alone
// (cheaper for a method that runs one query).
func (db *DB) read(ctx context.Context, inTx bool, fn func(tx *tx) error) error {
	return db.Read(ctx, func(r *sqlx.DB) error {
		t := &tx{ctx: ctx, db: db, ext: r, pool: r, now: db.now()}
		if !inTx {
			return mapError(fn(t))
		}
		sqlTx, err := r.BeginTxx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer sqlTx.Rollback()
		t.ext = sqlTx
		if err := fn(t); err != nil {
			return mapError(err)
		}
		return sqlTx.Commit()
	})
}

// write runs fn in an IMMEDIATE transaction on the writer connection and
// sends the collected notifications once it has committed. On SQLite fn
// runs in a savepoint of a transaction it may share with concurrent writes
// (see commit.go). On PostgreSQL
// the transaction first takes the database's write lock (see dialect).
func (db *DB) write(ctx context.Context, fn func(tx *tx) error) error {
	return db.writeLocked(ctx, false, fn)
}

// claim is write for ClaimTask. On PostgreSQL claims share the write lock
// with each other, so several run at once, each taking its task row with
// FOR UPDATE SKIP LOCKED; on SQLite it is write.
func (db *DB) claim(ctx context.Context, fn func(tx *tx) error) error {
	return db.writeLocked(ctx, true, fn)
}

func (db *DB) writeLocked(ctx context.Context, shared bool, fn func(tx *tx) error) error {
	var notes []domain.Notification
	err := db.Write(ctx, func(w *sqlx.DB) error {
		if db.committer != nil {
			var err error
			notes, err = db.committer.submit(ctx, fn)
			return err
		}
		sqlTx, err := w.BeginTxx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", mapError(err))
		}
		defer sqlTx.Rollback()
		lock := db.dialect.writeLock
		if shared {
			lock = db.dialect.claimLock
		}
		if lock != "" {
			if _, err := sqlTx.ExecContext(ctx, lock); err != nil {
				return fmt.Errorf("lock: %w", mapError(err))
			}
		}
		t := &tx{ctx: ctx, db: db, ext: sqlTx, pool: w, now: db.now()}
		if err := fn(t); err != nil {
			return mapError(err)
		}
		if err := sqlTx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", mapError(err))
		}
		notes = t.notes
		if db.dialect.publishes && len(notes) > 0 {
			db.publish(notes)
		}
		return nil
	})
	if err == nil && db.Notifier != nil {
		now := db.now()
		for _, n := range notes {
			if n.Type == "task" {
				db.seen.fresh(n, now) // the watcher need not announce it again
			}
			db.Notifier.Notify(n)
		}
	}
	return err
}

// now returns the current time in UTC at the stored precision, so a value
// read back equals the value written.
func (db *DB) now() time.Time {
	return db.Now().UTC().Truncate(time.Microsecond)
}

// notify queues a notification for after commit.
func (t *tx) notify(n domain.Notification) { t.notes = append(t.notes, n) }

// get runs a query that returns one row into dest.
func (t *tx) get(dest any, query string, args ...any) error {
	defer t.timed(time.Now(), query)
	if s := t.prepared(query); s != nil {
		return s.GetContext(t.ctx, dest, args...)
	}
	return sqlx.GetContext(t.ctx, t.ext, dest, t.db.dialect.rebind(query), args...)
}

// sel runs a query into the slice dest.
func (t *tx) sel(dest any, query string, args ...any) error {
	defer t.timed(time.Now(), query)
	if s := t.prepared(query); s != nil {
		return s.SelectContext(t.ctx, dest, args...)
	}
	return sqlx.SelectContext(t.ctx, t.ext, dest, t.db.dialect.rebind(query), args...)
}

// exec runs a statement.
func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	defer t.timed(time.Now(), query)
	res, err := t.execStmt(t.db.dialect.rebind(query), args...)
	if err == nil && t.db.dialect.lastval {
		res = pgResult{res, t}
	}
	return res, err
}

// prepare prepares a statement for a batch; the caller closes it.
func (t *tx) prepare(query string) (*sqlx.Stmt, error) {
	return sqlx.PreparexContext(t.ctx, t.ext, t.db.dialect.rebind(query))
}

// timed logs query when it ran longer than the DB's SlowQuery threshold.
func (t *tx) timed(start time.Time, query string) {
	if d := time.Since(start); d >= t.db.SlowQuery {
		t.db.Logger.Warn("slow query", "duration", d, "query", query)
	}
}

// micros converts t to stored microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts stored microseconds to a UTC time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// fromMicrosPtr converts a nullable stored time.
func fromMicrosPtr(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := fromMicros(*us)
	return &t
}

// day returns the UTC calendar day of t as YYYY-MM-DD.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }
