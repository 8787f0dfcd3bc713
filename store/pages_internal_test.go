package store

import (
	"context"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// AllPages returns every task that f finds through svc as ctx's actor,
// page after page by the cursors FindTasks hands out, and fails tb when a
// page fails or more than maxPages pages come: the tests compare a
// filter's whole result with a brute-force answer.
func AllPages(tb testing.TB, ctx context.Context, svc *TaskService, f domain.TaskFilter, maxPages int) []*domain.Task {
	tb.Helper()
	var all []*domain.Task
	for pages := 1; ; pages++ {
		p, err := svc.FindTasks(ctx, f)
		if err != nil {
			tb.Fatalf("%+v: %v", f, err)
		}
		all = append(all, p.Tasks...)
		if p.NextCursor == "" {
			return all
		}
		if pages >= maxPages {
			tb.Fatalf("%+v: more than %d pages", f, maxPages)
		}
		f.Cursor = p.NextCursor
	}
}
