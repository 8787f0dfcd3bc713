package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// The write pass of an import (each record validated as it is decoded) inserts
// rows many to a statement: a statement's fixed cost (modernc's SQLite
// parsing and stepping it, database/sql's round trip) is paid once per
// batch instead of once per row, and each batch size's statement text is
// prepared once and cached (see stmt.go). The full-text rows of a chunk go
// in after its other rows, in runs of their own, and the statistics are
// rebuilt once at the end.
//
// All or nothing, without a WAL the size of the import. On SQLite one
// transaction for a million tasks grew the WAL to 2.77 GB before the first
// checkpoint, and slowed as it grew. Instead the import commits every
// ImportChunk tasks, and the WAL is checkpointed between chunks as after
// any commit. Every task and user it creates carries its id (import_id),
// and a row in the imports table says it has not finished; the last
// transaction (reruns linked, quotas charged) deletes that row. If the
// import fails it deletes its own rows at once; if its process dies, the
// next Open finds the row, sees that no process holds the import's lock
// file, and deletes them. Until the last commit the import's tasks are
// visible to readers, as the tasks of any other write.
//
// On PostgreSQL, whose WAL is recycled by checkpoints during a long
// transaction, the import stays one transaction with the same batched
// statements.

// DefaultImportChunk is how many tasks one transaction of an import writes
// on SQLite.
const DefaultImportChunk = 2000

// importRestart is how many tasks an import writes between the RESTART
// checkpoints that keep its WAL small (about 10 MB of WAL per 1,000 tasks).
const importRestart = 6000

// importBatch bounds the rows of one multi-row INSERT; importVars bounds
// its parameters (SQLite allows 32,766, PostgreSQL 65,535).
const (
	importBatch = 500
	importVars  = 8000
)

// importState is what an import's write pass carries from chunk to chunk.
type importState struct {
	id      int64 // import_id of the rows it creates; 0 on PostgreSQL
	res     domain.ImportResult
	userIDs map[string]int64
	charged map[int64]int     // user ID → tasks written for it
	reruns  map[string]string // task_id → origin's task_id
	dialect *dialect
	// held is the text of the triggers each chunk holds back (see
	// import_triggers.go); nil writes with the triggers in place.
	held []string
}

// importWrite writes the tasks of rs, whose header h was validated,
// calling validate with each task before it is written.
func (s *ExportService) importWrite(ctx context.Context, rs io.ReadSeeker, h *ExportHeader, validate func(pos int, t *ExportTask) error) (*domain.ImportResult, error) {
	if s.db.dialect.isPostgres() {
		// One transaction, SERIALIZABLE, which may be run again (see
		// DB.write): it reads the file from its start each time.
		var st *importState
		err := s.db.write(ctx, func(tx *tx) error {
			if _, err := rs.Seek(0, io.SeekStart); err != nil {
				return fmt.Errorf("rewind: %w", err)
			}
			st = &importState{dialect: s.db.dialect, charged: map[int64]int{}, reruns: map[string]string{}}
			if err := st.users(tx, h.Users); err != nil {
				return err
			}
			if err := st.each(rs, s.chunk(), validate, func(pos int, tasks []*ExportTask) error {
				return st.tasks(tx, pos, tasks)
			}); err != nil {
				return err
			}
			return st.finish(tx)
		})
		if err != nil {
			return nil, err
		}
		return &st.res, nil
	}

	st := &importState{dialect: s.db.dialect, charged: map[int64]int{}, reruns: map[string]string{}}
	lock, err := s.db.beginImport(ctx, st)
	if err != nil {
		return nil, err
	}
	defer lock.release()
	// The background checkpointer's PASSIVE checkpoints do not catch up
	// with chunks committed back to back (at 1M tasks the WAL still grew to
	// 1.37 GB): every importRestart tasks the import waits for a RESTART
	// checkpoint on a connection of its own, after which the next commit
	// writes the WAL from its start again. Other writers wait meanwhile
	// (busy_timeout); a long reader makes it give up (busy), not fail.
	ckpt, err := sqlx.Open("sqlite", s.db.Path+"?_pragma=busy_timeout("+strconv.FormatInt(DefaultBusyTimeout.Milliseconds(), 10)+")")
	if err != nil {
		return nil, fmt.Errorf("import: checkpoint connection: %w", err)
	}
	defer ckpt.Close()
	ckpt.SetMaxOpenConns(1)
	written := 0
	err = s.db.write(ctx, func(tx *tx) error {
		held, err := heldTriggerSQL(tx)
		if err != nil {
			return err
		}
		st.held = held
		return st.users(tx, h.Users)
	})
	if err == nil {
		err = st.each(rs, s.chunk(), validate, func(pos int, tasks []*ExportTask) error {
			if err := s.db.write(ctx, func(tx *tx) error { return st.tasks(tx, pos, tasks) }); err != nil {
				return err
			}
			if written += len(tasks); written >= importRestart {
				written = 0
				if _, err := walCheckpoint(ctx, ckpt, "RESTART"); err != nil {
					s.db.Logger.Warn("import: checkpoint", "err", err)
				}
			}
			return nil
		})
	}
	if err == nil {
		err = s.db.write(ctx, func(tx *tx) error {
			if err := st.finish(tx); err != nil {
				return err
			}
			_, err := tx.exec(`DELETE FROM imports WHERE id = ?`, st.id)
			return err
		})
	}
	if err != nil {
		// Take back what was committed; if that fails too, the next Open
		// does it (the imports row stays).
		if uerr := s.db.undoImport(context.WithoutCancel(ctx), st.id); uerr != nil {
			s.db.Logger.Error("undo a failed import", "import", st.id, "err", uerr)
		}
		return nil, err
	}
	return &st.res, nil
}

