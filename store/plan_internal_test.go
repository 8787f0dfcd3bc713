package store

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// TestQueryPlans asserts that the hot queries use the intended index and
// never sort in a temporary B-tree: a page costs the same at any depth and
// any history size.
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	db := NewDB(filepath.Join(t.TempDir(), "reelvault.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	uid := int64(1)
	now := time.Now()
	after := &cursor{createdAt: micros(now), id: 1000}
	owner := domain.Actor{Owner: true}
	user := domain.Actor{UserID: 7}
	page := func(a domain.Actor, q taskQuery) (string, []any) {
		q.limit = DefaultPageSize
		return q.sql(a)
	}

	for _, tt := range []struct {
		name  string
		sql   func() (string, []any)
		index string
	}{
		{"HistoryAll", func() (string, []any) { return page(owner, taskQuery{}) }, "tasks_created"},
		{"HistoryAllCursor", func() (string, []any) { return page(owner, taskQuery{after: after}) }, "tasks_created"},
		{"HistoryUser", func() (string, []any) { return page(owner, taskQuery{userID: &uid, after: after}) }, "tasks_user_created"},
		{"HistoryUserByName", func() (string, []any) { return page(owner, taskQuery{username: "alice", after: after}) }, "tasks_user_created"},
		{"HistoryUserStatus", func() (string, []any) {
			return page(owner, taskQuery{userID: &uid, statuses: []string{"completed"}, after: after})
		}, "tasks_user_status_created"},
		{"HistoryAPIUserStatus", func() (string, []any) {
			return page(user, taskQuery{statuses: []string{"failed"}, after: after})
		}, "tasks_user_status_created"},
		{"HistoryStatus", func() (string, []any) { return page(owner, taskQuery{statuses: []string{"pending"}, after: after}) }, "tasks_status_created"},
		{"HistoryCreatedRange", func() (string, []any) {
			from, to := micros(now.Add(-time.Hour)), micros(now)
			return page(owner, taskQuery{createdFrom: &from, createdTo: &to})
		}, "tasks_created"},
		{"HistoryLive", func() (string, []any) { return page(owner, taskQuery{trash: trashLive, after: after}) }, "tasks_created"},
		{"HistoryUserLive", func() (string, []any) { return page(user, taskQuery{trash: trashLive, after: after}) }, "tasks_user_created"},
		{"Starred", func() (string, []any) { return page(owner, taskQuery{trash: trashLive, starred: true, after: after}) }, "tasks_starred_created"},
		{"StarredStatus", func() (string, []any) {
			return page(owner, taskQuery{trash: trashLive, starred: true, statuses: []string{"completed"}, after: after})
		}, "tasks_starred_status_created"},
		{"Rated", func() (string, []any) { return page(owner, taskQuery{trash: trashLive, minRating: 4, after: after}) }, "tasks_rated_created"},
		{"RatedStatus", func() (string, []any) {
			return page(owner, taskQuery{trash: trashLive, minRating: 4, statuses: []string{"failed"}, after: after})
		}, "tasks_rated_status_created"},
		{"StarredUser", func() (string, []any) { return page(user, taskQuery{trash: trashLive, starred: true, after: after}) }, "tasks_starred_created"},
		{"TrashUser", func() (string, []any) { return page(user, taskQuery{trash: trashOnly, after: after}) }, "tasks_trash_created"},
		{"Trash", func() (string, []any) { return page(owner, taskQuery{trash: trashOnly, after: after}) }, "tasks_trash_created"},
		{"Tag", func() (string, []any) {
			return page(owner, taskQuery{trash: trashLive, tagKeys: []string{"夜景"}, after: after})
		}, "task_tags_tag"},
		{"TwoTagsStatus", func() (string, []any) {
			return page(user, taskQuery{trash: trashLive, tagKeys: []string{"夜景", "drone"}, statuses: []string{"completed"}, after: after})
		}, "task_tags_tag"},
		{"Collection", func() (string, []any) {
			return page(owner, taskQuery{trash: trashLive, collKey: "trailer", tagKeys: []string{"夜景"}, after: after})
		}, "collection_tasks_created"},
		{"CollectionStarred", func() (string, []any) {
			return page(owner, taskQuery{trash: trashLive, collKey: "trailer", tagKeys: []string{"夜景"}, starred: true, after: after})
		}, "collection_tasks_starred"},
		{"CollectionDrivenByTag", func() (string, []any) {
			return page(user, taskQuery{trash: trashLive, collKey: "trailer", tagKeys: []string{"夜景"}, drive: 1, after: after})
		}, "task_tags_tag"},
		{"TagStarredStatus", func() (string, []any) {
			return page(user, taskQuery{trash: trashLive, tagKeys: []string{"夜景"}, starred: true, minRating: 2, statuses: []string{"completed"}, after: after})
		}, "task_tags_starred"},
		{"LabelSample", func() (string, []any) {
			cols, args := taskQuery{collKey: "trailer", tagKeys: []string{"夜景"}, after: after}.driverSQL("task_created_at", labelSample)
			return "SELECT " + cols, args
		}, "collection_tasks_created"},
		{"PurgeOldest", func() (string, []any) {
			return `SELECT t.id FROM tasks t WHERE t.trashed_at IS NOT NULL AND t.trashed_at < ? ORDER BY t.trashed_at, t.id LIMIT 500`, []any{1}
		}, "tasks_trashed"},
		{"FindByID", func() (string, []any) { return taskQuery{taskID: "x", limit: 1}.sql(user) }, "sqlite_autoindex_tasks_1"},
		{"Events", func() (string, []any) {
			return `SELECT id, type FROM task_events WHERE task_id = ? ORDER BY id`, []any{1}
		}, "task_events_task"},
		{"Claim", func() (string, []any) {
			return `SELECT` + taskColumns + ` WHERE t.status = ? ORDER BY t.created_at, t.id LIMIT 1`, []any{"pending"}
		}, "tasks_status_created"},
		{"ExpireLeases", func() (string, []any) {
			return `SELECT` + taskColumns + ` WHERE t.status = ? AND t.lease_expires_at < ?`, []any{"processing", 1}
		}, "tasks_lease"},
		{"GenerationTimes", func() (string, []any) {
			return `SELECT duration FROM tasks WHERE completed_at >= ? AND completed_at < ? AND status = 'completed' AND duration IS NOT NULL`, []any{1, 2}
		}, "tasks_completed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			query, args := tt.sql()
			plan := explain(t, db, query, args...)
			if strings.Contains(plan, "TEMP B-TREE") {
				t.Fatalf("plan sorts in a temporary B-tree:\n%s", plan)
			}
			if !regexp.MustCompile(`INDEX ` + tt.index + `\b`).MatchString(plan) {
				t.Fatalf("plan does not use %s:\n%s", tt.index, plan)
			}
		})
	}
}

