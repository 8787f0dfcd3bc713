package store

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/pgtest"
)

// TestQueryPlans_PostgresLibrary checks, on a PostgreSQL history of
// 100,000 tasks with statistics, that a user's page of each library filter
// walks the filter's own index instead of sorting its matches.
func TestQueryPlans_PostgresLibrary(t *testing.T) {
	if os.Getenv("REELVAULT_TEST_DB") != EnginePostgres {
		t.Skip("runs on PostgreSQL (REELVAULT_TEST_DB=postgres)")
	}
	ctx := context.Background()
	db := NewDB(pgtest.NewDatabase(t))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err := db.Write(ctx, func(w *sqlx.DB) error {
		for _, q := range []string{
			`INSERT INTO users (username, username_key, api_key_hash, key_prefix, quota, created_at, updated_at) VALUES ('a','a','x','',1,1,1)`,
			`INSERT INTO tasks (task_id, user_id, prompt, status, created_at, updated_at) SELECT 'seed-' || i, 1, 'p', 'completed', i, i FROM generate_series(1, 100000) i`,
			`UPDATE tasks SET starred = (id % 3 = 0), rating = id % 6, status = CASE WHEN id % 4 = 0 THEN 'failed' ELSE 'completed' END`,
			`UPDATE tasks SET trashed_at = 1 WHERE id % 101 = 0`,
			`INSERT INTO tags (name, name_key) VALUES ('夜景', '夜景'), ('rare', 'rare')`,
			`INSERT INTO task_tags (task_id, tag_id, task_created_at) SELECT id, (SELECT id FROM tags WHERE name_key = '夜景'), created_at FROM tasks WHERE id % 7 = 0`,
			`INSERT INTO collections (name, name_key, created_at) VALUES ('Trailer v2', 'trailer v2', 1)`,
			`INSERT INTO collection_tasks (collection_id, task_id, added_at, task_created_at) SELECT (SELECT id FROM collections), id, 1, created_at FROM tasks WHERE id % 11 = 0`,
			// Labelling a task updates its row (its label count), which
			// moves it to the table's end: lay the history out again in
			// creation order, as a history written over time is, or the
			// planner reads the created-order indexes as random reads.
			`CLUSTER tasks USING tasks_pkey`,
			`VACUUM ANALYZE`,
		} {
			if _, err := w.Exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	user := domain.Actor{UserID: 1}
	for _, tc := range []struct {
		name  string
		f     domain.TaskFilter
		index string
	}{
		{"Combined", domain.TaskFilter{Starred: true, MinRating: 2, Tags: []string{"夜景"}, Collection: "Trailer v2", Status: []domain.Status{"completed"}}, "collection_tasks_starred"},
		{"Collection", domain.TaskFilter{Collection: "Trailer v2"}, "collection_tasks_created"},
		{"Tag", domain.TaskFilter{Tags: []string{"夜景"}}, "task_tags_tag"},
		{"Trash", domain.TaskFilter{Trashed: true}, "tasks_trash_created"},
		{"Starred", domain.TaskFilter{Starred: true}, "tasks_starred_created"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := newTaskQuery(tc.f, true)
			if err != nil {
				t.Fatal(err)
			}
			q.dialect = db.dialect
			query, args := q.sql(user)
			var lines []string
			if err := db.Read(ctx, func(r *sqlx.DB) error {
				return r.Select(&lines, "EXPLAIN "+db.dialect.rebind(query), args...)
			}); err != nil {
				t.Fatal(err)
			}
			plan := strings.Join(lines, "\n")
			if strings.Contains(plan, "Sort") || !strings.Contains(plan, " "+tc.index+" ") {
				t.Fatalf("plan sorts or does not walk %s:\n%s", tc.index, plan)
			}
		})
	}
}
