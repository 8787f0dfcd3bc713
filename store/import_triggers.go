package store

import (
	"cmp"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Row triggers held back during an import's chunk (SQLite).
//
// Every row inserted into tasks, scripts, videos and task_events fires
// triggers: the row counts (migration 00013: an UPDATE of row_counts per
// row, two per task), the user's status counts (migration 00020: an upsert
// of user_status_counts per task) and, for tasks, tasks_late (migration 00003: two
// max() lookups per task). In an import they were a quarter of the
// writer's CPU, a task's triggers costing as much as its own row with its
// indexes.
// Each chunk of an import therefore drops these triggers at its start,
// inserts its rows, does what the triggers would have done once for the
// whole chunk (each count raised by the rows inserted, the late tasks
// found in Go from the ids and creation times in insertion order) and
// creates the triggers again from the text it read from sqlite_master,
// all in the chunk's own transaction (savepoint): no other write and no
// reader ever sees the schema without them, a failed chunk rolls the drop
// back with the rest, and a crash leaves them as they were. The schema
// change makes every connection prepare its statements again once per
// chunk, which costs little against the rows saved.
//
// TestExportService_ImportTriggers checks that the counts and the late
// tasks equal what the triggers write, so a migration that changes one of
// these triggers must change heldTriggers' replacement too.

// heldTriggers are the triggers a chunk of an import drops and replaces.
var heldTriggers = []string{
	"tasks_count_insert",
	"tasks_user_count_insert",
	"tasks_late",
	"scripts_count_insert",
	"videos_count_insert",
	"task_events_count_insert",
}

// heldTriggerSQL reads the text of heldTriggers, in order, from the schema.
func heldTriggerSQL(tx *tx) ([]string, error) {
	var rows []struct {
		Name string `db:"name"`
		SQL  string `db:"sql"`
	}
	args := make([]any, len(heldTriggers))
	for i, name := range heldTriggers {
		args[i] = name
	}
	if err := tx.sel(&rows, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...); err != nil {
		return nil, fmt.Errorf("import triggers: %w", err)
	}
	out := make([]string, len(heldTriggers))
	for _, r := range rows {
		out[slices.Index(heldTriggers, r.Name)] = r.SQL
	}
	for i, q := range out {
		if q == "" {
			return nil, fmt.Errorf("import triggers: trigger %s is missing", heldTriggers[i])
		}
	}
	return out, nil
}

// chunkTail is what the held-back triggers of a chunk would have written,
// gathered while it inserts.
type chunkTail struct {
	maxID      int64 // largest task id so far (0: none)
	maxCreated int64 // largest created_at so far, if any
	anyCreated bool
	tasks      []lateTask
	counts     map[string]int64 // row_counts name → rows inserted
	users      map[userStatus]int64
}

// userStatus names one of user_status_counts' counts.
type userStatus struct {
	userID int64
	status string
}

// lateTask is a task a chunk wrote, as tasks_late sees it.
type lateTask struct {
	id, created int64
}

// holdTriggers drops the held triggers for the chunk starting on tx and
// returns what it needs to replace them.
func (st *importState) holdTriggers(tx *tx) (*chunkTail, error) {
	c := &chunkTail{counts: map[string]int64{}, users: map[userStatus]int64{}}
	var m struct {
		ID      int64         `db:"id"`
		Created sql.NullInt64 `db:"created"`
	}
	if err := tx.get(&m, `SELECT coalesce((SELECT max(id) FROM tasks), 0) AS id, (SELECT max(created_at) FROM tasks) AS created`); err != nil {
		return nil, fmt.Errorf("import triggers: %w", err)
	}
	c.maxID, c.maxCreated, c.anyCreated = m.ID, m.Created.Int64, m.Created.Valid
	for _, name := range heldTriggers {
		if _, err := tx.ext.ExecContext(tx.ctx, `DROP TRIGGER `+name); err != nil {
			return nil, fmt.Errorf("import triggers: drop %s: %w", name, err)
		}
	}
	return c, nil
}

// release does what the held triggers would have done for the chunk and
// creates them again.
func (c *chunkTail) release(tx *tx, triggers []string) error {
	names := make([]string, 0, len(c.counts))
	for name, n := range c.counts {
		if n != 0 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		if _, err := tx.exec(`UPDATE row_counts SET n = n + ? WHERE name = ? AND shard = 0`, c.counts[name], name); err != nil {
			return fmt.Errorf("import: row counts: %w", err)
		}
	}
	users := slices.SortedFunc(maps.Keys(c.users), func(a, b userStatus) int {
		return cmp.Or(cmp.Compare(a.userID, b.userID), cmp.Compare(a.status, b.status))
	})
	for _, k := range users {
		if _, err := tx.exec(`INSERT INTO `+userCountsTable+` (user_id, status, shard, n) VALUES (?, ?, 0, ?)
			ON CONFLICT (user_id, status, shard) DO UPDATE SET n = n + excluded.n`, k.userID, k.status, c.users[k]); err != nil {
			return fmt.Errorf("import: user status counts: %w", err)
		}
	}
	// tasks_late fires AFTER INSERT when the new task was created before,
	// or has a smaller id than, a task already in the table: replay it in
	// insertion (id) order.
	slices.SortFunc(c.tasks, func(a, b lateTask) int { return cmp.Compare(a.id, b.id) })
	late := newRowBatch(tx, `INSERT INTO task_search_late (task_id) VALUES `, "(?)", 1)
	for _, t := range c.tasks {
		if (c.anyCreated && t.created < c.maxCreated) || t.id < c.maxID {
			if err := late.add(t.id); err != nil {
				return fmt.Errorf("import: late tasks: %w", err)
			}
		}
		if !c.anyCreated || t.created > c.maxCreated {
			c.maxCreated, c.anyCreated = t.created, true
		}
		c.maxID = max(c.maxID, t.id)
	}
	if err := late.flush(); err != nil {
		return fmt.Errorf("import: late tasks: %w", err)
	}
	for i, q := range triggers {
		if _, err := tx.ext.ExecContext(tx.ctx, q); err != nil {
			return fmt.Errorf("import triggers: create %s: %w", heldTriggers[i], err)
		}
	}
	return nil
}

// count adds n inserted rows to the row count name.
func (c *chunkTail) count(name string, n int64) {
	if c != nil {
		c.counts[name] += n
	}
}

// statusCount is the row_counts name of the untrashed tasks of status.
func statusCount(status string) string {
	return statusCountPrefix + status
}
