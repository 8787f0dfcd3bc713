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
