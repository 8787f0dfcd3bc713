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
		// The choice of the walk (SQLite, with labels) and the walk (not
		// the late entries' query, nor the snippets).
		var out []PageStatement
		err := db.read(ctx, false, func(tx *tx) error {
			if db.dialect.isPostgres() {
				query, args := q.postgresSearchSQL(a)
				out = append(out, PageStatement{db.dialect.rebind(query), args})
				return nil
			}
			if err := q.expandSearch(tx); err != nil {
				return err
			}
			if len(q.labels()) > 0 {
				query, args := q.searchDriverSQL()
				out = append(out, PageStatement{query, args})
				walk, err := q.searchDriver(tx)
				if err != nil {
					return err
				}
				if walk.list {
					query, args := q.searchListSQL(a, walk.label)
					out = append(out, PageStatement{query, args})
					return nil
				}
				if walk.label >= 0 {
					q.drive = walk.label
					query, args := q.labelSearchSQL(a)
					out = append(out, PageStatement{query, args})
					return nil
				}
			}
			query, args := q.searchSQL(a)
			out = append(out, PageStatement{query, args})
			return nil
		})
		return out, err
	}
	var out []PageStatement
	if len(q.labels()) > 1 {
		cols, args := q.driverSQL("task_created_at", labelSample)
		out = append(out, PageStatement{db.dialect.rebind("SELECT " + cols), args})
		if err := db.read(ctx, false, func(tx *tx) error { return q.chooseDriver(tx) }); err != nil {
			return nil, err
		}
	}
	query, args := q.sql(a)
	return append(out, PageStatement{db.dialect.rebind(query), args}), nil
}
