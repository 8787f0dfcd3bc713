package domain

import (
	"context"
	"os"
	"time"
)

// Status is a task's lifecycle state.
type Status string

// Task states. pending → processing → completed | failed | cancelled;
// cancel is also allowed from pending. Terminal states are final.
const (
	StatusPending    Status = "pending"
	StatusProcessing Status = "processing"
	StatusCompleted  Status = "completed"
	StatusFailed     Status = "failed"
	StatusCancelled  Status = "cancelled"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusPending, StatusProcessing, StatusCompleted, StatusFailed, StatusCancelled}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Step is one lifecycle step a task may take on request.
type Step string

// The steps of the task lifecycle (claiming and lease expiry move tasks
// too; see TaskService.ClaimTask and ExpireLeases).
const (
	StepStart    Step = "start"    // pending → processing
	StepUpdate   Step = "update"   // processing stays processing: progress, heartbeat
	StepComplete Step = "complete" // processing → completed
	StepFail     Step = "fail"     // pending or processing → failed
	StepCancel   Step = "cancel"   // pending or processing → cancelled
)

// Steps is the lifecycle as one table: for each step, the states a task may
// take it from and the state it ends in.
var Steps = map[Step]struct {
	From []Status
	To   Status
}{
	StepStart:    {From: []Status{StatusPending}, To: StatusProcessing},
	StepUpdate:   {From: []Status{StatusProcessing}, To: StatusProcessing},
	StepComplete: {From: []Status{StatusProcessing}, To: StatusCompleted},
	StepFail:     {From: []Status{StatusPending, StatusProcessing}, To: StatusFailed},
	StepCancel:   {From: []Status{StatusPending, StatusProcessing}, To: StatusCancelled},
}

// To returns the state step ends in.
func (step Step) To() Status { return Steps[step].To }

// Check returns ECONFLICT naming both states unless a task in status from
// may take step.
func (step Step) Check(taskID string, from Status) error {
	for _, st := range Steps[step].From {
		if from == st {
			return nil
		}
	}
	return Errorf(ECONFLICT, "Task %s is %s and cannot become %s.", taskID, from, step.To())
}

// Terminal reports whether s is a final state.
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled
}

// Limits on task input.
const (
	MaxPromptChars = 20000 // a prompt longer than this is refused
	MaxScenes      = 1000  // total_scenes above this is refused
)

