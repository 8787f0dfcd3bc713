package store

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// Export document identity. A reader refuses another format or a newer version.
const (
	ExportFormat  = "reelvault-export"
	ExportVersion = 1
)

// exportBatch is how many tasks one keyset page reads; memory stays flat
// however large the history.
const exportBatch = 500

// ExportFilter selects the tasks to export. Zero fields do not filter.
type ExportFilter struct {
	Username string          `json:"username,omitempty"`
	Status   []domain.Status `json:"status,omitempty"`
	Since    *time.Time      `json:"since,omitempty"` // created at or after
	Until    *time.Time      `json:"until,omitempty"` // created before
	// NDJSON writes a header line, then one task per line.
	NDJSON bool `json:"-"`
}

// ExportHeader is the head of an export document: everything but the tasks.
// In NDJSON it is the first line.
type ExportHeader struct {
	Format     string        `json:"format"`
	Version    int           `json:"version"`
	ExportedAt time.Time     `json:"exported_at"`
	Filter     ExportFilter  `json:"filter"`
	Users      []*ExportUser `json:"users"`
}

// ExportUser is a user as exported: no key, no key hash, no internal ID.
type ExportUser struct {
	Username  string    `json:"username"`
	Email     string    `json:"email,omitempty"`
	Quota     int       `json:"quota"`
	UsedQuota int       `json:"used_quota"`
	IsActive  bool      `json:"is_active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ExportTask is a task with its scripts, videos and events. Internal row IDs
// and worker leases are not part of the history and are left out.
type ExportTask struct {
	TaskID          string          `json:"task_id"`
	Username        string          `json:"username"`
	Prompt          string          `json:"prompt"`
	Status          domain.Status   `json:"status"`
	Progress        int             `json:"progress"`
	TotalScenes     int             `json:"total_scenes"`
	CompletedScenes int             `json:"completed_scenes"`
	FinalVideoPath  string          `json:"final_video_path,omitempty"`
	ErrorMessage    string          `json:"error_message,omitempty"`
	Attempts        int             `json:"attempts"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	StartedAt       *time.Time      `json:"started_at,omitempty"`
	CompletedAt     *time.Time      `json:"completed_at,omitempty"`
	Duration        *float64        `json:"duration,omitempty"`
	Scripts         []*ExportScript `json:"scripts"`
	Videos          []*ExportVideo  `json:"videos"`
	Events          []*ExportEvent  `json:"events"`
}

