package store

import (
	"fmt"
	"strings"
)

// Full-text changes at the end of a group commit (SQLite).
//
// FTS5 keeps the entries written in a transaction in memory and writes
// them out as a new segment of its index when the transaction commits, but
// also whenever a savepoint is opened or released. With a savepoint per
// write (commit.go) every write wrote its own one-entry segment: pages
// written, and more segments for FTS5 to merge later. Writes in the
// committer therefore hold their task_search changes back (tx.deferSearch)
// and the committer applies those of the batch's kept writes, in commit
// order, after the last savepoint is released: one segment per batch.
//
// Between the write and the end of its batch another write of the batch
// may delete the task (its AFTER DELETE trigger removes an entry that is
// not there yet), or even create a task that reuses the row id (SQLite
// reuses the largest id once it is deleted). An insert is therefore applied
// only if the row id still belongs to the task of the same public ID.
// Nothing in a write transaction reads task_search, so no write misses an
// entry held back.

// maxDeferredSearch bounds the changes one write holds back (an import
// writes one per task): past it the write applies its own changes at once,
// inside its savepoint, and holds nothing back from then on. Only writes
// that create many tasks (the import) go past it, and they index only the
// tasks they create, which no earlier write of the batch held back a
// change of.
const maxDeferredSearch = 64

// searchOp is one held-back change to task_search.
type searchOp struct {
	id     int64
	taskID string // public ID of task id, for an insert
	body   string
	del    bool
}

// deferSearchOp holds op back until the end of the batch.
func (t *tx) deferSearchOp(op searchOp) error {
	t.search = append(t.search, op)
	if len(t.search) <= maxDeferredSearch {
		return nil
	}
	t.deferSearch = false
	ops := t.search
	t.search = nil
	return t.applySearch(ops)
}

// applySearch applies ops to task_search in order. Consecutive inserts go
// in multi-row statements of searchChunks rows (a few fixed shapes, so each
// is prepared once): one statement per batch instead of one per write.
func (t *tx) applySearch(ops []searchOp) error {
	for len(ops) > 0 {
		if ops[0].del {
			if _, err := t.exec(`DELETE FROM task_search WHERE rowid = ?`, ops[0].id); err != nil {
				return fmt.Errorf("index task: %w", err)
			}
			ops = ops[1:]
			continue
		}
		run := 1
		for run < len(ops) && !ops[run].del {
			run++
		}
		n := searchChunks[len(searchChunks)-1]
		for _, c := range searchChunks {
			if c <= run {
				n = c
				break
			}
		}
		args := make([]any, 0, 3*n)
		for _, op := range ops[:n] {
			args = append(args, op.id, op.body, op.taskID)
		}
		if _, err := t.exec(insertSearchSQL[n], args...); err != nil {
			return fmt.Errorf("index task: %w", err)
		}
		ops = ops[n:]
	}
	return nil
}

// searchChunks are the row counts of the multi-row inserts, largest first.
var searchChunks = []int{32, 8, 1}

// insertSearchSQL holds the insert of n entries for each n of searchChunks.
// Two entries of one batch may name the same row id (a task deleted and its
// id reused): only the one whose task still holds the id is written.
var insertSearchSQL = func() map[int]string {
	m := make(map[int]string, len(searchChunks))
	for _, n := range searchChunks {
		m[n] = `INSERT INTO task_search (rowid, body)
			SELECT v.column1, v.column2
			FROM (VALUES (?, ?, ?)` + strings.Repeat(", (?, ?, ?)", n-1) + `) AS v
			WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.id = v.column1 AND t.task_id = v.column3)`
	}
	return m
}()
