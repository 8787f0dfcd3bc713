package domain

import (
	"context"
	"io"
	"time"
)

// BackupKind says why a backup was taken.
type BackupKind string

// Backup kinds. Only scheduled backups are pruned by retention.
const (
	BackupManual       BackupKind = "manual"
	BackupScheduled    BackupKind = "scheduled"
	BackupPreMigration BackupKind = "pre-migration"
	BackupPreRestore   BackupKind = "pre-restore"
	// BackupUploaded is a set that was uploaded to restore from, such as
	// one carried over from another install.
	BackupUploaded BackupKind = "uploaded"
)

// Valid reports whether k is a known kind.
func (k BackupKind) Valid() bool {
	switch k {
	case BackupManual, BackupScheduled, BackupPreMigration, BackupPreRestore, BackupUploaded:
		return true
	}
	return false
}

// Backup is one verified backup file as listed in the catalogue.
type Backup struct {
	Name          string           `json:"name"` // file name inside the backups folder
	Kind          BackupKind       `json:"kind"`
	CreatedAt     time.Time        `json:"created_at"`
	Size          int64            `json:"size"`   // bytes on disk (compressed)
	SHA256        string           `json:"sha256"` // of the file on disk
	SchemaVersion int64            `json:"schema_version"`
	Rows          map[string]int64 `json:"rows"` // rows per table
	VerifiedAt    time.Time        `json:"verified_at"`
	Path          string           `json:"path,omitempty"` // absolute path; filled when listed
	// Media describes the video files the set holds; nil for a
	// database-only backup.
	Media *BackupMedia `json:"media,omitempty"`
	// Destination names where the set is: DestinationLocal or a
	// destination the owner added.
	Destination string `json:"destination,omitempty"`
	// Encrypted sets restore only with their destination's passphrase.
	Encrypted bool `json:"encrypted,omitempty"`
}

// BackupList is the catalogue of verified backups, newest first, the same
// over HTTP and in the window.
type BackupList struct {
	Backups []*Backup `json:"backups"` // never null
	// Dir is the folder the backups are kept in (absolute), when known.
	Dir string `json:"dir,omitempty"`
	// Undo is the restore UndoRestore would take back; nil: nothing to undo.
	Undo *LastRestore `json:"undo"`
}

// NewBackupList returns the catalogue listing (an empty one for none).
func NewBackupList(backups []*Backup) *BackupList { return &BackupList{Backups: nonNil(backups)} }

// LastRestore is the restore that UndoRestore takes back.
type LastRestore struct {
	PreRestore string    `json:"pre_restore"` // the backup undo returns to; empty after a restore of chosen tasks
	Source     string    `json:"source"`      // what was restored
	At         time.Time `json:"at"`
}

// BackupProgress reports how far a backup or restore has come.
type BackupProgress struct {
	Phase string `json:"phase"` // "copy", "verify", "compress", "restore"
	Done  int64  `json:"done"`  // pages (copy) or bytes
	Total int64  `json:"total"`
}

// Schedule holds the maintenance schedule and retention, stored as settings.
// Cron expressions use the standard five fields or descriptors like @daily;
// an empty expression disables the job.
type Schedule struct {
	Backup     string `json:"backup"`      // default "0 3 * * *"
	Keep       int    `json:"keep"`        // newest scheduled backups kept, default 7
	KeepDaily  int    `json:"keep_daily"`  // plus the newest of each of the last N days
	KeepWeekly int    `json:"keep_weekly"` // plus the newest of each of the last N weeks
	Optimize   string `json:"optimize"`    // ANALYZE/optimize, default "30 3 * * *"
	Vacuum     string `json:"vacuum"`      // default "0 4 * * 0"; runs only above the free-page threshold
	Checkpoint string `json:"checkpoint"`  // WAL checkpoint(TRUNCATE), default "15 * * * *"
	Drill      string `json:"drill"`       // restore drill of the newest backup, default "0 5 * * 0"
}

// ScheduleRuns is the schedule as the API and the window answer it: the
// schedule and, for each enabled job, its next runs.
type ScheduleRuns struct {
	Schedule
	// Next holds the next runs of each enabled job ("backup", "optimize",
	// "vacuum", "checkpoint"), soonest first.
	Next map[string][]time.Time `json:"next" ts_type:"Record<string, string[]>"`
}

// Job run results.
const (
	JobOK      = "ok"
	JobError   = "error"
	JobSkipped = "skipped" // the previous run was still going, or nothing to do
	JobRunning = "running"
)

// JobRun is the record of one run of a maintenance job.
type JobRun struct {
	ID         int64      `json:"id"`
	JobID      string     `json:"job_id"` // "backup", "optimize", "vacuum", "checkpoint"
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Result     string     `json:"result"` // JobOK, JobError, JobSkipped, JobRunning
	Error      string     `json:"error,omitempty"`
	Bytes      int64      `json:"bytes"`            // bytes written or freed
	Detail     string     `json:"detail,omitempty"` // e.g. the backup's name
}

