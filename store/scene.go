package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/reelvault/reelvault/domain"
	sqlite3 "modernc.org/sqlite/lib"
)

// MaxPathChars limits a video file path.
const MaxPathChars = 4096

// insertScriptSQL inserts one scripts row and returns its id.
const insertScriptSQL = `
	INSERT INTO scripts (
		task_id,
		scene_number,
		description,
		duration,
		camera_movement,
		lighting,
		created_at
	) VALUES (?, ?, ?, ?, ?, ?, ?)
	RETURNING id`

// insertVideoSQL inserts one videos row.
const insertVideoSQL = `
	INSERT INTO videos (
		task_id,
		scene_number,
		file_path,
		file_size,
		duration,
		width,
		height,
		fps,
		status,
		created_at,
		codec,
		content_hash,
		claimed_width,
		claimed_height,
		claimed_duration,
		claimed_fps,
		mismatch,
		probe_error,
		probed_at
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// scriptRow is a scripts row as stored.
type scriptRow struct {
	ID             int64   `db:"id"`
	SceneNumber    int     `db:"scene_number"`
	Description    string  `db:"description"`
	Duration       float64 `db:"duration"`
	CameraMovement string  `db:"camera_movement"`
	Lighting       string  `db:"lighting"`
	CreatedAt      int64   `db:"created_at"`
}

func (s *scriptRow) domain(taskID string) *domain.Script {
	return &domain.Script{
		ID:             s.ID,
		TaskID:         taskID,
		SceneNumber:    s.SceneNumber,
		Description:    s.Description,
		Duration:       s.Duration,
		CameraMovement: s.CameraMovement,
		Lighting:       s.Lighting,
		CreatedAt:      fromMicros(s.CreatedAt),
	}
}

// videoRow is a videos row as stored.
type videoRow struct {
	ID          int64    `db:"id"`
	SceneNumber int      `db:"scene_number"`
	FilePath    string   `db:"file_path"`
	FileSize    *int64   `db:"file_size"`
	Duration    *float64 `db:"duration"`
	Width       *int     `db:"width"`
	Height      *int     `db:"height"`
	FPS         *float64 `db:"fps"`
	Status      string   `db:"status"`
	CreatedAt   int64    `db:"created_at"`

	Codec           string   `db:"codec"`
	ContentHash     string   `db:"content_hash"`
	ClaimedWidth    *int     `db:"claimed_width"`
	ClaimedHeight   *int     `db:"claimed_height"`
	ClaimedDuration *float64 `db:"claimed_duration"`
	ClaimedFPS      *float64 `db:"claimed_fps"`
	Mismatch        string   `db:"mismatch"`
	ProbeError      string   `db:"probe_error"`
	ProbedAt        *int64   `db:"probed_at"`
}

func (v *videoRow) domain(taskID string) *domain.Video {
	return &domain.Video{
		ID:          v.ID,
		TaskID:      taskID,
		SceneNumber: v.SceneNumber,
		FilePath:    v.FilePath,
		FileSize:    v.FileSize,
		Duration:    v.Duration,
		Width:       v.Width,
		Height:      v.Height,
		FPS:         v.FPS,
		Status:      v.Status,
		CreatedAt:   fromMicros(v.CreatedAt),
		VideoFacts:  v.facts(),
	}
}

const videoColumns = `
	v.id,
	v.scene_number,
	v.file_path,
	v.file_size,
	v.duration,
	v.width,
	v.height,
	v.fps,
	v.status,
	v.created_at,
	v.codec,
	v.content_hash,
	v.claimed_width,
	v.claimed_height,
	v.claimed_duration,
	v.claimed_fps,
	v.mismatch,
	v.probe_error,
	v.probed_at`

// validateScripts checks a SetScripts batch (see domain.ScriptBatch).
func validateScripts(in []domain.ScriptInput) error {
	return domain.ScriptBatch(in).Validate()
}

// SetScripts replaces a non-terminal task's scene scripts in one batch; the
// task's scene count becomes the number of scripts.
func (s *TaskService) SetScripts(ctx context.Context, taskID string, in []domain.ScriptInput) ([]*domain.Script, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateScripts(in); err != nil {
		return nil, err
	}
	var scripts []*domain.Script
	err = s.db.write(ctx, func(tx *tx) error {
		scripts = nil // a transaction run again starts afresh (see DB.write)
		r, err := findTaskRow(tx, a, taskID)
		if err != nil {
			return err
		}
		if domain.Status(r.Status).Terminal() {
			return domain.Errorf(domain.ECONFLICT, "Task %s is %s; its scripts can no longer change.", r.TaskID, r.Status)
		}
		if r.CompletedScenes > len(in) {
			return domain.Invalidf("scripts", "Task %s already has %d completed scenes, more than the %d scripts given.", r.TaskID, r.CompletedScenes, len(in))
		}
		if _, err := tx.exec(`DELETE FROM scripts WHERE task_id = ?`, r.ID); err != nil {
			return fmt.Errorf("delete scripts: %w", err)
		}
		stmt, err := tx.prepare(insertScriptSQL)
		if err != nil {
			return fmt.Errorf("insert scripts: %w", err)
		}
		defer stmt.Close()
		now := micros(tx.now)
		var scenes []string
		for _, si := range in {
			var id int64
			if err := stmt.QueryRowxContext(tx.ctx, r.ID, si.SceneNumber, si.Description, si.Duration, si.CameraMovement, si.Lighting, now).Scan(&id); err != nil {
				return fmt.Errorf("insert script: %w", err)
			}
			row := scriptRow{ID: id, SceneNumber: si.SceneNumber, Description: si.Description, Duration: si.Duration,
				CameraMovement: si.CameraMovement, Lighting: si.Lighting, CreatedAt: now}
			scripts = append(scripts, row.domain(r.TaskID))
			scenes = append(scenes, si.Description)
		}
		if err := indexTask(tx, r.ID, r.TaskID, r.Prompt, scenes, r.ErrorMessage); err != nil {
			return err
		}
		r.TotalScenes = len(in)
		r.UpdatedAt = now
		if err := updateTask(tx, r); err != nil {
			return err
		}
		return addEvent(tx, r, domain.EventScripts, fmt.Sprintf("%d scenes", len(in)))
	})
	if err != nil {
		return nil, err
	}
	return scripts, nil
}

// findScripts returns r's scripts by scene number. Scanned by hand rather
// than through sqlx: this is the hot path of FindTaskByID.
func findScripts(tx *tx, r *taskRow) ([]*domain.Script, error) {
	var scripts []*domain.Script
	err := tx.each(`
		SELECT
			id,
			scene_number,
			description,
			duration,
			camera_movement,
			lighting,
			created_at
		FROM scripts
		WHERE task_id = ?
		ORDER BY scene_number`, []any{r.ID}, func(rows *sql.Rows) error {
		var s scriptRow
		if err := rows.Scan(&s.ID, &s.SceneNumber, &s.Description, &s.Duration, &s.CameraMovement, &s.Lighting, &s.CreatedAt); err != nil {
			return err
		}
		scripts = append(scripts, s.domain(r.TaskID))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find scripts: %w", err)
	}
	return scripts, nil
}

// findVideos returns r's videos by scene number (the final video first).
func findVideos(tx *tx, r *taskRow) ([]*domain.Video, error) {
	var videos []*domain.Video
	err := tx.each(`SELECT`+videoColumns+`
		FROM videos v
		WHERE v.task_id = ?
		ORDER BY v.scene_number`, []any{r.ID}, func(rows *sql.Rows) error {
		var v videoRow
		if err := rows.Scan(v.scanDest()...); err != nil {
			return err
		}
		videos = append(videos, v.domain(r.TaskID))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find videos: %w", err)
	}
	return videos, nil
}

// statVideo marks v missing when its file is gone, and refreshes its size
// from the file when it exists.
func statVideo(v *domain.Video) {
	fi, err := os.Stat(v.FilePath)
	if err != nil || !fi.Mode().IsRegular() {
		v.Missing = true
		return
	}
	size := fi.Size()
	v.FileSize = &size
}

// cleanVideoPath validates a video path and makes it absolute.
func cleanVideoPath(field, p string) (string, error) {
	if err := validText(field, "video file path", p, MaxPathChars); err != nil {
		return "", err
	}
	if strings.ContainsRune(p, 0) {
		return "", domain.Invalidf(field, "The video file path contains a NUL character.")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", domain.Invalidf(field, "The video file path %q cannot be made absolute.", p)
	}
	return abs, nil
}

// registerVideo cleans the video path given in field, applies a's media
// rule to it and opens and probes the file: the first steps of every way a
// video is registered.
func (s *TaskService) registerVideo(ctx context.Context, a domain.Actor, field, p string) (string, *registered, error) {
	path, err := cleanVideoPath(field, p)
	if err != nil {
		return "", nil, err
	}
	rule, err := s.Media.rule(ctx, a)
	if err != nil {
		return "", nil, err
	}
	reg, err := rule.register(field, path, s.hashInline())
	if err != nil {
		return "", nil, err
	}
	return path, reg, nil
}

// AddVideo registers the video of one scene of a pending or processing task.
func (s *TaskService) AddVideo(ctx context.Context, taskID string, in domain.VideoInput) (*domain.Video, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var reg *registered
	if in.FilePath, reg, err = s.registerVideo(ctx, a, "file_path", in.FilePath); err != nil {
		return nil, err
	}
	var v *domain.Video
	err = s.db.write(ctx, func(tx *tx) error {
		r, err := findTaskRow(tx, a, taskID)
		if err != nil {
			return err
		}
		if domain.Status(r.Status).Terminal() {
			return domain.Errorf(domain.ECONFLICT, "Task %s is %s; no more videos can be added.", r.TaskID, r.Status)
		}
		if r.TotalScenes > 0 && in.SceneNumber > r.TotalScenes {
			return domain.Invalidf("scene_number", "Task %s has %d scenes; there is no scene %d.", r.TaskID, r.TotalScenes, in.SceneNumber)
		}
		if v, err = insertVideo(tx, r, in, reg); err != nil {
			return err
		}
		r.UpdatedAt = micros(tx.now)
		if err := updateTask(tx, r); err != nil {
			return err
		}
		return addEvent(tx, r, domain.EventVideo, fmt.Sprintf("scene %d: %s", in.SceneNumber, in.FilePath))
	})
	if err != nil {
		return nil, err
	}
	s.hashLater(v, reg)
	s.posterLater(taskID)
	return v, nil
}

// insertVideo registers a video of r with what was learnt from its file
// (reg: its size, nil when the file is missing, and its facts) and counts
// it in the day's statistics.
func insertVideo(tx *tx, r *taskRow, in domain.VideoInput, reg *registered) (*domain.Video, error) {
	row := videoRow{
		SceneNumber: in.SceneNumber,
		FilePath:    in.FilePath,
		Status:      "completed",
		CreatedAt:   micros(tx.now),
	}
	reg.apply(&row, in, micros(tx.now))
	res, err := tx.exec(insertVideoSQL, row.insertArgs(r.ID)...)
	if sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return nil, domain.Errorf(domain.ECONFLICT, "Scene %d of task %s already has a video.", in.SceneNumber, r.TaskID)
	} else if err != nil {
		return nil, fmt.Errorf("insert video: %w", err)
	}
	if row.ID, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	var seconds float64
	if row.Duration != nil {
		seconds = *row.Duration
	}
	if err := bumpStats(tx, day(tx.now), "total_videos", seconds); err != nil {
		return nil, err
	}
	v := row.domain(r.TaskID)
	v.Missing = row.FileSize == nil
	return v, nil
}

// FindVideoByID returns a registered video visible to the caller.
func (s *TaskService) FindVideoByID(ctx context.Context, id int64) (*domain.Video, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	v, err := s.findVideo(ctx, a, id)
	if err != nil {
		return nil, err
	}
	rule, err := s.Media.rule(ctx, a)
	if err != nil {
		return nil, err
	}
	rule.stat(v)
	return v, nil
}

// OpenVideo opens the file of a registered video visible to the caller,
// under the media rule judged on the opened file.
func (s *TaskService) OpenVideo(ctx context.Context, id int64) (*domain.Video, *os.File, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.findVideo(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	rule, err := s.Media.rule(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	f, err := rule.openVideo(v)
	if err != nil {
		return nil, nil, err
	}
	return v, f, nil
}

// findVideo returns the registered video id if a may see it.
func (s *TaskService) findVideo(ctx context.Context, a domain.Actor, id int64) (*domain.Video, error) {
	var row struct {
		videoRow
		TaskID string `db:"task_uuid"`
	}
	cond, args := "", []any{id}
	if !a.Owner {
		cond, args = " AND t.user_id = "+numParam, append(args, a.UserID)
	}
	err := s.db.read(ctx, false, func(tx *tx) error {
		return tx.get(&row, `SELECT`+videoColumns+`,
			t.task_id AS task_uuid
			FROM videos v
			JOIN tasks t ON t.id = v.task_id
			WHERE v.id = ?`+cond, args...)
	})
	if isNoRows(err) {
		return nil, domain.Errorf(domain.ENOTFOUND, "Video %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find video: %w", err)
	}
	return row.videoRow.domain(row.TaskID), nil
}
