package domain

import (
	"context"
	"os"
	"time"
)

// VideoFacts are what Reelvault learnt from a video's file when it was
// registered. Video.Width, Height, Duration and FPS hold the file's own
// values when it could be read (ProbedAt set), else the client's claim.
type VideoFacts struct {
	// Codec is the container's name for the video codec ("avc1", "hvc1",
	// "V_VP9", …); empty when the file could not be read.
	Codec string `json:"codec,omitempty"`
	// ContentHash is the hex SHA-256 of the file; empty until computed (in
	// the background for big files) or for a missing file.
	ContentHash string `json:"content_hash,omitempty"`
	// Claimed is what the client said when it registered the video; nil
	// when it claimed nothing.
	Claimed *VideoClaim `json:"claimed,omitempty"`
	// Mismatch names the facts where the claim and the file disagree
	// ("width", "height", "duration", "fps"); empty when they agree.
	Mismatch []string `json:"mismatch,omitempty"`
	// ProbeError says why the file could not be read as a video.
	ProbeError string `json:"probe_error,omitempty"`
	// ProbedAt is when the file was read; nil when it never was (a missing
	// file, or a video registered by an older version).
	ProbedAt *time.Time `json:"probed_at,omitempty"`
}

// VideoClaim is what a client claimed about a video it registered.
type VideoClaim struct {
	Duration *float64 `json:"duration,omitempty"`
	Width    *int     `json:"width,omitempty"`
	Height   *int     `json:"height,omitempty"`
	FPS      *float64 `json:"fps,omitempty"`
}

// Event types of the video fixes.
const (
	EventVideoReplaced = "video_replaced"
	EventVideoRemoved  = "video_removed"
	EventVideoRelinked = "video_relinked"
)

// Notification types of videos, beside "task": "video" when a video's
// facts or content hash were filled in, "poster" when its poster is ready.
const (
	NotifyVideo  = "video"
	NotifyPoster = "poster"
)

// Limits of the relink and storage reports.
const (
	MaxRelinkFiles   = 200000 // files a relink looks at in its folder
	MaxStorageTasks  = 100    // tasks listed in the storage report (the largest)
	MaxStorageMissed = 1000   // missing files listed in the storage report
)

// RelinkRequest is the input of Relink.
type RelinkRequest struct {
	// Folder is searched, with its subfolders, for the files of videos
	// that are missing from their registered paths.
	Folder string `json:"folder"`
	// DryRun reports what would be re-linked and changes nothing.
	DryRun bool `json:"dry_run,omitempty"`
}

// RelinkReport is what Relink found and did.
type RelinkReport struct {
	Folder       string          `json:"folder"`
	DryRun       bool            `json:"dry_run"`
	FilesScanned int             `json:"files_scanned"` // video files looked at in the folder
	Missing      int             `json:"missing"`       // registered videos whose files are gone
	Relinked     []RelinkedVideo `json:"relinked"`
	Unmatched    []RelinkedVideo `json:"unmatched"` // missing videos no file was found for
}

// RelinkedVideo is one missing video in a RelinkReport.
type RelinkedVideo struct {
	VideoID     int64  `json:"video_id"`
	TaskID      string `json:"task_id"`
	SceneNumber int    `json:"scene_number"`
	From        string `json:"from"`
	To          string `json:"to,omitempty"`
	// By tells how the file was recognised: "hash" (same size and SHA-256)
	// or "size_name" (same size and file name, for videos without a hash);
	// for an unmatched video, Reason says why.
	By     string `json:"by,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// StorageReport is the disk use of the registered videos.
type StorageReport struct {
	TotalBytes   int64          `json:"total_bytes"`
	Videos       int            `json:"videos"`
	MissingCount int            `json:"missing_count"`
	Users        []StorageUsage `json:"users"` // every user with videos, largest first
	Tasks        []StorageUsage `json:"tasks"` // the largest tasks, at most MaxStorageTasks
	// Collections holds every collection with videos, largest first; a
	// video counts once in each collection its task is in, and only
	// untrashed tasks count (as in a collection's task count), while Users
	// and Tasks count trashed tasks too: their files stay on disk until the
	// trash is emptied.
	Collections []StorageUsage `json:"collections"`
	Missing     []MissingVideo `json:"missing"` // at most MaxStorageMissed
}

// StorageUsage is the disk use of one user, task or collection.
type StorageUsage struct {
	Key      string `json:"key"`             // username, task_id or collection name
	Label    string `json:"label,omitempty"` // a task's prompt, shortened
	Username string `json:"username,omitempty"`
	Bytes    int64  `json:"bytes"`
	Videos   int    `json:"videos"`
	Missing  int    `json:"missing"`
}

// MissingVideo is a registered video whose file is gone.
type MissingVideo struct {
	VideoID     int64  `json:"video_id"`
	TaskID      string `json:"task_id"`
	Username    string `json:"username"`
	SceneNumber int    `json:"scene_number"`
	FilePath    string `json:"file_path"`
	FileSize    *int64 `json:"file_size,omitempty"` // as last seen
}

// VideoService fixes registered videos and reports on their files. The
// store's TaskService implements it; every method checks the actor in ctx
// as TaskService does.
type VideoService interface {
	// ReplaceVideo registers another file for a scene that has a video
	// (scene 0: the final video), in any task state. Returns EINVALID,
	// ENOTFOUND (task or video).
	ReplaceVideo(ctx context.Context, taskID string, in VideoInput) (*Video, error)

	// RemoveVideo unregisters a scene's video (scene 0: the final video);
	// the file itself is left alone. Returns EINVALID, ENOTFOUND.
	RemoveVideo(ctx context.Context, taskID string, scene int) error

	// Relink finds missing videos' files in a folder by size and hash and
	// registers them at their new paths. Owner only. Returns EINVALID
	// (field "folder"), EFORBIDDEN.
	Relink(ctx context.Context, in RelinkRequest) (*RelinkReport, error)

	// Storage reports disk use per user and task and lists missing files;
	// a user sees its own videos only.
	Storage(ctx context.Context) (*StorageReport, error)

	// OpenPosterVideo opens the video a task's poster is made from (the
	// final video, else the highest scene's) under the media rule. Returns
	// ENOTFOUND.
	OpenPosterVideo(ctx context.Context, taskID string) (*Video, *PosterSource, error)
}

// PosterSource is an opened video file a poster is made from.
type PosterSource struct {
	File *os.File
	// Key identifies the file's content: it changes when the file is
	// replaced or re-linked.
	Key string
}

// Poster is a task's poster frame as PosterService finds it.
type Poster struct {
	VideoID int64 // the video it is made from
	Key     string
	// Path is the poster's JPEG file, once Ready; until then it is being
	// made in the background and a "poster" notification tells when.
	Path  string
	Ready bool
}

// PosterService makes and caches poster frames of tasks' videos.
type PosterService interface {
	// Poster returns the poster of a task's final video (else its highest
	// scene's), starting to make it when there is none yet. Returns
	// ENOTFOUND (no task, no video, or no poster maker: the UI then takes
	// a frame from the video itself).
	Poster(ctx context.Context, taskID string) (*Poster, error)
}
