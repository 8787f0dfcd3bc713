package domain

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// The library: a creator organises the history with the trash, stars,
// ratings, tags and collections, acts on many tasks at once, and runs a
// finished task again. Every method checks the actor in ctx like
// TaskService: a user acts on its own tasks only (another user's task is
// ENOTFOUND); the owner on all.

// Library limits.
const (
	MaxTagChars        = 64   // a tag longer than this is refused
	MaxTagsPerTask     = 50   // a task holds at most this many tags
	MaxCollectionChars = 100  // a collection name longer than this is refused
	MaxCollections     = 1000 // at most this many collections
	MaxRating          = 5    // ratings are 1–MaxRating; 0 clears
	MaxSelection       = 10000
	// DefaultTrashRetention is how long a trashed task stays restorable
	// before the scheduler purges it (setting "trash_retention_days").
	DefaultTrashRetention = 30 * 24 * time.Hour
	MaxTrashRetentionDays = 3650
)

// Library notification types (Notification.Type), published after a
// change commits. TaskID is set for one task; Data holds the task IDs of a
// change to many (a []string, at most MaxSelection).
const (
	NotifyLibrary    = "library"    // stars, ratings, tags or collections changed
	NotifyTrash      = "trash"      // tasks moved to or restored from the trash, or purged
	NotifyCollection = "collection" // a collection was created, renamed, deleted or got a new cover
)

