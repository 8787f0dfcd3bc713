package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// The library's benchmarks run on the suite's engine (REELVAULT_TEST_DB)
// over a history of $REELVAULT_BENCH_LIBRARY_TASKS tasks (default 100,000)
// inserted in SQL:
//
//	go test ./store/ -run '^$' -bench BenchmarkLibrary_ -benchtime 2s

// libraryBenchTasks returns the history size of the library benchmarks.
func libraryBenchTasks(b *testing.B) int {
	if v := os.Getenv("REELVAULT_BENCH_LIBRARY_TASKS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10000 {
			b.Fatalf("REELVAULT_BENCH_LIBRARY_TASKS=%q: want a number ≥ 10000", v)
		}
		return n
	}
	return 100000
}

// BenchmarkLibrary_BulkTag10k tags 10,000 tasks chosen by ID, in batches.
func BenchmarkLibrary_BulkTag10k(b *testing.B) {
	e := newLibEnv(b)
	ids := seedTasks(b, e.DB, e.Alice.ID, domain.MaxSelection)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		res, err := e.Lib.Bulk(e.AliceCtx, domain.BulkRequest{Selection: domain.Selection{TaskIDs: ids}, Action: domain.BulkTag, Tag: fmt.Sprintf("tag %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		if res.Changed != len(ids) {
			b.Fatalf("changed %d", res.Changed)
		}
	}
}

// BenchmarkLibrary_FilteredPage reads the first page of 50 and the page
// after a cursor 1,000 tasks deep for each library filter.
func BenchmarkLibrary_FilteredPage(b *testing.B) {
	e := newLibEnv(b)
	n := libraryBenchTasks(b)
	seedTasks(b, e.DB, e.Alice.ID, n)
	ctx := context.Background()
	if err := e.DB.Write(ctx, func(w *sqlx.DB) error {
		for _, q := range []string{
			`UPDATE tasks SET starred = (id % 3 = 0), rating = id % 6, status = CASE WHEN id % 4 = 0 THEN 'failed' ELSE 'completed' END`,
			`UPDATE tasks SET trashed_at = 1 WHERE id % 101 = 0`,
			`INSERT INTO tags (name, name_key) VALUES ('夜景', '夜景'), ('rare', 'rare')`,
			`INSERT INTO task_tags (task_id, tag_id, task_created_at) SELECT id, (SELECT id FROM tags WHERE name_key = '夜景'), created_at FROM tasks WHERE id % 7 = 0`,
			`INSERT INTO task_tags (task_id, tag_id, task_created_at) SELECT id, (SELECT id FROM tags WHERE name_key = 'rare'), created_at FROM tasks WHERE id % 997 = 0`,
			`INSERT INTO collections (name, name_key, created_at) VALUES ('Trailer v2', 'trailer v2', 1)`,
			`INSERT INTO collection_tasks (collection_id, task_id, added_at, task_created_at) SELECT (SELECT id FROM collections), id, 1, created_at FROM tasks WHERE id % 11 = 0`,
			`ANALYZE`,
		} {
			if _, err := w.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	completed := []domain.Status{domain.StatusCompleted}
	for _, tc := range []struct {
		name string
		f    domain.TaskFilter
	}{
		{"Starred", domain.TaskFilter{Starred: true}},
		{"StarredStatus", domain.TaskFilter{Starred: true, Status: completed}},
		{"Rating4Status", domain.TaskFilter{MinRating: 4, Status: completed}},
		{"Tag", domain.TaskFilter{Tags: []string{"夜景"}}},
		{"TagRare", domain.TaskFilter{Tags: []string{"rare"}}},
		{"Collection", domain.TaskFilter{Collection: "Trailer v2"}},
		{"Combined", domain.TaskFilter{Starred: true, MinRating: 2, Tags: []string{"夜景"}, Collection: "Trailer v2", Status: completed}},
		{"Trash", domain.TaskFilter{Trashed: true}},
	} {
		for _, deep := range []bool{false, true} {
			name := tc.name + "/First"
			f := tc.f
			f.Limit = 50
			if deep {
				name = tc.name + "/Deep"
				// The page after the first 500 matches.
				f.Limit = 500
				p, err := e.Tasks.FindTasks(e.AliceCtx, f)
				if err != nil {
					b.Fatal(err)
				}
				if p.NextCursor == "" {
					continue
				}
				f.Cursor, f.Limit = p.NextCursor, 50
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					if _, err := e.Tasks.FindTasks(e.AliceCtx, f); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
