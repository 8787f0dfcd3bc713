package domain

import "context"

// DayStats are the totals of one calendar day (UTC). Tasks count on the day
// they were created; completions, failures, cancellations, videos and
// generation times count on the day they happened.
type DayStats struct {
	Date              string  `db:"date" json:"date"` // YYYY-MM-DD
	TotalTasks        int     `db:"total_tasks" json:"total_tasks"`
	CompletedTasks    int     `db:"completed_tasks" json:"completed_tasks"`
	FailedTasks       int     `db:"failed_tasks" json:"failed_tasks"`
	CancelledTasks    int     `db:"cancelled_tasks" json:"cancelled_tasks"`
	TotalVideos       int     `db:"total_videos" json:"total_videos"`
	TotalVideoSeconds float64 `db:"total_video_seconds" json:"total_video_seconds"`
	AvgGenerationTime float64 `db:"avg_generation_time" json:"avg_generation_time"` // seconds, completed tasks
	P95GenerationTime float64 `db:"p95_generation_time" json:"p95_generation_time"` // seconds, completed tasks
}

// TableSize is the on-disk size of one table or index.
type TableSize struct {
	Name  string `db:"name" json:"name"`
	Bytes int64  `db:"bytes" json:"bytes"`
	Rows  int64  `db:"rows" json:"rows,omitempty"` // tables only
}

// DBStatus describes the database for monitoring.
type DBStatus struct {
	Engine        string           `json:"engine"` // "sqlite" or "postgres"
	Path          string           `json:"path,omitempty"`
	FileSize      int64            `json:"file_size"`
	WALSize       int64            `json:"wal_size"`
	FreePages     int64            `json:"free_pages"`
	PageSize      int64            `json:"page_size"`
	SchemaVersion int64            `json:"schema_version"`
	Tables        []TableSize      `json:"tables"`
	Counts        map[string]int64 `json:"counts"` // rows per table
}

// StatsService reports statistics and database status. Owner only
// (EFORBIDDEN otherwise): the statistics are global; a user sees its own
// counts through TaskService.CountTasksByStatus.
type StatsService interface {
	// DailyStats returns one row per day in [from, to] (YYYY-MM-DD, both
	// inclusive, either may be empty), oldest first; days without activity
	// are omitted. Returns EINVALID for a bad date.
	DailyStats(ctx context.Context, from, to string) ([]*DayStats, error)

	// RebuildStats recomputes every day's statistics from the tasks.
	RebuildStats(ctx context.Context) error

	// Status returns sizes, table sizes, counts and the schema version.
	Status(ctx context.Context) (*DBStatus, error)
}
