package store

import (
	"database/sql"
	"fmt"

	"github.com/reelvault/reelvault/domain"
)

// insertEventSQL inserts one task_events row.
const insertEventSQL = `
	INSERT INTO task_events (
		task_id,
		type,
		status,
		progress,
		message,
		created_at
	) VALUES (?, ?, ?, ?, ?, ?)`

// addEvent appends an event for r's current state and queues a notification.
func addEvent(tx *tx, r *taskRow, typ, message string) error {
	_, err := tx.exec(insertEventSQL,
		r.ID, typ, r.Status, r.Progress, message, micros(tx.now))
	if err != nil {
		return fmt.Errorf("add event: %w", err)
	}
	tx.notify(domain.Notification{Type: "task", TaskID: r.TaskID, Status: domain.Status(r.Status), Progress: r.Progress})
	return nil
}

// eventRow is a task_events row as stored.
type eventRow struct {
	ID        int64  `db:"id"`
	Type      string `db:"type"`
	Status    string `db:"status"`
	Progress  int    `db:"progress"`
	Message   string `db:"message"`
	CreatedAt int64  `db:"created_at"`
}

// findEvents returns r's events, oldest first (scanned by hand, as
// findScripts).
func findEvents(tx *tx, r *taskRow) ([]*domain.Event, error) {
	var events []*domain.Event
	err := tx.each(`
		SELECT
			id,
			type,
			status,
			progress,
			message,
			created_at
		FROM task_events
		WHERE task_id = ?
		ORDER BY id`, []any{r.ID}, func(rows *sql.Rows) error {
		var e eventRow
		if err := rows.Scan(&e.ID, &e.Type, &e.Status, &e.Progress, &e.Message, &e.CreatedAt); err != nil {
			return err
		}
		events = append(events, &domain.Event{
			ID:        e.ID,
			TaskID:    r.TaskID,
			Type:      e.Type,
			Status:    domain.Status(e.Status),
			Progress:  e.Progress,
			Message:   e.Message,
			CreatedAt: fromMicros(e.CreatedAt),
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find events: %w", err)
	}
	return events, nil
}
