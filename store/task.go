package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/reelvault/reelvault/domain"
)

// Page sizes of FindTasks.
const (
	DefaultPageSize = 50
	MaxPageSize     = domain.MaxPageSize
)

// MaxMessageChars limits an error message given to FailTask.
const MaxMessageChars = 20000

// TaskService implements domain.TaskService on a DB.
type TaskService struct {
	db *DB

	// Media applies the media rule to the video files users register and
	// stream (see domain.MediaRoots); the app sets it on its data
	// directory. Nil applies only the video-extension check: any actor may
	// register any path, as the store's own tests do.
	Media *MediaService
}

var _ domain.TaskService = (*TaskService)(nil)

// NewTaskService returns a TaskService on db.
func NewTaskService(db *DB) *TaskService {
	return &TaskService{db: db}
}

// taskRow is a tasks row as stored, with the owner's username.
type taskRow struct {
	ID              int64    `db:"id"`
	TaskID          string   `db:"task_id"`
	UserID          int64    `db:"user_id"`
	Username        string   `db:"username"`
	Prompt          string   `db:"prompt"`
	Status          string   `db:"status"`
	Progress        int      `db:"progress"`
	TotalScenes     int      `db:"total_scenes"`
	CompletedScenes int      `db:"completed_scenes"`
	FinalVideoPath  string   `db:"final_video_path"`
	ErrorMessage    string   `db:"error_message"`
	Attempts        int      `db:"attempts"`
	LeaseOwner      string   `db:"lease_owner"`
	LeaseExpiresAt  *int64   `db:"lease_expires_at"`
	CreatedAt       int64    `db:"created_at"`
	UpdatedAt       int64    `db:"updated_at"`
	StartedAt       *int64   `db:"started_at"`
	CompletedAt     *int64   `db:"completed_at"`
	Duration        *float64 `db:"duration"`
}

func (r *taskRow) domain() *domain.Task {
	return &domain.Task{
		ID:              r.ID,
		TaskID:          r.TaskID,
		UserID:          r.UserID,
		Username:        r.Username,
		Prompt:          r.Prompt,
		Status:          domain.Status(r.Status),
		Progress:        r.Progress,
		TotalScenes:     r.TotalScenes,
		CompletedScenes: r.CompletedScenes,
		FinalVideoPath:  r.FinalVideoPath,
		ErrorMessage:    r.ErrorMessage,
		Attempts:        r.Attempts,
		LeaseOwner:      r.LeaseOwner,
		LeaseExpiresAt:  fromMicrosPtr(r.LeaseExpiresAt),
		CreatedAt:       fromMicros(r.CreatedAt),
		UpdatedAt:       fromMicros(r.UpdatedAt),
		StartedAt:       fromMicrosPtr(r.StartedAt),
		CompletedAt:     fromMicrosPtr(r.CompletedAt),
		Duration:        r.Duration,
	}
}

const taskColumns = `
	t.id,
	t.task_id,
	t.user_id,
	u.username,
	t.prompt,
	t.status,
	t.progress,
	t.total_scenes,
	t.completed_scenes,
	t.final_video_path,
	t.error_message,
	t.attempts,
	t.lease_owner,
	t.lease_expires_at,
	t.created_at,
	t.updated_at,
	t.started_at,
	t.completed_at,
	t.duration
FROM tasks t
JOIN users u ON u.id = t.user_id`

// validText checks a required free-text field (see domain.ValidText).
func validText(field, label, s string, maxChars int) error {
	return domain.ValidText(field, label, s, maxChars)
}

