package domain

import "time"

// Event types written to the task event log.
const (
	EventCreated      = "created"
	EventStarted      = "started"
	EventProgress     = "progress" // milestones only, not every update
	EventCompleted    = "completed"
	EventFailed       = "failed"
	EventCancelled    = "cancelled"
	EventScripts      = "scripts_set"
	EventVideo        = "video_added"
	EventClaimed      = "claimed"
	EventLeaseExpired = "lease_expired"
)

// Event is one entry of a task's event log: the audit trail and error log.
type Event struct {
	ID        int64     `json:"id"`
	TaskID    string    `json:"task_id"`
	Type      string    `json:"type"`
	Status    Status    `json:"status"` // the task's status after the event
	Progress  int       `json:"progress"`
	Message   string    `json:"message,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Notification tells listeners (the SSE stream, the desktop window) that
// something changed. Store publishes one after each committed task change;
// backup publishes progress and job results.
type Notification struct {
	Type     string `json:"type"` // "task", "backup_progress", "job", "restore"
	TaskID   string `json:"task_id,omitempty"`
	Status   Status `json:"status,omitempty"`
	Progress int    `json:"progress,omitempty"`
	Data     any    `json:"data,omitempty"`
}

// Notifier receives notifications. Notify must not block.
type Notifier interface {
	Notify(n Notification)
}
