package store

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/reelvault/reelvault/domain"
)

// countedTables are the tables whose rows the row_counts table counts
// (migration 00013): Status reports them without walking any of them.
var countedTables = []string{"users", "tasks", "scripts", "videos", "task_events", "statistics"}

// statusCountPrefix names the row_counts entries of the untrashed tasks of
// each status ('tasks:completed').
const statusCountPrefix = "tasks:"

// userCountsTable counts each user's untrashed tasks per status
// (migration 00020), kept by triggers like row_counts.
const userCountsTable = "user_status_counts"

// recountUserSQL sets user_status_counts to the actual counts, the slow
// way, after its rows were deleted.
const recountUserSQL = `INSERT INTO ` + userCountsTable + ` (user_id, status, shard, n)
	SELECT user_id, status, 0, count(*) FROM tasks WHERE trashed_at IS NULL GROUP BY user_id, status`

// userCountName names a user's status count in a RowCountMismatch
// ("tasks:completed of user 7").
func userCountName(userID int64, status string) string {
	return fmt.Sprintf("%s%s of user %d", statusCountPrefix, status, userID)
}

// recountRowsSQL returns the statements that set row_counts and
// user_status_counts to the actual counts, the slow way (every counted
// table is read): for a copy that loaded its tables with their triggers
// dropped.
func recountRowsSQL() []string {
	q := []string{`DELETE FROM ` + rowCountsTable, `DELETE FROM ` + userCountsTable, recountUserSQL}
	for _, t := range countedTables {
		q = append(q, `INSERT INTO `+rowCountsTable+` (name, shard, n) SELECT '`+t+`', 0, count(*) FROM `+t)
	}
	for _, st := range domain.Statuses {
		q = append(q, `INSERT INTO `+rowCountsTable+` (name, shard, n) SELECT '`+statusCountPrefix+string(st)+`', 0, count(*) FROM tasks WHERE status = '`+string(st)+`' AND trashed_at IS NULL`)
	}
	return q
}

// readRowCounts returns the counts kept in row_counts, by name, summing
// PostgreSQL's shards; a name without a row counts zero. It reads a few
// dozen rows whatever the size of the database.
func readRowCounts(tx *tx) (map[string]int64, error) {
	var rows []struct {
		Name string `db:"name"`
		N    int64  `db:"n"`
	}
	if err := tx.sel(&rows, `SELECT name, sum(n) AS n FROM row_counts GROUP BY name`); err != nil {
		return nil, fmt.Errorf("row counts: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Name] = r.N
	}
	return out, nil
}

// readUserCounts returns every user's kept status counts by
// userCountName, summing PostgreSQL's shards.
func readUserCounts(tx *tx) (map[string]int64, error) {
	var rows []userStatusCount
	if err := tx.sel(&rows, `SELECT user_id, status, sum(n) AS n FROM `+userCountsTable+` GROUP BY user_id, status`); err != nil {
		return nil, fmt.Errorf("user status counts: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[userCountName(r.UserID, r.Status)] = r.N
	}
	return out, nil
}

// userStatusCount is the number of tasks in one status (of one user, in
// the rows that select user_id).
type userStatusCount struct {
	UserID int64  `db:"user_id"`
	Status string `db:"status"`
	N      int64  `db:"n"`
}

// countRowsNow counts, the slow way, what row_counts and
// user_status_counts hold: every counted table with count(*), and the
// untrashed tasks of each status, overall (in out) and of each user (in
// users, named by userCountName).
func countRowsNow(tx *tx) (out, users map[string]int64, err error) {
	out, users = map[string]int64{}, map[string]int64{}
	for _, t := range countedTables {
		var n int64
		if err := tx.get(&n, `SELECT count(*) FROM `+t); err != nil {
			return nil, nil, fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	for _, st := range domain.Statuses {
		out[statusCountPrefix+string(st)] = 0
	}
	var rows []userStatusCount
	if err := tx.sel(&rows, `SELECT user_id, status, count(*) AS n FROM tasks WHERE trashed_at IS NULL GROUP BY user_id, status`); err != nil {
		return nil, nil, fmt.Errorf("count tasks by status: %w", err)
	}
	for _, r := range rows {
		out[statusCountPrefix+r.Status] += r.N
		users[userCountName(r.UserID, r.Status)] = r.N
	}
	return out, users, nil
}

// countMismatches compares kept counts with actual ones, by name, in name
// order. A name missing from either side counts zero: a kept count may
// have a row of zero or none, and one kept without an actual count is as
// wrong as one missing.
func countMismatches(kept, actual map[string]int64) []RowCountMismatch {
	var bad []RowCountMismatch
	for _, name := range slices.Sorted(maps.Keys(actual)) {
		if kept[name] != actual[name] {
			bad = append(bad, RowCountMismatch{Name: name, Kept: kept[name], Actual: actual[name]})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(kept)) {
		if _, ok := actual[name]; !ok && kept[name] != 0 {
			bad = append(bad, RowCountMismatch{Name: name, Kept: kept[name]})
		}
	}
	return bad
}

// RowCountMismatch is a count kept in row_counts that differs from the
// table's actual count.
type RowCountMismatch struct {
	Name   string `json:"name"`
	Kept   int64  `json:"kept"`
	Actual int64  `json:"actual"`
}

// String describes m for a maintenance record.
func (m RowCountMismatch) String() string {
	return fmt.Sprintf("%s kept %d, counted %d", m.Name, m.Kept, m.Actual)
}

// CheckRowCounts compares the row counts status reports (and each user's
// status counts) with count(*) over every counted table, in one snapshot,
// and with repair sets the kept counts to the actual ones. It returns the
// counts that differed; none means they were exact. It reads every counted
// table (seconds at a million tasks): it belongs to the integrity check,
// not to status. It counts in a read snapshot, so writers do not wait;
// only when a count differs and repair is set does it count again in a
// write transaction, so that no write slips between that count and the
// repair.
func (db *DB) CheckRowCounts(ctx context.Context, repair bool) ([]RowCountMismatch, error) {
	var bad []RowCountMismatch
	check := func(tx *tx, repair bool) error {
		bad = nil
		kept, err := readRowCounts(tx)
		if err != nil {
			return err
		}
		keptUsers, err := readUserCounts(tx)
		if err != nil {
			return err
		}
		actual, actualUsers, err := countRowsNow(tx)
		if err != nil {
			return err
		}
		bad = append(countMismatches(kept, actual), countMismatches(keptUsers, actualUsers)...)
		if !repair || len(bad) == 0 {
			return nil
		}
		if _, err := tx.exec(`DELETE FROM row_counts`); err != nil {
			return fmt.Errorf("repair row counts: %w", err)
		}
		for name, n := range actual {
			if _, err := tx.exec(`INSERT INTO row_counts (name, shard, n) VALUES (?, 0, ?)`, name, n); err != nil {
				return fmt.Errorf("repair row counts: %w", err)
			}
		}
		for _, q := range []string{`DELETE FROM ` + userCountsTable, recountUserSQL} {
			if _, err := tx.exec(q); err != nil {
				return fmt.Errorf("repair user status counts: %w", err)
			}
		}
		return nil
	}
	err := db.read(ctx, true, func(tx *tx) error { return check(tx, false) })
	if err == nil && repair && len(bad) > 0 {
		err = db.write(ctx, func(tx *tx) error { return check(tx, true) })
	}
	if err != nil {
		return nil, fmt.Errorf("check row counts: %w", err)
	}
	return bad, nil
}