// CreateTask creates a pending task and charges one unit of the user's quota
// in the same transaction.
func (s *TaskService) CreateTask(ctx context.Context, in domain.TaskCreate) (*domain.Task, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !a.Owner && in.UserID != 0 && in.UserID != a.UserID {
		return nil, domain.Errorf(domain.EFORBIDDEN, "You can only create tasks for yourself.")
	}
	if a.Owner && in.UserID == 0 && in.Username == "" {
		return nil, domain.Invalidf("user_id", "The user of the task is required.")
	}

	var t *domain.Task
	err = s.db.write(ctx, func(tx *tx) error {
		var u *userRow
		var err error
		switch {
		case !a.Owner:
			u, err = findUserRow(tx, "id", a.UserID)
			if err == nil && in.Username != "" && in.Username != u.Username {
				return domain.Errorf(domain.EFORBIDDEN, "You can only create tasks for yourself.")
			}
		case in.UserID != 0:
			u, err = findUserRow(tx, "id", in.UserID)
		default:
			u, err = findUserRow(tx, "username", in.Username)
		}
		if err != nil {
			return err
		}
		if !u.IsActive {
			return domain.Errorf(domain.EFORBIDDEN, "The user %s is deactivated.", u.Username)
		}
		if u.UsedQuota >= u.Quota {
			return domain.Errorf(domain.EQUOTAEXCEEDED, "The user %s has used all of its quota (%d tasks).", u.Username, u.Quota)
		}
		now := micros(tx.now)
		// The writer transaction is IMMEDIATE, so nobody can charge the
		// quota between the check above and this update.
		if _, err := tx.exec(`UPDATE users SET used_quota = used_quota + 1, updated_at = ? WHERE id = ?`, now, u.ID); err != nil {
			return fmt.Errorf("charge quota: %w", err)
		}
		r := &taskRow{
			TaskID:      uuid.NewString(),
			UserID:      u.ID,
			Username:    u.Username,
			Prompt:      in.Prompt,
			Status:      string(domain.StatusPending),
			TotalScenes: in.TotalScenes,
			CreatedAt:   now,
			UpdatedAt:   now,
		}
		res, err := tx.exec(`
			INSERT INTO tasks (
				task_id,
				user_id,
				prompt,
				status,
				total_scenes,
				created_at,
				updated_at
			) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.TaskID, r.UserID, r.Prompt, r.Status, r.TotalScenes, now, now)
		if err != nil {
			return fmt.Errorf("insert task: %w", err)
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO task_search (rowid, body) VALUES (?, ?)`, r.ID, tx.db.dialect.searchText(r.Prompt)); err != nil {
			return fmt.Errorf("index task: %w", err)
		}
		if err := addEvent(tx, r, domain.EventCreated, ""); err != nil {
			return err
		}
		if err := bumpStats(tx, day(tx.now), "total_tasks", 0); err != nil {
			return err
		}
		t = r.domain()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// FindTaskByID returns a task with its scripts, videos and events, in four
// queries on one snapshot.
func (s *TaskService) FindTaskByID(ctx context.Context, taskID string) (*domain.Task, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	var t *domain.Task
	err = s.db.read(ctx, true, func(tx *tx) error {
		r, err := findTaskRow(tx, a, taskID)
		if err != nil {
			return err
		}
		t = r.domain()
		if t.Scripts, err = findScripts(tx, r); err != nil {
			return err
		}
		if t.Videos, err = findVideos(tx, r); err != nil {
			return err
		}
		t.Events, err = findEvents(tx, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(t.Videos) > 0 {
		rule, err := s.Media.rule(ctx, a)
		if err != nil {
			return nil, err
		}
		for _, v := range t.Videos {
			rule.stat(v)
		}
	}
	return t, nil
}

// findTaskRow returns one task visible to a, or ENOTFOUND.
func findTaskRow(tx *tx, a domain.Actor, taskID string) (*taskRow, error) {
	rows, _, err := findTasks(tx, a, taskQuery{taskID: taskID, limit: 1})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Task %s not found.", taskID)
	}
	return rows[0], nil
}

// FindTasks returns one page of tasks, newest first.
func (s *TaskService) FindTasks(ctx context.Context, filter domain.TaskFilter) (*domain.TaskPage, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	q, err := newTaskQuery(filter, true)
	if err != nil {
		return nil, err
	}
	var rows []*taskRow
	var next string
	err = s.db.read(ctx, false, func(tx *tx) (err error) {
		rows, next, err = findTasks(tx, a, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	page := &domain.TaskPage{Tasks: make([]*domain.Task, len(rows)), NextCursor: next}
	for i, r := range rows {
		page.Tasks[i] = r.domain()
	}
	return page, nil
}

// CountTasksByStatus counts the tasks matching filter per status.
func (s *TaskService) CountTasksByStatus(ctx context.Context, filter domain.TaskFilter) (map[domain.Status]int, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	q, err := newTaskQuery(filter, false)
	if err != nil {
		return nil, err
	}
	q.dialect = s.db.dialect
	where, args := q.where(a)
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	err = s.db.read(ctx, false, func(tx *tx) error {
		return tx.sel(&rows, `SELECT t.status, count(*) AS n FROM tasks t`+where+` GROUP BY t.status`, args...)
	})
	if err != nil {
		return nil, fmt.Errorf("count tasks: %w", err)
	}
	counts := make(map[domain.Status]int, len(domain.Statuses))
	for _, st := range domain.Statuses {
		counts[st] = 0
	}
	for _, r := range rows {
		counts[domain.Status(r.Status)] = r.N
	}
	return counts, nil
}

// taskQuery is a validated TaskFilter (or a lookup by task ID).
type taskQuery struct {
	taskID      string
	userID      *int64
	username    string
	statuses    []string
	createdFrom *int64
	createdTo   *int64
	match       string // FTS5 query
	dialect     *dialect
	after       *cursor
	limit       int
}

// newTaskQuery validates filter; paged says whether cursor and limit count.
func newTaskQuery(f domain.TaskFilter, paged bool) (taskQuery, error) {
	q := taskQuery{userID: f.UserID, username: f.Username, limit: DefaultPageSize}
	if err := f.Validate(); err != nil {
		return q, err
	}
	for _, st := range f.Status {
		q.statuses = append(q.statuses, string(st))
	}
	if f.CreatedFrom != nil {
		v := micros(*f.CreatedFrom)
		q.createdFrom = &v
	}
	if f.CreatedTo != nil {
		v := micros(*f.CreatedTo)
		q.createdTo = &v
	}
	if q.createdFrom != nil && q.createdTo != nil && *q.createdTo < *q.createdFrom {
		return q, domain.Invalidf("created_to", "The end of the created range is before its start.")
	}
	if f.Search != "" {
		m, err := matchQuery(f.Search)
		if err != nil {
			return q, err
		}
		q.match = m
	}
	if !paged {
		q.limit = 0
		return q, nil
	}
	if f.Limit > 0 {
		q.limit = f.Limit
	}
	if f.Cursor != "" {
		c, err := parseCursor(f.Cursor)
		if err != nil {
			return q, err
		}
		q.after = &c
	}
	return q, nil
}

// where returns the WHERE clause (with a leading space, or empty) of q as
// seen by a: a user only ever sees its own tasks.
func (q taskQuery) where(a domain.Actor) (string, []any) {
	var conds []string
	var args []any
	if !a.Owner {
		conds = append(conds, "t.user_id = ?")
		args = append(args, a.UserID)
	}
	if q.taskID != "" {
		conds = append(conds, "t.task_id = ?")
		args = append(args, q.taskID)
	}
	if q.userID != nil {
		conds = append(conds, "t.user_id = ?")
		args = append(args, *q.userID)
	}
	if q.username != "" {
		conds = append(conds, "t.user_id = (SELECT id FROM users WHERE username = ?)")
		args = append(args, q.username)
	}
	switch len(q.statuses) {
	case 0:
	case 1:
		conds = append(conds, "t.status = ?")
		args = append(args, q.statuses[0])
	default:
		conds = append(conds, "t.status IN (?"+strings.Repeat(", ?", len(q.statuses)-1)+")")
		for _, st := range q.statuses {
			args = append(args, st)
		}
	}
	if q.createdFrom != nil {
		conds = append(conds, "t.created_at >= ?")
		args = append(args, *q.createdFrom)
	}
	if q.createdTo != nil {
		conds = append(conds, "t.created_at < ?")
		args = append(args, *q.createdTo)
	}
	if q.match != "" {
		cond, matchArgs := q.dialect.searchCond(q.match)
		conds = append(conds, cond)
		args = append(args, matchArgs...)
	}
	if q.after != nil {
		conds = append(conds, "(t.created_at, t.id) < (?, ?)")
		args = append(args, q.after.createdAt, q.after.id)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// selectTasks runs a query of taskColumns and scans the rows by hand: it is
// the hot path of every page and lookup, where sqlx's reflection cost a
// fifth of the time.
func selectTasks(tx *tx, query string, args ...any) ([]*taskRow, error) {
	var tasks []*taskRow
	err := tx.each(query, args, func(rows *sql.Rows) error {
		r := new(taskRow)
		if err := rows.Scan(&r.ID, &r.TaskID, &r.UserID, &r.Username, &r.Prompt, &r.Status, &r.Progress, &r.TotalScenes,
			&r.CompletedScenes, &r.FinalVideoPath, &r.ErrorMessage, &r.Attempts, &r.LeaseOwner, &r.LeaseExpiresAt,
			&r.CreatedAt, &r.UpdatedAt, &r.StartedAt, &r.CompletedAt, &r.Duration); err != nil {
			return err
		}
		tasks = append(tasks, r)
		return nil
	})
	return tasks, err
}

// sql returns the query of one page of q as seen by a; it fetches one row
// more than the page to learn whether another page follows.
func (q taskQuery) sql(a domain.Actor) (string, []any) {
	where, args := q.where(a)
	return `SELECT` + taskColumns + where + `
		ORDER BY t.created_at DESC, t.id DESC
		LIMIT ?`, append(args, q.limit+1)
}

// findTasks is the one query behind every task lookup and listing: newest
// first, keyset-paged. It returns the cursor of the next page, if any.
func findTasks(tx *tx, a domain.Actor, q taskQuery) ([]*taskRow, string, error) {
	q.dialect = tx.db.dialect
	var rows []*taskRow
	if q.match != "" {
		search := searchTasks
		if q.dialect.isPostgres() {
			search = searchTasksPostgres
		}
		var err error
		if rows, err = search(tx, a, q); err != nil {
			return nil, "", fmt.Errorf("search tasks: %w", err)
		}
	} else {
		query, args := q.sql(a)
		var err error
		if rows, err = selectTasks(tx, query, args...); err != nil {
			return nil, "", fmt.Errorf("find tasks: %w", err)
		}
	}
	var next string
	if len(rows) > q.limit {
		rows = rows[:q.limit]
		last := rows[len(rows)-1]
		next = cursor{createdAt: last.CreatedAt, id: last.ID}.String()
	}
	return rows, next, nil
}

// cursor is the position after the last task of a page.
type cursor struct {
	createdAt int64
	id        int64
}

// String encodes c as an opaque token.
func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.createdAt, 10) + "." + strconv.FormatInt(c.id, 10)))
}

// parseCursor decodes a token made by cursor.String.
func parseCursor(s string) (cursor, error) {
	bad := domain.Invalidf("cursor", "The cursor is not valid; start again from the first page.")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(s) > 64 {
		return cursor{}, bad
	}
	createdAt, id, ok := strings.Cut(string(b), ".")
	if !ok {
		return cursor{}, bad
	}
	var c cursor
	if c.createdAt, err = strconv.ParseInt(createdAt, 10, 64); err != nil {
		return cursor{}, bad
	}
	if c.id, err = strconv.ParseInt(id, 10, 64); err != nil || c.id <= 0 {
		return cursor{}, bad
	}
	return c, nil
}

// transition runs one lifecycle step of a task in a write transaction: it
// loads the task, refuses a step its status does not allow with ECONFLICT
// (writing nothing), lets apply change the row, writes it back and records
// the event.
func (s *TaskService) transition(ctx context.Context, taskID string, to domain.Status, from []domain.Status,
	apply func(tx *tx, r *taskRow) (event, message string, err error)) (*domain.Task, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	var t *domain.Task
	err = s.db.write(ctx, func(tx *tx) error {
		r, err := findTaskRow(tx, a, taskID)
		if err != nil {
			return err
		}
		if err := checkStatus(r, to, from); err != nil {
			return err
		}
		event, message, err := apply(tx, r)
		if err != nil {
			return err
		}
		r.UpdatedAt = micros(tx.now)
		if err := updateTask(tx, r); err != nil {
			return err
		}
		// A day without a histogram yet builds it from the tasks rows, so
		// it is updated after the completed row is written.
		if to == domain.StatusCompleted && domain.Status(r.Status) == domain.StatusCompleted {
			if err := addGenerationTime(tx, day(tx.now), r.Duration); err != nil {
				return err
			}
		}
		if event != "" {
			if err := addEvent(tx, r, event, message); err != nil {
				return err
			}
		} else {
			// Not worth an event (progress between milestones, a lease
			// heartbeat), but listeners still see the change.
			tx.notify(domain.Notification{Type: "task", TaskID: r.TaskID, Status: domain.Status(r.Status), Progress: r.Progress})
		}
		t = r.domain()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// checkStatus returns ECONFLICT naming both states unless r is in one of from.
func checkStatus(r *taskRow, to domain.Status, from []domain.Status) error {
	for _, st := range from {
		if domain.Status(r.Status) == st {
			return nil
		}
	}
	return domain.Errorf(domain.ECONFLICT, "Task %s is %s and cannot become %s.", r.TaskID, r.Status, to)
}

// StartTask moves a pending task to processing.
func (s *TaskService) StartTask(ctx context.Context, taskID string) (*domain.Task, error) {
	return s.transition(ctx, taskID, domain.StatusProcessing, []domain.Status{domain.StatusPending},
		func(tx *tx, r *taskRow) (string, string, error) {
			start(tx, r)
			return domain.EventStarted, "", nil
		})
}

// start moves r to processing now.
func start(tx *tx, r *taskRow) {
	now := micros(tx.now)
	r.Status = string(domain.StatusProcessing)
	r.StartedAt = &now
}

// UpdateProgress records progress of a processing task. A milestone (each
// quarter, or a change of the completed scene count) is written as an event.
func (s *TaskService) UpdateProgress(ctx context.Context, taskID string, in domain.TaskProgress) (*domain.Task, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.transition(ctx, taskID, domain.StatusProcessing, []domain.Status{domain.StatusProcessing},
		func(tx *tx, r *taskRow) (string, string, error) {
			scenes := r.CompletedScenes
			if in.CompletedScenes != nil {
				scenes = *in.CompletedScenes
			}
			if scenes > r.TotalScenes {
				return "", "", domain.Invalidf("completed_scenes", "The number of completed scenes (%d) is more than the task's %d scenes.", scenes, r.TotalScenes)
			}
			milestone := in.Progress/25 != r.Progress/25 || scenes != r.CompletedScenes
			r.Progress, r.CompletedScenes = in.Progress, scenes
			if !milestone {
				return "", "", nil
			}
			return domain.EventProgress, fmt.Sprintf("%d%%, %d of %d scenes", r.Progress, r.CompletedScenes, r.TotalScenes), nil
		})
}

// CompleteTask finishes a processing task and registers its final video as
// scene 0.
func (s *TaskService) CompleteTask(ctx context.Context, taskID string, finalVideoPath string) (*domain.Task, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	path, err := cleanVideoPath("final_video_path", finalVideoPath)
	if err != nil {
		return nil, err
	}
	rule, err := s.Media.rule(ctx, a)
	if err != nil {
		return nil, err
	}
	size, err := rule.registerSize("final_video_path", path)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, taskID, domain.StatusCompleted, []domain.Status{domain.StatusProcessing},
		func(tx *tx, r *taskRow) (string, string, error) {
			finish(tx, r, domain.StatusCompleted)
			r.Progress = 100
			r.CompletedScenes = r.TotalScenes
			r.FinalVideoPath = path
			if _, err := insertVideo(tx, r, domain.VideoInput{SceneNumber: domain.FinalScene, FilePath: path}, size); err != nil {
				return "", "", err
			}
			if err := bumpStats(tx, day(tx.now), "completed_tasks", 0); err != nil {
				return "", "", err
			}
			return domain.EventCompleted, "", nil
		})
}

// FailTask fails a pending or processing task with a message.
func (s *TaskService) FailTask(ctx context.Context, taskID string, message string) (*domain.Task, error) {
	if err := validText("message", "error message", message, MaxMessageChars); err != nil {
		return nil, err
	}
	return s.transition(ctx, taskID, domain.StatusFailed, []domain.Status{domain.StatusPending, domain.StatusProcessing},
		func(tx *tx, r *taskRow) (string, string, error) {
			finish(tx, r, domain.StatusFailed)
			r.ErrorMessage = message
			if err := bumpStats(tx, day(tx.now), "failed_tasks", 0); err != nil {
				return "", "", err
			}
			return domain.EventFailed, message, nil
		})
}

// CancelTask cancels a pending or processing task.
func (s *TaskService) CancelTask(ctx context.Context, taskID string) (*domain.Task, error) {
	return s.transition(ctx, taskID, domain.StatusCancelled, []domain.Status{domain.StatusPending, domain.StatusProcessing},
		func(tx *tx, r *taskRow) (string, string, error) {
			finish(tx, r, domain.StatusCancelled)
			if err := bumpStats(tx, day(tx.now), "cancelled_tasks", 0); err != nil {
				return "", "", err
			}
			return domain.EventCancelled, "", nil
		})
}

// finish moves r to a terminal status now, releasing any lease.
func finish(tx *tx, r *taskRow, to domain.Status) {
	now := micros(tx.now)
	r.Status = string(to)
	r.CompletedAt = &now
	r.LeaseOwner, r.LeaseExpiresAt = "", nil
	if r.StartedAt != nil {
		d := math.Max(0, float64(now-*r.StartedAt)/1e6)
		r.Duration = &d
	}
}

// updateTask writes every mutable column of r.
func updateTask(tx *tx, r *taskRow) error {
	_, err := tx.exec(`
		UPDATE tasks SET
			status = ?,
			progress = ?,
			total_scenes = ?,
			completed_scenes = ?,
			final_video_path = ?,
			error_message = ?,
			attempts = ?,
			lease_owner = ?,
			lease_expires_at = ?,
			updated_at = ?,
			started_at = ?,
			completed_at = ?,
			duration = ?
		WHERE id = ?`,
		r.Status, r.Progress, r.TotalScenes, r.CompletedScenes, r.FinalVideoPath, r.ErrorMessage,
		r.Attempts, r.LeaseOwner, r.LeaseExpiresAt, r.UpdatedAt, r.StartedAt, r.CompletedAt, r.Duration,
		r.ID)
	if err != nil {
		return fmt.Errorf("update task: %w", err)
	}
	return nil
}

// insertEventSQL inserts one task_events row.
const insertEventSQL = `
	INSERT INTO task_events (
		task_id,
		type,
		status,
		progress,
		message,
		created_at
	) VALUES (?, ?, ?, ?, ?, ?)`

// addEvent appends an event for r's current state and queues a notification.
func addEvent(tx *tx, r *taskRow, typ, message string) error {
	_, err := tx.exec(insertEventSQL,
		r.ID, typ, r.Status, r.Progress, message, micros(tx.now))
	if err != nil {
		return fmt.Errorf("add event: %w", err)
	}
	tx.notify(domain.Notification{Type: "task", TaskID: r.TaskID, Status: domain.Status(r.Status), Progress: r.Progress})
	return nil
}

// eventRow is a task_events row as stored.
type eventRow struct {
	ID        int64  `db:"id"`
	Type      string `db:"type"`
	Status    string `db:"status"`
	Progress  int    `db:"progress"`
	Message   string `db:"message"`
	CreatedAt int64  `db:"created_at"`
}

// findEvents returns r's events, oldest first (scanned by hand, as
// findScripts).
func findEvents(tx *tx, r *taskRow) ([]*domain.Event, error) {
	var events []*domain.Event
	err := tx.each(`
		SELECT
			id,
			type,
			status,
			progress,
			message,
			created_at
		FROM task_events
		WHERE task_id = ?
		ORDER BY id`, []any{r.ID}, func(rows *sql.Rows) error {
		var e eventRow
		if err := rows.Scan(&e.ID, &e.Type, &e.Status, &e.Progress, &e.Message, &e.CreatedAt); err != nil {
			return err
		}
		events = append(events, &domain.Event{
			ID:        e.ID,
			TaskID:    r.TaskID,
			Type:      e.Type,
			Status:    domain.Status(e.Status),
			Progress:  e.Progress,
			Message:   e.Message,
			CreatedAt: fromMicros(e.CreatedAt),
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find events: %w", err)
	}
	return events, nil
}

// ClaimTask hands the oldest pending task (of the calling user, or of anyone
// for the owner) to a worker with a lease and moves it to processing.
func (s *TaskService) ClaimTask(ctx context.Context, req domain.ClaimRequest) (*domain.Task, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	lease, err := leaseDuration(req.Lease)
	if err != nil {
		return nil, err
	}
	var t *domain.Task
	err = s.db.claim(ctx, func(tx *tx) error {
		cond, args := "", []any{string(domain.StatusPending)}
		if !a.Owner {
			cond, args = " AND t.user_id = ?", append(args, a.UserID)
		}
		var r taskRow
		err := tx.get(&r, `SELECT`+taskColumns+`
			WHERE t.status = ?`+cond+`
			ORDER BY t.created_at, t.id
			LIMIT 1`+tx.db.dialect.claimSuffix, args...)
		if isNoRows(err) {
			return nil
		} else if err != nil {
			return fmt.Errorf("claim task: %w", err)
		}
		start(tx, &r)
		expires := micros(tx.now.Add(lease))
		r.Attempts++
		r.LeaseOwner, r.LeaseExpiresAt = req.Worker, &expires
		r.UpdatedAt = micros(tx.now)
		if err := updateTask(tx, &r); err != nil {
			return err
		}
		if err := addEvent(tx, &r, domain.EventClaimed, fmt.Sprintf("claimed by %s, attempt %d", req.Worker, r.Attempts)); err != nil {
			return err
		}
		t = r.domain()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// leaseDuration validates a lease, defaulting to domain.DefaultLease.
func leaseDuration(d time.Duration) (time.Duration, error) {
	if err := domain.ValidateLease(d); err != nil {
		return 0, err
	}
	if d == 0 {
		return domain.DefaultLease, nil
	}
	return d, nil
}

// HeartbeatTask extends the lease of a task claimed by worker.
func (s *TaskService) HeartbeatTask(ctx context.Context, taskID, worker string, lease time.Duration) (*domain.Task, error) {
	lease, err := leaseDuration(lease)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, taskID, domain.StatusProcessing, []domain.Status{domain.StatusProcessing},
		func(tx *tx, r *taskRow) (string, string, error) {
			if r.LeaseOwner != worker {
				return "", "", domain.Errorf(domain.ECONFLICT, "Task %s is not leased to worker %q.", r.TaskID, worker)
			}
			// Decided by the lease time alone, not by whether the expiry
			// sweep has run yet: a lease that ran out cannot be renewed.
			if r.LeaseExpiresAt != nil && *r.LeaseExpiresAt <= micros(tx.now) {
				return "", "", domain.Errorf(domain.ECONFLICT, "The lease of task %s ran out at %s; claim the task again.", r.TaskID, fromMicros(*r.LeaseExpiresAt).UTC().Format(time.RFC3339))
			}
			expires := micros(tx.now.Add(lease))
			r.LeaseExpiresAt = &expires
			return "", "", nil
		})
}

// ExpireLeases returns processing tasks whose lease ran out to pending, or
// fails them once they have been claimed maxAttempts times. Owner only.
func (s *TaskService) ExpireLeases(ctx context.Context, maxAttempts int) (int, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return 0, err
	}
	if maxAttempts <= 0 {
		maxAttempts = domain.DefaultMaxAttempts
	}
	var n int
	err := s.db.write(ctx, func(tx *tx) error {
		var rows []*taskRow
		if err := tx.sel(&rows, `SELECT`+taskColumns+`
			WHERE t.status = ? AND t.lease_expires_at < ?`,
			string(domain.StatusProcessing), micros(tx.now)); err != nil {
			return fmt.Errorf("find expired leases: %w", err)
		}
		for _, r := range rows {
			worker := r.LeaseOwner
			event, message := domain.EventLeaseExpired, fmt.Sprintf("lease of %s expired after attempt %d; back to pending", worker, r.Attempts)
			if r.Attempts >= maxAttempts {
				finish(tx, r, domain.StatusFailed)
				r.ErrorMessage = fmt.Sprintf("The worker's lease expired %d times (last worker %s); the task was given up.", r.Attempts, worker)
				event, message = domain.EventFailed, r.ErrorMessage
				if err := bumpStats(tx, day(tx.now), "failed_tasks", 0); err != nil {
					return err
				}
			} else {
				r.Status = string(domain.StatusPending)
				r.LeaseOwner, r.LeaseExpiresAt, r.StartedAt = "", nil, nil
			}
			r.UpdatedAt = micros(tx.now)
			if err := updateTask(tx, r); err != nil {
				return err
			}
			if err := addEvent(tx, r, event, message); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	return n, err
}
