package backup

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// DefaultVacuumThreshold is the share of free pages above which the
// scheduled VACUUM rewrites the file; below it VACUUM would hold the writer
// for little gain.
const DefaultVacuumThreshold = 0.20

// jobFunc is the body of a job: it returns the bytes written or freed and a
// short detail for the run record.
type jobFunc func(ctx context.Context) (bytes int64, detail string, err error)

// errNothingToDo marks a run that found nothing to do (recorded as skipped).
type errNothingToDo struct{ reason string }

func (e errNothingToDo) Error() string { return e.reason }

// searchMergeBudget bounds the time the optimize job spends merging the
// full-text index; what is left is merged by the next run.
const searchMergeBudget = 2 * time.Minute

// optimize runs PRAGMA optimize with a bounded analysis, which refreshes the
// planner's statistics where they are stale in milliseconds, not minutes,
// then merges the full-text index's segments into one in short steps
// (store.DB.MergeSearchIndex), which keeps searches as fast as the day the
// index was built.
func (m *Manager) optimize(ctx context.Context) (int64, string, error) {
	if err := m.DB.Analyze(ctx, false); err != nil {
		return 0, "", fmt.Errorf("optimize: %w", err)
	}
	merge, err := m.DB.MergeSearchIndex(ctx, searchMergeBudget)
	if err != nil {
		return 0, "", fmt.Errorf("optimize: %w", err)
	}
	detail := "planner statistics refreshed"
	switch {
	case merge.Steps == 0:
	case merge.Complete:
		detail += fmt.Sprintf("; search index merged from %d segments into one", merge.SegmentsBefore)
	default:
		detail += fmt.Sprintf("; search index merged from %d to %d segments (the next run goes on)", merge.SegmentsBefore, merge.SegmentsAfter)
	}
	return 0, detail, nil
}

// analyze runs a full ANALYZE.
func (m *Manager) analyze(ctx context.Context) (int64, string, error) {
	if err := m.DB.Analyze(ctx, true); err != nil {
		return 0, "", err
	}
	return 0, "full statistics rebuilt", nil
}

// vacuum rewrites the file when free pages exceed threshold of all pages
// (always when force) and returns the bytes freed.
func (m *Manager) vacuum(ctx context.Context, threshold float64, force bool) (int64, string, error) {
	pages, free, size, err := m.pageStats(ctx)
	if err != nil {
		return 0, "", err
	}
	ratio := 0.0
	if pages > 0 {
		ratio = float64(free) / float64(pages)
	}
	if !force && ratio <= threshold {
		return 0, "", errNothingToDo{fmt.Sprintf("%.1f%% of pages free, below the %.0f%% threshold", ratio*100, threshold*100)}
	}
	err = m.DB.Write(ctx, func(w *sqlx.DB) error {
		_, err := w.ExecContext(ctx, "VACUUM")
		return err
	})
	if err == nil {
		// VACUUM in WAL mode leaves the new pages in the WAL; fold them in.
		_, err = m.DB.Checkpoint(ctx)
	}
	if err != nil {
		return 0, "", fmt.Errorf("vacuum: %w", err)
	}
	after, _, _, err := m.pageStats(ctx)
	if err != nil {
		return 0, "", err
	}
	freed := (pages - after) * size
	return freed, fmt.Sprintf("%d of %d pages were free", free, pages), nil
}

// pageStats returns the page count, free pages and page size of the live database.
func (m *Manager) pageStats(ctx context.Context) (pages, free, size int64, err error) {
	err = m.DB.Read(ctx, func(r *sqlx.DB) error {
		if err := r.GetContext(ctx, &pages, "PRAGMA page_count"); err != nil {
			return err
		}
		if err := r.GetContext(ctx, &free, "PRAGMA freelist_count"); err != nil {
			return err
		}
		return r.GetContext(ctx, &size, "PRAGMA page_size")
	})
	if err != nil {
		return 0, 0, 0, fmt.Errorf("page stats: %w", err)
	}
	return pages, free, size, nil
}

// Retries of a checkpoint that readers kept busy.
const (
	checkpointAttempts = 5
	checkpointRetry    = 50 * time.Millisecond
)

// checkpoint folds the WAL into the main file and truncates it.
func (m *Manager) checkpoint(ctx context.Context) (int64, string, error) {
	_, _, size, err := m.pageStats(ctx)
	if err != nil {
		return 0, "", err
	}
	// A reader still on an old snapshot keeps the WAL from being truncated;
	// readers finish in milliseconds, so try a few times before reporting
	// a partial checkpoint (the frames it copied are in the main file; the
	// background checkpointer folds the rest in later).
	var res store.CheckpointResult
	for attempt := 0; ; attempt++ {
		res, err = m.DB.Checkpoint(ctx)
		if err != nil {
			return 0, "", err
		}
		if !res.Busy || attempt == checkpointAttempts-1 {
			break
		}
		select {
		case <-ctx.Done():
			return 0, "", fmt.Errorf("checkpoint: %w", ctx.Err())
		case <-time.After(checkpointRetry):
		}
	}
	if res.Busy {
		return res.Frames * size, fmt.Sprintf("%d WAL frames checkpointed; readers kept the rest of the WAL in use, the background checkpointer folds it in later", res.Frames), nil
	}
	return res.Frames * size, fmt.Sprintf("%d WAL frames checkpointed", res.Frames), nil
}

// check runs PRAGMA integrity_check on the live database, then compares the
// row counts status reports with the tables' own counts, and the label
// entries' copies of their task's filters with the tasks, and corrects any
// that differ (they are derived: the tables are the truth).
func (m *Manager) check(ctx context.Context) (int64, string, error) {
	bytes, detail, err := m.checkPages(ctx)
	if err != nil {
		return bytes, detail, err
	}
	bad, err := m.DB.CheckRowCounts(ctx, true)
	if err != nil {
		return 0, "", err
	}
	if len(bad) > 0 {
		parts := make([]string, len(bad))
		for i, b := range bad {
			parts[i] = b.String()
		}
		detail += "; row counts corrected: " + strings.Join(parts, ", ")
	} else {
		detail += "; row counts exact"
	}
	labels, err := m.DB.CheckLabelFilters(ctx, true)
	if err != nil {
		return 0, "", err
	}
	if labels > 0 {
		return 0, detail + fmt.Sprintf("; %d label entries' copies of their task's filters or tasks' label counts corrected", labels), nil
	}
	return 0, detail + "; label filters exact", nil
}

// checkPages runs PRAGMA integrity_check on the live database.
func (m *Manager) checkPages(ctx context.Context) (int64, string, error) {
	var problems []string
	err := m.DB.Read(ctx, func(r *sqlx.DB) error {
		return r.SelectContext(ctx, &problems, "PRAGMA integrity_check(20)")
	})
	if err != nil {
		return 0, "", fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) == 1 && problems[0] == "ok" {
		return 0, "integrity ok", nil
	}
	return 0, "", domain.Errorf(domain.EINTERNAL, "The integrity check found problems: %s", strings.Join(problems, "; "))
}
