package store

import (
	"context"
	"fmt"
	"math"

	"github.com/reelvault/reelvault/domain"
)

// transition runs one lifecycle step of a task in a write transaction: it
// loads the task, refuses a step its status does not allow with ECONFLICT
// (writing nothing), lets apply change the row, writes it back and records
// the event.
//
// On PostgreSQL, where writers run in parallel (READ COMMITTED, see
// DB.writeRows), the task row is locked before the check, so two steps of
// one task run one after the other and each sees the other's result; the
// update is moreover conditional on the status read (WHERE status = …), an
// ECONFLICT when no row matched.
func (s *TaskService) transition(ctx context.Context, taskID string, step domain.Step,
	apply func(tx *tx, r *taskRow) (event, message string, err error)) (*domain.Task, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	var t *domain.Task
	err = s.db.writeRows(ctx, func(tx *tx) error {
		r, err := findTaskRow(tx, a, taskID) // locked on PostgreSQL
		if err != nil {
			return err
		}
		from := r.Status
		if err := step.Check(r.TaskID, domain.Status(from)); err != nil {
			return err
		}
		event, message, err := apply(tx, r)
		if err != nil {
			return err
		}
		r.UpdatedAt = micros(tx.now)
		if err := updateTaskFrom(tx, r, step, from); err != nil {
			return err
		}
		// A day without a histogram yet builds it from the tasks rows, so
		// it is updated after the completed row is written.
		if step.To() == domain.StatusCompleted && domain.Status(r.Status) == domain.StatusCompleted {
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

// StartTask moves a pending task to processing.
func (s *TaskService) StartTask(ctx context.Context, taskID string) (*domain.Task, error) {
	return s.transition(ctx, taskID, domain.StepStart,
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
	return s.transition(ctx, taskID, domain.StepUpdate,
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
	path, reg, err := s.registerVideo(ctx, a, "final_video_path", finalVideoPath)
	if err != nil {
		return nil, err
	}
	var final *domain.Video
	t, err := s.transition(ctx, taskID, domain.StepComplete,
		func(tx *tx, r *taskRow) (string, string, error) {
			finish(tx, r, domain.StatusCompleted)
			r.Progress = 100
			r.CompletedScenes = r.TotalScenes
			r.FinalVideoPath = path
			v, err := insertVideo(tx, r, domain.VideoInput{SceneNumber: domain.FinalScene, FilePath: path}, reg)
			if err != nil {
				return "", "", err
			}
			final = v
			if err := bumpStats(tx, day(tx.now), "completed_tasks", 0); err != nil {
				return "", "", err
			}
			return domain.EventCompleted, "", nil
		})
	if err != nil {
		return nil, err
	}
	s.hashLater(final, reg)
	s.posterLater(t.TaskID)
	return t, nil
}

// FailTask fails a pending or processing task with a message.
func (s *TaskService) FailTask(ctx context.Context, taskID string, message string) (*domain.Task, error) {
	if err := validText("message", "error message", message, MaxMessageChars); err != nil {
		return nil, err
	}
	return s.transition(ctx, taskID, domain.StepFail,
		func(tx *tx, r *taskRow) (string, string, error) {
			finish(tx, r, domain.StatusFailed)
			r.ErrorMessage = message
			if err := reindexTask(tx, r); err != nil {
				return "", "", err
			}
			if err := bumpStats(tx, day(tx.now), "failed_tasks", 0); err != nil {
				return "", "", err
			}
			return domain.EventFailed, message, nil
		})
}

// CancelTask cancels a pending or processing task.
func (s *TaskService) CancelTask(ctx context.Context, taskID string) (*domain.Task, error) {
	return s.transition(ctx, taskID, domain.StepCancel,
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

// lockTaskRow locks the row of r until the end of the transaction and
// returns it as it is now: on PostgreSQL a concurrent writer may have
// changed it since it was read. findTaskRow calls it in every write
// transaction, so that a write that checks a task before it acts (a step,
// a video added, a rerun) holds the task still until it commits; in a
// SERIALIZABLE transaction a row changed since the snapshot is a
// serialisation failure, and the write is run again. On SQLite, which has
// one writer, it returns r.
func lockTaskRow(tx *tx, r *taskRow) (*taskRow, error) {
	if tx.db.dialect.forUpdate == "" {
		return r, nil
	}
	rows, err := selectTasks(tx, `SELECT`+taskColumns+`
			WHERE t.id = ?`+tx.db.dialect.forUpdate, r.ID)
	if err != nil {
		return nil, fmt.Errorf("lock task: %w", err)
	}
	if len(rows) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Task %s not found.", r.TaskID)
	}
	return rows[0], nil
}

// updateTaskFrom is updateTask for a lifecycle step of r from status from:
// the update only applies while the task is still in that status, and
// reports ECONFLICT otherwise.
func updateTaskFrom(tx *tx, r *taskRow, step domain.Step, from string) error {
	n, err := updateTaskWhere(tx, r, from)
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.Errorf(domain.ECONFLICT, "Task %s is no longer %s and cannot become %s.", r.TaskID, from, step.To())
	}
	return nil
}

// updateTask writes every mutable column of r.
func updateTask(tx *tx, r *taskRow) error {
	_, err := updateTaskWhere(tx, r, "")
	return err
}

// updateTaskWhere writes every mutable column of r; with from, only while
// the task's status is from. It returns the number of rows written.
func updateTaskWhere(tx *tx, r *taskRow, from string) (int64, error) {
	cond, args := "", []any(nil)
	if from != "" {
		cond, args = " AND status = ?", []any{from}
	}
	res, err := tx.exec(`
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
		WHERE id = ?`+cond,
		append([]any{r.Status, r.Progress, r.TotalScenes, r.CompletedScenes, r.FinalVideoPath, r.ErrorMessage,
			r.Attempts, r.LeaseOwner, r.LeaseExpiresAt, r.UpdatedAt, r.StartedAt, r.CompletedAt, r.Duration,
			r.ID}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("update task: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("update task: %w", err)
	}
	return n, nil
}