// JobList is a listing of job runs, newest first, the same over HTTP and in
// the window.
type JobList struct {
	Jobs []*JobRun `json:"jobs"` // never null
}

// NewJobList returns the listing of job runs (an empty one for none).
func NewJobList(jobs []*JobRun) *JobList { return &JobList{Jobs: nonNil(jobs)} }

// Upgrade records that opening a database moved its schema from version
// From to To, after a pre-migration backup, so that the person is told.
type Upgrade struct {
	From   int64  `json:"from"`
	To     int64  `json:"to"`
	Backup string `json:"backup"` // the backup file of the database as it was
}

// RestoreResult describes a finished restore or undo.
type RestoreResult struct {
	Source        string           `json:"source"`
	PreRestore    *Backup          `json:"pre_restore,omitempty"` // the backup an undo returns to; none after a restore of chosen tasks
	SchemaVersion int64            `json:"schema_version"`        // of the restored file, before migrating it forward
	Rows          map[string]int64 `json:"rows"`
	// Files is what became of the set's video files; nil when the set has
	// none or only the database was restored.
	Files *RestoredFiles `json:"files,omitempty"`
}

// BackupService takes, lists, serves and restores verified backups and runs
// the maintenance schedule. Restores swap the live database while the
// process keeps running; progress goes out as notifications.
type BackupService interface {
	// Backup takes a verified manual backup and returns its catalogue entry.
	// Returns ECONFLICT while another backup or restore runs.
	Backup(ctx context.Context) (*Backup, error)
	// Backups lists verified backups, newest first.
	Backups(ctx context.Context) ([]*Backup, error)
	// OpenBackup opens the catalogued backup called name for reading.
	// Returns EINVALID for a name that is not a catalogue name, ENOTFOUND
	// for one the catalogue does not list, EFORBIDDEN when its file is not
	// a regular file in the backups folder.
	OpenBackup(ctx context.Context, name string) (*Backup, io.ReadSeekCloser, error)
	// Restore restores the catalogued backup name into the live database
	// after taking a pre-restore backup. Returns ENOTFOUND, EINVALID,
	// ECONFLICT.
	Restore(ctx context.Context, name string) (*RestoreResult, error)
	// UndoRestore returns to the state before the last restore. Returns
	// ENOTFOUND when there is nothing to undo, ECONFLICT.
	UndoRestore(ctx context.Context) (*RestoreResult, error)
	// DeleteBackup deletes the catalogued backup name. Returns EINVALID,
	// ENOTFOUND, and ECONFLICT for the newest verified backup and the one
	// UndoRestore returns to.
	DeleteBackup(ctx context.Context, name string) error
	// Place says where the backups are kept (an absolute folder) and which
	// restore UndoRestore would take back (nil: nothing to undo).
	Place(ctx context.Context) (dir string, undo *LastRestore, err error)
	// Schedule returns the maintenance schedule with its next runs.
	Schedule(ctx context.Context) (*ScheduleRuns, error)
	// SetSchedule validates and applies a new schedule at once and returns
	// it with its next runs. Returns EINVALID naming the bad field.
	SetSchedule(ctx context.Context, s Schedule) (*ScheduleRuns, error)
	// Jobs lists the most recent job runs, newest first.
	Jobs(ctx context.Context, limit int) ([]*JobRun, error)
	// Maintain runs one maintenance operation now and returns its run; a
	// failed operation returns the run (result "error") with an EINTERNAL
	// error. Returns EINVALID for an unknown operation.
	Maintain(ctx context.Context, op string) (*JobRun, error)
	// PreviewTasks compares the catalogued backup name with the live
	// history without changing anything. Returns ENOTFOUND, EINVALID,
	// ECONFLICT.
	PreviewTasks(ctx context.Context, name string) (*TaskPreview, error)
	// RestoreTasks restores the tasks ids (with their scripts, videos and
	// events) from the catalogued backup name, replacing only those;
	// UndoRestore puts them back. Returns EINVALID, ENOTFOUND (backup or
	// task), ECONFLICT.
	RestoreTasks(ctx context.Context, name string, ids []string) (*TaskRestoreResult, error)
	// Drill proves the catalogued backup name (the newest when empty)
	// restorable; a failed drill is returned as its result (OK false)
	// together with its error. Returns ENOTFOUND (no backup), ECONFLICT.
	Drill(ctx context.Context, name string) (*DrillResult, error)
	// Proven says per destination when a backup was last proven
	// restorable and whether the latest drill failed.
	Proven(ctx context.Context) ([]*Proven, error)
	// Upload keeps an uploaded backup set, verified, in the catalogue and
	// says what it holds; nothing live changes. Returns EINVALID.
	Upload(ctx context.Context, r io.Reader) (*Backup, *SetInfo, error)
}
