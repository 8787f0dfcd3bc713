package domain

import (
	"context"
	"io"
	"time"
)

// ExportFilter selects the tasks to export. Zero fields do not filter.
type ExportFilter struct {
	Username string     `json:"username,omitempty"`
	Status   []Status   `json:"status,omitempty"`
	Since    *time.Time `json:"since,omitempty"` // created at or after
	Until    *time.Time `json:"until,omitempty"` // created before
	// TaskIDs, if set, exports just these tasks (a selection; at most
	// MaxSelection), combined with the fields above.
	TaskIDs []string `json:"task_ids,omitempty"`
	// NDJSON writes a header line, then one task per line.
	NDJSON bool `json:"-"`
}

// Validate checks the filter. Returns EINVALID naming the field.
func (f ExportFilter) Validate() error {
	for _, s := range f.Status {
		if !s.Valid() {
			return Invalidf("status", "Status %q is not one of pending, processing, completed, failed, cancelled.", s)
		}
	}
	if f.Since != nil && f.Until != nil && !f.Until.After(*f.Since) {
		return Invalidf("until", "The end date must be after the start date.")
	}
	if len(f.TaskIDs) > MaxSelection {
		return Invalidf("task_ids", "At most %d tasks can be exported by ID at once; %d were given.", MaxSelection, len(f.TaskIDs))
	}
	return nil
}

// ImportResult reports what an import wrote.
type ImportResult struct {
	Users   int `json:"users"`   // users created
	Tasks   int `json:"tasks"`   // tasks written
	Skipped int `json:"skipped"` // tasks already present (import is idempotent by task_id)
}

// ExportService writes the history as a portable document and reads one
// back. Both act as the owner only.
type ExportService interface {
	// Export writes the tasks matching f, oldest first, with their scripts,
	// videos and events, as one JSON document (NDJSON if f asks) to w.
	// Returns EINVALID for a bad filter, ENOTFOUND for an unknown username,
	// EFORBIDDEN for anyone but the owner.
	Export(ctx context.Context, w io.Writer, f ExportFilter) error
	// Import reads an export document and writes it all or nothing; tasks
	// already present are skipped. Returns EINVALID naming the bad record,
	// EFORBIDDEN for anyone but the owner.
	Import(ctx context.Context, r io.Reader) (*ImportResult, error)
}
