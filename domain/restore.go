package domain

import "time"

// Differences a preview reports per task.
const (
	DiffMissing = "missing" // in the set, not here
	DiffChanged = "changed" // in both, different
	DiffFiles   = "files"   // the same here, but video files are missing on disk
)

// PreviewTask is one task of a preview, described as the set holds it.
type PreviewTask struct {
	TaskID       string    `json:"task_id"`
	Diff         string    `json:"diff"` // DiffMissing, DiffChanged or DiffFiles
	Username     string    `json:"username"`
	Prompt       string    `json:"prompt"`
	Status       Status    `json:"status"`
	CreatedAt    time.Time `json:"created_at"`
	MissingFiles []string  `json:"missing_files,omitempty"`
}

// TaskPreview is what restoring tasks from a set would change, measured
// without changing anything.
type TaskPreview struct {
	Backup        string `json:"backup"`
	SchemaVersion int64  `json:"schema_version"` // of the set, before migrating it forward
	SetTasks      int64  `json:"set_tasks"`
	LiveTasks     int64  `json:"live_tasks"`
	Same          int64  `json:"same"`      // tasks equal in both
	Missing       int64  `json:"missing"`   // tasks in the set that are not here
	Changed       int64  `json:"changed"`   // tasks in both that differ
	OnlyHere      int64  `json:"only_here"` // tasks here the set does not hold; a task restore leaves them
	FilesMissing  int64  `json:"files_missing"`
	// Tasks lists the first differing tasks (backup.MaxPreviewTasks at most): missing first,
	// then changed, then those whose files are missing.
	Tasks     []PreviewTask `json:"tasks"`
	Truncated bool          `json:"truncated"`
}

// TaskRestoreResult describes a finished restore of chosen tasks.
type TaskRestoreResult struct {
	Backup   string   `json:"backup"`
	Added    []string `json:"added"`    // tasks that were not here
	Replaced []string `json:"replaced"` // tasks whose live rows were replaced
	Days     []string `json:"days"`     // statistics days recomputed
	// Undo names the file that holds the tasks as they were; "restore
	// --undo" puts them back.
	Undo string `json:"undo"`
	// Files is what became of the chosen tasks' video files that were
	// missing or changed here; nil when the set holds no files of theirs.
	Files *RestoredFiles `json:"files,omitempty"`
}

// DrillResult is the outcome of one restore drill.
type DrillResult struct {
	// Destination is where the drilled set lives.
	Destination string    `json:"destination"`
	Backup      string    `json:"backup"`
	OK          bool      `json:"ok"`
	Error       string    `json:"error,omitempty"`
	StartedAt   time.Time `json:"started_at"`
	Seconds     float64   `json:"seconds"`
	// Tasks is the number of tasks the restored copy holds.
	Tasks int64 `json:"tasks"`
	// Checks lists what was proven, in order.
	Checks []string `json:"checks"`
	// FilesChecked is the number of media files whose hash was checked.
	FilesChecked int `json:"files_checked"`
}

// Proven says, for one destination, when a backup was last proven
// restorable and whether the latest drill failed.
type Proven struct {
	Destination string `json:"destination"`
	// LastOK is the last drill that succeeded, Backup the set it proved.
	LastOK *time.Time `json:"last_ok,omitempty"`
	Backup string     `json:"backup,omitempty"`
	// Last is the latest drill, whatever its result.
	Last *time.Time `json:"last,omitempty"`
	// Failed is true when the latest drill failed; Error says why.
	Failed bool   `json:"failed"`
	Error  string `json:"error,omitempty"`
	// Skipped says why the latest scheduled drill of this destination
	// could not run (the destination is not connected, its sets are
	// encrypted and no passphrase was given, it holds no set yet), at
	// SkippedAt; empty when a drill ran after it.
	Skipped   string     `json:"skipped,omitempty"`
	SkippedAt *time.Time `json:"skipped_at,omitempty"`
}

// DrillRequest names the set a drill asked for through the API or the
// window proves.
type DrillRequest struct {
	// Name is the set; the destination's newest when empty.
	Name string `json:"name,omitempty"`
	// Destination is where the set lives; the local backups folder when
	// empty.
	Destination string `json:"destination,omitempty"`
	// Passphrase opens the sets of an encrypted destination.
	Passphrase string `json:"passphrase,omitempty"`
}

// SetInfo describes a backup set before anything is restored from it.
type SetInfo struct {
	Name          string           `json:"name"`
	Engine        string           `json:"engine"` // the engine it was taken from: sqlite or postgres
	CreatedAt     *time.Time       `json:"created_at,omitempty"`
	Size          int64            `json:"size"`
	SchemaVersion int64            `json:"schema_version"`
	Rows          map[string]int64 `json:"rows"`
}