// TestQueryPlans_Search asserts that search walks the FTS5 matches in rowid
// order (no sort of all matches) with and without the history filters.
func TestQueryPlans_Search(t *testing.T) {
	ctx := context.Background()
	db := NewDB(filepath.Join(t.TempDir(), "reelvault.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	uid := int64(3)
	after := &cursor{createdAt: 1, id: 1}
	for name, q := range map[string]taskQuery{
		"Owner":      {search: searchQuery{terms: []searchTerm{{text: "fox"}}, fts: `("fox" OR "foxes")`}, limit: DefaultPageSize},
		"UserStatus": {search: searchQuery{terms: []searchTerm{{text: "森林", cjk: true}}, fts: `"森 林"`}, userID: &uid, statuses: []string{"completed"}, after: after, limit: DefaultPageSize},
	} {
		t.Run(name, func(t *testing.T) {
			q.dialect = db.dialect
			query, args := q.searchSQL(domain.Actor{Owner: true})
			plan := explain(t, db, query, args...)
			if strings.Contains(plan, "TEMP B-TREE") {
				t.Fatalf("plan sorts in a temporary B-tree:\n%s", plan)
			}
			if !strings.HasPrefix(plan, "SCAN s VIRTUAL TABLE") {
				t.Fatalf("plan does not walk task_search first:\n%s", plan)
			}
		})
	}
}

// TestQueryPlans_SearchLabels asserts that a search with a label walks
// either the matches or the label, probing the other by key, and that the
// choice between them reads no more than a sample of each.
func TestQueryPlans_SearchLabels(t *testing.T) {
	ctx := context.Background()
	db := NewDB(filepath.Join(t.TempDir(), "reelvault.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := taskQuery{search: searchQuery{terms: []searchTerm{{text: "fox"}}, fts: `"fox"`}, trash: trashLive,
		tagKeys: []string{"rare"}, collKey: "trailer", after: &cursor{createdAt: 1, id: 1}, limit: DefaultPageSize, dialect: db.dialect}
	for _, tc := range []struct {
		name  string
		sql   func() (string, []any)
		steps []string // in order
	}{
		{"Matches", func() (string, []any) { return q.searchSQL(domain.Actor{UserID: 3}) }, []string{"SCAN s VIRTUAL TABLE INDEX", "M1<", "sqlite_autoindex_task_tags_1", "sqlite_autoindex_collection_tasks_1"}},
		{"Label", func() (string, []any) {
			q := q
			q.drive = 1
			return q.labelSearchSQL(domain.Actor{UserID: 3})
		}, []string{"SEARCH l USING COVERING INDEX task_tags_tag", "sqlite_autoindex_collection_tasks_1", "SCAN s VIRTUAL TABLE INDEX 0:=", "SEARCH t USING INTEGER PRIMARY KEY"}},
		{"List", func() (string, []any) { return q.searchListSQL(domain.Actor{UserID: 3}, 1) }, []string{"SCAN s VIRTUAL TABLE INDEX", "M1<", "LIST SUBQUERY", "SEARCH l USING COVERING INDEX task_tags_tag", "SEARCH t USING INTEGER PRIMARY KEY", "sqlite_autoindex_collection_tasks_1"}},
		{"Sample", q.searchDriverSQL, []string{"SCAN s VIRTUAL TABLE", "collection_tasks_created", "task_tags_tag"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query, args := tc.sql()
			plan := explain(t, db, query, args...)
			if strings.Contains(plan, "TEMP B-TREE") {
				t.Fatalf("plan sorts in a temporary B-tree:\n%s", plan)
			}
			at := 0
			for _, step := range tc.steps {
				i := strings.Index(plan[at:], step)
				if i < 0 {
					t.Fatalf("plan has no %q after byte %d:\n%s", step, at, plan)
				}
				at += i + len(step)
			}
		})
	}
}

// explain returns the EXPLAIN QUERY PLAN of query, one step a line.
func explain(t *testing.T, db *DB, query string, args ...any) string {
	t.Helper()
	var steps []string
	err := db.read(context.Background(), false, func(tx *tx) error {
		rows, err := tx.ext.QueryxContext(tx.ctx, "EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				return err
			}
			steps = append(steps, detail)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(steps, "\n")
}
