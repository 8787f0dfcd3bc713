package store

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// TestMergeSearchIndex indexes tasks in many commits (automerge off, so
// each leaves a segment), then merges: first with a budget that runs out
// after one step, then to the end. The index ends as one segment, a
// second merge finds nothing to do, and every search returns the same
// pages before, between and after.
func TestMergeSearchIndex(t *testing.T) {
	ctx := context.Background()
	if os.Getenv("REELVAULT_TEST_DB") == EnginePostgres {
		db := openSearchDB(t, 10)
		m, err := db.MergeSearchIndex(ctx, 0)
		if err != nil || !m.Complete || m.Steps != 0 {
			t.Fatalf("PostgreSQL: %+v, %v; want nothing to do", m, err)
		}
		return
	}
	db := openSearchDB(t, 10)
	for _, q := range []string{
		`INSERT INTO task_search (task_search, rank) VALUES ('automerge', 0)`,
		`UPDATE users SET quota = 1000`,
	} {
		if _, err := db.writer.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	svc := NewTaskService(db)
	owner := domain.WithOwner(ctx)
	for i := range 40 {
		prompt := fmt.Sprintf("A lighthouse on a cliff, take %d", i)
		if i%3 == 0 {
			prompt = fmt.Sprintf("A misty mountain pass, take %d", i)
		}
		if _, err := svc.CreateTask(owner, domain.TaskCreate{Username: "alice", Prompt: prompt}); err != nil {
			t.Fatal(err)
		}
	}
	searches := func() [][]int64 {
		var pages [][]int64
		for _, word := range []string{"lighthouse", "mountain", "misty", "take", "cliffs"} {
			p, err := svc.FindTasks(owner, domain.TaskFilter{Search: word, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, task := range p.Tasks {
				ids = append(ids, task.ID)
			}
			pages = append(pages, ids)
		}
		return pages
	}
	want := searches()
	segments, err := searchSegmentsOf(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if segments < 10 {
		t.Fatalf("%d segments after 40 commits without automerge; the test needs many", segments)
	}

	m, err := db.MergeSearchIndex(ctx, time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	if m.Complete || m.SegmentsBefore != segments {
		t.Fatalf("with the budget spent at once: %+v, want incomplete from %d segments", m, segments)
	}
	m, err = db.MergeSearchIndex(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Complete || m.Steps == 0 || m.SegmentsAfter != 1 {
		t.Fatalf("merge: %+v, want one segment after some steps", m)
	}
	if got := searches(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("searches after the merge %v, before %v", got, want)
	}
	m, err = db.MergeSearchIndex(ctx, 0)
	if err != nil || !m.Complete || m.Steps != 0 || m.SegmentsBefore != 1 {
		t.Fatalf("second merge: %+v, %v; want nothing to do", m, err)
	}
}
