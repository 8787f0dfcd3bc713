package store

import (
	"strings"

	"github.com/reelvault/reelvault/domain"
)

// postgresSearchFrom is the FROM clause of a search on PostgreSQL.
const postgresSearchFrom = `
FROM task_search s
JOIN tasks t ON t.id = s.rowid
JOIN users u ON u.id = t.user_id`

// searchTasksPostgres is searchTasks on PostgreSQL.
//
// It orders by the search row's own created_at (a copy of the task's, see
// migrations/postgres/00003_search_order.sql), so that PostgreSQL can walk
// task_search_created newest first and test each row's text without
// looking up its task, stopping after a page; for a rare term the planner
// takes the trigram or text-search index instead and sorts the few matches.
func searchTasksPostgres(tx *tx, a domain.Actor, q taskQuery) ([]*taskRow, error) {
	query, args := q.postgresSearchSQL(a)
	return selectTasks(tx, query, args...)
}

// postgresSearchSQL returns the query of searchTasksPostgres.
func (q taskQuery) postgresSearchSQL(a domain.Actor) (string, []any) {
	search := q.search
	q.search = searchQuery{}
	conds, args := q.conds(a)
	cond, matchArgs := postgresSearchCond(search)
	if q.after != nil {
		// The same position on the search row, so the walk starts there.
		cond += " AND (s.created_at, s.rowid) < (?, ?)"
		matchArgs = append(matchArgs, q.after.createdAt, q.after.id)
	}
	return `SELECT` + taskSelectList + postgresSearchFrom + `
		WHERE ` + cond + andConds(conds) + `
		ORDER BY s.created_at DESC, s.rowid DESC
		LIMIT ?`, append(append(matchArgs, args...), q.limit+1)
}

// postgresSearchCond returns the condition on task_search s for q.
//
// Each term must occur in the folded text: a CJK run spaced like the text,
// a word anywhere (body LIKE '%word%', not only at a word start as in
// SQLite) or as a word form (the english text-search configuration, whose
// stemmer is the one SQLite's search uses). pg_trgm's GIN index answers
// words of three or more letters and CJK runs of any length, the stem
// column's GIN index the word forms; for a shorter word ("ai") PostgreSQL
// walks the history newest first until it has a page of matches, which is
// quick for a common word and, at worst, a scan of the search table for a
// rare one. The planner picks between the indexes and the walk by the
// term's estimated frequency.
func postgresSearchCond(q searchQuery) (string, []any) {
	if !q.active() {
		return "FALSE", nil
	}
	conds := make([]string, len(q.terms))
	var args []any
	for i, t := range q.terms {
		pattern := "%" + likeEscaper.Replace(foldSearch(searchBody(t.text))) + "%"
		if t.cjk {
			conds[i] = `s.body LIKE ? ESCAPE '\'`
			args = append(args, pattern)
			continue
		}
		conds[i] = `(s.body LIKE ? ESCAPE '\' OR s.stem @@ plainto_tsquery('english', ?))`
		args = append(args, pattern, t.text)
	}
	return strings.Join(conds, " AND "), args
}