// chunk returns the tasks per transaction.
func (s *ExportService) chunk() int {
	if s.ImportChunk > 0 {
		return s.ImportChunk
	}
	return DefaultImportChunk
}

// beginImport gives st a new import id, takes its lock file and commits its
// row in the journal.
func (db *DB) beginImport(ctx context.Context, st *importState) (*importLock, error) {
	var b [8]byte
	rand.Read(b[:])
	st.id = int64(binary.LittleEndian.Uint64(b[:]) >> 2) // positive, fits every engine's integer
	lock, err := lockImport(db.Path, st.id)
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, func(tx *tx) error {
		_, err := tx.exec(`INSERT INTO imports (id, started_at) VALUES (?, ?)`, st.id, micros(tx.now))
		return err
	})
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("begin import: %w", err)
	}
	return lock, nil
}

// each reads the tasks of rs (rewound), checks each with validate and
// calls write with each run of n tasks and the 1-based position of its
// first. The file is decoded and validated on another goroutine, up to two
// runs ahead of write, so decoding JSON and writing rows use two cores; a
// task that fails validate stops it, after the runs before it were
// written, with validate's error.
func (st *importState) each(rs io.ReadSeeker, n int, validate func(pos int, t *ExportTask) error, write func(pos int, tasks []*ExportTask) error) error {
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewind: %w", err)
	}
	type run struct {
		pos   int
		tasks []*ExportTask
	}
	runs := make(chan run, 2)
	done := make(chan struct{})
	read := make(chan error, 1)
	go func() {
		defer close(runs)
		batch := make([]*ExportTask, 0, n)
		first := 1
		send := func() error {
			select {
			case runs <- run{first, batch}:
				batch = make([]*ExportTask, 0, n)
				return nil
			case <-done:
				return errImportStopped
			}
		}
		err := readExport(rs, nil, func(pos int, t *ExportTask) error {
			if err := validate(pos, t); err != nil {
				return err
			}
			t.search = newImportSearch(st.dialect, t)
			if len(batch) == 0 {
				first = pos
			}
			batch = append(batch, t)
			if len(batch) < n {
				return nil
			}
			return send()
		})
		if err == nil && len(batch) > 0 {
			err = send()
		}
		read <- err
	}()
	// On a write error the decoder is stopped and waited for: it must not
	// read rs after each returns.
	var werr error
	for r := range runs {
		if werr != nil {
			continue
		}
		if werr = write(r.pos, r.tasks); werr != nil {
			close(done)
		}
	}
	rerr := <-read
	if werr != nil {
		return werr
	}
	return rerr
}

// importSearch is the full-text entry of an imported task: the body of its
// task_search row and, on SQLite, its words for the search vocabulary.
type importSearch struct {
	body  string
	terms []string
}

