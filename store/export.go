package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
		var buf []byte
		err = exportTasks(tx, f, func(p *exportPage, i int) error {
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
// exportBatch tasks (and their children) per query. The rows are scanned by
// hand into a page reused from batch to batch: reflection-based scanning
// was most of the export's time.
func exportTasks(tx *tx, f ExportFilter, emit func(p *exportPage, i int) error) error {
	where, args := f.where()
	query := `SELECT
			t.id,
			t.task_id,
			u.username,
			t.prompt,
			t.status,
			t.progress,
			t.total_scenes,
			t.completed_scenes,
			t.final_video_path,
			t.error_message,
			t.attempts,
			t.created_at,
			t.updated_at,
			t.started_at,
			t.completed_at,
			t.duration
		FROM tasks t
		JOIN users u ON u.id = t.user_id
		WHERE ` + where + `
		ORDER BY t.id
		LIMIT ?`
	var p exportPage
	var after int64
	for {
		p.reset()
		err := tx.each(query, append(append([]any{after}, args...), exportBatch), func(rows *sql.Rows) error {
			return p.scanTask(rows)
		})
		if err != nil {
			return fmt.Errorf("export tasks: %w", err)
		}
		if len(p.tasks) == 0 {
			return nil
		}
		if err := p.loadChildren(tx); err != nil {
			return err
		}
		for i := range p.tasks {
			if err := emit(&p, i); err != nil {
				return err
			}
		}
		after = p.ids[len(p.ids)-1]
		if len(p.tasks) < exportBatch {
			return nil
		}
	}
}

// exportPage is one keyset page of tasks with their children, reused from
// page to page.
type exportPage struct {
	ids     []int64 // row IDs, ascending, parallel to tasks
	tasks   []ExportTask
	scripts []ExportScript
	videos  []ExportVideo
	events  []ExportEvent
	// The children of tasks[i] are scripts[scriptAt[i]:scriptAt[i+1]], and
	// so on.
	scriptAt, videoAt, eventAt []int
	row                        anyRow
}

func (p *exportPage) reset() {
	p.ids = p.ids[:0]
	p.tasks = p.tasks[:0]
	p.scripts = p.scripts[:0]
	p.videos = p.videos[:0]
	p.events = p.events[:0]
}

// scanTask appends the task in rows' current row.
func (p *exportPage) scanTask(rows *sql.Rows) error {
	r := &p.row
	if err := r.scan(rows, 16); err != nil {
		return err
	}
	t := ExportTask{
		TaskID: r.str(1), Username: r.str(2), Prompt: r.str(3), Status: domain.Status(r.str(4)),
		Progress: int(r.int(5)), TotalScenes: int(r.int(6)), CompletedScenes: int(r.int(7)),
		FinalVideoPath: r.str(8), ErrorMessage: r.str(9), Attempts: int(r.int(10)),
		CreatedAt: fromMicros(r.int(11)), UpdatedAt: fromMicros(r.int(12)),
	}
	if v, ok := r.nullInt(13); ok {
		st := fromMicros(v)
		t.StartedAt = &st
	}
	if v, ok := r.nullInt(14); ok {
		done := fromMicros(v)
		t.CompletedAt = &done
	}
	if v, ok := r.nullFloat(15); ok {
		t.Duration = &v
	}
	if r.err != nil {
		return r.err
	}
	p.ids = append(p.ids, r.int(0))
	p.tasks = append(p.tasks, t)
	return nil
}

// anyRow scans a row into interface values and converts them by type
// switch: database/sql converts an int64 or float64 into a typed variable
// by reflection, which was a tenth of the export's time. A type the switch
// does not expect (another driver's) goes through database/sql's own
// conversion. The first conversion error is kept in err.
type anyRow struct {
	vals []any
	ptrs []any
	err  error
}

func (r *anyRow) scan(rows *sql.Rows, n int) error {
	if len(r.vals) != n {
		r.vals = make([]any, n)
		r.ptrs = make([]any, n)
		for i := range r.vals {
			r.ptrs[i] = &r.vals[i]
		}
	}
	r.err = nil
	return rows.Scan(r.ptrs...)
}

func (r *anyRow) fail(i int, err error) {
	if r.err == nil {
		r.err = fmt.Errorf("column %d: %w", i, err)
	}
}

func (r *anyRow) str(i int) string {
	if s, ok := r.vals[i].(string); ok {
		return s
	}
	var s sql.NullString
	if err := s.Scan(r.vals[i]); err != nil {
		r.fail(i, err)
	}
	return s.String
}

func (r *anyRow) int(i int) int64 {
	v, _ := r.nullInt(i)
	return v
}

func (r *anyRow) nullInt(i int) (int64, bool) {
	switch v := r.vals[i].(type) {
	case int64:
		return v, true
	case nil:
		return 0, false
	}
	var n sql.NullInt64
	if err := n.Scan(r.vals[i]); err != nil {
		r.fail(i, err)
	}
	return n.Int64, n.Valid
}

func (r *anyRow) float(i int) float64 {
	v, _ := r.nullFloat(i)
	return v
}

func (r *anyRow) nullFloat(i int) (float64, bool) {
	switch v := r.vals[i].(type) {
	case float64:
		return v, true
	case nil:
		return 0, false
	}
	var f sql.NullFloat64
	if err := f.Scan(r.vals[i]); err != nil {
		r.fail(i, err)
	}
	return f.Float64, f.Valid
}

// childFilter returns the condition on a child table's task_id selecting
// the page's children. A dense page (the usual case) reads an id range,
// one statement text for every page; a sparse one (a narrow filter) lists
// its ids. Children of tasks outside the page are skipped by the caller.
func (p *exportPage) childFilter() (string, []any) {
	first, last := p.ids[0], p.ids[len(p.ids)-1]
	if last-first < int64(2*len(p.ids)) {
		return "task_id BETWEEN ? AND ?", []any{first, last}
	}
	args := make([]any, len(p.ids))
	for i, id := range p.ids {
		args[i] = id
	}
	return "task_id IN (?" + strings.Repeat(", ?", len(p.ids)-1) + ")", args
}

// childCursor attaches child rows, which arrive in task row id order, to
// the page's tasks: at[i] becomes the index of task i's first child, and
// at[len(tasks)] the number of children.
type childCursor struct {
	p  *exportPage
	at []int
	i  int // the task the previous child belonged to
}

func newChildCursor(p *exportPage, at []int) *childCursor {
	return &childCursor{p: p, at: append(at[:0], 0)}
}

// add reports whether a child of task row id, which will be child number
// count, belongs to the page (a range query also reads the children of
// tasks the filter left out).
func (c *childCursor) add(id int64, count int) bool {
	ids := c.p.ids
	for c.i < len(ids) && ids[c.i] < id {
		c.i++
		c.at = append(c.at, count)
	}
	return c.i < len(ids) && ids[c.i] == id
}

// done closes the spans after the last child, count children in all.
func (c *childCursor) done(count int) []int {
	for len(c.at) <= len(c.p.ids) {
		c.at = append(c.at, count)
	}
	return c.at
}

// loadChildren reads the scripts, videos and events of the page with one
// query each.
func (p *exportPage) loadChildren(tx *tx) error {
	cond, args := p.childFilter()

	c := newChildCursor(p, p.scriptAt)
	err := tx.each(`
		SELECT
			task_id,
			scene_number,
			description,
			duration,
			camera_movement,
			lighting,
			created_at
		FROM scripts
		WHERE `+cond+`
		ORDER BY task_id, scene_number`, args, func(rows *sql.Rows) error {
		r := &p.row
		if err := r.scan(rows, 7); err != nil {
			return err
		}
		if !c.add(r.int(0), len(p.scripts)) {
			return r.err
		}
		s := ExportScript{SceneNumber: int(r.int(1)), Description: r.str(2), Duration: r.float(3),
			CameraMovement: r.str(4), Lighting: r.str(5), CreatedAt: fromMicros(r.int(6))}
		p.scripts = append(p.scripts, s)
		return r.err
	})
	if err != nil {
		return fmt.Errorf("export scripts: %w", err)
	}
	p.scriptAt = c.done(len(p.scripts))

	c = newChildCursor(p, p.videoAt)
	err = tx.each(`
		SELECT
			task_id,
			scene_number,
			file_path,
			file_size,
			duration,
			width,
			height,
			fps,
			status,
			created_at
		FROM videos
		WHERE `+cond+`
		ORDER BY task_id, scene_number`, args, func(rows *sql.Rows) error {
		r := &p.row
		if err := r.scan(rows, 10); err != nil {
			return err
		}
		if !c.add(r.int(0), len(p.videos)) {
			return r.err
		}
		v := ExportVideo{SceneNumber: int(r.int(1)), FilePath: r.str(2), Status: r.str(8), CreatedAt: fromMicros(r.int(9))}
		if x, ok := r.nullInt(3); ok {
			v.FileSize = &x
		}
		if x, ok := r.nullFloat(4); ok {
			v.Duration = &x
		}
		if x, ok := r.nullInt(5); ok {
			w := int(x)
			v.Width = &w
		}
		if x, ok := r.nullInt(6); ok {
			h := int(x)
			v.Height = &h
		}
		if x, ok := r.nullFloat(7); ok {
			v.FPS = &x
		}
		p.videos = append(p.videos, v)
		return r.err
	})
	if err != nil {
		return fmt.Errorf("export videos: %w", err)
	}
	p.videoAt = c.done(len(p.videos))

	c = newChildCursor(p, p.eventAt)
	err = tx.each(`
		SELECT
			task_id,
			type,
			status,
			progress,
			message,
			created_at
		FROM task_events
		WHERE `+cond+`
		ORDER BY task_id, id`, args, func(rows *sql.Rows) error {
		r := &p.row
		if err := r.scan(rows, 6); err != nil {
			return err
		}
		if !c.add(r.int(0), len(p.events)) {
			return r.err
		}
		e := ExportEvent{Type: r.str(1), Status: domain.Status(r.str(2)), Progress: int(r.int(3)),
			Message: r.str(4), CreatedAt: fromMicros(r.int(5))}
		p.events = append(p.events, e)
		return r.err
	})
	if err != nil {
		return fmt.Errorf("export events: %w", err)
	}
	p.eventAt = c.done(len(p.events))
	return nil
}

// The export writes its JSON by hand: encoding/json's reflection was a
// fifth of the export's time. The output is byte for byte what
// json.Encoder (SetEscapeHTML(false)) writes for an ExportTask, which
// export_internal_test.go checks.

// appendTask appends tasks[i] with its children as one JSON object.
func (p *exportPage) appendTask(b []byte, i int) ([]byte, error) {
	t := &p.tasks[i]
	var err error
	b = append(b, `{"task_id":`...)
	b = appendJSONString(b, t.TaskID)
	b = append(b, `,"username":`...)
	b = appendJSONString(b, t.Username)
	b = append(b, `,"prompt":`...)
	b = appendJSONString(b, t.Prompt)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(t.Status))
	b = append(b, `,"progress":`...)
	b = strconv.AppendInt(b, int64(t.Progress), 10)
	b = append(b, `,"total_scenes":`...)
	b = strconv.AppendInt(b, int64(t.TotalScenes), 10)
	b = append(b, `,"completed_scenes":`...)
	b = strconv.AppendInt(b, int64(t.CompletedScenes), 10)
	if t.FinalVideoPath != "" {
		b = append(b, `,"final_video_path":`...)
		b = appendJSONString(b, t.FinalVideoPath)
	}
	if t.ErrorMessage != "" {
		b = append(b, `,"error_message":`...)
		b = appendJSONString(b, t.ErrorMessage)
	}
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(t.Attempts), 10)
	b = append(b, `,"created_at":`...)
	if b, err = appendJSONTime(b, t.CreatedAt); err != nil {
		return nil, err
	}
	b = append(b, `,"updated_at":`...)
	if b, err = appendJSONTime(b, t.UpdatedAt); err != nil {
		return nil, err
	}
	if t.StartedAt != nil {
		b = append(b, `,"started_at":`...)
		if b, err = appendJSONTime(b, *t.StartedAt); err != nil {
			return nil, err
		}
	}
	if t.CompletedAt != nil {
		b = append(b, `,"completed_at":`...)
		if b, err = appendJSONTime(b, *t.CompletedAt); err != nil {
			return nil, err
		}
	}
	if t.Duration != nil {
		b = append(b, `,"duration":`...)
		if b, err = appendJSONFloat(b, *t.Duration); err != nil {
			return nil, err
		}
	}

	b = append(b, `,"scripts":[`...)
	for j, s := range p.scripts[p.scriptAt[i]:p.scriptAt[i+1]] {
		if j > 0 {
			b = append(b, ',')
		}
		if b, err = appendScript(b, &s); err != nil {
			return nil, err
		}
	}
	b = append(b, `],"videos":[`...)
	for j, v := range p.videos[p.videoAt[i]:p.videoAt[i+1]] {
		if j > 0 {
			b = append(b, ',')
		}
		if b, err = appendVideo(b, &v); err != nil {
			return nil, err
		}
	}
	b = append(b, `],"events":[`...)
	for j, e := range p.events[p.eventAt[i]:p.eventAt[i+1]] {
		if j > 0 {
			b = append(b, ',')
		}
		if b, err = appendEvent(b, &e); err != nil {
			return nil, err
		}
	}
	return append(b, "]}"...), nil
}

