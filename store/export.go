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

// ExportHeader is the head of an export document: everything but the tasks.
// In NDJSON it is the first line.
type ExportHeader struct {
	Format     string              `json:"format"`
	Version    int                 `json:"version"`
	ExportedAt time.Time           `json:"exported_at"`
	Filter     domain.ExportFilter `json:"filter"`
	Users      []*ExportUser       `json:"users"`
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
	TaskID          string        `json:"task_id"`
	Username        string        `json:"username"`
	Prompt          string        `json:"prompt"`
	Status          domain.Status `json:"status"`
	Progress        int           `json:"progress"`
	TotalScenes     int           `json:"total_scenes"`
	CompletedScenes int           `json:"completed_scenes"`
	FinalVideoPath  string        `json:"final_video_path,omitempty"`
	ErrorMessage    string        `json:"error_message,omitempty"`
	Attempts        int           `json:"attempts"`
	CreatedAt       time.Time     `json:"created_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
	StartedAt       *time.Time    `json:"started_at,omitempty"`
	CompletedAt     *time.Time    `json:"completed_at,omitempty"`
	Duration        *float64      `json:"duration,omitempty"`
	// The library (absent from exports of version 1 files written before
	// it, which import as unstarred, unrated and untagged).
	Starred     bool       `json:"starred,omitempty"`
	Rating      int        `json:"rating,omitempty"`
	Tags        []string   `json:"tags,omitempty"`
	Collections []string   `json:"collections,omitempty"`
	RerunOf     string     `json:"rerun_of,omitempty"` // task_id of the origin
	TrashedAt   *time.Time `json:"trashed_at,omitempty"`

	Scripts []*ExportScript `json:"scripts"`
	Videos  []*ExportVideo  `json:"videos"`
	Events  []*ExportEvent  `json:"events"`

	// search is the task's full-text entry, worked out by an import on
	// its decoding goroutine (nil: not yet).
	search *importSearch
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

	// The facts read from the file (schema version 7 on; an older export
	// has none and imports with the facts unknown).
	Codec           string     `json:"codec,omitempty"`
	ContentHash     string     `json:"content_hash,omitempty"`
	ClaimedWidth    *int       `json:"claimed_width,omitempty"`
	ClaimedHeight   *int       `json:"claimed_height,omitempty"`
	ClaimedDuration *float64   `json:"claimed_duration,omitempty"`
	ClaimedFPS      *float64   `json:"claimed_fps,omitempty"`
	Mismatch        string     `json:"mismatch,omitempty"`
	ProbeError      string     `json:"probe_error,omitempty"`
	ProbedAt        *time.Time `json:"probed_at,omitempty"`
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

	// ImportChunk is how many tasks one transaction of an import writes
	// on SQLite (DefaultImportChunk if 0).
	ImportChunk int
}

var _ domain.ExportService = (*ExportService)(nil)

// NewExportService returns an ExportService on db.
func NewExportService(db *DB) *ExportService {
	return &ExportService{db: db}
}

// exportWhere returns the SQL condition on tasks t / users u for the
// filter and, when taskIDs is not empty, those tasks only.
func exportWhere(f domain.ExportFilter, taskIDs []string) (string, []any) {
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
	if len(taskIDs) > 0 {
		conds = append(conds, "t.task_id IN (?"+strings.Repeat(", ?", len(taskIDs)-1)+")")
		for _, id := range taskIDs {
			args = append(args, id)
		}
	}
	return strings.Join(conds, " AND "), args
}

// Export writes the tasks matching f, oldest first, with their scripts,
// videos and events, as one JSON document (or NDJSON) to w. It reads one
// consistent snapshot with several readers over id ranges feeding one
// ordered writer (see export_parallel.go), so memory stays flat and writers
// wait at most for the statements that start the readers. Returns EINVALID for a bad filter, ENOTFOUND for an unknown
// username.
func (s *ExportService) Export(ctx context.Context, w io.Writer, f domain.ExportFilter) error {
	if _, err := ownerFrom(ctx); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	// writeHead writes the header, and in a JSON document the start of its
	// tasks array, from a transaction of the export's snapshot.
	writeHead := func(tx *tx) error {
		users, err := exportUsers(tx, f.Username)
		if err != nil {
			return err
		}
		head := ExportHeader{Format: ExportFormat, Version: ExportVersion, ExportedAt: tx.now, Filter: f, Users: users}
		if f.NDJSON {
			enc := json.NewEncoder(bw)
			enc.SetEscapeHTML(false)
			return enc.Encode(head)
		}
		data, err := json.Marshal(head)
		if err != nil {
			return err
		}
		// Splice the streamed tasks array into the header object.
		bw.Write(data[:len(data)-1])
		_, err = bw.WriteString(`,"tasks":[` + "\n")
		return err
	}
	var err error
	if len(f.TaskIDs) == 0 {
		// Every task but the first is preceded by a comma in a JSON
		// document: the readers put one before each, and the first is
		// dropped here.
		sep, first := "", true
		if !f.NDJSON {
			sep = ","
		}
		err = s.db.exportParallel(ctx, f, sep, writeHead, func(chunk []byte) error {
			if first && sep != "" && len(chunk) > 0 {
				chunk, first = chunk[len(sep):], false
			}
			_, err := bw.Write(chunk)
			return err
		})
	} else {
		err = s.db.read(ctx, true, func(tx *tx) error {
			if err := writeHead(tx); err != nil {
				return err
			}
			first := true
			var buf []byte
			return exportTasks(tx, f, f.TaskIDs, func(p *exportPage, i int) error {
				buf = buf[:0]
				if !f.NDJSON && !first {
					buf = append(buf, ',')
				}
				first = false
				var err error
				if buf, err = p.appendTask(buf, i); err != nil {
					return err
				}
				buf = append(buf, '\n')
				_, err = bw.Write(buf)
				return err
			})
		})
	}
	if err == nil && !f.NDJSON {
		_, err = bw.WriteString("]}\n")
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
