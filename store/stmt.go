package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// Preparing a statement costs modernc's SQLite more than running it: a
// task page is about 0.2 ms to prepare and well under that to run. The store
// therefore keeps one prepared statement per pool and query text. A
// statement is prepared on first use by a background goroutine (preparing
// on a pool needs a free connection, and the caller may hold the only
// writer connection); until it is ready the query runs unprepared. Inside a
// transaction, database/sql re-prepares a cached statement on that
// transaction's connection once and reuses it after.

// limitParam is a bound LIMIT. SQLite (3.54, modernc's) reads a bare
// `LIMIT ?` as a value the plan may depend on: every new binding of it
// expires the statement, and its next step parses and plans it again
// (sqlite3Reprepare), which made the cache above useless for every page
// query. An expression is not looked into, so `LIMIT ?+0` binds the same
// number and keeps the prepared plan; PostgreSQL reads it as the number.
const limitParam = "?+0"

// numParam is a bound integer that a WHERE clause compares with = and that
// may be 0 or 1, such as a user's ID. SQLite 3.54 plans `col = ?` for 0 and 1
// apart from other values, so a cached statement bound with 1 and then with
// another value (user 1's request after user 2's) expires and is parsed and
// planned again: 86 µs a run against 10 µs for a task page of an empty
// history. `?+0` is the same number and is not looked into.
const numParam = "?+0"

// statusParam is a bound task status compared with tasks.status. The
// partial index tasks_pending has `status = 'pending'` in its WHERE, and a
// term `status = ?` has the same shape: SQLite reads the bound value to
// tell whether the index applies, and every new binding expires the
// statement (a history page filtered by status was parsed and planned again
// at every run, a fifth of its time). A CAST is not looked into, still
// compares as text, and can use every full index on status.
const statusParam = "CAST(? AS TEXT)"

// maxCachedStmts bounds the cache; the store's query texts are a fixed,
// much smaller set (filters combine into a few dozen shapes).
const maxCachedStmts = 512

// stmtKey identifies a cached statement.
type stmtKey struct {
	pool  *sqlx.DB
	query string
}

// stmtCache holds prepared statements of the open pools.
type stmtCache struct {
	stmts   sync.Map // stmtKey → *sqlx.Stmt, or stmtPending while preparing
	n       atomic.Int64
	closing sync.WaitGroup
}

// stmtPending marks a statement being prepared.
type stmtPending struct{}

// lookup returns the prepared statement of query on pool, or nil when it is
// not ready yet (preparing it in the background).
func (db *DB) lookup(pool *sqlx.DB, query string) *sqlx.Stmt {
	if db.dialect == nil || !db.dialect.cachesStmts || pool == nil {
		return nil // pgx caches prepared statements itself
	}
	key := stmtKey{pool, query}
	if v, ok := db.stmtCache.stmts.Load(key); ok {
		s, _ := v.(*sqlx.Stmt)
		return s
	}
	if db.stmtCache.n.Load() >= maxCachedStmts {
		return nil
	}
	if _, loaded := db.stmtCache.stmts.LoadOrStore(key, stmtPending{}); loaded {
		return nil
	}
	db.stmtCache.n.Add(1)
	db.stmtCache.closing.Add(1)
	go func() {
		defer db.stmtCache.closing.Done()
		s, err := pool.PreparexContext(context.Background(), query)
		if err != nil {
			// The pool was closed, or the query is bad (its caller
			// reports that): forget it.
			db.stmtCache.stmts.Delete(key)
			db.stmtCache.n.Add(-1)
			return
		}
		db.stmtCache.stmts.Store(key, s)
	}()
	return nil
}

// closeStmts waits for background prepares and closes every cached
// statement; called before the pools close.
func (db *DB) closeStmts() {
	db.stmtCache.closing.Wait()
	db.stmtCache.stmts.Range(func(k, v any) bool {
		if s, ok := v.(*sqlx.Stmt); ok {
			s.Close()
		}
		db.stmtCache.stmts.Delete(k)
		return true
	})
	db.stmtCache.n.Store(0)
}

// prepared returns the cached statement of query for t, bound to t's
// transaction if it has one, or nil.
func (t *tx) prepared(query string) *sqlx.Stmt {
	s := t.db.lookup(t.pool, query)
	if s == nil {
		return nil
	}
	if sqlTx, ok := t.ext.(*sqlx.Tx); ok {
		return sqlTx.StmtxContext(t.ctx, s)
	}
	return s
}

// execStmt runs a cached statement, or query unprepared.
func (t *tx) execStmt(query string, args ...any) (sql.Result, error) {
	if s := t.prepared(query); s != nil {
		return s.ExecContext(t.ctx, args...)
	}
	return t.ext.ExecContext(t.ctx, query, args...)
}

// each runs a query and calls scan for every row, for hot paths that scan
// by hand instead of through sqlx's reflection.
func (t *tx) each(query string, args []any, scan func(*sql.Rows) error) error {
	defer t.timed(time.Now(), query)
	var rows *sql.Rows
	var err error
	if s := t.prepared(query); s != nil {
		rows, err = s.QueryContext(t.ctx, args...)
	} else {
		rows, err = t.ext.QueryContext(t.ctx, t.db.dialect.rebind(query), args...)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