// newImportSearch works out t's full-text entry for dialect d. An import
// does it on its decoding goroutine, off the writer's.
func newImportSearch(d *dialect, t *ExportTask) *importSearch {
	parts := make([]string, 0, len(t.Scripts)+2)
	parts = append(parts, t.Prompt)
	for _, s := range t.Scripts {
		parts = append(parts, s.Description)
	}
	if t.ErrorMessage != "" {
		parts = append(parts, t.ErrorMessage)
	}
	sp := &importSearch{body: d.searchText(parts...)}
	if !d.isPostgres() {
		sp.terms = SearchTerms(strings.Join(parts, "\n"))
	}
	return sp
}

// errImportStopped stops the decoding of an import whose writing failed.
var errImportStopped = errors.New("import stopped")

// users creates the file's users that do not exist yet and learns the ID
// of every user.
func (st *importState) users(tx *tx, users []*ExportUser) error {
	ids, created, err := importUsers(tx, users, st.id)
	if err != nil {
		return err
	}
	st.userIDs, st.res.Users = ids, created
	return nil
}

// finish links the reruns whose origin came later in the file and charges
// the quotas.
func (st *importState) finish(tx *tx) error {
	if err := linkReruns(tx, st.reruns); err != nil {
		return err
	}
	return chargeQuota(tx, st.charged)
}

// tasks writes a run of validated tasks, the first at position pos, with
// their scripts, videos, events, labels and search entries. A task whose
// task_id exists is skipped.
func (st *importState) tasks(tx *tx, pos int, tasks []*ExportTask) error {
	var tail *chunkTail
	if st.held != nil {
		var err error
		if tail, err = st.holdTriggers(tx); err != nil {
			return err
		}
	}
	// The tasks, many per statement; RETURNING names those written (a
	// task_id that exists is skipped by ON CONFLICT).
	ids := make(map[string]int64, len(tasks))
	var importID any
	if st.id != 0 {
		importID = st.id
	}
	args := make([]any, 0, importBatch*importTaskCols)
	for start := 0; start < len(tasks); {
		end := min(len(tasks), start+importVars/importTaskCols)
		args = args[:0]
		for _, t := range tasks[start:end] {
			args = append(args, t.TaskID, st.userIDs[t.Username], t.Prompt, string(t.Status), t.Progress, t.TotalScenes,
				t.CompletedScenes, t.FinalVideoPath, t.ErrorMessage, t.Attempts, micros(t.CreatedAt), micros(t.UpdatedAt),
				microsPtr(t.StartedAt), microsPtr(t.CompletedAt), t.Duration, t.Starred, t.Rating, microsPtr(t.TrashedAt),
				importID, t.RerunOf)
		}
		err := tx.each(multiInsert(importTaskSQL, importTaskRow, end-start)+`
			ON CONFLICT (task_id) DO NOTHING
			RETURNING id, task_id`, args, func(rows *sql.Rows) error {
			var id int64
			var taskID string
			if err := rows.Scan(&id, &taskID); err != nil {
				return err
			}
			ids[taskID] = id
			return nil
		})
		if err != nil {
			return fmt.Errorf("tasks %d to %d: %w", pos+start, pos+end-1, err)
		}
		start = end
	}

	scripts := newRowBatch(tx, insertScriptsSQL, "(?, ?, ?, ?, ?, ?, ?)", 7)
	videos := newRowBatch(tx, insertVideosSQL, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 19)
	events := newRowBatch(tx, insertEventsSQL, "(?, ?, ?, ?, ?, ?)", 6)
	search := newRowBatch(tx, `INSERT INTO task_search (rowid, body) VALUES `, "(?, ?)", 2)
	var terms []string
	for i, t := range tasks {
		id, wrote := ids[t.TaskID]
		if !wrote {
			st.res.Skipped++
			continue
		}
		st.res.Tasks++
		st.charged[st.userIDs[t.Username]]++
		if tail != nil {
			tail.tasks = append(tail.tasks, lateTask{id: id, created: micros(t.CreatedAt)})
			tail.count("tasks", 1)
			if t.TrashedAt == nil {
				tail.count(statusCount(string(t.Status)), 1)
				tail.users[userStatus{st.userIDs[t.Username], string(t.Status)}]++
			}
		}
		if t.RerunOf != "" {
			st.reruns[t.TaskID] = t.RerunOf
		}
		sp := t.search
		if sp == nil {
			sp = newImportSearch(tx.db.dialect, t)
		}
		for _, s := range t.Scripts {
			if err := scripts.add(id, s.SceneNumber, s.Description, s.Duration, s.CameraMovement, s.Lighting, micros(s.CreatedAt)); err != nil {
				return importTaskError(pos+i, t, fmt.Errorf("scene %d: %w", s.SceneNumber, err))
			}
		}
		for _, v := range t.Videos {
			if err := videos.add(importVideoRow(v).insertArgs(id)...); err != nil {
				return importTaskError(pos+i, t, fmt.Errorf("video of scene %d: %w", v.SceneNumber, err))
			}
		}
		for _, e := range t.Events {
			if err := events.add(id, e.Type, string(e.Status), e.Progress, e.Message, micros(e.CreatedAt)); err != nil {
				return importTaskError(pos+i, t, fmt.Errorf("event: %w", err))
			}
		}
		if err := search.add(id, sp.body); err != nil {
			return importTaskError(pos+i, t, fmt.Errorf("index task: %w", err))
		}
		terms = append(terms, sp.terms...)
		if err := importLabels(tx, id, t); err != nil {
			return importTaskError(pos+i, t, err)
		}
	}
	for _, b := range []*rowBatch{scripts, videos, events, search} {
		if err := b.flush(); err != nil {
			return fmt.Errorf("tasks %d to %d: %w", pos, pos+len(tasks)-1, err)
		}
	}
	if tail != nil {
		tail.count("scripts", scripts.n)
		tail.count("videos", videos.n)
		tail.count("task_events", events.n)
		if err := tail.release(tx, st.held); err != nil {
			return err
		}
	}
	slices.Sort(terms)
	if err := indexTerms(tx, slices.Compact(terms)...); err != nil {
		return err
	}
	return nil
}