// Collection is a named set of tasks; a task may be in several.
type Collection struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Count is the number of tasks in it the actor can see (trashed tasks
	// are not counted).
	Count int `json:"count"`
	// CoverTaskID is the task whose poster stands for the collection: the
	// one set with SetCollectionCover, else the newest task in it with a
	// final video; empty when it has none.
	CoverTaskID string    `json:"cover_task_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// TagCount is a tag and how many visible, untrashed tasks carry it.
type TagCount struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

// Selection names the tasks a bulk action applies to: the listed task IDs,
// or every task Filter matches (its cursor and limit are ignored). Exactly
// one of the two is set; at most MaxSelection tasks are acted on.
type Selection struct {
	TaskIDs []string    `json:"task_ids,omitempty"`
	Filter  *TaskFilter `json:"filter,omitempty"`
}

// Bulk actions (BulkRequest.Action).
const (
	BulkTag       = "tag"       // add Tag
	BulkUntag     = "untag"     // remove Tag
	BulkStar      = "star"      // star
	BulkUnstar    = "unstar"    // unstar
	BulkRate      = "rate"      // set Rating (0 clears)
	BulkCollect   = "collect"   // add to Collection
	BulkUncollect = "uncollect" // remove from Collection
	BulkTrash     = "trash"     // move to the trash
	BulkRestore   = "restore"   // restore from the trash
)

// BulkActions lists every bulk action.
var BulkActions = []string{BulkTag, BulkUntag, BulkStar, BulkUnstar, BulkRate, BulkCollect, BulkUncollect, BulkTrash, BulkRestore}

// BulkRequest is one action on a selection. Export of a selection is
// ExportService's (ExportFilter.TaskIDs).
type BulkRequest struct {
	Selection
	Action     string `json:"action"`
	Tag        string `json:"tag,omitempty"`        // tag, untag
	Collection string `json:"collection,omitempty"` // collect, uncollect
	Rating     int    `json:"rating,omitempty"`     // rate
}

// BulkResult says what a bulk action did.
type BulkResult struct {
	Matched int `json:"matched"` // tasks selected and visible to the actor
	Changed int `json:"changed"` // tasks whose state changed
}

// RerunInput is the input of RerunTask: what to change from the origin
// before the new task is created. Nil fields keep the origin's.
type RerunInput struct {
	Prompt  *string       `json:"prompt,omitempty"`
	Scripts []ScriptInput `json:"scripts,omitempty"`
}

// TrashOptions is the input of TrashTasks.
type TrashOptions struct {
	// DeleteFiles also moves the tasks' video files (scene videos and the
	// final video) to the system trash where there is one; where there is
	// none they are left in place and the result says so.
	DeleteFiles bool `json:"delete_files,omitempty"`
}

// TrashResult says what TrashTasks, RestoreTasks, EmptyTrash or PurgeTrash
// did.
type TrashResult struct {
	Changed int `json:"changed"` // tasks moved, restored or purged
	// FilesTrashed and FilesLeft count video files moved to the system
	// trash, and those left in place (no system trash, or missing).
	FilesTrashed int `json:"files_trashed,omitempty"`
	FilesLeft    int `json:"files_left,omitempty"`
}

// LibraryService organises the history. Trashed tasks leave FindTasks,
// searches and counts (unless TaskFilter.Trashed asks for the trash) and
// stay restorable until purged. A trashed task still counts in the daily
// statistics of the day it ran until it is purged; purging removes it from
// them, so statistics always equal a rebuild.
type LibraryService interface {
	// TrashTasks moves tasks to the trash. Returns EINVALID (no IDs, too
	// many), ENOTFOUND (an ID the actor cannot see; nothing is changed).
	TrashTasks(ctx context.Context, taskIDs []string, opts TrashOptions) (*TrashResult, error)
	// RestoreTasks brings trashed tasks back. Returns EINVALID, ENOTFOUND.
	RestoreTasks(ctx context.Context, taskIDs []string) (*TrashResult, error)
	// EmptyTrash deletes every trashed task the actor can see for good.
	EmptyTrash(ctx context.Context) (*TrashResult, error)
	// PurgeTrash deletes tasks trashed before before for good, in batches
	// that never hold the writer long. Owner only.
	PurgeTrash(ctx context.Context, before time.Time) (*TrashResult, error)

	// SetStar stars or unstars a task. Returns ENOTFOUND.
	SetStar(ctx context.Context, taskID string, starred bool) (*Task, error)
	// SetRating rates a task 1–5, or clears the rating with 0. Returns
	// EINVALID (field "rating"), ENOTFOUND.
	SetRating(ctx context.Context, taskID string, rating int) (*Task, error)
	// TagTask adds and removes tags (trimmed; case kept; a tag differing
	// only in case from one on the task is the same tag). Returns EINVALID
	// (field "tag"), ENOTFOUND.
	TagTask(ctx context.Context, taskID string, add, remove []string) (*Task, error)
	// ListTags lists the tags in use with their counts, most used first.
	ListTags(ctx context.Context) ([]TagCount, error)

	// CreateCollection creates an empty collection. Returns EINVALID
	// (field "name"), ECONFLICT (the name is taken).
	CreateCollection(ctx context.Context, name string) (*Collection, error)
	// ListCollections lists collections by name with counts and covers.
	ListCollections(ctx context.Context) ([]*Collection, error)
	// RenameCollection renames one; collections are shared, so only the
	// owner may. Returns EINVALID, ENOTFOUND, ECONFLICT, EFORBIDDEN.
	RenameCollection(ctx context.Context, name, newName string) (*Collection, error)
	// DeleteCollection deletes a collection (its tasks stay); the owner
	// only. Returns ENOTFOUND, EFORBIDDEN.
	DeleteCollection(ctx context.Context, name string) error
	// AddToCollection and RemoveFromCollection change a collection's tasks
	// and return how many changed. Return EINVALID, ENOTFOUND (the
	// collection or a task).
	AddToCollection(ctx context.Context, name string, taskIDs []string) (int, error)
	RemoveFromCollection(ctx context.Context, name string, taskIDs []string) (int, error)
	// SetCollectionCover makes a task in the collection its cover ("" goes
	// back to the newest). Returns EINVALID (not in it), ENOTFOUND.
	SetCollectionCover(ctx context.Context, name, taskID string) (*Collection, error)

	// Bulk applies one action to a selection in batches, so other writers
	// wait at most one short batch. Returns EINVALID naming the field.
	Bulk(ctx context.Context, req BulkRequest) (*BulkResult, error)

	// RerunTask creates a new pending task from a finished (terminal)
	// one's prompt and scene scripts, changed by in, linked by RerunOf,
	// owned by the origin's user and charged like CreateTask. Returns
	// EINVALID, ENOTFOUND, ECONFLICT (origin not finished), EQUOTAEXCEEDED,
	// EFORBIDDEN (the origin's user is deactivated).
	RerunTask(ctx context.Context, taskID string, in RerunInput) (*Task, error)
	// Takes returns a task's takes: the first task of its rerun chain and
	// every rerun of it, oldest first (each without scripts, videos or
	// events; trashed takes are left out). Returns ENOTFOUND.
	Takes(ctx context.Context, taskID string) ([]*Task, error)

	// TrashRetention returns how long a trashed task stays restorable
	// before the scheduler purges it: the setting, else
	// DefaultTrashRetention.
	TrashRetention(ctx context.Context) (time.Duration, error)
	// SetTrashRetention keeps trashed tasks days days (1 to
	// MaxTrashRetentionDays) from the next purge on; the owner only.
	// Returns EINVALID (field "trash_retention_days"), EFORBIDDEN.
	SetTrashRetention(ctx context.Context, days int) error
}

// TrashSettings is how long the trash keeps tasks, in whole days: the
// shape of GET and PUT /api/v1/trash/retention and of "trash retention
// --json".
type TrashSettings struct {
	RetentionDays int `json:"trash_retention_days"`
}

// TrashSettingsOf returns the settings of a retention, rounded to whole
// days (at least one).
func TrashSettingsOf(keep time.Duration) TrashSettings {
	days := int((keep + 12*time.Hour) / (24 * time.Hour))
	return TrashSettings{RetentionDays: max(days, 1)}
}

// NormalizeTag trims a tag and checks it: 1–MaxTagChars characters, no
// control characters or commas. Returns EINVALID naming field "tag".
func NormalizeTag(tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	if err := ValidText("tag", "tag", tag, MaxTagChars); err != nil {
		return "", err
	}
	for _, r := range tag {
		if r == ',' || unicode.IsControl(r) {
			return "", Invalidf("tag", "Tag %q contains a comma or a control character; give tags one by one.", tag)
		}
	}
	return tag, nil
}

// NormalizeCollectionName trims a collection name and checks it:
// 1–MaxCollectionChars characters, no control characters. Returns EINVALID
// naming field "name".
func NormalizeCollectionName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := ValidText("name", "collection name", name, MaxCollectionChars); err != nil {
		return "", err
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "", Invalidf("name", "The collection name contains a control character.")
		}
	}
	return name, nil
}

// ValidateRating checks a rating: 0 (none) or 1–MaxRating.
func ValidateRating(r int) error {
	if r < 0 || r > MaxRating {
		return Invalidf("rating", "Rating %d is not between 0 (none) and %d.", r, MaxRating)
	}
	return nil
}

// Validate checks a selection: exactly one of TaskIDs and Filter, at most
// MaxSelection IDs.
func (s Selection) Validate() error {
	switch {
	case len(s.TaskIDs) == 0 && s.Filter == nil:
		return Invalidf("task_ids", "Select some tasks: give task_ids or a filter.")
	case len(s.TaskIDs) > 0 && s.Filter != nil:
		return Invalidf("filter", "Give task_ids or a filter, not both.")
	case len(s.TaskIDs) > MaxSelection:
		return Invalidf("task_ids", "At most %d tasks can be selected at once; %d were given.", MaxSelection, len(s.TaskIDs))
	case s.Filter != nil:
		return s.Filter.Validate()
	}
	return nil
}

// Validate checks a bulk request and normalises its tag or collection.
func (r *BulkRequest) Validate() error {
	if err := r.Selection.Validate(); err != nil {
		return err
	}
	var err error
	switch r.Action {
	case BulkTag, BulkUntag:
		r.Tag, err = NormalizeTag(r.Tag)
	case BulkCollect, BulkUncollect:
		if r.Collection, err = NormalizeCollectionName(r.Collection); err != nil {
			err.(*Error).Field = "collection"
		}
	case BulkRate:
		err = ValidateRating(r.Rating)
	case BulkStar, BulkUnstar, BulkTrash, BulkRestore:
	default:
		err = Invalidf("action", "Action %q is not one of %s.", r.Action, strings.Join(BulkActions, ", "))
	}
	return err
}
