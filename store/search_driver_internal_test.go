package store

import (
	"context"
	"os"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// TestSearchDriver_Density checks which walk a search page with a tag takes
// on SQLite: the tag's entries where they lie searchWalkRatio times sparser
// than the matches or are few, the matches otherwise, and that the page is
// the same either way.
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
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		word, tag string
		label     bool
	}{
		{"mountain", "sparse", true},    // 1 entry in 100 against every task
		{"mountain", "dense", false},    // 1 in 4: the matches are cheaper
		{"lighthouse", "sparse", false}, // as dense as each other
		{"lighthouse", "few", true},     // 8 entries: fewer than a sample
		{"mountain", "few", true},       // the same
		{"lighthouse", "dense", false},  // sparser matches
	} {
		t.Run(tc.word+"+"+tc.tag, func(t *testing.T) {
			f := domain.TaskFilter{Search: tc.word, Tags: []string{tc.tag}, Limit: 20}
			q, err := newTaskQuery(f, true)
			if err != nil {
				t.Fatal(err)
			}
			q.dialect = db.dialect
			var drive int
			if err := db.read(ctx, false, func(tx *tx) error {
				if err := q.search.expand(tx); err != nil {
					return err
				}
				drive, err = q.searchDriver(tx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if got := drive >= 0; got != tc.label {
				t.Fatalf("walks the label: %v, want %v (drive %d)", got, tc.label, drive)
			}
			// The page: the newest tasks with the word and the tag.
			p, err := NewTaskService(db).FindTasks(domain.WithOwner(ctx), f)
			if err != nil {
				t.Fatal(err)
			}
			word := map[string]int{"mountain": 1, "lighthouse": 100}[tc.word]
			var want []int64
			for id := int64(n); id > 0 && len(want) < f.Limit; id-- {
				if id%int64(word) == 0 && id%int64(tags[tc.tag]) == 0 {
					want = append(want, id)
				}
			}
			var got []int64
			for _, task := range p.Tasks {
				got = append(got, task.ID)
			}
			if len(got) != len(want) {
				t.Fatalf("page %v, want %v", got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("page %v, want %v", got, want)
				}
			}
		})
	}
}
