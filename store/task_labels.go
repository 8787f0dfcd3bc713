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

// labelSample is how many entries of each label chooseDriver reads to
// tell which is the sparsest.
const labelSample = 100

// driverSQL returns the query that chooseDriver runs for q's labels: for
// each, the task_created_at of its labelSample-th entry from q's position
// (NULL when fewer are left).
func (q taskQuery) driverSQL() (string, []any) {
	var cols []string
	var args []any
	rng, rngArgs := q.labelRange("l")
	for _, l := range q.labels() {
		cols = append(cols, `(SELECT l.task_created_at FROM `+l.table()+` l
			WHERE l.`+l.idColumn()+` = `+l.idOf()+rng+`
			ORDER BY l.task_created_at DESC, l.task_id DESC
			LIMIT 1 OFFSET `+strconv.Itoa(labelSample-1)+`)`)
		args = append(append(args, l.key), rngArgs...)
	}
	return "SELECT " + strings.Join(cols, ",\n\t"), args
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
	query, args := q.driverSQL()
	return tx.each(query, args, func(rows *sql.Rows) error {
		at := make([]sql.NullInt64, len(q.labels()))
		dest := make([]any, len(at))
		for i := range at {
			dest[i] = &at[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		for i, v := range at {
			if !v.Valid {
				q.drive = i
				return nil
			}
			if v.Int64 < at[q.drive].Int64 {
				q.drive = i
			}
		}
		return nil
	})
}

// labelSQL is sql for a page filtered by collection or tags. It walks one
// label's entries, the driver (see chooseDriver), newest first through
// their (label, task_created_at, task_id) index, probes each other label
// by its primary key, then tests the task row (found by rowid) for the
// other conditions, and stops after a page: a page costs as many entries
// as the driver has between its matches, whatever the size of the others
// or of the history, and only the entries in every label touch a task row.
func (q taskQuery) labelSQL(a domain.Actor) (string, []any) {
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
	from.WriteString("\n" + cross + " tasks t ON t.id = l.task_id\nJOIN users u ON u.id = t.user_id")
	rng, rngArgs := q.labelRange("l")
	args = append(append(args, drive.key), rngArgs...)
	q.collKey, q.tagKeys, q.after = "", nil, nil
	conds, more := q.conds(a)
	return `SELECT` + taskSelectList + from.String() + `
		WHERE l.` + drive.idColumn() + ` = ` + drive.idOf() + rng + andConds(conds) + `
		ORDER BY l.task_created_at DESC, l.task_id DESC
		LIMIT ?`, append(append(args, more...), q.limit+1)
}