// importTaskError names the record pos in the user's message, keeping the
// error's code.
func importTaskError(pos int, t *ExportTask, err error) error {
	if code := domain.ErrorCode(mapError(err)); code != domain.EINTERNAL {
		return domain.Errorf(code, "Task %d (%s): %s", pos, t.TaskID, domain.ErrorMessage(mapError(err)))
	}
	return fmt.Errorf("task %d (%s): %w", pos, t.TaskID, err)
}

// importTaskCols is the number of parameters of importTaskRow.
const importTaskCols = 20

const importTaskSQL = `
	INSERT INTO tasks (
		task_id,
		user_id,
		prompt,
		status,
		progress,
		total_scenes,
		completed_scenes,
		final_video_path,
		error_message,
		attempts,
		created_at,
		updated_at,
		started_at,
		completed_at,
		duration,
		starred,
		rating,
		trashed_at,
		import_id,
		rerun_of
	) VALUES `

const importTaskRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT o.id FROM tasks o WHERE o.task_id = ?))`

const insertScriptsSQL = `
	INSERT INTO scripts (
		task_id,
		scene_number,
		description,
		duration,
		camera_movement,
		lighting,
		created_at
	) VALUES `

const insertEventsSQL = `
	INSERT INTO task_events (
		task_id,
		type,
		status,
		progress,
		message,
		created_at
	) VALUES `

var insertVideosSQL = strings.TrimSuffix(insertVideoSQL, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

// multiInserts caches the text of head followed by n copies of row, so that
// each batch size has one statement text (prepared once, see stmt.go).
var multiInserts sync.Map // [3]any{head, row, n} → string

// multiInsert returns head followed by n comma-separated copies of row.
func multiInsert(head, row string, n int) string {
	key := [3]any{head, row, n}
	if q, ok := multiInserts.Load(key); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString(head)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	q := b.String()
	multiInserts.Store(key, q)
	return q
}

// rowBatch gathers the rows of one multi-row INSERT and runs it when full.
type rowBatch struct {
	tx        *tx
	head, row string
	cols, max int
	args      []any
	n         int64 // rows inserted so far
}

func newRowBatch(tx *tx, head, row string, cols int) *rowBatch {
	return &rowBatch{tx: tx, head: head, row: row, cols: cols, max: min(importBatch, importVars/cols)}
}

// add queues one row, running the statement when the batch is full.
func (b *rowBatch) add(args ...any) error {
	b.args = append(b.args, args...)
	if len(b.args) >= b.max*b.cols {
		return b.flush()
	}
	return nil
}

// flush runs the queued rows.
func (b *rowBatch) flush() error {
	if len(b.args) == 0 {
		return nil
	}
	n := len(b.args) / b.cols
	res, err := b.tx.exec(multiInsert(b.head, b.row, n), b.args...)
	b.args = b.args[:0]
	if err != nil {
		return fmt.Errorf("insert %d rows: %w", n, err)
	}
	inserted, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("insert %d rows: %w", n, err)
	}
	b.n += inserted
	return nil
}

// undoImports undoes, at open, the unfinished imports whose process is
// gone, on the writer pool w (SQLite).
func (db *DB) undoImports(ctx context.Context, w *sqlx.DB) error {
	var ids []int64
	if err := w.SelectContext(ctx, &ids, `SELECT id FROM imports`); err != nil {
		return fmt.Errorf("undo imports: %w", err)
	}
	for _, id := range ids {
		lock, gone := importAbandoned(db.Path, id)
		if !gone {
			continue
		}
		db.Logger.Warn("an import did not finish: removing what it wrote", "import", id)
		err := undoImportOn(ctx, w, id)
		if lock != nil {
			if err == nil {
				lock.release()
			} else {
				lock.drop()
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// undoImport deletes what import id wrote, through the store's writer.
func (db *DB) undoImport(ctx context.Context, id int64) error {
	return undoImportWith(ctx, id, func(fn func(ext execer) error) error {
		return db.write(ctx, func(tx *tx) error { return fn(tx.ext) })
	})
}

// undoImportOn deletes what import id wrote, in transactions on w.
func undoImportOn(ctx context.Context, w *sqlx.DB, id int64) error {
	return undoImportWith(ctx, id, func(fn func(ext execer) error) error {
		t, err := w.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		defer t.Rollback()
		if err := fn(t); err != nil {
			return err
		}
		return t.Commit()
	})
}

// undoBatch is how many tasks one transaction of an undo deletes.
const undoBatch = 5000

// undoImportWith deletes the tasks of import id, undoBatch per transaction
// run by inTx (their scripts, videos, events, labels and search entries go
// with them), then its users that own no task, then its journal row.
func undoImportWith(ctx context.Context, id int64, inTx func(fn func(ext execer) error) error) error {
	var after int64
	for {
		var ids []int64
		err := inTx(func(ext execer) error {
			ids = ids[:0]
			if err := sqlx.SelectContext(ctx, ext, &ids, `SELECT id FROM tasks WHERE id > ? AND import_id = ? ORDER BY id LIMIT `+strconv.Itoa(undoBatch), after, id); err != nil {
				return err
			}
			if len(ids) == 0 {
				return nil
			}
			_, err := ext.ExecContext(ctx, `DELETE FROM tasks WHERE id >= ? AND id <= ? AND import_id = ?`, ids[0], ids[len(ids)-1], id)
			return err
		})
		if err != nil {
			return fmt.Errorf("undo import: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
	}
	err := inTx(func(ext execer) error {
		if _, err := ext.ExecContext(ctx, `DELETE FROM users WHERE import_id = ? AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.user_id = users.id)`, id); err != nil {
			return err
		}
		_, err := ext.ExecContext(ctx, `DELETE FROM imports WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("undo import: %w", err)
	}
	return nil
}

// importLockPath is the lock file of import id beside the database.
func importLockPath(dbPath string, id int64) string {
	return dbPath + "-import-" + strconv.FormatInt(id, 10)
}

// importTask writes one validated task with its scripts, videos, events,
// labels and search entry, as an import does; it returns false when a task
// with its task_id exists.
func importTask(tx *tx, t *ExportTask, userIDs map[string]int64) (bool, error) {
	st := &importState{userIDs: userIDs, charged: map[int64]int{}, reruns: map[string]string{}}
	err := st.tasks(tx, 1, []*ExportTask{t})
	return st.res.Tasks == 1, err
}
