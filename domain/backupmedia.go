package domain

import (
	"context"
	"time"
)

// DestinationLocal is the name of the backups folder in the data directory,
// the destination every install has.
const DestinationLocal = "local"

// MaxSkippedListed bounds the skipped files a backup set names one by one;
// BackupMedia.SkippedCount counts them all.
const MaxSkippedListed = 100

// BackupMedia describes the video files of one backup set. The files are
// stored content-addressed (SHA-256) in the destination's object store and
// shared between sets, so Bytes counts every file of the set while NewBytes
// counts only what this set added.
type BackupMedia struct {
	Files    int64 `json:"files"`     // files the set holds
	Bytes    int64 `json:"bytes"`     // their total size
	NewFiles int64 `json:"new_files"` // objects this set added to the store
	NewBytes int64 `json:"new_bytes"`
	// Skipped names the referenced files that are not in the set (missing,
	// outside the media roots, not a regular file), at most MaxSkippedListed.
	Skipped      []SkippedFile `json:"skipped,omitempty"`
	SkippedCount int64         `json:"skipped_count"`
}

// SkippedFile is a video file a backup set references but does not hold, or
// a file a restore did not put back, and why.
type SkippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Destination is a folder that receives backup sets on its own schedule:
// an external disk, a NAS mount, a synced folder.
type Destination struct {
	Name string `json:"name"`
	Dir  string `json:"dir"`
	// Cron is when scheduled backups go there; empty: only by hand.
	Cron string `json:"cron"`
	// Keep is how many scheduled sets are kept there.
	Keep int `json:"keep"`
	// Encrypted destinations hold sets that restore only with a passphrase.
	Encrypted bool      `json:"encrypted"`
	AddedAt   time.Time `json:"added_at"`
}

// DestinationStatus is a destination as shown to the owner.
type DestinationStatus struct {
	Destination
	// Connected is false when the folder is missing or not mounted (its
	// marker file is gone): scheduled backups skip it and retry at the next
	// scheduled time.
	Connected  bool       `json:"connected"`
	Sets       int        `json:"sets"`
	LastBackup *time.Time `json:"last_backup,omitempty"`
	NextRun    *time.Time `json:"next_run,omitempty"`
	Problem    string     `json:"problem,omitempty"`
}

// RestoredFiles reports what a restore did with the video files of a set.
type RestoredFiles struct {
	Restored int64 `json:"restored"` // files written back
	Bytes    int64 `json:"bytes"`
	Same     int64 `json:"same"` // already there with the same content
	// KeptAside are files that differed and were renamed, not overwritten:
	// path is the file's place, reason names where the old file went.
	KeptAside []SkippedFile `json:"kept_aside,omitempty"`
	// Relinked is the folder the files went under when it was not their
	// own place; the restored database points there.
	Relinked string `json:"relinked,omitempty"`
	// Removed, after the undo of a restore of chosen tasks, counts the
	// files that restore had put back and the undo removed (a file kept
	// aside by it is back in its place, counted in Restored).
	Removed int64 `json:"removed,omitempty"`
}

// RestoreRequest are the options of a restore asked for through the API or
// the window.
type RestoreRequest struct {
	Passphrase string `json:"passphrase,omitempty"` // of an encrypted destination
	Into       string `json:"into,omitempty"`       // absolute folder for the video files
	DBOnly     bool   `json:"db_only,omitempty"`    // leave the video files alone
}

// DestinationService sends backup sets to other folders and restores their
// video files. A BackupService that also implements it gets the
// destination routes and the media options of backup and restore.
type DestinationService interface {
	// Destinations lists the local backups folder and the destinations the
	// owner added, each with its state (connected or unplugged).
	Destinations(ctx context.Context) ([]DestinationStatus, error)
	// AddDestination adds a folder that receives backup sets. Returns
	// EINVALID naming the bad field, ECONFLICT for a name or folder in use.
	AddDestination(ctx context.Context, d Destination, passphrase string) (*DestinationStatus, error)
	// RemoveDestination forgets a destination (its backups stay). Returns
	// ENOTFOUND.
	RemoveDestination(ctx context.Context, name string) error
	// BackupTo takes a manual backup set into destination to ("" for the
	// local folder), without the video files when dbOnly. Returns
	// ENOTFOUND, ECONFLICT (unplugged, or another backup running).
	BackupTo(ctx context.Context, to string, dbOnly bool) (*Backup, error)
	// RestoreSet restores the set name of any connected destination with
	// its video files. Returns ENOTFOUND, EINVALID (field "passphrase" for
	// a missing or wrong passphrase), ECONFLICT.
	RestoreSet(ctx context.Context, name string, opts RestoreRequest) (*RestoreResult, error)
	// DrillSet proves a set of any destination restorable now (as
	// BackupService.Drill does for the local folder). Returns ENOTFOUND,
	// ECONFLICT (unplugged, or another backup running), EINVALID (field
	// "passphrase" for a missing or wrong passphrase).
	DrillSet(ctx context.Context, req DrillRequest) (*DrillResult, error)
}
