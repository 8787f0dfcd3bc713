package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/systrash"
)

// DefaultLibraryBatch is the number of tasks a bulk change writes per
// transaction: small enough that another writer waits a few milliseconds
// at most, large enough that 10,000 tasks take a few dozen transactions.
const DefaultLibraryBatch = 500

// DefaultLibraryBatchPostgres is DefaultLibraryBatch on PostgreSQL, where
// serialisable writers run in parallel: with 200 tasks a batch another
// writer waited less often beyond 50 ms during a bulk of 10,000 than with
// 500 (4–15 times against 22–42 in BenchmarkLibrary_BulkTag10k on a loaded
// machine) for the same total; 100 did worse on both.
const DefaultLibraryBatchPostgres = 200

// DefaultPurgeBatch is the number of tasks a purge deletes per
// transaction: a deleted task takes its scripts, videos, events, labels and
// search entry with it and its days' statistics are recomputed, so a batch
// holds the writer for about 10 ms (BenchmarkLibrary_PurgeWhileWriting:
// another writer's p99 stays near 10 ms while 20,000 tasks are purged).
const DefaultPurgeBatch = 100

// DefaultPurgeBatchPostgres is DefaultPurgeBatch on PostgreSQL, where each
// statement is a round trip: 200 tasks a batch purge 100,000 in about 20 s
// with another writer's p99 near 30 ms.
const DefaultPurgeBatchPostgres = 200

// TrashRetentionKey is the setting that holds how many days a trashed task
// stays restorable (1–domain.MaxTrashRetentionDays; default 30).
const TrashRetentionKey = "trash_retention_days"

// LibraryService implements domain.LibraryService on a DB.
type LibraryService struct {
	db *DB

	// Media applies the media rule to the video files TrashTasks moves to
	// the system trash: only files the actor may stream are ever moved.
	// Nil applies the video-extension and regular-file checks only.
	Media *MediaService
	// Trash is the system trash video files go to; nil:
	// systrash.Default(), the current user's freedesktop trash.
	Trash *systrash.Trash
	// Batch is the number of tasks changed per transaction; 0:
	// DefaultLibraryBatch or DefaultLibraryBatchPostgres (DefaultPurgeBatch
	// or DefaultPurgeBatchPostgres for purges).
	Batch int
}

var _ domain.LibraryService = (*LibraryService)(nil)

// NewLibraryService returns a LibraryService on db.
func NewLibraryService(db *DB) *LibraryService {
	return &LibraryService{db: db}
}

// nameKey folds a tag or collection name for comparison: names differing
// only in case are one.
func nameKey(name string) string { return strings.ToLower(name) }

func (s *LibraryService) batch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	if s.db.dialect.isPostgres() {
		return DefaultLibraryBatchPostgres
	}
	return DefaultLibraryBatch
}

func (s *LibraryService) purgeBatch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	if s.db.dialect.isPostgres() {
		return DefaultPurgeBatchPostgres
	}
	return DefaultPurgeBatch
}

// target is a task a change applies to.
type target struct {
	ID     int64  `db:"id"`
	TaskID string `db:"task_id"`
}

