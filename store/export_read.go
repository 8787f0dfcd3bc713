package store

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

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

// exportTasks calls emit for every task matching f (and among taskIDs, if
// any) in id order, reading
// exportBatch tasks (and their children) per query. The rows are scanned by
// hand into a page reused from batch to batch: reflection-based scanning
// was most of the export's time.
func exportTasks(tx *tx, f domain.ExportFilter, taskIDs []string, emit func(p *exportPage, i int) error) error {
	where, args := exportWhere(f, taskIDs)
	query := exportTaskSelect + `
		WHERE ` + where + `
		ORDER BY t.id
		LIMIT ` + limitParam
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

// exportTaskSelect reads the columns of the tasks rows, without the condition.
const exportTaskSelect = `SELECT
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
			t.duration,
			t.starred,
			t.rating,
			coalesce((SELECT o.task_id FROM tasks o WHERE o.id = t.rerun_of), ''),
			t.trashed_at
		FROM tasks t
		JOIN users u ON u.id = t.user_id`

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
	if err := r.scan(rows, 20); err != nil {
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
	t.Starred, t.Rating, t.RerunOf = r.bool(16), int(r.int(17)), r.str(18)
	if v, ok := r.nullInt(19); ok {
		at := fromMicros(v)
		t.TrashedAt = &at
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

// bool reads a boolean: a BOOLEAN on PostgreSQL, 0 or 1 on SQLite.
func (r *anyRow) bool(i int) bool {
	switch v := r.vals[i].(type) {
	case bool:
		return v
	case int64:
		return v != 0
	}
	var b sql.NullBool
	if err := b.Scan(r.vals[i]); err != nil {
		r.fail(i, err)
	}
	return b.Bool
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
		FROM videos
		WHERE `+cond+`
		ORDER BY task_id, scene_number`, args, func(rows *sql.Rows) error {
		r := &p.row
		if err := r.scan(rows, 19); err != nil {
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
		readExportFacts(r, &v)
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
	return p.loadLabels(tx, cond, args)
}

// loadLabels reads the tags and collections of the page in one query.
func (p *exportPage) loadLabels(tx *tx, cond string, args []any) error {
	index := make(map[int64]int, len(p.ids))
	for i, id := range p.ids {
		index[id] = i
	}
	err := tx.each(`
		SELECT tt.task_id, 't', g.name FROM task_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.`+cond+`
		UNION ALL
		SELECT ct.task_id, 'c', c.name FROM collection_tasks ct JOIN collections c ON c.id = ct.collection_id WHERE ct.`+cond,
		append(slices.Clone(args), args...), func(rows *sql.Rows) error {
			r := &p.row
			if err := r.scan(rows, 3); err != nil {
				return err
			}
			i, ok := index[r.int(0)]
			if !ok {
				return r.err
			}
			t := &p.tasks[i]
			if r.str(1) == "t" {
				t.Tags = append(t.Tags, r.str(2))
			} else {
				t.Collections = append(t.Collections, r.str(2))
			}
			return r.err
		})
	if err != nil {
		return fmt.Errorf("export tags and collections: %w", err)
	}
	for i := range p.tasks {
		slices.Sort(p.tasks[i].Tags)
		slices.Sort(p.tasks[i].Collections)
	}
	return nil
}

// The export writes its JSON by hand: encoding/json's reflection was a
// fifth of the export's time. The output is byte for byte what
// json.Encoder (SetEscapeHTML(false)) writes for an ExportTask, which
// export_internal_test.go checks.

// readExportFacts reads the facts columns (10 on) of an export's videos row.
func readExportFacts(r *anyRow, v *ExportVideo) {
	v.Codec, v.ContentHash, v.Mismatch, v.ProbeError = r.str(10), r.str(11), r.str(16), r.str(17)
	if x, ok := r.nullInt(12); ok {
		w := int(x)
		v.ClaimedWidth = &w
	}
	if x, ok := r.nullInt(13); ok {
		h := int(x)
		v.ClaimedHeight = &h
	}
	if x, ok := r.nullFloat(14); ok {
		v.ClaimedDuration = &x
	}
	if x, ok := r.nullFloat(15); ok {
		v.ClaimedFPS = &x
	}
	if x, ok := r.nullInt(18); ok {
		t := fromMicros(x)
		v.ProbedAt = &t
	}
}
