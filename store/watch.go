package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// On SQLite several processes share one database file: the window, `serve`,
// the command line and a pipeline writing through any of them. A process
// announces its own commits in-process (writeTx); the changes committed
// by the others are found by a watcher, the SQLite counterpart of the
// PostgreSQL listener.
//
// Strategy: every WatchInterval the watcher reads PRAGMA data_version on a
// connection of its own. The value changes only when another connection has
// committed to the file, so an idle database costs one cheap pragma per
// tick. When it changed, one read transaction finds what changed:
//
//   - task_events rows beyond the highest id seen (the primary key: SQLite
//     has one writer at a time, so ids grow in commit order), which covers
//     every lifecycle step, milestone, scene script and video;
//   - processing tasks whose updated_at lies within watchMargin of the last
//     check (the status index), which covers the progress updates and lease
//     heartbeats that are not worth an event.
//
// Each changed task is announced once with its current status and progress.
// Changes this process made itself were announced already, so a task whose
// state equals the last one announced is skipped (seen). A task_events
// table that shrank below the watermark means the file was replaced (a
// restore in another process): the watcher announces a "resync".

// DefaultWatchInterval is how often a SQLite DB with a Notifier looks for
// changes committed by other processes.
const DefaultWatchInterval = 250 * time.Millisecond

// watchMargin is how far before the previous check the watcher looks for
// processing tasks: a transaction stamps updated_at before it commits.
const watchMargin = 2 * time.Second

// seenTTL is how long an announced task state is remembered for de-duplication;
// longer than watchMargin, so a rescanned row is always recognised.
const seenTTL = 30 * time.Second

// taskState is the part of a task a notification carries.
type taskState struct {
	status   string
	progress int
	at       time.Time // when it was announced, for pruning
}

// seenStates remembers the task states announced lately, by task ID.
type seenStates struct {
	mu sync.Mutex
	m  map[string]taskState
}

// fresh records n as announced and reports whether it differs from the last
// state announced for its task.
func (s *seenStates) fresh(n domain.Notification, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]taskState)
	}
	old, ok := s.m[n.TaskID]
	s.m[n.TaskID] = taskState{status: string(n.Status), progress: n.Progress, at: now}
	return !ok || old.status != string(n.Status) || old.progress != n.Progress
}

// prune forgets the states announced before cutoff.
func (s *seenStates) prune(cutoff time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, st := range s.m {
		if st.at.Before(cutoff) {
			delete(s.m, id)
		}
	}
}

// watcher is the goroutine that finds other processes' commits.
type watcher struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startWatcher starts the watcher on a read-only connection of its own
// (data_version is per connection, and the reader pool keeps all of its
// connections for queries). The starting point (data_version, the last
// event id) is read before it returns, so a change another process commits
// after Open has returned is never missed.
func (db *DB) startWatcher(ctx context.Context) error {
	pool, err := sql.Open("sqlite", db.dsn(false))
	if err != nil {
		return fmt.Errorf("watch for changes: %w", err)
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		pool.Close()
		return fmt.Errorf("watch for changes: %w", err)
	}
	w := &watchState{db: db, conn: conn}
	if err := w.init(ctx); err != nil {
		conn.Close()
		pool.Close()
		return err
	}
	wctx, cancel := context.WithCancel(context.Background())
	wt := &watcher{cancel: cancel, done: make(chan struct{})}
	db.watcher = wt
	interval := db.WatchInterval
	go func() {
		defer close(wt.done)
		defer pool.Close()
		defer conn.Close()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-wctx.Done():
				return
			case <-t.C:
			}
			if err := w.check(wctx); err != nil && wctx.Err() == nil {
				db.Logger.Warn("look for changes made by other Reelvault processes", "err", err)
			}
		}
	}()
	return nil
}

// stopWatcher stops the watcher, if any, and waits for it.
func (db *DB) stopWatcher() {
	if db.watcher == nil {
		return
	}
	db.watcher.cancel()
	<-db.watcher.done
	db.watcher = nil
}

// watchState is the watcher's position in the database's history.
type watchState struct {
	db        *DB
	conn      *sql.Conn
	version   int64     // the last PRAGMA data_version read
	lastEvent int64     // the highest task_events id seen
	since     time.Time // processing tasks updated after this are looked at
}

func (w *watchState) init(ctx context.Context) error {
	if err := w.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&w.version); err != nil {
		return fmt.Errorf("watch for changes: %w", err)
	}
	if err := w.conn.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM task_events").Scan(&w.lastEvent); err != nil {
		return fmt.Errorf("watch for changes: %w", err)
	}
	w.since = w.db.now().Add(-watchMargin)
	return nil
}

// check announces what other connections committed since the last check.
func (w *watchState) check(ctx context.Context) error {
	var v int64
	if err := w.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return err
	}
	if v == w.version {
		return nil
	}
	now := w.db.now()
	notes, err := w.changes(ctx, now)
	if err != nil {
		return err
	}
	w.version = v
	w.db.seen.prune(now.Add(-seenTTL))
	if w.db.Notifier == nil {
		return nil
	}
	for _, n := range notes {
		if n.Type != "task" || w.db.seen.fresh(n, now) {
			w.db.Notifier.Notify(n)
		}
	}
	return nil
}

// changes reads, in one snapshot, the tasks changed since the last check.
func (w *watchState) changes(ctx context.Context, now time.Time) ([]domain.Notification, error) {
	tx, err := w.conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var top int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM task_events").Scan(&top); err != nil {
		return nil, err
	}
	if top < w.lastEvent {
		// The file was replaced under us (a restore elsewhere).
		w.lastEvent, w.since = top, now.Add(-watchMargin)
		return []domain.Notification{{Type: "resync"}}, nil
	}
	var notes []domain.Notification
	byTask := map[string]bool{}
	scan := func(query string, args ...any) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n domain.Notification
			var status string
			if err := rows.Scan(&n.TaskID, &status, &n.Progress); err != nil {
				return err
			}
			if !byTask[n.TaskID] {
				byTask[n.TaskID] = true
				n.Type, n.Status = "task", domain.Status(status)
				notes = append(notes, n)
			}
		}
		return rows.Err()
	}
	if top > w.lastEvent {
		err := scan(`
			SELECT
				t.task_id,
				t.status,
				t.progress
			FROM tasks AS t
			WHERE t.id IN (SELECT task_id FROM task_events WHERE id > ?)
			ORDER BY t.id`, w.lastEvent)
		if err != nil {
			return nil, fmt.Errorf("changed tasks: %w", err)
		}
	}
	err = scan(`
		SELECT
			task_id,
			status,
			progress
		FROM tasks
		WHERE status = 'processing' AND updated_at > ?
		ORDER BY id`, micros(w.since))
	if err != nil {
		return nil, fmt.Errorf("tasks in progress: %w", err)
	}
	w.lastEvent, w.since = top, now.Add(-watchMargin)
	return notes, nil
}
