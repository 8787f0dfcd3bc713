package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// CopyTables lists, parents first, the tables CopyToPostgres copies row by
// row, with the column (or the comma-separated columns of a composite
// primary key) each is ordered and upserted by. task_search is not
// among them: SQLite's FTS5 table keeps no readable text, so the copy
// rebuilds it from the copied prompts and scene descriptions.
var CopyTables = []struct{ Name, Key string }{
	{"users", "id"},
	{"tasks", "id"},
	{"scripts", "id"},
	{"videos", "id"},
	{"task_events", "id"},
	{"tags", "id"},
	{"task_tags", "task_id, tag_id"},
	{"collections", "id"},
	{"collection_tasks", "collection_id, task_id"},
	{"statistics", "date"},
	{"settings", "key"},
	{"job_runs", "id"},
	{"owner_sessions", "hash"},
}

// DefaultCopyBatch is the number of rows CopyToPostgres writes per
// transaction.
const DefaultCopyBatch = 1000

// CopyOptions tune CopyToPostgres.
type CopyOptions struct {
	// Resume continues a copy into a target that already holds rows (an
	// interrupted earlier run). Without it a non-empty target is refused.
	Resume bool
	// Batch is the number of rows per transaction of a resumed copy, and
	// the number of rows between two progress reports; default
	// DefaultCopyBatch.
	Batch int
	// Progress, if set, is called once with the number of rows to copy
	// (and copied 0), then after each batch with total -1 and the number
	// of rows the batch copied.
	Progress func(total int64, copied int64)
}

