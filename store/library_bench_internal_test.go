package store

import (
	"context"

	"github.com/reelvault/reelvault/domain"
)

// PageStatement is one statement FindTasks runs for a page, rebound for
// its engine, with its arguments.
type PageStatement struct {
	Query string
	Args  []any
}

// TaskPageSQL returns the statements that FindTasks runs for one page of
// filter as the actor of ctx, in order: the choice of the label to walk
// when the filter has several (see chooseDriver), then the page; for a
// search, the walk of its matches. The raw sides of
// BenchmarkLibrary_FilteredPage and BenchmarkLibrary_SearchFilteredPage
// run exactly these.
func TaskPageSQL(ctx context.Context, db *DB, filter domain.TaskFilter) ([]PageStatement, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	q, err := newTaskQuery(filter, true)
	if err != nil {
		return nil, err
	}
	q.dialect = db.dialect
	if q.search.active() {
		// The walk of the matches (not the late entries' query, nor the
		// snippets).
		var query string
		var args []any
		err := db.read(ctx, false, func(tx *tx) error {
			if err := q.expandSearch(tx); err != nil {
				return err
			}
			if db.dialect.isPostgres() {
				query, args = q.postgresSearchSQL(a)
			} else {
				query, args = q.searchSQL(a)
			}
			return nil
		})
		return []PageStatement{{db.dialect.rebind(query), args}}, err
	}
	var out []PageStatement
	if len(q.labels()) > 1 {
		query, args := q.driverSQL()
		out = append(out, PageStatement{db.dialect.rebind(query), args})
		if err := db.read(ctx, false, func(tx *tx) error { return q.chooseDriver(tx) }); err != nil {
			return nil, err
		}
	}
	query, args := q.sql(a)
	return append(out, PageStatement{db.dialect.rebind(query), args}), nil
}
