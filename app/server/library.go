package server

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

// Request and response bodies of the library endpoints that have no domain
// type.
type (
	// taskIDsRequest names the tasks of a trash, restore or collection
	// change.
	taskIDsRequest struct {
		TaskIDs []string `json:"task_ids"`
	}
	// trashRequest is the body of POST /api/v1/tasks/trash.
	trashRequest struct {
		TaskIDs     []string `json:"task_ids"`
		DeleteFiles bool     `json:"delete_files,omitempty"`
	}
	// starRequest is the body of PUT /api/v1/tasks/{task_id}/star; starred
	// is required, so an empty object does not unstar.
	starRequest struct {
		Starred *bool `json:"starred"`
	}
	// retentionRequest is the body of PUT /api/v1/trash/retention; the
	// field is required.
	retentionRequest struct {
		Days *int `json:"trash_retention_days"`
	}
	// ratingRequest is the body of PUT /api/v1/tasks/{task_id}/rating;
	// rating is required (0 clears it).
	ratingRequest struct {
		Rating *int `json:"rating"`
	}
	// tagsRequest is the body of POST /api/v1/tasks/{task_id}/tags.
	tagsRequest struct {
		Add    []string `json:"add,omitempty"`
		Remove []string `json:"remove,omitempty"`
	}
	// collectionCreate is the body of POST /api/v1/collections.
	collectionCreate struct {
		Name string `json:"name"`
	}
	// collectionUpdate is the body of PATCH /api/v1/collections/{name}:
	// a new name, a new cover ("" goes back to the newest task), or both.
	collectionUpdate struct {
		Name        *string `json:"name,omitempty"`
		CoverTaskID *string `json:"cover_task_id,omitempty"`
	}
	// tagList is the answer of GET /api/v1/tags.
	tagList struct {
		Tags []domain.TagCount `json:"tags"`
	}
	// collectionList is the answer of GET /api/v1/collections.
	collectionList struct {
		Collections []*domain.Collection `json:"collections"`
	}
	// changedResponse says how many tasks a collection change changed.
	changedResponse struct {
		Changed int `json:"changed"`
	}
	// taskList is the answer of GET /api/v1/tasks/{task_id}/takes.
	taskList struct {
		Tasks []*domain.Task `json:"tasks"`
	}
)

// libraryRoutes are the routes of the library: the trash, stars, ratings,
// tags, collections, bulk actions and run again.
func (s *Server) libraryRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/tasks/trash", Actor, "library", s.withLibrary(s.handleTrashTasks)},
		{"POST", "/api/v1/trash/restore", Actor, "library", s.withLibrary(s.handleRestoreFromTrash)},
		{"DELETE", "/api/v1/trash", Actor, "library", s.withLibrary(s.handleEmptyTrash)},
		{"GET", "/api/v1/trash/retention", Actor, "library", s.withLibrary(s.handleTrashRetention)},
		{"PUT", "/api/v1/trash/retention", Owner, "library", s.withLibrary(s.handleSetTrashRetention)},
		{"PUT", "/api/v1/tasks/{task_id}/star", Actor, "library", s.withLibrary(s.handleSetStar)},
		{"PUT", "/api/v1/tasks/{task_id}/rating", Actor, "library", s.withLibrary(s.handleSetRating)},
		{"POST", "/api/v1/tasks/{task_id}/tags", Actor, "library", s.withLibrary(s.handleTagTask)},
		{"GET", "/api/v1/tags", Actor, "library", s.withLibrary(s.handleListTags)},
		{"GET", "/api/v1/collections", Actor, "library", s.withLibrary(s.handleListCollections)},
		{"POST", "/api/v1/collections", Actor, "library", s.withLibrary(s.handleCreateCollection)},
		{"PATCH", "/api/v1/collections/{name}", Actor, "library", s.withLibrary(s.handleUpdateCollection)},
		{"DELETE", "/api/v1/collections/{name}", Actor, "library", s.withLibrary(s.handleDeleteCollection)},
		{"POST", "/api/v1/collections/{name}/tasks", Actor, "library", s.withLibrary(s.handleAddToCollection)},
		{"DELETE", "/api/v1/collections/{name}/tasks", Actor, "library", s.withLibrary(s.handleRemoveFromCollection)},
		{"POST", "/api/v1/tasks/bulk", Actor, "library", s.withLibrary(s.handleBulk)},
		{"POST", "/api/v1/tasks/{task_id}/rerun", Actor, "library", s.withLibrary(s.handleRerunTask)},
		{"GET", "/api/v1/tasks/{task_id}/takes", Actor, "library", s.withLibrary(s.handleTakes)},
	}
}

