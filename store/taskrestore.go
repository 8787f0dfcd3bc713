package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

// MaxRestoreTasks bounds how many tasks one ReplaceTasks call writes: a
// restore of a few tasks, not a bulk import.
const MaxRestoreTasks = 1000

// TaskSignature summarises one task for comparing two histories: two tasks
// with the same signature hold the same rows as far as a person can tell
// (every change of a task moves its updated_at; events and videos are
// counted because they are added without touching the task in older
// versions).
type TaskSignature struct {
	TaskID    string `json:"task_id"`
	UpdatedAt int64  `json:"updated_at"` // microseconds
	Status    string `json:"status"`
	Videos    int64  `json:"videos"`
	Events    int64  `json:"events"`
}

// EachTaskSignature calls fn for every task in one consistent snapshot,
// ordered by task_id byte by byte (the same order on both engines), so two
// databases can be compared in one merge pass with flat memory.
func (db *DB) EachTaskSignature(ctx context.Context, fn func(TaskSignature) error) error {
	return db.read(ctx, true, func(tx *tx) error {
		return tx.each(`
			SELECT
				t.task_id,
				t.updated_at,
				t.status,
				(SELECT count(*) FROM videos v WHERE v.task_id = t.id),
				(SELECT count(*) FROM task_events e WHERE e.task_id = t.id)
			FROM tasks t
			ORDER BY `+orderBy(db, "t.task_id"), nil, func(rows *sql.Rows) error {
			var s TaskSignature
			if err := rows.Scan(&s.TaskID, &s.UpdatedAt, &s.Status, &s.Videos, &s.Events); err != nil {
				return err
			}
			return fn(s)
		})
	})
}

// EachVideoPath calls fn with every video file path and its task, in one
// snapshot.
func (db *DB) EachVideoPath(ctx context.Context, fn func(taskID, path string) error) error {
	return db.read(ctx, true, func(tx *tx) error {
		return tx.each(`
			SELECT
				t.task_id,
				v.file_path
			FROM videos v
			JOIN tasks t ON t.id = v.task_id
			ORDER BY v.id`, nil, func(rows *sql.Rows) error {
			var id, path string
			if err := rows.Scan(&id, &path); err != nil {
				return err
			}
			return fn(id, path)
		})
	})
}

