package store

import (
	"database/sql"
	"strconv"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

// label is one tag or collection a page is filtered by.
type label struct {
	coll bool   // a collection, else a tag
	key  string // the case-folded name
}

// table returns the table of the label's entries.
func (l label) table() string {
	if l.coll {
		return "collection_tasks"
	}
	return "task_tags"
}

// idColumn returns the column of the label's ID in table.
func (l label) idColumn() string {
	if l.coll {
		return "collection_id"
	}
	return "tag_id"
}

// idOf returns the scalar subquery of the label's ID, whose one argument
// is key.
func (l label) idOf() string {
	if l.coll {
		return "(SELECT c.id FROM collections c WHERE c.name_key = ?)"
	}
	return "(SELECT g.id FROM tags g WHERE g.name_key = ?)"
}

// labels returns q's labels: its collection first, then its tags.
func (q taskQuery) labels() []label {
	var ls []label
	if q.collKey != "" {
		ls = append(ls, label{coll: true, key: q.collKey})
	}
	for _, k := range q.tagKeys {
		ls = append(ls, label{key: k})
	}
	return ls
}

// labelRange returns the conditions on the entries of label table alias
// that keep a walk inside q's created range and after its cursor, so that
// the walk starts and stops in the label's index.
func (q taskQuery) labelRange(alias string) (string, []any) {
	var cond string
	var args []any
	if q.createdFrom != nil {
		cond += " AND " + alias + ".task_created_at >= ?"
		args = append(args, *q.createdFrom)
	}
	if q.createdTo != nil {
		cond += " AND " + alias + ".task_created_at < ?"
		args = append(args, *q.createdTo)
	}
	if q.after != nil {
		cond += " AND (" + alias + ".task_created_at, " + alias + ".task_id) < (?, ?)"
		args = append(args, q.after.createdAt, q.after.id)
	}
	return cond, args
}

// labelFilters returns the conditions of q's status, star, rating and
// trash filters on the copies of the task's values in the entries of label
// table alias (see migration 00015): tested from the label's covering
// index, they let a walk read a task row and probe the other labels only
// for the entries that pass. The same tests on the task row stay in the
// query (conds); they cost nothing more on the rows that reach them. The
// star and the rating come first: SQLite tests the terms in this order and
// stops at the first that fails, and they are the ones most entries fail.
func (q taskQuery) labelFilters(alias string) (string, []any) {
	var cond string
	var args []any
	if q.starred {
		// An equality, so the walk can take the label's starred index
		// (migration 19).
		cond += " AND " + alias + ".task_starred = TRUE"
	}
	if q.minRating > 0 {
		cond += " AND " + alias + ".task_rating >= ?"
		args = append(args, q.minRating)
	}
	switch len(q.statuses) {
	case 0:
	case 1:
		cond += " AND " + alias + ".task_status = ?"
		args = append(args, q.statuses[0])
	default:
		cond += " AND " + alias + ".task_status IN (?" + strings.Repeat(", ?", len(q.statuses)-1) + ")"
		for _, st := range q.statuses {
			args = append(args, st)
		}
	}
	switch q.trash {
	case trashLive:
		cond += " AND " + alias + ".task_trashed_at IS NULL"
	case trashOnly:
		cond += " AND " + alias + ".task_trashed_at IS NOT NULL"
	}
	return cond, args
}

// labelSample is how many entries of each label chooseDriver reads to
// tell which is the sparsest.
const labelSample = 100

// driverSQL returns the select list of the query that chooseDriver runs
// for q's labels: for each, the position (column pos of the entries:
// task_created_at, or task_id) of its sample-th entry from q's position,
// NULL when fewer are left.
func (q taskQuery) driverSQL(pos string, sample int) (string, []any) {
	var cols []string
	var args []any
	rng, rngArgs := q.labelRange("l")
	for _, l := range q.labels() {
		cols = append(cols, `(SELECT l.`+pos+` FROM `+l.table()+` l
			WHERE l.`+l.idColumn()+` = `+l.idOf()+rng+`
			ORDER BY l.task_created_at DESC, l.task_id DESC
			LIMIT 1 OFFSET `+strconv.Itoa(sample-1)+`)`)
		args = append(append(args, l.key), rngArgs...)
	}
	return strings.Join(cols, ",\n\t"), args
}

// chooseDriver picks the label a page of q walks (q.drive) when q has
// more than one: the sparsest ahead of q's position, whose walk tests the
// fewest entries per page, the others being probed by primary key. A
// label's density ahead is read from its index: the further back its
// labelSample-th entry lies, the sparser it is, and a label with fewer
// entries left than that is the sparsest. The sample costs a few
// microseconds a label; counts kept per label would not tell how the
// entries spread over time and would not see the cursor.
func (q *taskQuery) chooseDriver(tx *tx) error {
	q.drive = 0
	if len(q.labels()) < 2 {
		return nil
	}
	cols, args := q.driverSQL("task_created_at", labelSample)
	var err error
	q.drive, err = sparsest(tx, "SELECT "+cols, args, len(q.labels()))
	return err
}

// sparsest runs query, whose n columns are the positions of candidate
// walks' sample-th rows ahead (NULL: fewer rows left), and returns the
// index of the sparsest: the first NULL, else the smallest position.
func sparsest(tx *tx, query string, args []any, n int) (int, error) {
	best := 0
	err := tx.each(query, args, func(rows *sql.Rows) error {
		at := make([]sql.NullInt64, n)
		dest := make([]any, n)
		for i := range at {
			dest[i] = &at[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		for i, v := range at {
			if !v.Valid {
				best = i
				return nil
			}
			if v.Int64 < at[best].Int64 {
				best = i
			}
		}
		return nil
	})
	return best, err
}

// labelSQL is sql for a page filtered by collection or tags. It walks one
// label's entries, the driver (see chooseDriver), newest first through
// their (label, task_created_at, task_id) index, probes each other label
// by its primary key, then tests the task row (found by rowid) for the
// other conditions, and stops after a page: a page costs as many entries
// as the driver has between its matches, whatever the size of the others
// or of the history, and only the entries in every label touch a task row.
func (q taskQuery) labelSQL(a domain.Actor) (string, []any) {
	return q.labelWalkSQL(a, "", "")
}

// labelWalkSQL is labelSQL with one more table joined after the labels
// (join: "\nCROSS JOIN … ON …", without arguments) and conditions on it
// (cond: " AND …", with condArgs), in place of q's search.
func (q taskQuery) labelWalkSQL(a domain.Actor, join, cond string, condArgs ...any) (string, []any) {
	// CROSS JOIN keeps SQLite from reordering the walk (as searchFrom);
	// PostgreSQL has no CROSS JOIN … ON and plans the order itself.
	cross := "CROSS JOIN"
	if q.dialect.isPostgres() {
		cross = "JOIN"
	}
	ls := q.labels()
	drive := ls[q.drive]
	var from strings.Builder
	var args []any
	from.WriteString("\nFROM " + drive.table() + " l")
	for i, l := range ls {
		if i == q.drive {
			continue
		}
		alias := "l" + strconv.Itoa(i)
		from.WriteString("\n" + cross + " " + l.table() + " " + alias + " ON " + alias + ".task_id = l.task_id AND " + alias + "." + l.idColumn() + " = " + l.idOf())
		args = append(args, l.key)
	}
	from.WriteString(join)
	from.WriteString("\n" + cross + " tasks t ON t.id = l.task_id\nJOIN users u ON u.id = t.user_id")
	rng, rngArgs := q.labelRange("l")
	filt, filtArgs := q.labelFilters("l")
	args = append(append(append(append(args, drive.key), rngArgs...), filtArgs...), condArgs...)
	q.collKey, q.tagKeys, q.after, q.search = "", nil, nil, searchQuery{}
	conds, more := q.conds(a)
	return `SELECT` + taskSelectList + from.String() + `
		WHERE l.` + drive.idColumn() + ` = ` + drive.idOf() + rng + filt + cond + andConds(conds) + `
		ORDER BY l.task_created_at DESC, l.task_id DESC
		LIMIT ` + limitParam, append(append(args, more...), q.limit+1)
}