func appendScript(b []byte, s *ExportScript) ([]byte, error) {
	var err error
	b = append(b, `{"scene_number":`...)
	b = strconv.AppendInt(b, int64(s.SceneNumber), 10)
	b = append(b, `,"description":`...)
	b = appendJSONString(b, s.Description)
	b = append(b, `,"duration":`...)
	if b, err = appendJSONFloat(b, s.Duration); err != nil {
		return nil, err
	}
	if s.CameraMovement != "" {
		b = append(b, `,"camera_movement":`...)
		b = appendJSONString(b, s.CameraMovement)
	}
	if s.Lighting != "" {
		b = append(b, `,"lighting":`...)
		b = appendJSONString(b, s.Lighting)
	}
	b = append(b, `,"created_at":`...)
	if b, err = appendJSONTime(b, s.CreatedAt); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func appendVideo(b []byte, v *ExportVideo) ([]byte, error) {
	var err error
	b = append(b, `{"scene_number":`...)
	b = strconv.AppendInt(b, int64(v.SceneNumber), 10)
	b = append(b, `,"file_path":`...)
	b = appendJSONString(b, v.FilePath)
	if v.FileSize != nil {
		b = append(b, `,"file_size":`...)
		b = strconv.AppendInt(b, *v.FileSize, 10)
	}
	if v.Duration != nil {
		b = append(b, `,"duration":`...)
		if b, err = appendJSONFloat(b, *v.Duration); err != nil {
			return nil, err
		}
	}
	if v.Width != nil {
		b = append(b, `,"width":`...)
		b = strconv.AppendInt(b, int64(*v.Width), 10)
	}
	if v.Height != nil {
		b = append(b, `,"height":`...)
		b = strconv.AppendInt(b, int64(*v.Height), 10)
	}
	if v.FPS != nil {
		b = append(b, `,"fps":`...)
		if b, err = appendJSONFloat(b, *v.FPS); err != nil {
			return nil, err
		}
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, v.Status)
	b = append(b, `,"created_at":`...)
	if b, err = appendJSONTime(b, v.CreatedAt); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func appendEvent(b []byte, e *ExportEvent) ([]byte, error) {
	var err error
	b = append(b, `{"type":`...)
	b = appendJSONString(b, e.Type)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(e.Status))
	b = append(b, `,"progress":`...)
	b = strconv.AppendInt(b, int64(e.Progress), 10)
	if e.Message != "" {
		b = append(b, `,"message":`...)
		b = appendJSONString(b, e.Message)
	}
	b = append(b, `,"created_at":`...)
	if b, err = appendJSONTime(b, e.CreatedAt); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as a JSON string. Text that needs no escaping
// (the common case) is copied; anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	plain, ascii := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' {
			plain = false
			break
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	// encoding/json also escapes invalid UTF-8 and U+2028, U+2029.
	if plain && (ascii || utf8.ValidString(s) && !strings.ContainsRune(s, '\u2028') && !strings.ContainsRune(s, '\u2029')) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(out.Bytes(), []byte("\n"))...)
}

// appendJSONTime appends t as time.Time.MarshalJSON does.
func appendJSONTime(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("time %v: year outside of range [0,9999]", t)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}

// appendJSONFloat appends f as encoding/json does for a float64.
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("unsupported value %v", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}