// TaskRecords returns the tasks named by ids, with their scripts, videos
// and events, and the users they belong to. Unknown ids are left out.
// Returns EINVALID for more than MaxRestoreTasks ids.
func (db *DB) TaskRecords(ctx context.Context, ids []string) ([]*ExportUser, []*ExportTask, error) {
	if len(ids) > MaxRestoreTasks {
		return nil, nil, domain.Invalidf("task", "Name at most %d tasks at a time, not %d.", MaxRestoreTasks, len(ids))
	}
	var users []*ExportUser
	var tasks []*ExportTask
	err := db.read(ctx, true, func(tx *tx) error {
		var err error
		if tasks, err = taskRecords(tx, ids); err != nil {
			return err
		}
		all, err := exportUsers(tx, "")
		if err != nil {
			return err
		}
		for _, u := range all {
			if slices.ContainsFunc(tasks, func(t *ExportTask) bool { return t.Username == u.Username }) {
				users = append(users, u)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read tasks: %w", err)
	}
	return users, tasks, nil
}

// taskRecords reads the whole records of the tasks ids in tx.
func taskRecords(tx *tx, ids []string) ([]*ExportTask, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []*ExportTask
	err := exportTasks(tx, domain.ExportFilter{}, ids, func(p *exportPage, i int) error {
		t := p.tasks[i]
		t.Scripts, t.Videos, t.Events = []*ExportScript{}, []*ExportVideo{}, []*ExportEvent{}
		for j := p.scriptAt[i]; j < p.scriptAt[i+1]; j++ {
			s := p.scripts[j]
			t.Scripts = append(t.Scripts, &s)
		}
		for j := p.videoAt[i]; j < p.videoAt[i+1]; j++ {
			v := p.videos[j]
			t.Videos = append(t.Videos, &v)
		}
		for j := p.eventAt[i]; j < p.eventAt[i+1]; j++ {
			e := p.events[j]
			t.Events = append(t.Events, &e)
		}
		out = append(out, &t)
		return nil
	})
	return out, err
}

// ReplaceResult reports what ReplaceTasks changed.
type ReplaceResult struct {
	Added    []string `json:"added"`    // tasks that were not here
	Replaced []string `json:"replaced"` // tasks whose rows were replaced
	Removed  []string `json:"removed"`  // tasks deleted
	Days     []string `json:"days"`     // statistics days recomputed
}

// ReplaceTasks writes tasks, each with its scripts, videos and events, in
// one transaction: a task whose task_id exists here is replaced whole, one
// that does not is added (its user created as an import creates users, and
// its quota charged), and the tasks named in remove are deleted. Nothing
// else changes. The statistics of every day the old or new rows touch are
// recomputed from the rows, so they equal what a full rebuild would store.
//
// before, if set, is called inside the transaction with the records as they
// were (absent: the ids that were not here) before anything is written; an
// error from it aborts. A crash before the commit leaves the old rows.
//
// Returns EINVALID naming the first bad task (the same checks as Import)
// or for more than MaxRestoreTasks tasks.
func (db *DB) ReplaceTasks(ctx context.Context, users []*ExportUser, tasks []*ExportTask, remove []string,
	before func(old []*ExportTask, absent []string) error) (*ReplaceResult, error) {
	return db.ReplaceTasksMarked(ctx, users, tasks, remove, Mark{}, before)
}

// Mark is a setting a write stores in its own transaction, so that whoever
// journalled it beforehand can tell after a crash whether the write
// committed: the setting holds Value exactly when it did.
type Mark struct {
	Key, Value string
}

// ReplaceTasksMarked is ReplaceTasks that also stores the setting mark
// (when its Key is set) in the same transaction.
func (db *DB) ReplaceTasksMarked(ctx context.Context, users []*ExportUser, tasks []*ExportTask, remove []string, mark Mark,
	before func(old []*ExportTask, absent []string) error) (*ReplaceResult, error) {
	if len(tasks)+len(remove) > MaxRestoreTasks {
		return nil, domain.Invalidf("task", "Restore at most %d tasks at a time, not %d.", MaxRestoreTasks, len(tasks)+len(remove))
	}
	known := map[string]bool{}
	err := db.read(ctx, false, func(tx *tx) error {
		var names []string
		if err := tx.sel(&names, `SELECT username FROM users`); err != nil {
			return err
		}
		for _, n := range names {
			known[n] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("restore tasks: %w", err)
	}
	var fresh []*ExportUser // users of the set who are not here
	for _, u := range users {
		if !known[u.Username] {
			fresh = append(fresh, u)
		}
		known[u.Username] = true
	}
	ids := make([]string, 0, len(tasks)+len(remove))
	for i, t := range tasks {
		if err := validateImportTask(i+1, t, known); err != nil {
			return nil, err
		}
		ids = append(ids, t.TaskID)
	}
	ids = append(ids, remove...)

	var res *ReplaceResult
	err = db.write(ctx, func(tx *tx) error {
		res = &ReplaceResult{Added: []string{}, Replaced: []string{}, Removed: []string{}, Days: []string{}}
		old, err := taskRecords(tx, ids)
		if err != nil {
			return err
		}
		here := map[string]*ExportTask{}
		for _, t := range old {
			here[t.TaskID] = t
		}
		var absent []string
		for _, id := range ids {
			if here[id] == nil {
				absent = append(absent, id)
			}
		}
		if before != nil {
			if err := before(old, absent); err != nil {
				return err
			}
		}
		// Reruns of the replaced tasks lose their link when the rows go
		// (ON DELETE SET NULL): note them to link again afterwards.
		reruns := map[string]string{}
		for chunk := range slices.Chunk(ids, 500) {
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			var links []struct {
				Rerun  string `db:"rerun"`
				Origin string `db:"origin"`
			}
			if err := tx.sel(&links, `
				SELECT r.task_id AS rerun, o.task_id AS origin
				FROM tasks o JOIN tasks r ON r.rerun_of = o.id
				WHERE o.task_id IN (`+placeholders(len(chunk))+`)`, args...); err != nil {
				return fmt.Errorf("find reruns: %w", err)
			}
			for _, l := range links {
				reruns[l.Rerun] = l.Origin
			}
		}
		if mark.Key != "" {
			if err := putSetting(tx, mark.Key, mark.Value); err != nil {
				return err
			}
		}
		days := map[string]bool{}
		for _, t := range old {
			taskDays(t, days)
			if _, err := tx.exec(`DELETE FROM tasks WHERE task_id = ?`, t.TaskID); err != nil {
				return fmt.Errorf("remove task %s: %w", t.TaskID, err)
			}
		}
		for _, id := range remove {
			if here[id] != nil {
				res.Removed = append(res.Removed, id)
			}
		}
		userIDs, _, err := importUsers(tx, fresh, 0)
		if err != nil {
			return err
		}
		charged := map[int64]int{}
		for _, t := range tasks {
			if userIDs[t.Username] == 0 {
				return domain.Invalidf("username", "Task %s belongs to user %q, who is not here and not in the backup.", t.TaskID, t.Username)
			}
			taskDays(t, days)
			if _, err := importTask(tx, t, userIDs); err != nil {
				return fmt.Errorf("task %s: %w", t.TaskID, err)
			}
			if t.RerunOf != "" {
				reruns[t.TaskID] = t.RerunOf
			}
			if here[t.TaskID] != nil {
				res.Replaced = append(res.Replaced, t.TaskID)
			} else {
				res.Added = append(res.Added, t.TaskID)
				charged[userIDs[t.Username]]++
			}
		}
		if err := linkReruns(tx, reruns); err != nil {
			return err
		}
		if err := chargeQuota(tx, charged); err != nil {
			return err
		}
		for d := range days {
			res.Days = append(res.Days, d)
		}
		sort.Strings(res.Days)
		return rebuildDays(tx, res.Days)
	})
	if err != nil {
		return nil, fmt.Errorf("restore tasks: %w", err)
	}
	return res, nil
}

// taskDays adds the statistics days a task's rows count in.
func taskDays(t *ExportTask, days map[string]bool) {
	days[day(t.CreatedAt)] = true
	if t.CompletedAt != nil {
		days[day(*t.CompletedAt)] = true
	}
	for _, v := range t.Videos {
		days[day(v.CreatedAt)] = true
	}
}

// rebuildDays recomputes the statistics of each day from the rows, exactly
// as RebuildStats computes every day, reading only that day's rows through
// the indexes: tasks by created_at and by (status, completed_at), videos by
// created_at.
func rebuildDays(tx *tx, days []string) error {
	for _, date := range days {
		start, end := dayRange(date)
		d := domain.DayStats{Date: date}
		if err := tx.get(&d.TotalTasks, `SELECT count(*) FROM tasks WHERE created_at >= ? AND created_at < ?`, start, end); err != nil {
			return fmt.Errorf("statistics of %s: %w", date, err)
		}
		for _, c := range []struct {
			status domain.Status
			n      *int
		}{{domain.StatusCompleted, &d.CompletedTasks}, {domain.StatusFailed, &d.FailedTasks}, {domain.StatusCancelled, &d.CancelledTasks}} {
			if err := tx.get(c.n, `SELECT count(*) FROM tasks WHERE status = `+statusParam+` AND completed_at >= ? AND completed_at < ?`, string(c.status), start, end); err != nil {
				return fmt.Errorf("statistics of %s: %w", date, err)
			}
		}
		var seconds sql.NullFloat64
		row := struct {
			N       int             `db:"n"`
			Seconds sql.NullFloat64 `db:"seconds"`
		}{}
		if err := tx.get(&row, `
			SELECT
				count(*) AS n,
				sum(CASE WHEN duration > `+fmt.Sprint(maxStatSeconds)+` THEN `+fmt.Sprint(maxStatSeconds)+` WHEN duration > 0 THEN duration ELSE 0 END) AS seconds
			FROM videos
			WHERE created_at >= ? AND created_at < ?`, start, end); err != nil {
			return fmt.Errorf("statistics of %s: %w", date, err)
		}
		seconds = row.Seconds
		d.TotalVideos, d.TotalVideoSeconds = row.N, seconds.Float64
		var hist sql.NullString
		if d.CompletedTasks > 0 {
			h, err := dayHistogram(tx, date)
			if err != nil {
				return err
			}
			d.AvgGenerationTime, d.P95GenerationTime = h.avg(), h.p95()
			enc, err := h.encode()
			if err != nil {
				return err
			}
			hist = sql.NullString{String: enc, Valid: true}
		}
		if d.TotalTasks == 0 && d.CompletedTasks == 0 && d.FailedTasks == 0 && d.CancelledTasks == 0 && d.TotalVideos == 0 {
			if _, err := tx.exec(`DELETE FROM statistics WHERE date = ?`, date); err != nil {
				return fmt.Errorf("statistics of %s: %w", date, err)
			}
			continue
		}
		cols := strings.Split(strings.Join(strings.Fields(statsColumns), ""), ",")
		sets := make([]string, 0, len(cols))
		for _, c := range cols[1:] {
			sets = append(sets, c+" = excluded."+c)
		}
		sets = append(sets, "generation_histogram = excluded.generation_histogram")
		if _, err := tx.exec(`INSERT INTO statistics (`+statsColumns+`, generation_histogram)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (date) DO UPDATE SET `+strings.Join(sets, ", "),
			d.Date, d.TotalTasks, d.CompletedTasks, d.FailedTasks, d.CancelledTasks,
			d.TotalVideos, d.TotalVideoSeconds, d.AvgGenerationTime, d.P95GenerationTime, hist); err != nil {
			return fmt.Errorf("statistics of %s: %w", date, err)
		}
	}
	return nil
}

// SampleTaskIDs returns up to n task IDs spread evenly over the tasks' row
// ids, each found through the primary key, so a sample costs the same at
// any size.
func (db *DB) SampleTaskIDs(ctx context.Context, n int) ([]string, error) {
	var ids []string
	err := db.read(ctx, true, func(tx *tx) error {
		var lo, hi sql.NullInt64
		if err := tx.ext.QueryRowxContext(tx.ctx, `SELECT min(id), max(id) FROM tasks`).Scan(&lo, &hi); err != nil {
			return err
		}
		if !lo.Valid {
			return nil
		}
		seen := map[string]bool{}
		for i := range n {
			at := lo.Int64 + (hi.Int64-lo.Int64)*int64(i)/int64(max(n-1, 1))
			var id string
			err := tx.get(&id, `SELECT task_id FROM tasks WHERE id >= ? ORDER BY id LIMIT 1`, at)
			if err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sample tasks: %w", err)
	}
	return ids, nil
}
