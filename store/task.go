package store

import (
	"context"
	"fmt"

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

	// HashInline is the largest video file hashed while it is registered;
	// bigger ones are hashed in the background. 0: DefaultHashInline.
	HashInline int64

	// Posters makes and caches the tasks' poster frames; nil makes none.
	Posters *PosterCache

	// hashes hashes big video files in the background (probe_facts.go).
	hashes hashQueue
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
	Starred         bool     `db:"starred"`
	Rating          int      `db:"rating"`
	RerunOf         string   `db:"rerun_of"` // the origin's task_id, or ""
	TrashedAt       *int64   `db:"trashed_at"`
	Labels          int64    `db:"labels"` // how many tags and collections (migration 18)
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
		Starred:         r.Starred,
		Rating:          r.Rating,
		RerunOf:         r.RerunOf,
		TrashedAt:       fromMicrosPtr(r.TrashedAt),
	}
}

// taskSelectList is the select list of a task row (t: tasks, u: users).
const taskSelectList = `
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
	t.duration,
	t.starred,
	t.rating,
	coalesce((SELECT o.task_id FROM tasks o WHERE o.id = t.rerun_of), '') AS rerun_of,
	t.trashed_at,
	t.labels`

// taskColumns selects a task row from tasks t with its user u.
const taskColumns = taskSelectList + `
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
	err = s.db.writeRows(ctx, func(tx *tx) error {
		// The common case, a user creating a task by id, charges the
		// quota and reads the user in one statement; when that charges
		// nothing, the steps below find out why.
		if id := a.UserID; (!a.Owner && in.Username == "") || (a.Owner && in.UserID != 0) {
			if a.Owner {
				id = in.UserID
			}
			u, err := chargeUser(tx, id)
			if err != nil {
				return err
			}
			if u != nil {
				r, err := insertChargedTask(tx, u, in.Prompt, in.TotalScenes, nil, nil)
				if err != nil {
					return err
				}
				t = r.domain()
				return nil
			}
		}
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
		r, err := insertTask(tx, u, in.Prompt, in.TotalScenes, nil, nil)
		if err != nil {
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

// insertTask creates a pending task of user u in tx, charging one unit of
// its quota: the create path of CreateTask and RerunTask. scenes are the
// descriptions of the scripts the caller inserts next (for the search
// entry); rerunOf is the row id of the task this one runs again.
func insertTask(tx *tx, u *userRow, prompt string, totalScenes int, scenes []string, rerunOf *int64) (*taskRow, error) {
	if !u.IsActive {
		return nil, domain.Errorf(domain.EFORBIDDEN, "The user %s is deactivated.", u.Username)
	}
	exceeded := domain.Errorf(domain.EQUOTAEXCEEDED, "The user %s has used all of its quota (%d tasks).", u.Username, u.Quota)
	if u.UsedQuota >= u.Quota {
		return nil, exceeded
	}
	now := micros(tx.now)
	// The charge is conditional: on PostgreSQL, where creates run in
	// parallel, another may have charged the last unit since u was read.
	var used []int
	if err := tx.sel(&used, `UPDATE users SET used_quota = used_quota + 1, updated_at = ?
		WHERE id = ? AND used_quota < quota AND is_active
		RETURNING used_quota`, now, u.ID); err != nil {
		return nil, fmt.Errorf("charge quota: %w", err)
	}
	if len(used) == 0 {
		var active []bool
		if err := tx.sel(&active, `SELECT is_active FROM users WHERE id = ?`, u.ID); err != nil {
			return nil, fmt.Errorf("charge quota: %w", err)
		}
		if len(active) == 1 && !active[0] {
			return nil, domain.Errorf(domain.EFORBIDDEN, "The user %s is deactivated.", u.Username)
		}
		return nil, exceeded
	}
	return insertChargedTask(tx, u, prompt, totalScenes, scenes, rerunOf)
}

// chargeUser charges one unit of quota to the active user id if it has
// quota left and returns the user's row as charged; nil if it charged
// nothing (no such user, deactivated, or out of quota).
func chargeUser(tx *tx, id int64) (*userRow, error) {
	var rows []*userRow
	if err := tx.sel(&rows, `UPDATE users SET used_quota = used_quota + 1, updated_at = ?
		WHERE id = ? AND used_quota < quota AND is_active
		RETURNING`+userColumns, micros(tx.now), id); err != nil {
		return nil, fmt.Errorf("charge quota: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0], nil
}

// insertChargedTask is insertTask once u's quota has been charged.
func insertChargedTask(tx *tx, u *userRow, prompt string, totalScenes int, scenes []string, rerunOf *int64) (*taskRow, error) {
	now := micros(tx.now)
	r := &taskRow{
		TaskID:      uuid.NewString(),
		UserID:      u.ID,
		Username:    u.Username,
		Prompt:      prompt,
		Status:      string(domain.StatusPending),
		TotalScenes: totalScenes,
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
			updated_at,
			rerun_of
		) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.TaskID, r.UserID, r.Prompt, r.Status, r.TotalScenes, now, now, rerunOf)
	if err != nil {
		return nil, fmt.Errorf("insert task: %w", err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	if err := addSearchEntry(tx, r.ID, r.TaskID, r.Prompt, scenes, ""); err != nil {
		return nil, err
	}
	if err := addEvent(tx, r, domain.EventCreated, ""); err != nil {
		return nil, err
	}
	if err := bumpStats(tx, day(tx.now), "total_tasks", 0); err != nil {
		return nil, err
	}
	return r, nil
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
		if t.Events, err = findEvents(tx, r); err != nil {
			return err
		}
		return fillLabels(tx, []*domain.Task{t}, []*taskRow{r}, nil)
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
	if tx.writing {
		return lockTaskRow(tx, rows[0])
	}
	return rows[0], nil
}