// validIDs checks a list of task IDs and returns it without repeats.
func validIDs(ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, domain.Invalidf("task_ids", "Give at least one task ID.")
	}
	if len(ids) > domain.MaxSelection {
		return nil, domain.Invalidf("task_ids", "At most %d tasks can be changed at once; %d were given.", domain.MaxSelection, len(ids))
	}
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			return nil, domain.Invalidf("task_ids", "A task ID is empty.")
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// resolve returns the tasks of ids that a can see, in the order given.
// With strict, an ID a cannot see is ENOTFOUND.
func resolve(tx *tx, a domain.Actor, ids []string, strict bool) ([]target, error) {
	found := make(map[string]target, len(ids))
	for chunk := range slices.Chunk(ids, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		// The actor is checked here rather than in SQL: with the IN list
		// alone both engines probe the task_id index once per ID, while
		// a user condition can tempt PostgreSQL into testing the list
		// against every task of the user.
		var rows []struct {
			target
			UserID int64 `db:"user_id"`
		}
		if err := tx.sel(&rows, `SELECT t.id, t.task_id, t.user_id FROM tasks t WHERE t.task_id IN (`+placeholders(len(chunk))+`)`, args...); err != nil {
			return nil, fmt.Errorf("find tasks: %w", err)
		}
		for _, r := range rows {
			if a.Owner || r.UserID == a.UserID {
				found[r.TaskID] = r.target
			}
		}
	}
	out := make([]target, 0, len(found))
	for _, id := range ids {
		r, ok := found[id]
		if !ok {
			if strict {
				return nil, domain.Errorf(domain.ENOTFOUND, "Task %s not found.", id)
			}
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// selectTargets returns the tasks of a selection that a can see, at most
// domain.MaxSelection, newest first for a filter. scope overrides the
// filter's trash scope when not trashAny (a restore acts on the trash).
func (s *LibraryService) selectTargets(ctx context.Context, a domain.Actor, sel domain.Selection, scope trashScope) ([]target, error) {
	var out []target
	err := s.db.read(ctx, true, func(tx *tx) error {
		if sel.Filter == nil {
			ids, err := validIDs(sel.TaskIDs)
			if err != nil {
				return err
			}
			out, err = resolve(tx, a, ids, false)
			return err
		}
		q, err := newTaskQuery(*sel.Filter, false)
		if err != nil {
			return err
		}
		if scope != trashAny {
			q.trash = scope
		}
		q.dialect = tx.db.dialect
		if err := q.expandSearch(tx); err != nil {
			return err
		}
		where, args := q.where(a)
		return tx.sel(&out, `SELECT t.id, t.task_id FROM tasks t`+where+`
			ORDER BY t.created_at DESC, t.id DESC
			LIMIT `+limitParam, append(args, domain.MaxSelection)...)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// apply runs change on targets in batches, one write transaction each, so
// other writers never wait for more than one batch. change returns how many
// of its batch it changed; the task IDs of the changed batches are
// announced as one notification of type note after each commit.
func (s *LibraryService) apply(ctx context.Context, targets []target, note string, change func(tx *tx, ids []any) (int, error)) (int, error) {
	total := 0
	for batch := range slices.Chunk(targets, s.batch()) {
		ids := make([]any, len(batch))
		taskIDs := make([]string, len(batch))
		for i, t := range batch {
			ids[i], taskIDs[i] = t.ID, t.TaskID
		}
		var n int
		err := s.db.write(ctx, func(tx *tx) error {
			var err error
			if n, err = change(tx, ids); err != nil {
				return err
			}
			if n > 0 && note != "" {
				notifyMany(tx, note, taskIDs)
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// notifyIDs is the most task IDs one notification carries: PostgreSQL
// relays a notification to other processes in a NOTIFY payload of at most
// 8000 bytes.
const notifyIDs = 100

// notifyMany queues notifications of type typ for taskIDs, in pieces of
// at most notifyIDs.
func notifyMany(tx *tx, typ string, taskIDs []string) {
	for ids := range slices.Chunk(taskIDs, notifyIDs) {
		tx.notify(domain.Notification{Type: typ, Data: ids})
	}
}

// affected returns the rows a statement changed.
func affected(res interface{ RowsAffected() (int64, error) }) (int, error) {
	n, err := res.RowsAffected()
	return int(n), err
}

// execIn runs query, whose "(IN)" is replaced by the placeholders of ids,
// with args before ids, and returns the rows it changed.
func execIn(tx *tx, query string, args []any, ids []any) (int, error) {
	res, err := tx.exec(strings.Replace(query, "(IN)", "("+placeholders(len(ids))+")", 1), append(slices.Clone(args), ids...)...)
	if err != nil {
		return 0, err
	}
	return affected(res)
}

// targets checks taskIDs and resolves them, as the actor of ctx sees them
// (trashed or not); an ID the actor cannot see is ENOTFOUND.
func (s *LibraryService) targets(ctx context.Context, taskIDs []string) (domain.Actor, []target, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return a, nil, err
	}
	ids, err := validIDs(taskIDs)
	if err != nil {
		return a, nil, err
	}
	var targets []target
	err = s.db.read(ctx, false, func(tx *tx) (err error) {
		targets, err = resolve(tx, a, ids, true)
		return err
	})
	return a, targets, err
}

// TrashTasks moves tasks to the trash and, with opts.DeleteFiles, their
// video files to the system trash.
func (s *LibraryService) TrashTasks(ctx context.Context, taskIDs []string, opts domain.TrashOptions) (*domain.TrashResult, error) {
	a, targets, err := s.targets(ctx, taskIDs)
	if err != nil {
		return nil, err
	}
	res := &domain.TrashResult{}
	res.Changed, err = s.apply(ctx, targets, domain.NotifyTrash, func(tx *tx, ids []any) (int, error) {
		return execIn(tx, `UPDATE tasks SET trashed_at = ?, updated_at = ? WHERE trashed_at IS NULL AND id IN (IN)`,
			[]any{micros(tx.now), micros(tx.now)}, ids)
	})
	if err != nil {
		return nil, fmt.Errorf("trash tasks: %w", err)
	}
	if opts.DeleteFiles {
		if err := s.trashFiles(ctx, a, targets, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// trashFiles moves the video files of the trashed targets to the system
// trash. A file is moved only when the media rule lets a stream it and no
// task outside the trash still uses it; the others are counted as left.
func (s *LibraryService) trashFiles(ctx context.Context, a domain.Actor, targets []target, res *domain.TrashResult) error {
	var paths []string
	err := s.db.read(ctx, true, func(tx *tx) error {
		for batch := range slices.Chunk(targets, 500) {
			ids := make([]any, len(batch))
			for i, t := range batch {
				ids[i] = t.ID
			}
			var ps []string
			in := "(" + placeholders(len(ids)) + ")"
			if err := tx.sel(&ps, `
				SELECT v.file_path FROM videos v JOIN tasks t ON t.id = v.task_id
				WHERE t.trashed_at IS NOT NULL AND v.task_id IN `+in+`
				UNION
				SELECT t.final_video_path FROM tasks t
				WHERE t.trashed_at IS NOT NULL AND t.final_video_path <> '' AND t.id IN `+in,
				append(slices.Clone(ids), ids...)...); err != nil {
				return fmt.Errorf("find video files: %w", err)
			}
			paths = append(paths, ps...)
		}
		slices.Sort(paths)
		paths = slices.Compact(paths)
		// A file another task still shows stays.
		kept := paths[:0]
		for _, p := range paths {
			var used bool
			if err := tx.get(&used, `
				SELECT EXISTS (
					SELECT 1 FROM videos v JOIN tasks t ON t.id = v.task_id
					WHERE v.file_path = ? AND t.trashed_at IS NULL
				)`, p); err != nil {
				return fmt.Errorf("find video files: %w", err)
			}
			if used {
				res.FilesLeft++
				continue
			}
			kept = append(kept, p)
		}
		paths = kept
		return nil
	})
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return nil
	}
	rule, err := s.Media.rule(ctx, a)
	if err != nil {
		return err
	}
	trash := s.Trash
	if trash == nil {
		trash = systrash.Default()
	}
	for _, p := range paths {
		f, why, err := rule.open(p)
		if err != nil || why != "" {
			res.FilesLeft++
			continue
		}
		f.Close()
		if _, err := trash.Put(f.Path); err != nil {
			if !errors.Is(err, systrash.ErrNoTrash) && !errors.Is(err, fs.ErrNotExist) {
				s.db.Logger.Warn("move a video file to the system trash", "path", f.Path, "err", err)
			}
			res.FilesLeft++
			continue
		}
		res.FilesTrashed++
	}
	return nil
}

// RestoreTasks brings trashed tasks back.
func (s *LibraryService) RestoreTasks(ctx context.Context, taskIDs []string) (*domain.TrashResult, error) {
	_, targets, err := s.targets(ctx, taskIDs)
	if err != nil {
		return nil, err
	}
	n, err := s.apply(ctx, targets, domain.NotifyTrash, restoreBatch)
	if err != nil {
		return nil, fmt.Errorf("restore tasks: %w", err)
	}
	return &domain.TrashResult{Changed: n}, nil
}

func restoreBatch(tx *tx, ids []any) (int, error) {
	return execIn(tx, `UPDATE tasks SET trashed_at = NULL, updated_at = ? WHERE trashed_at IS NOT NULL AND id IN (IN)`,
		[]any{micros(tx.now)}, ids)
}

// EmptyTrash deletes every trashed task a can see for good.
func (s *LibraryService) EmptyTrash(ctx context.Context) (*domain.TrashResult, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	return s.purge(ctx, a, nil)
}

// PurgeTrash deletes the tasks trashed before before for good. Owner only.
func (s *LibraryService) PurgeTrash(ctx context.Context, before time.Time) (*domain.TrashResult, error) {
	a, err := ownerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if before.IsZero() {
		return nil, domain.Invalidf("before", "Give the time before which trashed tasks are purged.")
	}
	b := micros(before)
	return s.purge(ctx, a, &b)
}

// purge deletes trashed tasks that a can see (trashed before before, when
// set) batch by batch: each transaction finds the next batch of the oldest
// trashed tasks, deletes them with everything that hangs off them and
// recomputes the statistics of the days they counted in, so statistics
// always equal a rebuild.
func (s *LibraryService) purge(ctx context.Context, a domain.Actor, before *int64) (*domain.TrashResult, error) {
	res := &domain.TrashResult{}
	cond, args := "", []any{}
	if before != nil {
		cond += " AND t.trashed_at < ?"
		args = append(args, *before)
	}
	if !a.Owner {
		cond += " AND t.user_id = " + numParam
		args = append(args, a.UserID)
	}
	for {
		var n int
		err := s.db.write(ctx, func(tx *tx) error {
			n = 0 // a transaction run again starts afresh
			var rows []struct {
				target
				CreatedAt   int64  `db:"created_at"`
				CompletedAt *int64 `db:"completed_at"`
			}
			if err := tx.sel(&rows, `
				SELECT t.id, t.task_id, t.created_at, t.completed_at
				FROM tasks t
				WHERE t.trashed_at IS NOT NULL`+cond+`
				ORDER BY t.trashed_at, t.id
				LIMIT `+limitParam, append(slices.Clone(args), s.purgeBatch())...); err != nil {
				return fmt.Errorf("find trashed tasks: %w", err)
			}
			if len(rows) == 0 {
				return nil
			}
			ids := make([]any, len(rows))
			taskIDs := make([]string, len(rows))
			days := map[string]bool{}
			for i, r := range rows {
				ids[i], taskIDs[i] = r.ID, r.TaskID
				days[day(fromMicros(r.CreatedAt))] = true
				if r.CompletedAt != nil {
					days[day(fromMicros(*r.CompletedAt))] = true
				}
			}
			in := "(" + placeholders(len(ids)) + ")"
			var videoDays []int64
			if err := tx.sel(&videoDays, `SELECT DISTINCT created_at FROM videos WHERE task_id IN `+in, ids...); err != nil {
				return fmt.Errorf("find videos: %w", err)
			}
			for _, c := range videoDays {
				days[day(fromMicros(c))] = true
			}
			// Scripts, videos, events, tags, collection entries and the
			// search entry go with the task (ON DELETE CASCADE, and the
			// SQLite search table's trigger); reruns forget their origin.
			var err error
			if n, err = execIn(tx, `DELETE FROM tasks WHERE id IN (IN)`, nil, ids); err != nil {
				return fmt.Errorf("purge tasks: %w", err)
			}
			sorted := make([]string, 0, len(days))
			for d := range days {
				sorted = append(sorted, d)
			}
			slices.Sort(sorted)
			if err := rebuildDays(tx, sorted); err != nil {
				return err
			}
			notifyMany(tx, domain.NotifyTrash, taskIDs)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("purge trash: %w", err)
		}
		if n == 0 {
			break
		}
		res.Changed += n
	}
	if res.Changed > 0 {
		// Tags no task carries any more go with the last of their tasks.
		if err := s.db.write(ctx, func(tx *tx) error {
			_, err := tx.exec(`DELETE FROM tags WHERE NOT EXISTS (SELECT 1 FROM task_tags tt WHERE tt.tag_id = tags.id)`)
			return err
		}); err != nil {
			return nil, fmt.Errorf("purge trash: unused tags: %w", err)
		}
	}
	return res, nil
}

// TrashRetention returns how long a trashed task stays restorable: the
// setting TrashRetentionKey, or domain.DefaultTrashRetention.
func (s *LibraryService) TrashRetention(ctx context.Context) (time.Duration, error) {
	var v []string
	if err := s.db.read(ctx, false, func(tx *tx) error {
		return tx.sel(&v, `SELECT value FROM settings WHERE key = ?`, TrashRetentionKey)
	}); err != nil {
		return 0, fmt.Errorf("read trash retention: %w", err)
	}
	if len(v) == 0 {
		return domain.DefaultTrashRetention, nil
	}
	days, err := strconv.Atoi(v[0])
	if err != nil || days < 1 || days > domain.MaxTrashRetentionDays {
		return domain.DefaultTrashRetention, nil
	}
	return time.Duration(days) * 24 * time.Hour, nil
}

// SetTrashRetention stores how many days a trashed task stays restorable.
// Owner only; returns EINVALID (field "trash_retention_days").
func (s *LibraryService) SetTrashRetention(ctx context.Context, days int) error {
	if _, err := ownerFrom(ctx); err != nil {
		return err
	}
	if days < 1 || days > domain.MaxTrashRetentionDays {
		return domain.Invalidf(TrashRetentionKey, "The trash retention must be from 1 to %d days, not %d.", domain.MaxTrashRetentionDays, days)
	}
	return s.db.write(ctx, func(tx *tx) error {
		return putSetting(tx, TrashRetentionKey, strconv.Itoa(days))
	})
}

// PurgeExpiredTrash purges the tasks trashed longer ago than the trash
// retention, as of now: the scheduler's daily job. Owner only.
func (s *LibraryService) PurgeExpiredTrash(ctx context.Context, now time.Time) (*domain.TrashResult, error) {
	keep, err := s.TrashRetention(ctx)
	if err != nil {
		return nil, err
	}
	return s.PurgeTrash(ctx, now.Add(-keep))
}

// change applies fn to one task a can see in a write transaction and
// returns the task as it is afterwards, with its tags and collections.
func (s *LibraryService) change(ctx context.Context, taskID string, fn func(tx *tx, r *taskRow) error) (*domain.Task, error) {
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
		if err := fn(tx, r); err != nil {
			return err
		}
		if r, err = findTaskRow(tx, a, r.TaskID); err != nil {
			return err
		}
		t = r.domain()
		tx.notify(domain.Notification{Type: domain.NotifyLibrary, TaskID: t.TaskID, Status: t.Status, Progress: t.Progress})
		return fillLabels(tx, []*domain.Task{t}, []*taskRow{r}, nil)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// SetStar stars or unstars a task.
func (s *LibraryService) SetStar(ctx context.Context, taskID string, starred bool) (*domain.Task, error) {
	return s.change(ctx, taskID, func(tx *tx, r *taskRow) error {
		_, err := tx.exec(`UPDATE tasks SET starred = ?, updated_at = ? WHERE id = ?`, starred, micros(tx.now), r.ID)
		return err
	})
}

// SetRating rates a task, or clears its rating with 0.
func (s *LibraryService) SetRating(ctx context.Context, taskID string, rating int) (*domain.Task, error) {
	if err := domain.ValidateRating(rating); err != nil {
		return nil, err
	}
	return s.change(ctx, taskID, func(tx *tx, r *taskRow) error {
		_, err := tx.exec(`UPDATE tasks SET rating = ?, updated_at = ? WHERE id = ?`, rating, micros(tx.now), r.ID)
		return err
	})
}

// normalizeTags normalises tags (see domain.NormalizeTag), dropping
// repeats that differ only in case.
func normalizeTags(tags []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t, err := domain.NormalizeTag(t)
		if err != nil {
			return nil, err
		}
		if k := nameKey(t); !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out, nil
}

// tagID returns the id of tag, creating it when create is set; 0 when it
// does not exist.
func tagID(tx *tx, tag string, create bool) (int64, error) {
	if create {
		if _, err := tx.exec(`INSERT INTO tags (name, name_key) VALUES (?, ?) ON CONFLICT (name_key) DO NOTHING`, tag, nameKey(tag)); err != nil {
			return 0, fmt.Errorf("create tag: %w", err)
		}
	}
	var ids []int64
	if err := tx.sel(&ids, `SELECT id FROM tags WHERE name_key = ?`, nameKey(tag)); err != nil {
		return 0, fmt.Errorf("find tag: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// dropUnusedTag deletes tag id when no task carries it any more.
func dropUnusedTag(tx *tx, id int64) error {
	_, err := tx.exec(`DELETE FROM tags WHERE id = ? AND NOT EXISTS (SELECT 1 FROM task_tags WHERE tag_id = ?)`, id, id)
	return err
}

// TagTask adds and removes a task's tags.
func (s *LibraryService) TagTask(ctx context.Context, taskID string, add, remove []string) (*domain.Task, error) {
	add, err := normalizeTags(add)
	if err != nil {
		return nil, err
	}
	remove, err = normalizeTags(remove)
	if err != nil {
		return nil, err
	}
	if len(add) > domain.MaxTagsPerTask {
		return nil, domain.Invalidf("tag", "A task holds at most %d tags; %d were given.", domain.MaxTagsPerTask, len(add))
	}
	return s.change(ctx, taskID, func(tx *tx, r *taskRow) error {
		for _, t := range remove {
			id, err := tagID(tx, t, false)
			if err != nil {
				return err
			} else if id == 0 {
				continue
			}
			if _, err := tx.exec(`DELETE FROM task_tags WHERE task_id = ? AND tag_id = ?`, r.ID, id); err != nil {
				return fmt.Errorf("untag task: %w", err)
			}
			if err := dropUnusedTag(tx, id); err != nil {
				return fmt.Errorf("untag task: %w", err)
			}
		}
		for _, t := range add {
			id, err := tagID(tx, t, true)
			if err != nil {
				return err
			}
			if _, err := tx.exec(`INSERT INTO task_tags (task_id, tag_id, task_created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, r.ID, id, r.CreatedAt); err != nil {
				return fmt.Errorf("tag task: %w", err)
			}
		}
		var n int
		if err := tx.get(&n, `SELECT count(*) FROM task_tags WHERE task_id = ?`, r.ID); err != nil {
			return fmt.Errorf("count tags: %w", err)
		}
		if n > domain.MaxTagsPerTask {
			return domain.Invalidf("tag", "Task %s would carry %d tags; a task holds at most %d.", r.TaskID, n, domain.MaxTagsPerTask)
		}
		_, err := tx.exec(`UPDATE tasks SET updated_at = ? WHERE id = ?`, micros(tx.now), r.ID)
		return err
	})
}

// ListTags lists the tags on the untrashed tasks a can see, most used
// first, then by name.
func (s *LibraryService) ListTags(ctx context.Context) ([]domain.TagCount, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := "", []any{}
	if !a.Owner {
		cond, args = " AND t.user_id = "+numParam, append(args, a.UserID)
	}
	var rows []struct {
		Name string `db:"name"`
		N    int    `db:"n"`
	}
	if err := s.db.read(ctx, false, func(tx *tx) error {
		return tx.sel(&rows, `
			SELECT g.name, count(*) AS n
			FROM task_tags tt
			JOIN tags g ON g.id = tt.tag_id
			JOIN tasks t ON t.id = tt.task_id
			WHERE t.trashed_at IS NULL`+cond+`
			GROUP BY g.id, g.name`, args...)
	}); err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	out := make([]domain.TagCount, len(rows))
	for i, r := range rows {
		out[i] = domain.TagCount{Tag: r.Name, Count: r.N}
	}
	slices.SortFunc(out, func(x, y domain.TagCount) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(nameKey(x.Tag), nameKey(y.Tag))
	})
	return out, nil
}

// collectionRow is a collections row as stored.
type collectionRow struct {
	ID          int64  `db:"id"`
	Name        string `db:"name"`
	CoverTaskID *int64 `db:"cover_task_id"`
	CreatedAt   int64  `db:"created_at"`
}

// findCollection returns the collection named name, or ENOTFOUND.
func findCollection(tx *tx, name string) (*collectionRow, error) {
	var rows []collectionRow
	if err := tx.sel(&rows, `SELECT id, name, cover_task_id, created_at FROM collections WHERE name_key = ?`, nameKey(name)); err != nil {
		return nil, fmt.Errorf("find collection: %w", err)
	}
	if len(rows) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Collection %q not found.", name)
	}
	return &rows[0], nil
}

// collectionOf returns c as a sees it: the count of its untrashed tasks a
// can see, and its cover.
func collectionOf(tx *tx, a domain.Actor, c *collectionRow) (*domain.Collection, error) {
	out := &domain.Collection{ID: c.ID, Name: c.Name, CreatedAt: fromMicros(c.CreatedAt)}
	cond, args := "", []any{c.ID}
	if !a.Owner {
		cond, args = " AND t.user_id = "+numParam, append(args, a.UserID)
	}
	if err := tx.get(&out.Count, `
		SELECT count(*) FROM collection_tasks ct JOIN tasks t ON t.id = ct.task_id
		WHERE ct.collection_id = ? AND t.trashed_at IS NULL`+cond, args...); err != nil {
		return nil, fmt.Errorf("count collection: %w", err)
	}
	var covers []string
	if c.CoverTaskID != nil {
		if err := tx.sel(&covers, `
			SELECT t.task_id FROM collection_tasks ct JOIN tasks t ON t.id = ct.task_id
			WHERE ct.collection_id = ? AND t.trashed_at IS NULL`+cond+` AND t.id = ?`, append(slices.Clone(args), *c.CoverTaskID)...); err != nil {
			return nil, fmt.Errorf("collection cover: %w", err)
		}
	}
	if len(covers) == 0 {
		if err := tx.sel(&covers, `
			SELECT t.task_id FROM collection_tasks ct JOIN tasks t ON t.id = ct.task_id
			WHERE ct.collection_id = ? AND t.trashed_at IS NULL`+cond+` AND t.final_video_path <> ''
			ORDER BY t.created_at DESC, t.id DESC
			LIMIT 1`, args...); err != nil {
			return nil, fmt.Errorf("collection cover: %w", err)
		}
	}
	if len(covers) > 0 {
		out.CoverTaskID = covers[0]
	}
	return out, nil
}

// normalizeCollection normalises a collection name given as field.
func normalizeCollection(field, name string) (string, error) {
	name, err := domain.NormalizeCollectionName(name)
	if err != nil {
		err.(*domain.Error).Field = field
		return "", err
	}
	return name, nil
}

// CreateCollection creates an empty collection.
func (s *LibraryService) CreateCollection(ctx context.Context, name string) (*domain.Collection, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if name, err = normalizeCollection("name", name); err != nil {
		return nil, err
	}
	var c *domain.Collection
	err = s.db.write(ctx, func(tx *tx) error {
		var n int
		if err := tx.get(&n, `SELECT count(*) FROM collections`); err != nil {
			return fmt.Errorf("count collections: %w", err)
		}
		if n >= domain.MaxCollections {
			return domain.Errorf(domain.ECONFLICT, "There are %d collections already, the most Reelvault keeps; delete one first.", n)
		}
		if _, err := findCollection(tx, name); err == nil {
			return domain.Errorf(domain.ECONFLICT, "A collection named %q exists already.", name)
		}
		row := &collectionRow{Name: name, CreatedAt: micros(tx.now)}
		res, err := tx.exec(`INSERT INTO collections (name, name_key, created_at) VALUES (?, ?, ?)`, name, nameKey(name), row.CreatedAt)
		if err != nil {
			return fmt.Errorf("create collection: %w", err)
		}
		if row.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		tx.notify(domain.Notification{Type: domain.NotifyCollection, Data: name})
		c, err = collectionOf(tx, a, row)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ListCollections lists collections by name with counts and covers.
func (s *LibraryService) ListCollections(ctx context.Context) ([]*domain.Collection, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	var out []*domain.Collection
	err = s.db.read(ctx, true, func(tx *tx) error {
		var rows []collectionRow
		if err := tx.sel(&rows, `SELECT id, name, cover_task_id, created_at FROM collections`); err != nil {
			return fmt.Errorf("list collections: %w", err)
		}
		for i := range rows {
			c, err := collectionOf(tx, a, &rows[i])
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(x, y *domain.Collection) int {
		return cmp.Or(cmp.Compare(nameKey(x.Name), nameKey(y.Name)), cmp.Compare(x.Name, y.Name))
	})
	if out == nil {
		out = []*domain.Collection{}
	}
	return out, nil
}

// collectionChange runs fn on the collection named name in a write
// transaction and returns it afterwards.
func (s *LibraryService) collectionChange(ctx context.Context, name string, fn func(tx *tx, a domain.Actor, c *collectionRow) error) (*domain.Collection, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if name, err = normalizeCollection("collection", name); err != nil {
		return nil, err
	}
	var out *domain.Collection
	err = s.db.write(ctx, func(tx *tx) error {
		c, err := findCollection(tx, name)
		if err != nil {
			return err
		}
		if err := fn(tx, a, c); err != nil {
			return err
		}
		tx.notify(domain.Notification{Type: domain.NotifyCollection, Data: c.Name})
		out, err = collectionOf(tx, a, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RenameCollection renames a collection.
func (s *LibraryService) RenameCollection(ctx context.Context, name, newName string) (*domain.Collection, error) {
	newName, err := normalizeCollection("name", newName)
	if err != nil {
		return nil, err
	}
	return s.collectionChange(ctx, name, func(tx *tx, a domain.Actor, c *collectionRow) error {
		if !a.Owner {
			return domain.Errorf(domain.EFORBIDDEN, "Collections are shared by every user; only the owner can rename one.")
		}
		if other, err := findCollection(tx, newName); err == nil && other.ID != c.ID {
			return domain.Errorf(domain.ECONFLICT, "A collection named %q exists already.", newName)
		}
		if _, err := tx.exec(`UPDATE collections SET name = ?, name_key = ? WHERE id = ?`, newName, nameKey(newName), c.ID); err != nil {
			return fmt.Errorf("rename collection: %w", err)
		}
		c.Name = newName
		return nil
	})
}

// DeleteCollection deletes a collection; its tasks stay.
func (s *LibraryService) DeleteCollection(ctx context.Context, name string) error {
	_, err := s.collectionChange(ctx, name, func(tx *tx, a domain.Actor, c *collectionRow) error {
		if !a.Owner {
			return domain.Errorf(domain.EFORBIDDEN, "Collections are shared by every user; only the owner can delete one.")
		}
		if _, err := tx.exec(`DELETE FROM collections WHERE id = ?`, c.ID); err != nil {
			return fmt.Errorf("delete collection: %w", err)
		}
		return nil
	})
	return err
}

// SetCollectionCover makes a task in the collection its cover; "" goes
// back to the newest task with a final video.
func (s *LibraryService) SetCollectionCover(ctx context.Context, name, taskID string) (*domain.Collection, error) {
	return s.collectionChange(ctx, name, func(tx *tx, a domain.Actor, c *collectionRow) error {
		var cover *int64
		if taskID != "" {
			r, err := findTaskRow(tx, a, taskID)
			if err != nil {
				return err
			}
			var in bool
			if err := tx.get(&in, `SELECT EXISTS (SELECT 1 FROM collection_tasks WHERE collection_id = ? AND task_id = ?)`, c.ID, r.ID); err != nil {
				return fmt.Errorf("set cover: %w", err)
			}
			if !in {
				return domain.Invalidf("task_id", "Task %s is not in collection %q; add it first.", r.TaskID, c.Name)
			}
			cover = &r.ID
		}
		if _, err := tx.exec(`UPDATE collections SET cover_task_id = ? WHERE id = ?`, cover, c.ID); err != nil {
			return fmt.Errorf("set cover: %w", err)
		}
		c.CoverTaskID = cover
		return nil
	})
}

// collectionTargets checks a collection change's input and resolves it:
// the collection and the tasks, every one of which a must see.
func (s *LibraryService) collectionTargets(ctx context.Context, name string, taskIDs []string) (*collectionRow, []target, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, nil, err
	}
	if name, err = normalizeCollection("collection", name); err != nil {
		return nil, nil, err
	}
	ids, err := validIDs(taskIDs)
	if err != nil {
		return nil, nil, err
	}
	var c *collectionRow
	var targets []target
	err = s.db.read(ctx, true, func(tx *tx) (err error) {
		if c, err = findCollection(tx, name); err != nil {
			return err
		}
		targets, err = resolve(tx, a, ids, true)
		return err
	})
	return c, targets, err
}

// AddToCollection adds tasks to a collection and returns how many were not
// in it yet.
func (s *LibraryService) AddToCollection(ctx context.Context, name string, taskIDs []string) (int, error) {
	c, targets, err := s.collectionTargets(ctx, name, taskIDs)
	if err != nil {
		return 0, err
	}
	return s.apply(ctx, targets, domain.NotifyLibrary, collectBatch(c.ID))
}

// RemoveFromCollection takes tasks out of a collection and returns how
// many were in it.
func (s *LibraryService) RemoveFromCollection(ctx context.Context, name string, taskIDs []string) (int, error) {
	c, targets, err := s.collectionTargets(ctx, name, taskIDs)
	if err != nil {
		return 0, err
	}
	return s.apply(ctx, targets, domain.NotifyLibrary, uncollectBatch(c.ID))
}

func collectBatch(collection int64) func(tx *tx, ids []any) (int, error) {
	return func(tx *tx, ids []any) (int, error) {
		return execIn(tx, `
			INSERT INTO collection_tasks (collection_id, task_id, added_at, task_created_at,
				task_status, task_starred, task_rating, task_trashed_at)
			SELECT CAST(? AS BIGINT), t.id, CAST(? AS BIGINT), t.created_at,
				t.status, t.starred, t.rating, t.trashed_at FROM tasks t WHERE t.id IN (IN)
			ON CONFLICT DO NOTHING`, []any{collection, micros(tx.now)}, ids)
	}
}

func uncollectBatch(collection int64) func(tx *tx, ids []any) (int, error) {
	return func(tx *tx, ids []any) (int, error) {
		return execIn(tx, `DELETE FROM collection_tasks WHERE collection_id = ? AND task_id IN (IN)`, []any{collection}, ids)
	}
}

// Bulk applies one action to a selection in batches.
func (s *LibraryService) Bulk(ctx context.Context, req domain.BulkRequest) (*domain.BulkResult, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if _, err := validIDsOrFilter(req.Selection); err != nil {
		return nil, err
	}
	scope := trashAny
	if req.Action == domain.BulkRestore {
		scope = trashOnly
	}
	var change func(tx *tx, ids []any) (int, error)
	note := domain.NotifyLibrary
	switch req.Action {
	case domain.BulkTag:
		change = func(tx *tx, ids []any) (int, error) {
			id, err := tagID(tx, req.Tag, true)
			if err != nil {
				return 0, err
			}
			// A task that holds the most tags already is left as it is.
			// The entries take the task's filters here, so that SQLite's
			// insert trigger (migration 00015) has nothing left to do.
			return execIn(tx, `
				INSERT INTO task_tags (task_id, tag_id, task_created_at,
					task_status, task_starred, task_rating, task_trashed_at)
				SELECT t.id, CAST(? AS BIGINT), t.created_at,
					t.status, t.starred, t.rating, t.trashed_at FROM tasks t
				WHERE (SELECT count(*) FROM task_tags x WHERE x.task_id = t.id) < ? AND t.id IN (IN)
				ON CONFLICT DO NOTHING`, []any{id, domain.MaxTagsPerTask}, ids)
		}
	case domain.BulkUntag:
		change = func(tx *tx, ids []any) (int, error) {
			id, err := tagID(tx, req.Tag, false)
			if err != nil || id == 0 {
				return 0, err
			}
			n, err := execIn(tx, `DELETE FROM task_tags WHERE tag_id = ? AND task_id IN (IN)`, []any{id}, ids)
			if err == nil {
				err = dropUnusedTag(tx, id)
			}
			return n, err
		}
	case domain.BulkStar, domain.BulkUnstar:
		star := req.Action == domain.BulkStar
		change = func(tx *tx, ids []any) (int, error) {
			return execIn(tx, `UPDATE tasks SET starred = ?, updated_at = ? WHERE starred <> ? AND id IN (IN)`,
				[]any{star, micros(tx.now), star}, ids)
		}
	case domain.BulkRate:
		change = func(tx *tx, ids []any) (int, error) {
			return execIn(tx, `UPDATE tasks SET rating = ?, updated_at = ? WHERE rating <> ? AND id IN (IN)`,
				[]any{req.Rating, micros(tx.now), req.Rating}, ids)
		}
	case domain.BulkCollect, domain.BulkUncollect:
		var c *collectionRow
		if err := s.db.read(ctx, false, func(tx *tx) (err error) {
			c, err = findCollection(tx, req.Collection)
			return err
		}); err != nil {
			return nil, err
		}
		change = collectBatch(c.ID)
		if req.Action == domain.BulkUncollect {
			change = uncollectBatch(c.ID)
		}
	case domain.BulkTrash:
		note = domain.NotifyTrash
		change = func(tx *tx, ids []any) (int, error) {
			return execIn(tx, `UPDATE tasks SET trashed_at = ?, updated_at = ? WHERE trashed_at IS NULL AND id IN (IN)`,
				[]any{micros(tx.now), micros(tx.now)}, ids)
		}
	case domain.BulkRestore:
		note = domain.NotifyTrash
		change = restoreBatch
	}
	targets, err := s.selectTargets(ctx, a, req.Selection, scope)
	if err != nil {
		return nil, err
	}
	n, err := s.apply(ctx, targets, note, change)
	if err != nil {
		return nil, fmt.Errorf("bulk %s: %w", req.Action, err)
	}
	return &domain.BulkResult{Matched: len(targets), Changed: n}, nil
}

// validIDsOrFilter checks the task IDs of a selection (empty ones).
func validIDsOrFilter(sel domain.Selection) ([]string, error) {
	if sel.Filter != nil {
		return nil, nil
	}
	return validIDs(sel.TaskIDs)
}

// RerunTask creates a new pending task from a finished one.
func (s *LibraryService) RerunTask(ctx context.Context, taskID string, in domain.RerunInput) (*domain.Task, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if in.Prompt != nil {
		if err := domain.ValidText("prompt", "prompt", *in.Prompt, domain.MaxPromptChars); err != nil {
			return nil, err
		}
	}
	if in.Scripts != nil {
		if err := validateScripts(in.Scripts); err != nil {
			return nil, err
		}
	}
	var t *domain.Task
	// READ COMMITTED on PostgreSQL (DB.writeRows): the one check on the
	// first take, that it has finished, cannot be undone (a terminal status
	// is final), and the quota is charged by a conditional update.
	err = s.db.writeRows(ctx, func(tx *tx) error {
		origin, err := findTaskRow(tx, a, taskID)
		if err != nil {
			return err
		}
		if !domain.Status(origin.Status).Terminal() {
			return domain.Errorf(domain.ECONFLICT, "Task %s is %s; run it again once it has finished.", origin.TaskID, origin.Status)
		}
		prompt := origin.Prompt
		if in.Prompt != nil {
			prompt = *in.Prompt
		}
		scripts := in.Scripts
		if scripts == nil {
			old, err := findScripts(tx, origin)
			if err != nil {
				return err
			}
			for _, sc := range old {
				scripts = append(scripts, domain.ScriptInput{SceneNumber: sc.SceneNumber, Description: sc.Description,
					Duration: sc.Duration, CameraMovement: sc.CameraMovement, Lighting: sc.Lighting})
			}
		}
		scenes := make([]string, len(scripts))
		for i, sc := range scripts {
			scenes[i] = sc.Description
		}
		u, err := findUserRow(tx, "id", origin.UserID)
		if err != nil {
			return err
		}
		totalScenes := len(scripts)
		if totalScenes == 0 {
			totalScenes = origin.TotalScenes
		}
		r, err := insertTask(tx, u, prompt, totalScenes, scenes, &origin.ID)
		if err != nil {
			return err
		}
		if len(scripts) > 0 {
			stmt, err := tx.prepare(insertScriptSQL)
			if err != nil {
				return fmt.Errorf("insert scripts: %w", err)
			}
			defer stmt.Close()
			for _, sc := range scripts {
				var id int64
				if err := stmt.QueryRowxContext(tx.ctx, r.ID, sc.SceneNumber, sc.Description, sc.Duration, sc.CameraMovement, sc.Lighting, micros(tx.now)).Scan(&id); err != nil {
					return fmt.Errorf("insert script: %w", err)
				}
			}
		}
		r.RerunOf = origin.TaskID
		t = r.domain()
		t.Scripts, err = findScripts(tx, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// maxTakes bounds a rerun chain walked up to its first task.
const maxTakes = 10000

// Takes returns a task's takes, oldest first.
func (s *LibraryService) Takes(ctx context.Context, taskID string) ([]*domain.Task, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	var out []*domain.Task
	err = s.db.read(ctx, true, func(tx *tx) error {
		r, err := findTaskRow(tx, a, taskID)
		if err != nil {
			return err
		}
		root := r.ID
		for range maxTakes {
			var up []sql.NullInt64
			if err := tx.sel(&up, `SELECT rerun_of FROM tasks WHERE id = ?`, root); err != nil {
				return fmt.Errorf("takes: %w", err)
			}
			if len(up) == 0 || !up[0].Valid {
				break
			}
			root = up[0].Int64
		}
		cond, args := "", []any{root}
		if !a.Owner {
			cond, args = " AND t.user_id = "+numParam, append(args, a.UserID)
		}
		rows, err := selectTasks(tx, `
			WITH RECURSIVE chain (id) AS (
				SELECT CAST(? AS BIGINT)
				UNION
				SELECT c.id FROM tasks c JOIN chain ON c.rerun_of = chain.id
			)
			SELECT`+taskColumns+`
			WHERE t.id IN (SELECT id FROM chain) AND t.trashed_at IS NULL`+cond+`
			ORDER BY t.created_at, t.id
			LIMIT `+strconv.Itoa(maxTakes), args...)
		if err != nil {
			return fmt.Errorf("takes: %w", err)
		}
		out = make([]*domain.Task, len(rows))
		for i, r := range rows {
			out[i] = r.domain()
		}
		return fillLabels(tx, out, rows, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// labelsOfSQL and labelsOfPostgres read the tags and collections of a list
// of task rowids, bound once per part: a JSON array on SQLite, an array on
// PostgreSQL. One query text whatever the number of tasks, so it is
// prepared once (not parsed for every page), and one bound value for the
// list instead of one per task.
const (
	labelsOfSQL = `
SELECT tt.task_id, 't', g.name FROM json_each(?) j CROSS JOIN task_tags tt ON tt.task_id = j.value JOIN tags g ON g.id = tt.tag_id
UNION ALL
SELECT ct.task_id, 'c', c.name FROM json_each(?) j CROSS JOIN collection_tasks ct ON ct.task_id = j.value JOIN collections c ON c.id = ct.collection_id`
	labelsOfPostgres = `
SELECT tt.task_id, 't', g.name FROM task_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.task_id = ANY(?::bigint[])
UNION ALL
SELECT ct.task_id, 'c', c.name FROM collection_tasks ct JOIN collections c ON c.id = ct.collection_id WHERE ct.task_id = ANY(?::bigint[])`
)

// fillLabels sets the Tags and Collections of tasks from rows, their rows
// in the same order, which carry each task's label count (migration 18).
// A task in no label needs no look-up. have are the labels of the filter
// that found the tasks (taskQuery.labels: no repeats), when it asked for
// labels: every task has them, so
// a task whose count is theirs has exactly them, and their names are read
// once for the page. The other tasks' labels are read in one query. A
// filtered page at 1M tasks spent a fifth of its time on two index
// look-ups a task before.
func fillLabels(tx *tx, tasks []*domain.Task, rows []*taskRow, have []label) error {
	if len(tasks) != len(rows) {
		return fmt.Errorf("tags and collections: %d tasks, %d rows", len(tasks), len(rows))
	}
	var ask, known []*domain.Task
	for i, t := range tasks {
		switch n := rows[i].Labels; {
		case n == 0:
		case len(have) > 0 && n == int64(len(have)):
			known = append(known, t)
		default:
			ask = append(ask, t)
		}
	}
	if len(known) > 0 {
		tags, colls, err := labelNames(tx, have)
		if err != nil {
			return err
		}
		for _, t := range known {
			t.Tags, t.Collections = slices.Clone(tags), slices.Clone(colls)
		}
	}
	if len(ask) == 0 {
		return nil
	}
	byID := make(map[int64]*domain.Task, len(ask))
	ids := make([]int64, len(ask))
	for i, t := range ask {
		ids[i] = t.ID
		byID[t.ID] = t
	}
	query, list := labelsOfSQL, any(jsonInts(ids))
	if tx.db.dialect.isPostgres() {
		query, list = labelsOfPostgres, ids
	}
	var (
		taskID     int64
		kind, name string
	)
	if err := tx.each(query, []any{list, list}, func(rows *sql.Rows) error {
		if err := rows.Scan(&taskID, &kind, &name); err != nil {
			return err
		}
		t := byID[taskID]
		if t == nil {
			return fmt.Errorf("label of task %d, which was not asked for", taskID)
		}
		if kind == "t" {
			t.Tags = append(t.Tags, name)
		} else {
			t.Collections = append(t.Collections, name)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("tags and collections: %w", err)
	}
	for _, t := range ask {
		slices.SortFunc(t.Tags, byLabelName)
		slices.SortFunc(t.Collections, byLabelName)
	}
	return nil
}

// byLabelName orders tag and collection names as a person reads them:
// by their case-folded key, then as written.
func byLabelName(x, y string) int {
	return cmp.Or(cmp.Compare(nameKey(x), nameKey(y)), cmp.Compare(x, y))
}

// labelNames returns the names of the labels ls, tags and collections
// apart, each sorted by byLabelName.
func labelNames(tx *tx, ls []label) (tags, colls []string, err error) {
	var parts []string
	var args []any
	for _, l := range ls {
		if l.coll {
			parts = append(parts, `SELECT 'c', name FROM collections WHERE name_key = ?`)
		} else {
			parts = append(parts, `SELECT 't', name FROM tags WHERE name_key = ?`)
		}
		args = append(args, l.key)
	}
	var kind, name string
	if err := tx.each(strings.Join(parts, "\nUNION ALL\n"), args, func(rows *sql.Rows) error {
		if err := rows.Scan(&kind, &name); err != nil {
			return err
		}
		if kind == "t" {
			tags = append(tags, name)
		} else {
			colls = append(colls, name)
		}
		return nil
	}); err != nil {
		return nil, nil, fmt.Errorf("names of the filter's labels: %w", err)
	}
	slices.SortFunc(tags, byLabelName)
	slices.SortFunc(colls, byLabelName)
	return tags, colls, nil
}

// jsonInts writes ids as a JSON array, for json_each.
func jsonInts(ids []int64) string {
	b := make([]byte, 0, 2+len(ids)*8)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}