// withLibrary answers 404 when the server runs without a library service.
func (s *Server) withLibrary(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.cfg.Library == nil {
			return domain.Errorf(domain.ENOTFOUND, "The library (trash, stars, tags, collections) is not available in this server.")
		}
		return h(w, r)
	}
}

// decodeTaskIDs decodes a body holding task_ids and refuses a missing or
// empty list, naming the field.
func decodeTaskIDs(w http.ResponseWriter, r *http.Request) ([]string, error) {
	var in taskIDsRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return nil, err
	}
	if len(in.TaskIDs) == 0 {
		return nil, domain.Invalidf("task_ids", "task_ids is required: the IDs of the tasks to act on.")
	}
	return in.TaskIDs, nil
}

func (s *Server) handleTrashTasks(w http.ResponseWriter, r *http.Request) error {
	var in trashRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	if len(in.TaskIDs) == 0 {
		return domain.Invalidf("task_ids", "task_ids is required: the IDs of the tasks to move to the trash.")
	}
	res, err := s.cfg.Library.TrashTasks(r.Context(), in.TaskIDs, domain.TrashOptions{DeleteFiles: in.DeleteFiles})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleRestoreFromTrash(w http.ResponseWriter, r *http.Request) error {
	ids, err := decodeTaskIDs(w, r)
	if err != nil {
		return err
	}
	res, err := s.cfg.Library.RestoreTasks(r.Context(), ids)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleEmptyTrash(w http.ResponseWriter, r *http.Request) error {
	if err := decodeJSON(w, r, &struct{}{}, true); err != nil {
		return err
	}
	res, err := s.cfg.Library.EmptyTrash(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleTrashRetention(w http.ResponseWriter, r *http.Request) error {
	keep, err := s.cfg.Library.TrashRetention(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, domain.TrashSettingsOf(keep))
	return nil
}

func (s *Server) handleSetTrashRetention(w http.ResponseWriter, r *http.Request) error {
	var in retentionRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	if in.Days == nil {
		return domain.Invalidf("trash_retention_days", "The field \"trash_retention_days\" is required: 1 to %d days.", domain.MaxTrashRetentionDays)
	}
	if err := s.cfg.Library.SetTrashRetention(r.Context(), *in.Days); err != nil {
		return err
	}
	return s.handleTrashRetention(w, r)
}

func (s *Server) handleSetStar(w http.ResponseWriter, r *http.Request) error {
	var in starRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	if in.Starred == nil {
		return domain.Invalidf("starred", "The field \"starred\" is required: true or false.")
	}
	t, err := s.cfg.Library.SetStar(r.Context(), r.PathValue("task_id"), *in.Starred)
	return writeTask(w, t, err)
}

func (s *Server) handleSetRating(w http.ResponseWriter, r *http.Request) error {
	var in ratingRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	if in.Rating == nil {
		return domain.Invalidf("rating", "The field \"rating\" is required: 1 to %d, or 0 to clear the rating.", domain.MaxRating)
	}
	if err := domain.ValidateRating(*in.Rating); err != nil {
		return err
	}
	t, err := s.cfg.Library.SetRating(r.Context(), r.PathValue("task_id"), *in.Rating)
	return writeTask(w, t, err)
}

func (s *Server) handleTagTask(w http.ResponseWriter, r *http.Request) error {
	var in tagsRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	if len(in.Add) == 0 && len(in.Remove) == 0 {
		return domain.Invalidf("add", "Give tags to add or to remove.")
	}
	t, err := s.cfg.Library.TagTask(r.Context(), r.PathValue("task_id"), in.Add, in.Remove)
	return writeTask(w, t, err)
}

func (s *Server) handleListTags(w http.ResponseWriter, r *http.Request) error {
	tags, err := s.cfg.Library.ListTags(r.Context())
	if err != nil {
		return err
	}
	if tags == nil {
		tags = []domain.TagCount{}
	}
	writeJSON(w, http.StatusOK, tagList{Tags: tags})
	return nil
}

func (s *Server) handleListCollections(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Library.ListCollections(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []*domain.Collection{}
	}
	writeJSON(w, http.StatusOK, collectionList{Collections: list})
	return nil
}

func (s *Server) handleCreateCollection(w http.ResponseWriter, r *http.Request) error {
	var in collectionCreate
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	c, err := s.cfg.Library.CreateCollection(r.Context(), in.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/collections/"+url.PathEscape(c.Name))
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// handleUpdateCollection renames a collection, sets its cover, or both
// (the rename first, then the cover under the new name).
func (s *Server) handleUpdateCollection(w http.ResponseWriter, r *http.Request) error {
	var in collectionUpdate
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	if in.Name == nil && in.CoverTaskID == nil {
		return domain.Invalidf("name", "Give a new name, a cover_task_id, or both.")
	}
	name := r.PathValue("name")
	if in.Name != nil {
		if _, err := domain.NormalizeCollectionName(*in.Name); err != nil {
			return err
		}
	}
	var (
		c   *domain.Collection
		err error
	)
	if in.Name != nil {
		if c, err = s.cfg.Library.RenameCollection(r.Context(), name, *in.Name); err != nil {
			return err
		}
		name = c.Name
	}
	if in.CoverTaskID != nil {
		if c, err = s.cfg.Library.SetCollectionCover(r.Context(), name, *in.CoverTaskID); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) handleDeleteCollection(w http.ResponseWriter, r *http.Request) error {
	if err := decodeJSON(w, r, &struct{}{}, true); err != nil {
		return err
	}
	if err := s.cfg.Library.DeleteCollection(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleAddToCollection(w http.ResponseWriter, r *http.Request) error {
	ids, err := decodeTaskIDs(w, r)
	if err != nil {
		return err
	}
	n, err := s.cfg.Library.AddToCollection(r.Context(), r.PathValue("name"), ids)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, changedResponse{Changed: n})
	return nil
}

func (s *Server) handleRemoveFromCollection(w http.ResponseWriter, r *http.Request) error {
	ids, err := decodeTaskIDs(w, r)
	if err != nil {
		return err
	}
	n, err := s.cfg.Library.RemoveFromCollection(r.Context(), r.PathValue("name"), ids)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, changedResponse{Changed: n})
	return nil
}

func (s *Server) handleBulk(w http.ResponseWriter, r *http.Request) error {
	var in domain.BulkRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	// Refused before the service is asked, so bad input changes nothing.
	if err := in.Validate(); err != nil {
		return err
	}
	res, err := s.cfg.Library.Bulk(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// handleRerunTask creates a new pending task from a finished one. An empty
// body runs it again unchanged.
func (s *Server) handleRerunTask(w http.ResponseWriter, r *http.Request) error {
	var in domain.RerunInput
	if err := decodeOptionalJSON(w, r, &in); err != nil {
		return err
	}
	t, err := s.cfg.Library.RerunTask(r.Context(), r.PathValue("task_id"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tasks/"+t.TaskID)
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) handleTakes(w http.ResponseWriter, r *http.Request) error {
	tasks, err := s.cfg.Library.Takes(r.Context(), r.PathValue("task_id"))
	if err != nil {
		return err
	}
	if tasks == nil {
		tasks = []*domain.Task{}
	}
	writeJSON(w, http.StatusOK, taskList{Tasks: tasks})
	return nil
}

// decodeOptionalJSON decodes a body that may be left out: no body at all
// leaves v as it is; any other body must be one JSON object, checked as
// decodeJSON checks it (so blank space is refused, and so is null, which
// decodeJSON lets through for bodies that are required anyway).
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength > MaxBodyBytes {
		return tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return jsonError(err)
	}
	if len(body) == 0 {
		return nil
	}
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return domain.Invalidf("body", "The request body must be a JSON object, not null; send no body at all for none.")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return decodeJSON(w, r, v, false)
}

// parseTaskIDs reads task IDs from repeated or comma-separated query
// values (task_ids=a,b&task_ids=c), at most domain.MaxSelection.
func parseTaskIDs(values []string) ([]string, error) {
	var ids []string
	for _, v := range values {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id == "" {
				continue
			}
			if len(ids) == domain.MaxSelection {
				return nil, domain.Invalidf("task_ids", "At most %d tasks can be selected at once.", domain.MaxSelection)
			}
			ids = append(ids, id)
		}
	}
	return ids, nil
}