// CopyReport describes a finished, verified copy.
type CopyReport struct {
	Tables  []CopiedTable `json:"tables"`
	Resumed bool          `json:"resumed"`
	// Phases are the steps of a copy into an empty target and their
	// times (prepare, load, search, indexes, analyze, verify, commit).
	Phases   []CopyPhase   `json:"phases,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// CopiedTable is the verification of one table: equal row counts and equal
// checksums on both sides.
type CopiedTable struct {
	Name     string `json:"name"`
	Rows     int64  `json:"rows"`
	Checksum string `json:"checksum"` // SHA-256 of every row in key order
}

// CopyToPostgres copies every row of the SQLite database src into the
// PostgreSQL database dst, then verifies each table by row count and
// checksum.
//
// Into an empty target the copy is one PostgreSQL transaction that loads
// the tables with COPY and builds their indexes and constraints after the
// rows, as pg_restore does (see bulkCopy): a failed or interrupted copy
// leaves the target empty, and is simply run again.
//
// Resume is for a target that already holds part of the history (an
// interrupted copy by an earlier Reelvault, which committed batch by
// batch). That copy goes table by table, parents first, in batches ordered
// by each table's key; every batch is one transaction that upserts its rows
// (INSERT … ON CONFLICT DO UPDATE), so it never duplicates a row and
// converges on the source. Each table continues after the highest key the
// target already has; if a table then fails verification (its rows changed
// in between), it is copied once more from the start. The ids are kept, and
// the identity sequences are moved past them at the end.
//
// It returns ECONFLICT for a non-empty target without Resume, EINVALID when
// src is not SQLite or dst not PostgreSQL or their schema versions differ,
// and EINTERNAL when verification fails.
func CopyToPostgres(ctx context.Context, src, dst *DB, opts CopyOptions) (*CopyReport, error) {
	start := time.Now()
	if src.Engine() != EngineSQLite || dst.Engine() != EnginePostgres {
		return nil, domain.Errorf(domain.EINVALID, "Migration copies a SQLite database into PostgreSQL.")
	}
	if opts.Batch <= 0 {
		opts.Batch = DefaultCopyBatch
	}
	// Keep each INSERT under PostgreSQL's 65535 parameters.
	opts.Batch = min(opts.Batch, 2000)
	if err := checkCopyTables(ctx, src); err != nil {
		return nil, err
	}
	sv, err := src.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	dv, err := dst.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if sv != dv {
		return nil, domain.Errorf(domain.EINVALID, "The SQLite database has schema version %d and PostgreSQL %d; open both with the same Reelvault first.", sv, dv)
	}

	srcCounts, err := countRows(ctx, src)
	if err != nil {
		return nil, err
	}
	dstCounts, err := countRows(ctx, dst)
	if err != nil {
		return nil, err
	}
	var present, total int64
	for _, t := range CopyTables {
		present += dstCounts[t.Name]
		total += srcCounts[t.Name]
	}
	if present > 0 && !opts.Resume {
		return nil, domain.Errorf(domain.ECONFLICT,
			"The PostgreSQL database is not empty (%d users, %d tasks); use an empty database, or --resume to continue an interrupted migration into it.",
			dstCounts["users"], dstCounts["tasks"])
	}
	if present == 0 {
		tables, phases, err := bulkCopy(ctx, src, dst, total, opts)
		if err != nil {
			return nil, err
		}
		return &CopyReport{Tables: tables, Phases: phases, Duration: time.Since(start)}, nil
	}
	if opts.Progress != nil {
		opts.Progress(total, 0)
	}

	c := &copier{src: src, dst: dst, opts: opts}
	report := &CopyReport{Resumed: present > 0}
	for _, t := range CopyTables {
		if err := c.table(ctx, t.Name, t.Key, opts.Resume); err != nil {
			return nil, err
		}
	}
	if err := c.searchIndex(ctx); err != nil {
		return nil, err
	}
	if err := resetSequences(ctx, dst); err != nil {
		return nil, err
	}

	for _, t := range CopyTables {
		v, err := verifyTable(ctx, src, dst, t.Name, t.Key)
		if err != nil && opts.Resume {
			// A row changed after an earlier run copied it: copy the
			// table again from its first row, then check once more.
			if err := c.table(ctx, t.Name, t.Key, false); err != nil {
				return nil, err
			}
			v, err = verifyTable(ctx, src, dst, t.Name, t.Key)
		}
		if err != nil {
			return nil, err
		}
		report.Tables = append(report.Tables, *v)
	}
	if err := verifySearch(ctx, dst); err != nil {
		return nil, err
	}
	// Give the planner statistics of the new rows, and the visibility map
	// that lets history pages read indexes without visiting the table.
	if err := dst.Write(ctx, func(w *sqlx.DB) error {
		_, err := w.ExecContext(ctx, `VACUUM (ANALYZE)`)
		return err
	}); err != nil {
		return nil, fmt.Errorf("vacuum after the copy: %w", err)
	}
	report.Duration = time.Since(start)
	return report, nil
}

// notCopied are the SQLite tables CopyToPostgres leaves out on purpose:
// goose's version table (the target has its own), the FTS5 index and its
// shadow tables (rebuilt as task_search), and task_search_late and
// task_search_terms, which only SQLite's search needs (migrations 3 and 8),
// row_counts and user_status_counts, which the target's triggers fill as
// the rows arrive (or its recount after a load without them), and
// imports, the journal of unfinished SQLite imports (migration 14; the
// source's next open undoes them, and PostgreSQL imports in one transaction).
var notCopied = []string{
	"goose_db_version", rowCountsTable, userCountsTable,
	"task_search", "task_search_data", "task_search_idx", "task_search_content", "task_search_docsize", "task_search_config",
	"task_search_late", "task_search_terms",
	"imports",
}

// checkCopyTables refuses a source with a table CopyTables does not know,
// so that a new migration cannot be silently left out of the copy.
func checkCopyTables(ctx context.Context, src *DB) error {
	var tables []string
	err := src.Read(ctx, func(r *sqlx.DB) error {
		return r.SelectContext(ctx, &tables, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	})
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	for _, name := range tables {
		if slices.Contains(notCopied, name) {
			continue
		}
		if !slices.ContainsFunc(CopyTables, func(t struct{ Name, Key string }) bool { return t.Name == name }) {
			return fmt.Errorf("migrate: table %s is not in store.CopyTables", name)
		}
	}
	return nil
}

// countRows returns the number of rows of each copied table.
func countRows(ctx context.Context, db *DB) (map[string]int64, error) {
	counts := map[string]int64{}
	err := db.Read(ctx, func(r *sqlx.DB) error {
		for _, t := range CopyTables {
			var n int64
			if err := r.GetContext(ctx, &n, `SELECT count(*) FROM `+t.Name); err != nil {
				return err
			}
			counts[t.Name] = n
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count rows: %w", err)
	}
	return counts, nil
}

// copier copies tables from src to dst.
type copier struct {
	src, dst *DB
	opts     CopyOptions
}

// table copies one table in key order, starting after the target's highest
// key when resume is set.
func (c *copier) table(ctx context.Context, table, key string, resume bool) error {
	columns, err := tableColumns(ctx, c.src, table)
	if err != nil {
		return err
	}
	boolCols, err := postgresBoolColumns(ctx, c.dst, table)
	if err != nil {
		return err
	}
	keys := keyColumns(key)
	var after []any
	if resume {
		err := c.dst.Read(ctx, func(r *sqlx.DB) error {
			rs, err := r.QueryxContext(ctx, `SELECT `+key+` FROM `+table+` ORDER BY `+orderByDesc(c.dst, key)+` LIMIT 1`)
			if err != nil {
				return err
			}
			defer rs.Close()
			if rs.Next() {
				if after, err = rs.SliceScan(); err != nil {
					return err
				}
			}
			return rs.Err()
		})
		if err != nil {
			return fmt.Errorf("resume %s: %w", table, err)
		}
	}
	keyIdx := make([]int, len(keys))
	for i, k := range keys {
		keyIdx[i] = slices.Index(columns, k)
	}
	sets := make([]string, 0, len(columns))
	for _, col := range columns {
		if !slices.Contains(keys, col) {
			sets = append(sets, col+" = excluded."+col)
		}
	}
	upsert := " ON CONFLICT (" + key + ") DO NOTHING"
	if len(sets) > 0 {
		upsert = " ON CONFLICT (" + key + ") DO UPDATE SET " + strings.Join(sets, ", ")
	}
	list := strings.Join(columns, ", ")

	for {
		var rows [][]any
		err := c.src.Read(ctx, func(r *sqlx.DB) error {
			q := `SELECT ` + list + ` FROM ` + table
			args := []any{}
			if after != nil {
				q += ` WHERE (` + key + `) > (` + placeholders(len(keys)) + `)`
				args = append(args, after...)
			}
			q += ` ORDER BY ` + key + ` LIMIT ?`
			args = append(args, c.opts.Batch)
			rs, err := r.QueryxContext(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
				row, err := rs.SliceScan()
				if err != nil {
					return err
				}
				rows = append(rows, row)
			}
			return rs.Err()
		})
		if err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		if len(rows) == 0 {
			return nil
		}

		args := make([]any, 0, len(rows)*len(columns))
		values := make([]string, len(rows))
		for i, row := range rows {
			ph := make([]string, len(columns))
			for j, v := range row {
				ph[j] = "?"
				if boolCols[columns[j]] {
					if n, ok := v.(int64); ok {
						v = n != 0
					}
				}
				args = append(args, v)
			}
			values[i] = "(" + strings.Join(ph, ", ") + ")"
		}
		insert := `INSERT INTO ` + table + ` (` + list + `) VALUES ` + strings.Join(values, ", ") + upsert
		err = c.dst.write(ctx, func(tx *tx) error {
			_, err := tx.exec(insert, args...)
			return err
		})
		if err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		if c.opts.Progress != nil {
			c.opts.Progress(-1, int64(len(rows)))
		}
		last := rows[len(rows)-1]
		after = make([]any, len(keyIdx))
		for i, j := range keyIdx {
			after[i] = last[j]
		}
		if len(rows) < c.opts.Batch {
			return nil
		}
	}
}

// searchIndex rebuilds the target's task_search from the copied tasks and
// scripts, with the text the store itself would write.
func (c *copier) searchIndex(ctx context.Context) error {
	var after int64
	for {
		var rows []struct {
			ID     int64   `db:"id"`
			Prompt string  `db:"prompt"`
			Error  string  `db:"error_message"`
			Joined *string `db:"scenes"`
		}
		err := c.dst.Read(ctx, func(r *sqlx.DB) error {
			return r.SelectContext(ctx, &rows, `
				SELECT t.id, t.prompt, t.error_message, string_agg(s.description, E'\n' ORDER BY s.id) AS scenes
				FROM tasks t
				LEFT JOIN scripts s ON s.task_id = t.id
				WHERE t.id > $1
				GROUP BY t.id
				ORDER BY t.id
				LIMIT $2`, after, c.opts.Batch)
		})
		if err != nil {
			return fmt.Errorf("read search text: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		values := make([]string, len(rows))
		args := make([]any, 0, 2*len(rows))
		for i, r := range rows {
			parts := []string{r.Prompt}
			if r.Joined != nil {
				parts = append(parts, *r.Joined)
			}
			if r.Error != "" {
				parts = append(parts, r.Error)
			}
			values[i] = "(?, ?)"
			args = append(args, r.ID, postgresDialect.searchText(parts...))
		}
		err = c.dst.write(ctx, func(tx *tx) error {
			_, err := tx.exec(`INSERT INTO task_search (rowid, body) VALUES `+strings.Join(values, ", ")+`
				ON CONFLICT (rowid) DO UPDATE SET body = excluded.body`, args...)
			return err
		})
		if err != nil {
			return fmt.Errorf("index tasks: %w", err)
		}
		after = rows[len(rows)-1].ID
	}
}

// tableColumns returns the columns of a SQLite table in declaration order.
func tableColumns(ctx context.Context, db *DB, table string) ([]string, error) {
	var cols []string
	err := db.Read(ctx, func(r *sqlx.DB) error {
		return r.SelectContext(ctx, &cols, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	})
	if err != nil || len(cols) == 0 {
		return nil, fmt.Errorf("columns of %s: %v", table, err)
	}
	return cols, nil
}

// postgresBoolColumns returns the BOOLEAN columns of a PostgreSQL table:
// SQLite stores them as 0 and 1.
func postgresBoolColumns(ctx context.Context, db *DB, table string) (map[string]bool, error) {
	var cols []string
	err := db.Read(ctx, func(r *sqlx.DB) error {
		return r.SelectContext(ctx, &cols, `
			SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 AND data_type = 'boolean'`, table)
	})
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	m := map[string]bool{}
	for _, c := range cols {
		m[c] = true
	}
	return m, nil
}

// resetSequences moves every identity sequence past the copied ids, so the
// next row the store inserts does not collide with a copied one.
func resetSequences(ctx context.Context, dst *DB) error {
	return dst.write(ctx, func(tx *tx) error {
		for _, t := range CopyTables {
			if t.Key != "id" {
				continue
			}
			if _, err := tx.exec(`SELECT setval(pg_get_serial_sequence('` + t.Name + `', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM ` + t.Name + `), false)`); err != nil {
				return fmt.Errorf("reset sequence of %s: %w", t.Name, err)
			}
		}
		return nil
	})
}

// verifyTable compares the row count and the checksum of a table on both
// sides, in the bulk copy's form (see copyRow): SQLite's rows encoded in
// Go, PostgreSQL's read back with a COPY of a query.
func verifyTable(ctx context.Context, src, dst *DB, table, key string) (*CopiedTable, error) {
	columns, err := tableColumns(ctx, src, table)
	if err != nil {
		return nil, err
	}
	var n2 int64
	var sum2 string
	var types []pgType
	err = dst.Read(ctx, func(r *sqlx.DB) error {
		conn, err := r.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(dc any) error {
			pc := dc.(*stdlib.Conn).Conn()
			if types, err = pgColumnTypes(ctx, pc, table, columns); err != nil {
				return err
			}
			n2, sum2, err = pgChecksum(ctx, pc.PgConn(), table, key, columns, types)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	e := newCopyRow(table, columns, types)
	err = src.Read(ctx, func(r *sqlx.DB) error {
		rows, err := r.QueryContext(ctx, `SELECT `+strings.Join(columns, ", ")+` FROM `+table+` ORDER BY `+key)
		if err != nil {
			return err
		}
		defer rows.Close()
		vals := make([]any, len(columns))
		ptrs := make([]any, len(columns))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			if err := e.encode(vals); err != nil {
				return domain.Errorf(domain.EINVALID, "The SQLite database holds a value PostgreSQL cannot store: %v.", err)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("checksum %s: %w", table, err)
	}
	n1, sum1 := e.rows, hex.EncodeToString(e.hash.Sum(nil))
	if n1 != n2 {
		return nil, domain.Errorf(domain.EINTERNAL, "Verification failed: table %s has %d rows in SQLite but %d in PostgreSQL. Stop every Reelvault using the SQLite database and run the migration again with --resume.", table, n1, n2)
	}
	if sum1 != sum2 {
		return nil, domain.Errorf(domain.EINTERNAL, "Verification failed: the rows of table %s differ between SQLite and PostgreSQL (checksums %.12s and %.12s). Stop every Reelvault using the SQLite database and run the migration again with --resume.", table, sum1, sum2)
	}
	return &CopiedTable{Name: table, Rows: n1, Checksum: sum1}, nil
}

// tableChecksum reads every row of table in key order and returns the row
// count and a SHA-256 over a canonical encoding of the values, the same
// for both engines (see writeValue).
func tableChecksum(ctx context.Context, db *DB, table, key string, columns []string) (int64, string, error) {
	h := sha256.New()
	var n int64
	err := db.Read(ctx, func(r *sqlx.DB) error {
		rs, err := r.QueryxContext(ctx, `SELECT `+strings.Join(columns, ", ")+` FROM `+table+` ORDER BY `+orderBy(db, key))
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			row, err := rs.SliceScan()
			if err != nil {
				return err
			}
			for _, v := range row {
				writeValue(h, v)
			}
			h.Write([]byte{'\n'})
			n++
		}
		return rs.Err()
	})
	if err != nil {
		return 0, "", fmt.Errorf("checksum %s: %w", table, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// writeValue writes one value in a form that does not depend on the
// engine: booleans as 0 and 1, integral floats as integers (SQLite may hand
// back a REAL 5.0 where PostgreSQL has 5), strings length-prefixed.
func writeValue(h hash.Hash, v any) {
	switch v := v.(type) {
	case nil:
		h.Write([]byte("N;"))
	case bool:
		if v {
			h.Write([]byte("I1;"))
		} else {
			h.Write([]byte("I0;"))
		}
	case int64:
		h.Write([]byte("I" + strconv.FormatInt(v, 10) + ";"))
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			h.Write([]byte("I" + strconv.FormatInt(int64(v), 10) + ";"))
		} else {
			h.Write([]byte("F" + strconv.FormatFloat(v, 'g', -1, 64) + ";"))
		}
	case string:
		h.Write([]byte("S" + strconv.Itoa(len(v)) + ":" + v + ";"))
	case []byte:
		h.Write([]byte("S" + strconv.Itoa(len(v)) + ":"))
		h.Write(v)
		h.Write([]byte(";"))
	case time.Time:
		h.Write([]byte("T" + v.UTC().Format(time.RFC3339Nano) + ";"))
	default:
		h.Write([]byte(fmt.Sprintf("?%T:%v;", v, v)))
	}
}

// orderBy returns key as an ORDER BY or max() term: on PostgreSQL a text
// key gets COLLATE "C" so that it sorts by bytes, as SQLite sorts it,
// whatever the database's collation.
func orderBy(db *DB, key string) string {
	if db.dialect.isPostgres() && key != "id" && !strings.Contains(key, ",") {
		return key + ` COLLATE "C"`
	}
	return key
}

// verifySearch checks that every copied task has its search text.
func verifySearch(ctx context.Context, dst *DB) error {
	var tasks, indexed int64
	err := dst.Read(ctx, func(r *sqlx.DB) error {
		if err := r.GetContext(ctx, &tasks, `SELECT count(*) FROM tasks`); err != nil {
			return err
		}
		return r.GetContext(ctx, &indexed, `SELECT count(*) FROM task_search s JOIN tasks t ON t.id = s.rowid`)
	})
	if err != nil {
		return fmt.Errorf("verify search index: %w", err)
	}
	if tasks != indexed {
		return domain.Errorf(domain.EINTERNAL, "Verification failed: %d of %d tasks are in the PostgreSQL search index.", indexed, tasks)
	}
	return nil
}

// keyColumns splits a CopyTables key into its columns.
func keyColumns(key string) []string {
	cols := strings.Split(key, ",")
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c)
	}
	return cols
}

// orderByDesc is orderBy, descending, for every column of key.
func orderByDesc(db *DB, key string) string {
	cols := keyColumns(key)
	if len(cols) == 1 {
		return orderBy(db, key) + " DESC"
	}
	return strings.Join(cols, " DESC, ") + " DESC"
}