// Task is one generation run: a prompt turned into scene scripts, one clip per
// scene and a final video.
type Task struct {
	ID              int64      `json:"-"`
	TaskID          string     `json:"task_id"` // UUID, the public identifier
	UserID          int64      `json:"user_id"`
	Username        string     `json:"username"`
	Prompt          string     `json:"prompt"`
	Status          Status     `json:"status"`
	Progress        int        `json:"progress"` // 0–100
	TotalScenes     int        `json:"total_scenes"`
	CompletedScenes int        `json:"completed_scenes"`
	FinalVideoPath  string     `json:"final_video_path,omitempty"`
	ErrorMessage    string     `json:"error_message,omitempty"`
	Attempts        int        `json:"attempts"` // times a worker claimed it
	LeaseOwner      string     `json:"lease_owner,omitempty"`
	LeaseExpiresAt  *time.Time `json:"lease_expires_at,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	StartedAt       *time.Time `json:"started_at,omitempty"`
	CompletedAt     *time.Time `json:"completed_at,omitempty"` // set for every terminal state
	Duration        *float64   `json:"duration,omitempty"`     // seconds from started_at to completed_at

	// The library (see LibraryService).
	Starred     bool       `json:"starred"`
	Rating      int        `json:"rating,omitempty"`      // 1–5; 0 is unrated
	Tags        []string   `json:"tags,omitempty"`        // by name
	Collections []string   `json:"collections,omitempty"` // names, by name
	RerunOf     string     `json:"rerun_of,omitempty"`    // task_id of the task this one runs again
	TrashedAt   *time.Time `json:"trashed_at,omitempty"`  // set while in the trash

	// Filled by FindTaskByID only.
	Scripts []*Script `json:"scripts,omitempty"`
	Videos  []*Video  `json:"videos,omitempty"`
	Events  []*Event  `json:"events,omitempty"`

	// Match says why the task matched a search; set by searches only.
	Match *SearchMatch `json:"match,omitempty"`
}

// Fields a search match can come from (SearchMatch.Field).
const (
	MatchPrompt = "prompt"
	MatchScene  = "scene"
	MatchError  = "error"
)

// SearchMatch is the reason a task matched a search: a snippet of the field
// where its words were found, with the matching words marked.
type SearchMatch struct {
	Field       string        `json:"field"`                  // MatchPrompt, MatchScene or MatchError
	SceneNumber int           `json:"scene_number,omitempty"` // the scene, when Field is MatchScene
	Snippet     []SnippetPart `json:"snippet"`                // the snippet, in order
}

// SnippetPart is a piece of a snippet; Hit marks the words that matched.
type SnippetPart struct {
	Text string `json:"text"`
	Hit  bool   `json:"hit,omitempty"`
}

// TaskCreate is the input of CreateTask.
type TaskCreate struct {
	// UserID is the owner of the new task. An API-key actor may leave it 0
	// (it is then its own ID) and may not name another user.
	UserID      int64  `json:"user_id,omitempty"`
	Username    string `json:"username,omitempty"` // alternative to UserID
	Prompt      string `json:"prompt"`
	TotalScenes int    `json:"total_scenes,omitempty"`
}

// TaskProgress is the input of UpdateProgress.
type TaskProgress struct {
	Progress        int  `json:"progress"`                   // 0–100
	CompletedScenes *int `json:"completed_scenes,omitempty"` // ≤ total_scenes
}

// TaskFilter selects tasks for FindTasks. Zero fields do not filter.
type TaskFilter struct {
	UserID      *int64     `json:"user_id,omitempty"`
	Username    string     `json:"username,omitempty"`
	Status      []Status   `json:"status,omitempty"`
	CreatedFrom *time.Time `json:"created_from,omitempty"` // inclusive
	CreatedTo   *time.Time `json:"created_to,omitempty"`   // exclusive
	Search      string     `json:"search,omitempty"`       // full-text over prompts, scene descriptions and error messages

	// The library. Combined with each other and with the fields above.
	Starred    bool     `json:"starred,omitempty"`    // starred tasks only
	MinRating  int      `json:"rating,omitempty"`     // rated at least this (1–5)
	Tags       []string `json:"tags,omitempty"`       // carrying every one of these tags
	Collection string   `json:"collection,omitempty"` // in this collection (by name)
	// Trashed lists the trash instead of the history: trashed tasks only,
	// in the same newest-first order. Without it trashed tasks are left out.
	Trashed bool `json:"trashed,omitempty"`

	// Cursor is an opaque keyset cursor from a previous page's NextCursor.
	Cursor string `json:"cursor,omitempty"`
	Limit  int    `json:"limit,omitempty"` // default 50, at most 500
}

// TaskPage is one page of FindTasks, newest first.
type TaskPage struct {
	Tasks      []*Task `json:"tasks"`
	NextCursor string  `json:"next_cursor,omitempty"` // empty on the last page
}

// ClaimRequest is the input of ClaimTask.
type ClaimRequest struct {
	Worker      string        `json:"worker"`                 // a name for the claiming worker
	Lease       time.Duration `json:"-"`                      // default DefaultLease
	MaxAttempts int           `json:"max_attempts,omitempty"` // default DefaultMaxAttempts
}

// Worker lease defaults.
const (
	DefaultLease       = 60 * time.Second
	DefaultMaxAttempts = 3
)

// TaskService manages tasks and their lifecycle. Every method checks the
// actor in ctx: a user sees only its own tasks (another user's task is
// ENOTFOUND); the owner sees all.
type TaskService interface {
	// CreateTask creates a pending task and charges one unit of quota in the
	// same transaction. Returns EINVALID, ENOTFOUND (user), EFORBIDDEN
	// (inactive user), EQUOTAEXCEEDED.
	CreateTask(ctx context.Context, in TaskCreate) (*Task, error)

	// FindTaskByID returns a task with its scripts, videos and events.
	// Returns ENOTFOUND.
	FindTaskByID(ctx context.Context, taskID string) (*Task, error)

	// FindTasks returns one page of tasks, newest first. Returns EINVALID for
	// a bad filter or cursor.
	FindTasks(ctx context.Context, filter TaskFilter) (*TaskPage, error)

	// CountTasksByStatus counts the tasks matching filter (cursor and limit
	// ignored) per status; every status is present in the map.
	CountTasksByStatus(ctx context.Context, filter TaskFilter) (map[Status]int, error)

	// StartTask moves a pending task to processing. Returns ENOTFOUND, ECONFLICT.
	StartTask(ctx context.Context, taskID string) (*Task, error)

	// UpdateProgress records progress of a processing task. Returns EINVALID,
	// ENOTFOUND, ECONFLICT.
	UpdateProgress(ctx context.Context, taskID string, in TaskProgress) (*Task, error)

	// CompleteTask finishes a processing task with its final video.
	// Returns EINVALID, ENOTFOUND, ECONFLICT.
	CompleteTask(ctx context.Context, taskID string, finalVideoPath string) (*Task, error)

	// FailTask fails a pending or processing task with a message.
	// Returns EINVALID, ENOTFOUND, ECONFLICT.
	FailTask(ctx context.Context, taskID string, message string) (*Task, error)

	// CancelTask cancels a pending or processing task. Returns ENOTFOUND, ECONFLICT.
	CancelTask(ctx context.Context, taskID string) (*Task, error)

	// SetScripts replaces a non-terminal task's scene scripts in one batch.
	// Returns EINVALID, ENOTFOUND, ECONFLICT.
	SetScripts(ctx context.Context, taskID string, scripts []ScriptInput) ([]*Script, error)

	// AddVideo registers a scene's video. Returns EINVALID, ENOTFOUND, ECONFLICT.
	AddVideo(ctx context.Context, taskID string, in VideoInput) (*Video, error)

	// FindVideoByID returns a registered video (for the media endpoint).
	// Returns ENOTFOUND.
	FindVideoByID(ctx context.Context, id int64) (*Video, error)

	// OpenVideo opens the file of a registered video for streaming, under
	// the media rule (see MediaRoots) judged on the opened file; the caller
	// closes it. Returns ENOTFOUND, EFORBIDDEN (the owner only: a user gets
	// ENOTFOUND for every file it may not stream).
	OpenVideo(ctx context.Context, id int64) (*Video, *os.File, error)

	// ClaimTask atomically hands the oldest pending task to a worker with a
	// lease and moves it to processing. Returns (nil, nil) when none is pending.
	ClaimTask(ctx context.Context, req ClaimRequest) (*Task, error)

	// HeartbeatTask extends the lease of a task claimed by worker.
	// Returns ENOTFOUND, ECONFLICT (not the lease holder, or not processing).
	HeartbeatTask(ctx context.Context, taskID, worker string, lease time.Duration) (*Task, error)

	// ExpireLeases returns tasks whose lease ran out to pending, or fails
	// them once they have used maxAttempts. Owner only. Returns the number of
	// tasks changed.
	ExpireLeases(ctx context.Context, maxAttempts int) (int, error)
}
