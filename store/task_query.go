package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

// FindTasks returns one page of tasks, newest first.
func (s *TaskService) FindTasks(ctx context.Context, filter domain.TaskFilter) (*domain.TaskPage, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	q, err := newTaskQuery(filter, true)
	if err != nil {
		return nil, err
	}
	var rows []*taskRow
	var matches []*domain.SearchMatch
	var next string
	var page *domain.TaskPage
	err = s.db.read(ctx, false, func(tx *tx) (err error) {
		rows, next, err = findTasks(tx, a, q)
		if err == nil && q.search.active() {
			matches, err = searchMatches(tx, q.search, rows)
		}
		if err != nil {
			return err
		}
		page = &domain.TaskPage{Tasks: make([]*domain.Task, len(rows)), NextCursor: next}
		for i, r := range rows {
			page.Tasks[i] = r.domain()
			if matches != nil {
				page.Tasks[i].Match = matches[i]
			}
		}
		return fillLabels(tx, page.Tasks, rows, q.labels())
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// CountTasksByStatus counts the tasks matching filter per status.
func (s *TaskService) CountTasksByStatus(ctx context.Context, filter domain.TaskFilter) (map[domain.Status]int, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	q, err := newTaskQuery(filter, false)
	if err != nil {
		return nil, err
	}
	q.dialect = s.db.dialect
	if a.Owner && allTasks(filter) {
		// The owner's unfiltered counts are kept by the database's
		// triggers (migration 00013): a few rows instead of a walk of
		// every task.
		return s.countAllByStatus(ctx)
	}
	if user, ok := countedUser(a, filter); ok {
		return s.countUserByStatus(ctx, user)
	}
	var rows, trashed []userStatusCount
	err = s.db.read(ctx, false, func(tx *tx) error {
		if err := q.expandSearch(tx); err != nil {
			return err
		}
		if q.trash == trashLive && !q.search.active() && !q.library() {
			// The status indexes hold every task, trashed or not: count
			// them all from an index, then take away the trash, counted
			// from its own small index, instead of reading every row to
			// see whether it is trashed.
			all, only := q, q
			all.trash, only.trash = trashAny, trashOnly
			where, args := all.where(a)
			if err := tx.sel(&rows, `SELECT t.status, count(*) AS n FROM tasks t`+where+` GROUP BY t.status`, args...); err != nil {
				return err
			}
			// Grouping by an expression keeps the planner on the trash's
			// index instead of walking the status index for the grouping.
			where, args = only.where(a)
			return tx.sel(&trashed, `SELECT t.status || '' AS status, count(*) AS n FROM tasks t`+where+` GROUP BY 1`, args...)
		}
		where, args := q.where(a)
		return tx.sel(&rows, `SELECT t.status, count(*) AS n FROM tasks t`+where+` GROUP BY t.status`, args...)
	})
	if err != nil {
		return nil, fmt.Errorf("count tasks: %w", err)
	}
	counts := statusCounts(rows)
	for _, r := range trashed {
		counts[domain.Status(r.Status)] -= int(r.N)
	}
	return counts, nil
}

// allTasks reports whether f selects every untrashed task: no field set
// but the paging ones, which a count ignores.
func allTasks(f domain.TaskFilter) bool {
	f.Cursor, f.Limit = "", 0
	return reflect.ValueOf(f).IsZero()
}

// countedUser returns the user whose status counts, kept by triggers
// (migration 00020), answer filter as a sees it: a filter on nothing but
// one user, by ID or by name (the history's user filter), that a may see.
func countedUser(a domain.Actor, f domain.TaskFilter) (userRef, bool) {
	ref := userRef{id: f.UserID, name: f.Username}
	f.UserID, f.Username = nil, ""
	switch {
	case !allTasks(f):
		return userRef{}, false
	case !a.Owner && ref.name == "" && (ref.id == nil || *ref.id == a.UserID):
		return userRef{id: &a.UserID}, true
	case a.Owner && (ref.id == nil) != (ref.name == ""):
		return ref, true
	}
	return userRef{}, false
}

// userRef names one user by ID or, when id is nil, by name.
type userRef struct {
	id   *int64
	name string
}

// countUserByStatus returns the number of untrashed tasks of each status
// of one user from user_status_counts: five rows (PostgreSQL: their
// shards), whatever the size of the user's history. An unknown name
// counts nothing, as the tasks' filter does.
func (s *TaskService) countUserByStatus(ctx context.Context, user userRef) (map[domain.Status]int, error) {
	var rows []userStatusCount
	err := s.db.read(ctx, false, func(tx *tx) error {
		if user.id != nil {
			return tx.sel(&rows, `SELECT status, sum(n) AS n FROM `+userCountsTable+` WHERE user_id = `+numParam+` GROUP BY status`, *user.id)
		}
		return tx.sel(&rows, `SELECT status, sum(n) AS n FROM `+userCountsTable+`
			WHERE user_id = (SELECT id FROM users WHERE username = ?) GROUP BY status`, user.name)
	})
	if err != nil {
		return nil, fmt.Errorf("count tasks: %w", err)
	}
	return statusCounts(rows), nil
}

// statusCounts returns rows, one per status at most, as counts by status,
// every status present (zero when it has no row).
func statusCounts(rows []userStatusCount) map[domain.Status]int {
	counts := make(map[domain.Status]int, len(domain.Statuses))
	for _, st := range domain.Statuses {
		counts[st] = 0
	}
	for _, r := range rows {
		counts[domain.Status(r.Status)] += int(r.N)
	}
	return counts
}

// countAllByStatus returns the number of untrashed tasks of each status
// from row_counts.
func (s *TaskService) countAllByStatus(ctx context.Context) (map[domain.Status]int, error) {
	var kept map[string]int64
	err := s.db.read(ctx, false, func(tx *tx) error {
		var err error
		kept, err = readRowCounts(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("count tasks: %w", err)
	}
	counts := make(map[domain.Status]int, len(domain.Statuses))
	for _, st := range domain.Statuses {
		counts[st] = int(kept[statusCountPrefix+string(st)])
	}
	return counts, nil
}

// library reports whether q filters on stars, ratings, tags or a
// collection.
func (q taskQuery) library() bool {
	return q.starred || q.minRating > 0 || len(q.tagKeys) > 0 || q.collKey != ""
}

// taskQuery is a validated TaskFilter (or a lookup by task ID).
type taskQuery struct {
	taskID      string
	userID      *int64
	username    string
	statuses    []string
	createdFrom *int64
	createdTo   *int64
	search      searchQuery
	dialect     *dialect
	after       *cursor
	limit       int

	// The library's filters (see domain.TaskFilter).
	trash       trashScope
	starred     bool
	minRating   int
	tagKeys     []string // case-folded tag names, all required
	collKey     string   // case-folded collection name
	probeLabels bool     // test tags and collection per task, by primary key (see conds)
	drive       int      // the label a page walks (index into labels; see chooseDriver)
}

// trashScope says which tasks a query sees with respect to the trash.
type trashScope int8

const (
	trashAny  trashScope = iota // a lookup by task ID sees a trashed task too
	trashLive                   // lists, counts and searches: untrashed tasks
	trashOnly                   // the trash
)

// newTaskQuery validates filter; paged says whether cursor and limit count.
func newTaskQuery(f domain.TaskFilter, paged bool) (taskQuery, error) {
	q := taskQuery{userID: f.UserID, username: f.Username, limit: DefaultPageSize, trash: trashLive}
	if err := f.Validate(); err != nil {
		return q, err
	}
	if f.Trashed {
		q.trash = trashOnly
	}
	q.starred, q.minRating = f.Starred, f.MinRating
	for _, t := range f.Tags {
		t, _ = domain.NormalizeTag(t) // validated above
		if k := nameKey(t); !slices.Contains(q.tagKeys, k) {
			q.tagKeys = append(q.tagKeys, k)
		}
	}
	if f.Collection != "" {
		name, _ := domain.NormalizeCollectionName(f.Collection)
		q.collKey = nameKey(name)
	}
	for _, st := range f.Status {
		q.statuses = append(q.statuses, string(st))
	}
	if f.CreatedFrom != nil {
		v := micros(*f.CreatedFrom)
		q.createdFrom = &v
	}
	if f.CreatedTo != nil {
		v := micros(*f.CreatedTo)
		q.createdTo = &v
	}
	if q.createdFrom != nil && q.createdTo != nil && *q.createdTo < *q.createdFrom {
		return q, domain.Invalidf("created_to", "The end of the created range is before its start.")
	}
	if f.Search != "" {
		sq, err := parseSearch(f.Search)
		if err != nil {
			return q, err
		}
		q.search = sq
	}
	if !paged {
		q.limit = 0
		return q, nil
	}
	if f.Limit > 0 {
		q.limit = f.Limit
	}
	if f.Cursor != "" {
		c, err := parseCursor(f.Cursor)
		if err != nil {
			return q, err
		}
		q.after = &c
	}
	return q, nil
}

// where returns the WHERE clause (with a leading space, or empty) of q as
// seen by a: a user only ever sees its own tasks.
func (q taskQuery) where(a domain.Actor) (string, []any) {
	conds, args := q.conds(a)
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// conds returns the conditions of q as seen by a, to be joined by AND.
func (q taskQuery) conds(a domain.Actor) ([]string, []any) {
	var conds []string
	var args []any
	if !a.Owner {
		// With a library filter served by a partial index (the starred,
		// the rated, the trash) a user's page walks that index: the unary
		// plus keeps SQLite from walking the user's whole history through
		// tasks_user_created instead. PostgreSQL weighs both by their
		// statistics, which an expression would blind.
		user := "t.user_id = " + numParam
		if (q.starred || q.minRating > 0 || q.trash == trashOnly) && !q.dialect.isPostgres() {
			user = "+t.user_id = " + numParam
		}
		conds = append(conds, user)
		args = append(args, a.UserID)
	}
	if q.taskID != "" {
		conds = append(conds, "t.task_id = ?")
		args = append(args, q.taskID)
	}
	if q.userID != nil {
		conds = append(conds, "t.user_id = "+numParam)
		args = append(args, *q.userID)
	}
	if q.username != "" {
		conds = append(conds, "t.user_id = (SELECT id FROM users WHERE username = ?)")
		args = append(args, q.username)
	}
	switch len(q.statuses) {
	case 0:
	case 1:
		conds = append(conds, "t.status = "+statusParam)
		args = append(args, q.statuses[0])
	default:
		conds = append(conds, "t.status IN (?"+strings.Repeat(", ?", len(q.statuses)-1)+")")
		for _, st := range q.statuses {
			args = append(args, st)
		}
	}
	if q.createdFrom != nil {
		conds = append(conds, "t.created_at >= ?")
		args = append(args, *q.createdFrom)
	}
	if q.createdTo != nil {
		conds = append(conds, "t.created_at < ?")
		args = append(args, *q.createdTo)
	}
	switch q.trash {
	case trashLive:
		conds = append(conds, "t.trashed_at IS NULL")
	case trashOnly:
		conds = append(conds, "t.trashed_at IS NOT NULL")
	}
	if q.starred {
		conds = append(conds, "t.starred")
	}
	if q.minRating > 0 {
		// The constant term lets SQLite use the partial indexes of rated
		// tasks, which a bound parameter alone cannot prove apply.
		conds = append(conds, "t.rating > 0", "t.rating >= ?")
		args = append(args, q.minRating)
	}
	// A walk of other rows (a search's matches) probes each task's labels
	// by primary key; elsewhere (counts) a label's tasks are one list.
	for _, k := range q.tagKeys {
		if q.probeLabels {
			conds = append(conds, "EXISTS (SELECT 1 FROM task_tags tt WHERE tt.task_id = t.id AND tt.tag_id = (SELECT g.id FROM tags g WHERE g.name_key = ?))")
		} else {
			conds = append(conds, "t.id IN (SELECT tt.task_id FROM task_tags tt WHERE tt.tag_id = (SELECT g.id FROM tags g WHERE g.name_key = ?))")
		}
		args = append(args, k)
	}
	if q.collKey != "" {
		if q.probeLabels {
			conds = append(conds, "EXISTS (SELECT 1 FROM collection_tasks ct WHERE ct.collection_id = (SELECT c.id FROM collections c WHERE c.name_key = ?) AND ct.task_id = t.id)")
		} else {
			conds = append(conds, "t.id IN (SELECT ct.task_id FROM collection_tasks ct WHERE ct.collection_id = (SELECT c.id FROM collections c WHERE c.name_key = ?))")
		}
		args = append(args, q.collKey)
	}
	if q.search.active() {
		cond, matchArgs := q.dialect.searchCond(q.search)
		conds = append(conds, cond)
		args = append(args, matchArgs...)
	}
	if q.after != nil {
		conds = append(conds, "(t.created_at, t.id) < (?, ?)")
		args = append(args, q.after.createdAt, q.after.id)
	}
	return conds, args
}

// expandSearch prepares q's search for tx (see searchQuery.expand).
func (q *taskQuery) expandSearch(tx *tx) error {
	if !q.search.active() || tx.db.dialect.isPostgres() {
		return nil
	}
	return q.search.expand(tx)
}

// selectTasks runs a query of taskColumns and scans the rows by hand: it is
// the hot path of every page and lookup, where sqlx's reflection cost a
// fifth of the time.
func selectTasks(tx *tx, query string, args ...any) ([]*taskRow, error) {
	var tasks []*taskRow
	err := tx.each(query, args, func(rows *sql.Rows) error {
		r := new(taskRow)
		if err := rows.Scan(&r.ID, &r.TaskID, &r.UserID, &r.Username, &r.Prompt, &r.Status, &r.Progress, &r.TotalScenes,
			&r.CompletedScenes, &r.FinalVideoPath, &r.ErrorMessage, &r.Attempts, &r.LeaseOwner, &r.LeaseExpiresAt,
			&r.CreatedAt, &r.UpdatedAt, &r.StartedAt, &r.CompletedAt, &r.Duration,
			&r.Starred, &r.Rating, &r.RerunOf, &r.TrashedAt, &r.Labels); err != nil {
			return err
		}
		tasks = append(tasks, r)
		return nil
	})
	return tasks, err
}

// sql returns the query of one page of q as seen by a; it fetches one row
// more than the page to learn whether another page follows.
func (q taskQuery) sql(a domain.Actor) (string, []any) {
	if q.collKey != "" || len(q.tagKeys) > 0 {
		return q.labelSQL(a)
	}
	where, args := q.where(a)
	return `SELECT` + taskColumns + where + `
		ORDER BY t.created_at DESC, t.id DESC
		LIMIT ` + limitParam, append(args, q.limit+1)
}

// findTasks is the one query behind every task lookup and listing: newest
// first, keyset-paged. It returns the cursor of the next page, if any.
func findTasks(tx *tx, a domain.Actor, q taskQuery) ([]*taskRow, string, error) {
	q.dialect = tx.db.dialect
	var rows []*taskRow
	if q.search.active() {
		var err error
		if rows, err = searchTasks(tx, a, q); err != nil {
			return nil, "", fmt.Errorf("search tasks: %w", err)
		}
	} else {
		if err := q.chooseDriver(tx); err != nil {
			return nil, "", fmt.Errorf("find tasks: %w", err)
		}
		query, args := q.sql(a)
		var err error
		if rows, err = selectTasks(tx, query, args...); err != nil {
			return nil, "", fmt.Errorf("find tasks: %w", err)
		}
	}
	var next string
	if len(rows) > q.limit {
		rows = rows[:q.limit]
		last := rows[len(rows)-1]
		next = cursor{createdAt: last.CreatedAt, id: last.ID}.String()
	}
	return rows, next, nil
}

// cursor is the position after the last task of a page.
type cursor struct {
	createdAt int64
	id        int64
}

// String encodes c as an opaque token.
func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.createdAt, 10) + "." + strconv.FormatInt(c.id, 10)))
}

// parseCursor decodes a token made by cursor.String.
func parseCursor(s string) (cursor, error) {
	bad := domain.Invalidf("cursor", "The cursor is not valid; start again from the first page.")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(s) > 64 {
		return cursor{}, bad
	}
	createdAt, id, ok := strings.Cut(string(b), ".")
	if !ok {
		return cursor{}, bad
	}
	var c cursor
	if c.createdAt, err = strconv.ParseInt(createdAt, 10, 64); err != nil {
		return cursor{}, bad
	}
	if c.id, err = strconv.ParseInt(id, 10, 64); err != nil || c.id <= 0 {
		return cursor{}, bad
	}
	return c, nil
}
