package store

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// TestSearchDriver_Density checks which walk a search page with a tag takes
// on SQLite (see searchDriver): the tag's entries where they are few, one
// list of them where they are sparse, the matches where the tag is dense;
// and that every page, followed by its cursor to the end, is the same as
// a brute-force search whichever walk it takes, the status filter
// included.
func TestSearchDriver_Density(t *testing.T) {
	if os.Getenv("REELVAULT_TEST_DB") == EnginePostgres {
		t.Skip("the choice is SQLite's; PostgreSQL plans the search itself")
	}
	const n = 4000
	db := openSearchDB(t, n) // "mountain" in every task, "lighthouse" in every 100th
	ctx := context.Background()
	tags := map[string]int{"sparse": 100, "dense": 4, "few": 500}
	err := db.write(ctx, func(tx *tx) error {
		for name, every := range tags {
			if _, err := tx.exec(`INSERT INTO tags (name, name_key) VALUES (?, ?)`, name, name); err != nil {
				return err
			}
			if _, err := tx.exec(`INSERT INTO task_tags (task_id, tag_id, task_created_at)
				SELECT id, (SELECT id FROM tags WHERE name_key = ?), created_at FROM tasks WHERE id % ? = 0`, name, every); err != nil {
				return err
			}
		}
		// Every third task failed: the list's entries are filtered by
		// the copies of the status on the tag's entries.
		_, err := tx.exec(`UPDATE tasks SET status = 'failed' WHERE id % 3 = 0`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	const (
		matches = "matches"
		label   = "label"
		list    = "list"
	)
	for _, tc := range []struct {
		word, tag string
		walk      string
	}{
		{"mountain", "sparse", list},     // 1 entry in 100 against every task
		{"mountain", "dense", matches},   // 1 in 4: too many entries to list
		{"lighthouse", "sparse", list},   // as dense as each other, few entries
		{"lighthouse", "few", label},     // 8 entries: fewer than a sample
		{"mountain", "few", label},       // the same
		{"lighthouse", "dense", matches}, // sparser matches
	} {
		t.Run(tc.word+"+"+tc.tag, func(t *testing.T) {
			f := domain.TaskFilter{Search: tc.word, Tags: []string{tc.tag}, Limit: 20}
			q, err := newTaskQuery(f, true)
			if err != nil {
				t.Fatal(err)
			}
			q.dialect = db.dialect
			var walk searchWalk
			if err := db.read(ctx, false, func(tx *tx) error {
				if err := q.search.expand(tx); err != nil {
					return err
				}
				walk, err = q.searchDriver(tx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			got := matches
			switch {
			case walk.list:
				got = list
			case walk.label >= 0:
				got = label
			}
			if got != tc.walk {
				t.Fatalf("walks the %s (%+v), want the %s", got, walk, tc.walk)
			}
			word := map[string]int{"mountain": 1, "lighthouse": 100}[tc.word]
			for _, status := range []string{"", "completed", "failed"} {
				// The pages: the newest tasks with the word and the tag.
				f := f
				if status != "" {
					f.Status = []domain.Status{domain.Status(status)}
				}
				var want []int64
				for id := int64(n); id > 0; id-- {
					if id%int64(word) == 0 && id%int64(tags[tc.tag]) == 0 && (status == "" || (status == "failed") == (id%3 == 0)) {
						want = append(want, id)
					}
				}
				var all []int64
				for _, task := range AllPages(t, domain.WithOwner(ctx), NewTaskService(db), f, n) {
					all = append(all, task.ID)
				}
				if !slices.Equal(all, want) {
					t.Fatalf("status %q: pages %v, want %v", status, all, want)
				}
			}
		})
	}
}