// ExportScript is one scene script of an exported task.
type ExportScript struct {
	SceneNumber    int       `json:"scene_number"`
	Description    string    `json:"description"`
	Duration       float64   `json:"duration"`
	CameraMovement string    `json:"camera_movement,omitempty"`
	Lighting       string    `json:"lighting,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// ExportVideo is one video of an exported task (scene 0 is the final video).
type ExportVideo struct {
	SceneNumber int       `json:"scene_number"`
	FilePath    string    `json:"file_path"`
	FileSize    *int64    `json:"file_size,omitempty"`
	Duration    *float64  `json:"duration,omitempty"`
	Width       *int      `json:"width,omitempty"`
	Height      *int      `json:"height,omitempty"`
	FPS         *float64  `json:"fps,omitempty"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

// ExportEvent is one entry of an exported task's event log.
type ExportEvent struct {
	Type      string        `json:"type"`
	Status    domain.Status `json:"status"`
	Progress  int           `json:"progress"`
	Message   string        `json:"message,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
}

// ExportService writes and reads export documents. Owner only (EFORBIDDEN
// otherwise).
type ExportService struct {
	db *DB
}

// NewExportService returns an ExportService on db.
func NewExportService(db *DB) *ExportService {
	return &ExportService{db: db}
}

// validate checks the filter. Returns EINVALID naming the field.
func (f ExportFilter) validate() error {
	for _, s := range f.Status {
		if !s.Valid() {
			return domain.Invalidf("status", "Status %q is not one of pending, processing, completed, failed, cancelled.", s)
		}
	}
	if f.Since != nil && f.Until != nil && !f.Until.After(*f.Since) {
		return domain.Invalidf("until", "The end date must be after the start date.")
	}
	return nil
}

// where returns the SQL condition on tasks t / users u for the filter.
func (f ExportFilter) where() (string, []any) {
	conds := []string{"t.id > ?"}
	var args []any
	if f.Username != "" {
		conds = append(conds, "u.username = ?")
		args = append(args, f.Username)
	}
	if len(f.Status) > 0 {
		conds = append(conds, "t.status IN (?"+strings.Repeat(", ?", len(f.Status)-1)+")")
		for _, s := range f.Status {
			args = append(args, string(s))
		}
	}
	if f.Since != nil {
		conds = append(conds, "t.created_at >= ?")
		args = append(args, micros(*f.Since))
	}
	if f.Until != nil {
		conds = append(conds, "t.created_at < ?")
		args = append(args, micros(*f.Until))
	}
	return strings.Join(conds, " AND "), args
}

// Export writes the tasks matching f, oldest first, with their scripts,
// videos and events, as one JSON document (or NDJSON) to w. It reads one
// consistent snapshot in keyset pages, so memory stays flat and writers are
// never blocked. Returns EINVALID for a bad filter, ENOTFOUND for an unknown
// username.
func (s *ExportService) Export(ctx context.Context, w io.Writer, f ExportFilter) error {
	if _, err := ownerFrom(ctx); err != nil {
		return err
	}
	if err := f.validate(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	err := s.db.read(ctx, true, func(tx *tx) error {
		users, err := exportUsers(tx, f.Username)
		if err != nil {
			return err
		}
		head := ExportHeader{Format: ExportFormat, Version: ExportVersion, ExportedAt: tx.now, Filter: f, Users: users}
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		if f.NDJSON {
			if err := enc.Encode(head); err != nil {
				return err
			}
		} else {
			data, err := json.Marshal(head)
			if err != nil {
				return err
			}
			// Splice the streamed tasks array into the header object.
			bw.Write(data[:len(data)-1])
			bw.WriteString(`,"tasks":[` + "\n")
		}
		first := true
		err = exportTasks(tx, f, func(t *ExportTask) error {
			if !f.NDJSON && !first {
				bw.WriteString(",")
			}
			first = false
			return enc.Encode(t)
		})
		if err != nil {
			return err
		}
		if !f.NDJSON {
			bw.WriteString("]}\n")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// exportUsers returns every user (or the one named), by name.
func exportUsers(tx *tx, username string) ([]*ExportUser, error) {
	var rows []userRow
	if err := tx.sel(&rows, `SELECT`+userColumns+`
		FROM users
		WHERE (? = '' OR username = ?)
		ORDER BY username`, username, username); err != nil {
		return nil, fmt.Errorf("export users: %w", err)
	}
	if username != "" && len(rows) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no user named %q.", username)
	}
	users := make([]*ExportUser, len(rows))
	for i := range rows {
		u := rows[i].domain()
		users[i] = &ExportUser{Username: u.Username, Email: u.Email, Quota: u.Quota, UsedQuota: u.UsedQuota,
			IsActive: u.IsActive, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	}
	return users, nil
}

// exportTasks calls emit for every task matching f in id order, reading
// exportBatch tasks (and their children) per query.
func exportTasks(tx *tx, f ExportFilter, emit func(*ExportTask) error) error {
	where, args := f.where()
	var after int64
	for {
		var rows []*taskRow
		if err := tx.sel(&rows, `SELECT`+taskColumns+`
			WHERE `+where+`
			ORDER BY t.id
			LIMIT ?`, append(append([]any{after}, args...), exportBatch)...); err != nil {
			return fmt.Errorf("export tasks: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		tasks, err := exportChildren(tx, rows)
		if err != nil {
			return err
		}
		for _, t := range tasks {
			if err := emit(t); err != nil {
				return err
			}
		}
		after = rows[len(rows)-1].ID
		if len(rows) < exportBatch {
			return nil
		}
	}
}

// exportChildren loads the scripts, videos and events of a page of tasks
// with one query each.
func exportChildren(tx *tx, rows []*taskRow) ([]*ExportTask, error) {
	byID := make(map[int64]*ExportTask, len(rows))
	ids := make([]any, len(rows))
	tasks := make([]*ExportTask, len(rows))
	for i, r := range rows {
		t := r.domain()
		tasks[i] = &ExportTask{
			TaskID: t.TaskID, Username: t.Username, Prompt: t.Prompt, Status: t.Status, Progress: t.Progress,
			TotalScenes: t.TotalScenes, CompletedScenes: t.CompletedScenes, FinalVideoPath: t.FinalVideoPath,
			ErrorMessage: t.ErrorMessage, Attempts: t.Attempts, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
			StartedAt: t.StartedAt, CompletedAt: t.CompletedAt, Duration: t.Duration,
			Scripts: []*ExportScript{}, Videos: []*ExportVideo{}, Events: []*ExportEvent{},
		}
		byID[r.ID] = tasks[i]
		ids[i] = r.ID
	}
	in := "(?" + strings.Repeat(", ?", len(ids)-1) + ")"

	var scripts []struct {
		TaskID int64 `db:"task_id"`
		scriptRow
	}
	if err := tx.sel(&scripts, `
		SELECT
			task_id,
			id,
			scene_number,
			description,
			duration,
			camera_movement,
			lighting,
			created_at
		FROM scripts
		WHERE task_id IN `+in+`
		ORDER BY task_id, scene_number`, ids...); err != nil {
		return nil, fmt.Errorf("export scripts: %w", err)
	}
	for _, s := range scripts {
		t := byID[s.TaskID]
		t.Scripts = append(t.Scripts, &ExportScript{SceneNumber: s.SceneNumber, Description: s.Description,
			Duration: s.Duration, CameraMovement: s.CameraMovement, Lighting: s.Lighting, CreatedAt: fromMicros(s.CreatedAt)})
	}

	var videos []struct {
		TaskID int64 `db:"task_id"`
		videoRow
	}
	if err := tx.sel(&videos, `SELECT
			v.task_id,`+videoColumns+`
		FROM videos v
		WHERE v.task_id IN `+in+`
		ORDER BY v.task_id, v.scene_number`, ids...); err != nil {
		return nil, fmt.Errorf("export videos: %w", err)
	}
	for _, v := range videos {
		t := byID[v.TaskID]
		t.Videos = append(t.Videos, &ExportVideo{SceneNumber: v.SceneNumber, FilePath: v.FilePath, FileSize: v.FileSize,
			Duration: v.Duration, Width: v.Width, Height: v.Height, FPS: v.FPS, Status: v.Status, CreatedAt: fromMicros(v.CreatedAt)})
	}

	var events []struct {
		TaskID int64 `db:"task_id"`
		eventRow
	}
	if err := tx.sel(&events, `
		SELECT
			task_id,
			id,
			type,
			status,
			progress,
			message,
			created_at
		FROM task_events
		WHERE task_id IN `+in+`
		ORDER BY task_id, id`, ids...); err != nil {
		return nil, fmt.Errorf("export events: %w", err)
	}
	for _, e := range events {
		t := byID[e.TaskID]
		t.Events = append(t.Events, &ExportEvent{Type: e.Type, Status: domain.Status(e.Status), Progress: e.Progress,
			Message: e.Message, CreatedAt: fromMicros(e.CreatedAt)})
	}
	return tasks, nil
}
