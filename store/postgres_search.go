package store

import (
	"strings"

	"github.com/reelvault/reelvault/domain"
)

// postgresSearchColumns selects a task found through task_search s.
var postgresSearchColumns = strings.Replace(taskColumns, "FROM tasks t", "FROM task_search s\nJOIN tasks t ON t.id = s.rowid", 1)

// searchTasksPostgres is findTasks for a search on PostgreSQL: one page of
// the matching tasks, newest first, plus one row to tell whether more
// follow.
//
// It orders by the search row's own created_at (a copy of the task's, see
// migrations/postgres/00003_search_order.sql), so that PostgreSQL can walk
// task_search_created newest first and test each row's text without
// looking up its task, stopping after a page; for a rare term the planner
// takes the trigram index instead and sorts the few matches.
func searchTasksPostgres(tx *tx, a domain.Actor, q taskQuery) ([]*taskRow, error) {
	match := q.match
	q.match = ""
	where, args := q.where(a)
	filters := strings.Replace(where, " WHERE ", " AND ", 1)
	cond, matchArgs := tx.db.dialect.searchBodyCond(match)
	if q.after != nil {
		// The same position on the search row, so the walk starts there.
		cond += " AND (s.created_at, s.rowid) < (?, ?)"
		matchArgs = append(matchArgs, q.after.createdAt, q.after.id)
	}
	return selectTasks(tx, `SELECT`+postgresSearchColumns+`
		WHERE `+cond+filters+`
		ORDER BY s.created_at DESC, s.rowid DESC
		LIMIT ?`, append(append(matchArgs, args...), q.limit+1)...)
}
