package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// FTS5 keeps the full-text index as a set of segments: every commit that
// indexes tasks writes a small one, and FTS5 merges them four at a time as
// they pile up. A search walks every segment for each of its terms, so a
// history grown by many commits (or an import, which writes one segment per
// run of tasks) searches slower than the same index in one segment: at 1M
// tasks, 11 segments against one cost 2–3× for a search that looks up
// matches by rowid (one with a sparse library label), about the same for
// the others (BenchmarkLibrary_SearchFilteredPage, BENCHMARKS.md).
// MergeSearchIndex merges them into one, a bounded step at a time, so that
// the nightly maintenance (the optimize job) keeps the index whole without
// holding the writer for seconds.

// searchMergePages is the work of one merge step: about this many pages of
// the index written, tens of milliseconds, in a transaction of its own.
const searchMergePages = 200

// searchStructureRowid is the row of task_search_data that holds the
// index's segment structure (FTS5_STRUCTURE_ROWID); a merge step that
// leaves it unchanged did no work.
const searchStructureRowid = 10

// SearchMerge is what MergeSearchIndex did.
type SearchMerge struct {
	Steps          int  // merge steps that did work
	SegmentsBefore int  // segments of the index before
	SegmentsAfter  int  // and after
	Complete       bool // the index is one segment (false: the time ran out first)
}

// MergeSearchIndex merges the segments of the full-text index (SQLite; a
// no-op on PostgreSQL, whose indexes need no such care) in steps of
// searchMergePages pages, each its own write transaction, until the index
// is one segment or budget has passed (0: no limit); a later call goes on
// where it stopped. The index answers the same searches throughout.
func (db *DB) MergeSearchIndex(ctx context.Context, budget time.Duration) (SearchMerge, error) {
	var m SearchMerge
	if db.dialect.isPostgres() {
		m.Complete = true
		return m, nil
	}
	start := time.Now()
	err := db.Write(ctx, func(w *sqlx.DB) error {
		var err error
		if m.SegmentsBefore, err = searchSegments(ctx, w); err != nil {
			return err
		}
		for {
			if budget > 0 && time.Since(start) >= budget {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			before, err := searchStructure(ctx, w)
			if err != nil {
				return err
			}
			if _, err := w.ExecContext(ctx, `INSERT INTO task_search (task_search, rank) VALUES ('merge', ?)`, -searchMergePages); err != nil {
				return fmt.Errorf("merge step: %w", err)
			}
			after, err := searchStructure(ctx, w)
			if err != nil {
				return err
			}
			if bytes.Equal(before, after) {
				m.Complete = true
				return nil
			}
			m.Steps++
		}
	})
	if err == nil {
		m.SegmentsAfter, err = searchSegmentsOf(ctx, db)
	}
	if err != nil {
		return m, fmt.Errorf("merge the search index: %w", err)
	}
	return m, nil
}

// searchStructure returns the index's segment structure record.
func searchStructure(ctx context.Context, q sqlx.QueryerContext) ([]byte, error) {
	var b []byte
	err := q.QueryRowxContext(ctx, `SELECT block FROM task_search_data WHERE id = ?`, searchStructureRowid).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

// searchSegments returns the number of segments of the full-text index.
func searchSegments(ctx context.Context, q sqlx.QueryerContext) (int, error) {
	var n int
	err := q.QueryRowxContext(ctx, `SELECT count(DISTINCT segid) FROM task_search_idx`).Scan(&n)
	return n, err
}

// searchSegmentsOf is searchSegments on db's readers.
func searchSegmentsOf(ctx context.Context, db *DB) (int, error) {
	var n int
	err := db.Read(ctx, func(r *sqlx.DB) error {
		var err error
		n, err = searchSegments(ctx, r)
		return err
	})
	return n, err
}
