package desktop

import (
	"github.com/reelvault/reelvault/domain"
)

// The library bindings: the trash, stars, ratings, tags, collections, bulk
// actions and run again, with the JSON shapes of the HTTP API's library
// endpoints. They answer ENOTFOUND when the window has no library service.

// errNoLibrary is the answer of the library bindings without a library
// service.
var errNoLibrary = domain.Errorf(domain.ENOTFOUND, "The library (trash, stars, tags, collections) is not available in this window.")

// library returns the library service, or errNoLibrary.
func (a *App) library() (domain.LibraryService, error) {
	if a.svc.Library == nil {
		return nil, errNoLibrary
	}
	return a.svc.Library, nil
}

// TrashTasks moves tasks to the trash; deleteFiles also moves their video
// files to the system trash where there is one.
func (a *App) TrashTasks(ids []string, deleteFiles bool) (*domain.TrashResult, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	return l.TrashTasks(a.context(), ids, domain.TrashOptions{DeleteFiles: deleteFiles})
}

// RestoreFromTrash brings trashed tasks back.
func (a *App) RestoreFromTrash(ids []string) (*domain.TrashResult, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	return l.RestoreTasks(a.context(), ids)
}

// EmptyTrash deletes every trashed task for good.
func (a *App) EmptyTrash() (*domain.TrashResult, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	return l.EmptyTrash(a.context())
}

// SetStar stars or unstars a task.
func (a *App) SetStar(taskID string, starred bool) (*domain.Task, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	return l.SetStar(a.context(), taskID, starred)
}

// SetRating rates a task 1–5, or clears its rating with 0.
func (a *App) SetRating(taskID string, rating int) (*domain.Task, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	return l.SetRating(a.context(), taskID, rating)
}

// TagTask adds and removes a task's tags.
func (a *App) TagTask(taskID string, add, remove []string) (*domain.Task, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	return l.TagTask(a.context(), taskID, add, remove)
}

// TagList is the answer of ListTags: the shape of GET /api/v1/tags.
type TagList struct {
	Tags []domain.TagCount `json:"tags"`
}

// ListTags lists the tags in use with their counts, most used first.
func (a *App) ListTags() (*TagList, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	tags, err := l.ListTags(a.context())
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = []domain.TagCount{}
	}
	return &TagList{Tags: tags}, nil
}

// CollectionList is the answer of ListCollections: the shape of
// GET /api/v1/collections.
type CollectionList struct {
	Collections []*domain.Collection `json:"collections"`
}

// ListCollections lists the collections by name with counts and covers.
func (a *App) ListCollections() (*CollectionList, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	list, err := l.ListCollections(a.context())
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []*domain.Collection{}
	}
	return &CollectionList{Collections: list}, nil
}

// CreateCollection creates an empty collection.
func (a *App) CreateCollection(name string) (*domain.Collection, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	return l.CreateCollection(a.context(), name)
}

// RenameCollection renames a collection.
func (a *App) RenameCollection(name, newName string) (*domain.Collection, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	return l.RenameCollection(a.context(), name, newName)
}

// DeleteCollection deletes a collection; its tasks stay.
func (a *App) DeleteCollection(name string) error {
	l, err := a.library()
	if err != nil {
		return err
	}
	return l.DeleteCollection(a.context(), name)
}

// SetCollectionCover makes a task in the collection its cover ("" goes
// back to the newest task with a final video).
func (a *App) SetCollectionCover(name, taskID string) (*domain.Collection, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	return l.SetCollectionCover(a.context(), name, taskID)
}

// Changed is the answer of AddToCollection and RemoveFromCollection: the
// shape of POST and DELETE /api/v1/collections/{name}/tasks.
type Changed struct {
	Changed int `json:"changed"`
}

// AddToCollection adds tasks to a collection.
func (a *App) AddToCollection(name string, ids []string) (*Changed, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	n, err := l.AddToCollection(a.context(), name, ids)
	if err != nil {
		return nil, err
	}
	return &Changed{Changed: n}, nil
}

// RemoveFromCollection takes tasks out of a collection.
func (a *App) RemoveFromCollection(name string, ids []string) (*Changed, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	n, err := l.RemoveFromCollection(a.context(), name, ids)
	if err != nil {
		return nil, err
	}
	return &Changed{Changed: n}, nil
}

// BulkTasks applies one action to a selection, or to every task a filter
// matches.
func (a *App) BulkTasks(req domain.BulkRequest) (*domain.BulkResult, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return l.Bulk(a.context(), req)
}

// RerunTask runs a finished task again: a new pending task from its prompt
// and scene scripts, changed by in, linked by rerun_of.
func (a *App) RerunTask(taskID string, in domain.RerunInput) (*domain.Task, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	return l.RerunTask(a.context(), taskID, in)
}

// TaskList is the answer of Takes: the shape of
// GET /api/v1/tasks/{task_id}/takes.
type TaskList struct {
	Tasks []*domain.Task `json:"tasks"`
}

// Takes returns a task's takes: the first of its rerun chain and every
// rerun of it, oldest first.
func (a *App) Takes(taskID string) (*TaskList, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	tasks, err := l.Takes(a.context(), taskID)
	if err != nil {
		return nil, err
	}
	if tasks == nil {
		tasks = []*domain.Task{}
	}
	return &TaskList{Tasks: tasks}, nil
}

// TrashRetention returns how many days trashed tasks stay restorable
// before the daily purge.
func (a *App) TrashRetention() (*domain.TrashSettings, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	keep, err := l.TrashRetention(a.context())
	if err != nil {
		return nil, err
	}
	set := domain.TrashSettingsOf(keep)
	return &set, nil
}

// SetTrashRetention keeps trashed tasks days days (1–3650) from the next
// purge on, and answers the retention now in force.
func (a *App) SetTrashRetention(days int) (*domain.TrashSettings, error) {
	l, err := a.library()
	if err != nil {
		return nil, err
	}
	if err := l.SetTrashRetention(a.context(), days); err != nil {
		return nil, err
	}
	return a.TrashRetention()
}
