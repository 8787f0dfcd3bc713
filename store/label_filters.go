package store

import (
	"context"
	"fmt"
)

// labelFilterTables are the label tables whose entries carry copies of
// their task's status, star, rating and trash (migration 00015).
var labelFilterTables = []string{"task_tags", "collection_tasks"}

// labelFiltersDiffer is the condition, on a label entry l and its task t,
// that a copy differs from the task's column.
const labelFiltersDiffer = `(l.task_status IS DISTINCT FROM t.status
			OR l.task_starred IS DISTINCT FROM t.starred
			OR l.task_rating IS DISTINCT FROM t.rating
			OR l.task_trashed_at IS DISTINCT FROM t.trashed_at)`

// labelCount is the number of tag and collection entries of a task t, which
// its label count (migration 18) keeps.
const labelCount = `(SELECT count(*) FROM task_tags l WHERE l.task_id = t.id)
			+ (SELECT count(*) FROM collection_tasks l WHERE l.task_id = t.id)`

// CheckLabelFilters returns the number of tag and collection entries whose
// copies of their task's status, star, rating and trash (kept by triggers
// for the filtered history pages) differ from the task's, plus the number
// of tasks whose label count differs from their entries; zero means they
// are exact. It reads every entry and task in a read snapshot: it belongs
// to the integrity check, and does not hold up writers. With repair, when
// any differ, it checks again and sets the copies and counts from the
// tasks and entries in a write transaction (so that no write slips between
// that check and the repair), and returns how many it corrected.
func (db *DB) CheckLabelFilters(ctx context.Context, repair bool) (int64, error) {
	var bad int64
	check := func(tx *tx, repair bool) error {
		bad = 0
		for _, table := range labelFilterTables {
			var n int64
			if err := tx.get(&n, `SELECT count(*) FROM `+table+` l JOIN tasks t ON t.id = l.task_id WHERE `+labelFiltersDiffer); err != nil {
				return err
			}
			bad += n
			if !repair || n == 0 {
				continue
			}
			if _, err := tx.exec(`UPDATE ` + table + ` SET
				task_status = t.status,
				task_starred = t.starred,
				task_rating = t.rating,
				task_trashed_at = t.trashed_at
				FROM tasks t
				WHERE t.id = ` + table + `.task_id AND (` + table + `.task_status IS DISTINCT FROM t.status
					OR ` + table + `.task_starred IS DISTINCT FROM t.starred
					OR ` + table + `.task_rating IS DISTINCT FROM t.rating
					OR ` + table + `.task_trashed_at IS DISTINCT FROM t.trashed_at)`); err != nil {
				return fmt.Errorf("repair %s: %w", table, err)
			}
		}
		var n int64
		if err := tx.get(&n, `SELECT count(*) FROM tasks t WHERE t.labels <> `+labelCount); err != nil {
			return err
		}
		bad += n
		if repair && n > 0 {
			if _, err := tx.exec(`UPDATE tasks AS t SET labels = ` + labelCount + ` WHERE t.labels <> ` + labelCount); err != nil {
				return fmt.Errorf("repair label counts: %w", err)
			}
		}
		return nil
	}
	err := db.read(ctx, true, func(tx *tx) error { return check(tx, false) })
	if err == nil && repair && bad > 0 {
		err = db.write(ctx, func(tx *tx) error { return check(tx, true) })
	}
	if err != nil {
		return 0, fmt.Errorf("check label filters: %w", err)
	}
	return bad, nil
}
