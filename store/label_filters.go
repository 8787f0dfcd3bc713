package store

import (
	"context"
	"fmt"
)

// labelFiltersMismatchSQL counts the label entries whose copies of their
// task's filters (task_status, task_starred, task_rating,
// task_trashed_at; migration 00015) differ from the task's columns.
const labelFiltersMismatchSQL = `
	SELECT
		(SELECT count(*) FROM task_tags l JOIN tasks t ON t.id = l.task_id
		WHERE l.task_status IS DISTINCT FROM t.status
			OR l.task_starred IS DISTINCT FROM t.starred
			OR l.task_rating IS DISTINCT FROM t.rating
			OR l.task_trashed_at IS DISTINCT FROM t.trashed_at)
		+
		(SELECT count(*) FROM collection_tasks l JOIN tasks t ON t.id = l.task_id
		WHERE l.task_status IS DISTINCT FROM t.status
			OR l.task_starred IS DISTINCT FROM t.starred
			OR l.task_rating IS DISTINCT FROM t.rating
			OR l.task_trashed_at IS DISTINCT FROM t.trashed_at)`

// CheckLabelFilters returns the number of tag and collection entries whose
// copies of their task's status, star, rating and trash (kept by triggers
// for the filtered history pages) differ from the task's; zero means they
// are exact. It reads every entry: it belongs to the integrity check.
func (db *DB) CheckLabelFilters(ctx context.Context) (int64, error) {
	var n int64
	err := db.read(ctx, true, func(tx *tx) error {
		return tx.get(&n, labelFiltersMismatchSQL)
	})
	if err != nil {
		return 0, fmt.Errorf("check label filters: %w", err)
	}
	return n, nil
}
