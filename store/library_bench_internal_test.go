package store

import (
	"context"

	"github.com/reelvault/reelvault/domain"
)

// TaskPageSQL returns the query, rebound for db's engine, and the arguments
// that FindTasks runs for one page of filter as the actor of ctx: the raw
// side of BenchmarkLibrary_FilteredPage runs exactly this SQL.
func TaskPageSQL(ctx context.Context, db *DB, filter domain.TaskFilter) (string, []any, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return "", nil, err
	}
	q, err := newTaskQuery(filter, true)
	if err != nil {
		return "", nil, err
	}
	q.dialect = db.dialect
	query, args := q.sql(a)
	return db.dialect.rebind(query), args, nil
}

// WriteLockSQL returns the statement with which the store's write
// transactions on db begin (PostgreSQL's advisory lock; empty on SQLite,
// whose single writer connection serialises writers): the raw side of the
// library benchmarks takes it too, so that it holds other writers up the
// way the store does.
func WriteLockSQL(db *DB) string { return db.dialect.writeLock }
