package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
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
	// writing: a write transaction, whose findTaskRow locks the task row
	// (see lockTaskRow).
	writing bool
	// last holds statements run at the end of the transaction, just before
	// it commits (PostgreSQL: the statistics, see bumpStats).
	last []func() error
	// deferSearch: hold task_search changes back in search until the end
	// of the group commit (see search_defer.go).
	deferSearch bool
	search      []searchOp
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
		var opts *sql.TxOptions
		if db.dialect.isPostgres() {
			opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
		}
		sqlTx, err := r.BeginTxx(ctx, opts)
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

// write runs fn in a write transaction and sends the collected
// notifications once it has committed. On SQLite fn runs in a savepoint of
// an IMMEDIATE transaction it may share with concurrent writes (see
// commit.go): there is one writer, so fn's reads and writes never
// interleave with another's.
//
// On PostgreSQL writers run in parallel. write runs fn SERIALIZABLE, so any
// read-check-write in fn behaves as if the writers ran one at a time; a
// transaction PostgreSQL refuses to serialise (SQLSTATE 40001, 40P01) is
// run again from the start, up to maxWriteAttempts times. fn must therefore
// be safe to run again: it may set the caller's variables, not append to
// them, and must not act outside the database.
func (db *DB) write(ctx context.Context, fn func(tx *tx) error) error {
	return db.writeTx(ctx, isoSerializable, fn)
}

// writeRows is write for the hot paths whose correctness does not need a
// serialisable snapshot because every check is tied to a row: the
// lifecycle steps (the task row is locked FOR UPDATE before it is read and
// its update is conditional on the status read), task creation (the quota is
// charged by a conditional UPDATE), lease expiry (FOR UPDATE SKIP LOCKED)
// and the statistics (increments and upserts; the histogram row is locked
// before it is read). On PostgreSQL it runs READ COMMITTED, so concurrent
// writers only ever wait on the rows they share, and is retried on a
// deadlock; on SQLite it is write.
func (db *DB) writeRows(ctx context.Context, fn func(tx *tx) error) error {
	return db.writeTx(ctx, isoReadCommitted, fn)
}

// claim is write for ClaimTask: on PostgreSQL READ COMMITTED, each claim
// taking its task row with FOR UPDATE SKIP LOCKED, so concurrent claims in
// any number of processes split the pending tasks without waiting on each
// other; on SQLite it is write.
func (db *DB) claim(ctx context.Context, fn func(tx *tx) error) error {
	return db.writeTx(ctx, isoReadCommitted, fn)
}

// Isolation levels of PostgreSQL write transactions.
const (
	isoSerializable  = sql.LevelSerializable
	isoReadCommitted = sql.LevelReadCommitted
)

// maxWriteAttempts bounds how many times a PostgreSQL write transaction is
// run when PostgreSQL refuses it with a serialisation failure or deadlock.
// Writers that contend for one row (eight editors of one task) lose to each
// other in turn, one winner a round, so the bound leaves room for a queue of
// them; the pauses total half a second at most.
const maxWriteAttempts = 32

func (db *DB) writeTx(ctx context.Context, iso sql.IsolationLevel, fn func(tx *tx) error) error {
	var notes []domain.Notification
	err := db.useWriter(ctx, func(w *sqlx.DB) error {
		if db.committer != nil {
			var err error
			notes, err = db.committer.submit(ctx, fn)
			return err
		}
		var err error
		for attempt := 1; ; attempt++ {
			notes, err = db.writeOnce(ctx, w, iso, fn)
			if err == nil || !retryable(err) || attempt >= maxWriteAttempts {
				break
			}
			if err := retryPause(ctx, attempt); err != nil {
				return err
			}
		}
		if err != nil {
			return mapError(err)
		}
		if db.dialect.publishes && len(notes) > 0 {
			db.publish(notes)
		}
		return nil
	})
	if err == nil {
		db.announce(notes)
	}
	return err
}

// announce hands committed notifications to this process's Notifier.
func (db *DB) announce(notes []domain.Notification) {
	if db.Notifier == nil {
		return
	}
	now := db.now()
	for _, n := range notes {
		if n.Type == "task" {
			db.seen.fresh(n, now) // the watcher need not announce it again
		}
		db.Notifier.Notify(n)
	}
}

// writeOne is write for a function that makes its change in a single
// statement (PostgreSQL only): the statement runs on the writer pool
// without BEGIN and COMMIT around it and so commits by itself, one round
// trip instead of three. A statement PostgreSQL refuses with a
// serialisation failure or deadlock is run again, as writeTx does.
func (db *DB) writeOne(ctx context.Context, fn func(tx *tx) error) error {
	var notes []domain.Notification
	err := db.Write(ctx, func(w *sqlx.DB) error {
		var err error
		for attempt := 1; ; attempt++ {
			t := &tx{ctx: ctx, db: db, ext: w, pool: w, now: db.now(), writing: true}
			if err = fn(t); err == nil {
				notes = t.notes
				break
			}
			if !retryable(err) || attempt >= maxWriteAttempts {
				return mapError(err)
			}
			if err := retryPause(ctx, attempt); err != nil {
				return err
			}
		}
		if db.dialect.publishes && len(notes) > 0 {
			db.publish(notes)
		}
		return nil
	})
	if err == nil {
		db.announce(notes)
	}
	return err
}

// writeOnce runs fn in one transaction at isolation level iso on the pool w
// (PostgreSQL) and returns its notifications once committed. Errors are
// returned unmapped, so that the caller can tell a serialisation failure.
func (db *DB) writeOnce(ctx context.Context, w *sqlx.DB, iso sql.IsolationLevel, fn func(tx *tx) error) ([]domain.Notification, error) {
	var opts *sql.TxOptions
	if db.dialect.isPostgres() {
		opts = &sql.TxOptions{Isolation: iso}
	}
	sqlTx, err := w.BeginTxx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback()
	t := &tx{ctx: ctx, db: db, ext: sqlTx, pool: w, now: db.now(), writing: true}
	if err := fn(t); err != nil {
		return nil, err
	}
	for _, f := range t.last {
		if err := f(); err != nil {
			return nil, err
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return t.notes, nil
}

// retryable reports whether err is PostgreSQL refusing a transaction that
// succeeds when run again: a serialisation failure or a deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// retryPause waits before attempt+1 of a refused transaction: a short,
// growing, jittered pause, so that the transactions that collided do not
// collide again in step.
func retryPause(ctx context.Context, attempt int) error {
	d := time.Duration(50<<min(attempt, 8)) * time.Microsecond
	d = d/2 + time.Duration(rand.Int64N(int64(d)))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
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
