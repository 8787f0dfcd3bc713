package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// bulkCopy is CopyToPostgres into an empty target, done the way pg_restore
// loads a dump, in one PostgreSQL transaction:
//
//  1. lock every table and check again that the target is empty;
//  2. save the definitions of the primary keys, unique and foreign-key
//     constraints, secondary indexes and triggers of the tables (as
//     PostgreSQL prints them: the schema stays defined by the migrations
//     alone) and drop them;
//  3. truncate the tables, so that COPY … FREEZE writes the rows already
//     frozen and visible (no VACUUM afterwards), and load each table with
//     one COPY streamed from one SQLite read transaction (one snapshot of
//     the history; memory bounded by a buffer of each stream), checksumming
//     each row on the way (see copyRow);
//  4. build the search index (task_search) the same way, from the prompts,
//     scene descriptions and errors;
//  5. recreate the constraints, indexes and triggers (each index built once
//     over all rows instead of updated row by row), move the identity
//     sequences past the copied ids and ANALYZE;
//  6. verify: each table's row count and checksum, read back by PostgreSQL
//     itself with a COPY of a query, must equal the SQLite side's, and
//     every task must have its search row;
//  7. commit.
//
// A failure or a kill at any point rolls everything back: the target is
// left empty, as it was, and the migration can simply be run again.
func bulkCopy(ctx context.Context, src, dst *DB, total int64, opts CopyOptions) ([]CopiedTable, []CopyPhase, error) {
	var report []CopiedTable
	var phases []CopyPhase
	err := src.Read(ctx, func(r *sqlx.DB) error {
		// One read transaction: every table comes from the same snapshot.
		stx, err := r.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin reading SQLite: %w", err)
		}
		defer stx.Rollback()
		return dst.Write(ctx, func(w *sqlx.DB) error {
			conn, err := w.Conn(ctx)
			if err != nil {
				return err
			}
			defer conn.Close()
			return conn.Raw(func(dc any) error {
				l := &loader{src: stx, pc: dc.(*stdlib.Conn).Conn(), opts: opts, mark: time.Now()}
				report, err = l.run(ctx, total)
				phases = l.phases
				return err
			})
		})
	})
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("migrate: %w", err)
	}
	return report, phases, nil
}

// loader runs bulkCopy's PostgreSQL transaction.
type loader struct {
	src     *sql.Tx
	pc      *pgx.Conn
	tx      pgx.Tx
	opts    CopyOptions
	pending int64 // rows read since the last progress report
	phases  []CopyPhase
	mark    time.Time // end of the last phase
}

// CopyPhase is the time one step of a bulk copy took.
type CopyPhase struct {
	Name     string        `json:"name"`
	Duration time.Duration `json:"duration_ns"`
}

// phase records the time since the last phase as the phase name.
func (l *loader) phase(name string) {
	now := time.Now()

	l.phases = append(l.phases, CopyPhase{Name: name, Duration: now.Sub(l.mark)})
	l.mark = now
}

// searchTable is the PostgreSQL search index the copy rebuilds.
const searchTable = "task_search"

func (l *loader) run(ctx context.Context, total int64) ([]CopiedTable, error) {
	tx, err := l.pc.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	l.tx = tx

	tables := make([]string, 0, len(CopyTables)+1)
	for _, t := range CopyTables {
		tables = append(tables, t.Name)
	}
	tables = append(tables, searchTable)
	list := strings.Join(tables, ", ")

	// Another process using the target (a Reelvault already started on
	// it) holds locks: fail clearly instead of waiting for it.
	if err := l.exec(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
		return nil, err
	}
	if err := l.exec(ctx, `LOCK TABLE `+list+` IN ACCESS EXCLUSIVE MODE`); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "55P03" {
			return nil, domain.Errorf(domain.ECONFLICT, "Another program is using the PostgreSQL database; stop every Reelvault connected to it and run the migration again.")
		}
		return nil, fmt.Errorf("lock the tables: %w", err)
	}
	for _, q := range []string{
		`SET LOCAL lock_timeout = 0`,
		// Index builds sort in memory up to this much (the default 64 MB
		// spills a GIN build of a large history to many passes).
		`SET LOCAL maintenance_work_mem = '256MB'`,
	} {
		if err := l.exec(ctx, q); err != nil {
			return nil, err
		}
	}
	var present int64
	counts := make([]string, len(CopyTables))
	for i, t := range CopyTables {
		counts[i] = `(SELECT count(*) FROM ` + t.Name + `)`
	}
	if err := tx.QueryRow(ctx, `SELECT `+strings.Join(counts, " + ")).Scan(&present); err != nil {
		return nil, fmt.Errorf("count rows: %w", err)
	}
	if present > 0 {
		return nil, domain.Errorf(domain.ECONFLICT, "The PostgreSQL database is no longer empty (%d rows appeared); stop every Reelvault connected to it and run the migration again.", present)
	}

	schema, err := l.saveSchema(ctx, tables)
	if err != nil {
		return nil, err
	}
	for _, q := range schema.drops() {
		if err := l.exec(ctx, q); err != nil {
			return nil, fmt.Errorf("prepare the tables: %w", err)
		}
	}
	if err := l.exec(ctx, `TRUNCATE `+list); err != nil {
		return nil, err
	}

	l.phase("prepare")
	if l.opts.Progress != nil {
		l.opts.Progress(total, 0)
	}
	var loaded []*copyRow
	for _, t := range CopyTables {
		e, err := l.loadTable(ctx, t.Name, t.Key)
		if err != nil {
			return nil, err
		}
		loaded = append(loaded, e)
	}
	l.flushProgress()
	l.phase("load")
	indexed, err := l.loadSearch(ctx)
	if err != nil {
		return nil, err
	}
	l.phase("search")

	for _, q := range schema.creates() {
		if err := l.exec(ctx, q); err != nil {
			return nil, fmt.Errorf("build the indexes and constraints: %w", err)
		}
	}
	// The counting triggers were dropped while the rows arrived.
	for _, q := range recountRowsSQL() {
		if err := l.exec(ctx, q); err != nil {
			return nil, fmt.Errorf("count the rows: %w", err)
		}
	}
	for _, t := range CopyTables {
		if t.Key != "id" {
			continue
		}
		if err := l.exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t.Name+`', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM `+t.Name+`), false)`); err != nil {
			return nil, fmt.Errorf("reset sequence of %s: %w", t.Name, err)
		}
	}
	l.phase("indexes")
	// Give the planner statistics of the new rows.
	if err := l.exec(ctx, `ANALYZE `+list); err != nil {
		return nil, err
	}
	l.phase("analyze")

	report := make([]CopiedTable, 0, len(loaded))
	for i, t := range CopyTables {
		v, err := l.verify(ctx, t.Name, t.Key, loaded[i])
		if err != nil {
			return nil, err
		}
		report = append(report, *v)
	}
	var tasks int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM tasks`).Scan(&tasks); err != nil {
		return nil, fmt.Errorf("verify search index: %w", err)
	}
	if indexed != tasks {
		return nil, domain.Errorf(domain.EINTERNAL, "Verification failed: %d of %d tasks are in the PostgreSQL search index; nothing was kept in PostgreSQL.", indexed, tasks)
	}
	l.phase("verify")
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	l.phase("commit")
	return report, nil
}

// exec runs one statement in the transaction.
func (l *loader) exec(ctx context.Context, q string) error {
	if _, err := l.tx.Exec(ctx, q); err != nil {
		return fmt.Errorf("%.60s: %w", q, err)
	}
	return nil
}

// progress counts n rows read and reports them every Batch rows.
func (l *loader) progress(n int64) {
	if l.opts.Progress == nil {
		return
	}
	l.pending += n
	if l.pending >= int64(l.opts.Batch) {
		l.flushProgress()
	}
}

// flushProgress reports the rows not reported yet.
func (l *loader) flushProgress() {
	if l.opts.Progress != nil && l.pending > 0 {
		l.opts.Progress(-1, l.pending)
		l.pending = 0
	}
}

// loadTable copies one table from SQLite in key order with COPY FREEZE and
// returns its encoder, which holds the SQLite side's row count and
// checksum.
func (l *loader) loadTable(ctx context.Context, table, key string) (*copyRow, error) {
	columns, err := srcColumns(ctx, l.src, table)
	if err != nil {
		return nil, err
	}
	types, err := l.columnTypes(ctx, table, columns)
	if err != nil {
		return nil, err
	}
	e := newCopyRow(table, columns, types)
	list := strings.Join(columns, ", ")
	n, err := l.copyIn(ctx, `COPY `+table+` (`+list+`) FROM STDIN WITH (FREEZE)`, func(w io.Writer) error {
		rows, err := l.src.QueryContext(ctx, `SELECT `+list+` FROM `+table+` ORDER BY `+key)
		if err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		defer rows.Close()
		vals := make([]any, len(columns))
		ptrs := make([]any, len(columns))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return fmt.Errorf("read %s: %w", table, err)
			}
			if err := e.encode(vals); err != nil {
				return domain.Errorf(domain.EINVALID, "The SQLite database holds a value PostgreSQL cannot store: %v.", err)
			}
			if _, err := w.Write(e.line); err != nil {
				return err
			}
			l.progress(1)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n != e.rows {
		return nil, domain.Errorf(domain.EINTERNAL, "Verification failed: PostgreSQL loaded %d rows of table %s, SQLite has %d; nothing was kept in PostgreSQL.", n, table, e.rows)
	}
	return e, nil
}

// loadSearch fills task_search from the SQLite tasks and scripts with the
// text the store itself writes (see addSearchEntry) and returns the number
// of rows.
func (l *loader) loadSearch(ctx context.Context) (int64, error) {
	var count int64
	n, err := l.copyIn(ctx, `COPY `+searchTable+` (rowid, created_at, body) FROM STDIN WITH (FREEZE)`, func(w io.Writer) error {
		rows, err := l.src.QueryContext(ctx, `
			SELECT t.id, t.created_at, t.prompt, t.error_message,
				(SELECT group_concat(s.description, char(10) ORDER BY s.id) FROM scripts s WHERE s.task_id = t.id)
			FROM tasks t
			ORDER BY t.id`)
		if err != nil {
			return fmt.Errorf("read search text: %w", err)
		}
		defer rows.Close()
		var line []byte
		for rows.Next() {
			var id, created int64
			var prompt, errText string
			var scenes sql.NullString
			if err := rows.Scan(&id, &created, &prompt, &errText, &scenes); err != nil {
				return fmt.Errorf("read search text: %w", err)
			}
			parts := []string{prompt}
			if scenes.Valid {
				parts = append(parts, scenes.String)
			}
			if errText != "" {
				parts = append(parts, errText)
			}
			line = fmt.Appendf(line[:0], "%d\t%d\t", id, created)
			line = appendCopyText(line, postgresDialect.searchText(parts...))
			line = append(line, '\n')
			if _, err := w.Write(line); err != nil {
				return err
			}
			count++
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read search text: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("index tasks: %w", err)
	}
	if n != count {
		return 0, domain.Errorf(domain.EINTERNAL, "Verification failed: PostgreSQL indexed %d tasks for search of %d; nothing was kept in PostgreSQL.", n, count)
	}
	return n, nil
}

// errCopyEnded stops a producer whose COPY has ended (failed) early.
var errCopyEnded = errors.New("copy ended")

// copyIn runs the COPY … FROM STDIN statement q with the text that produce
// writes, produced in its own goroutine so that reading SQLite overlaps
// sending to PostgreSQL. It returns the number of rows PostgreSQL loaded.
func (l *loader) copyIn(ctx context.Context, q string, produce func(w io.Writer) error) (int64, error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		bw := bufio.NewWriterSize(pw, 256<<10)
		err := produce(bw)
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err) // nil: the reader sees EOF
		done <- err
	}()
	tag, err := l.pc.PgConn().CopyFrom(ctx, pr, q)
	pr.CloseWithError(errCopyEnded)
	if perr := <-done; perr != nil && !errors.Is(perr, errCopyEnded) {
		return 0, perr
	}
	if err != nil {
		return 0, fmt.Errorf("%.40s: %w", q, err)
	}
	return tag.RowsAffected(), nil
}

// verify compares the row count and checksum of table, read back from
// PostgreSQL, with the SQLite side's.
func (l *loader) verify(ctx context.Context, table, key string, e *copyRow) (*CopiedTable, error) {
	rows, got, err := pgChecksum(ctx, l.pc.PgConn(), table, key, e.columns, e.types)
	if err != nil {
		return nil, err
	}
	want := hex.EncodeToString(e.hash.Sum(nil))
	if rows != e.rows {
		return nil, domain.Errorf(domain.EINTERNAL, "Verification failed: table %s has %d rows in SQLite but %d in PostgreSQL; nothing was kept in PostgreSQL.", table, e.rows, rows)
	}
	if want != got {
		return nil, domain.Errorf(domain.EINTERNAL, "Verification failed: the rows of table %s differ between SQLite and PostgreSQL (checksums %.12s and %.12s); nothing was kept in PostgreSQL.", table, want, got)
	}
	return &CopiedTable{Name: table, Rows: e.rows, Checksum: want}, nil
}

// pgOrderBy is orderBy for PostgreSQL: a single text key sorts by bytes, as
// SQLite sorts it.
func pgOrderBy(key string) string {
	if key != "id" && !strings.Contains(key, ",") {
		return key + ` COLLATE "C"`
	}
	return key
}

// columnTypes returns the COPY encoding of each column of a PostgreSQL
// table, refusing a column the target does not have.
func (l *loader) columnTypes(ctx context.Context, table string, columns []string) ([]pgType, error) {
	return pgColumnTypes(ctx, l.tx, table, columns)
}

// pgQuerier is a pgx connection or transaction.
type pgQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// pgColumnTypes returns the COPY encoding of each of columns of table in
// the current schema of the PostgreSQL connection q.
func pgColumnTypes(ctx context.Context, q pgQuerier, table string, columns []string) ([]pgType, error) {
	rows, err := q.Query(ctx, `
		SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1`, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	have := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, fmt.Errorf("columns of %s: %w", table, err)
		}
		have[name] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	types := make([]pgType, len(columns))
	for i, c := range columns {
		dt, ok := have[c]
		if !ok {
			return nil, domain.Errorf(domain.EINVALID, "Column %s.%s of the SQLite database is missing in PostgreSQL; open both with the same Reelvault first.", table, c)
		}
		if types[i], err = pgTypeOf(dt); err != nil {
			return nil, fmt.Errorf("%s.%s: %w", table, c, err)
		}
	}
	return types, nil
}

// pgChecksum reads table back from PostgreSQL in key order, in the
// checksum's form (see copyRow), and returns its row count and SHA-256.
func pgChecksum(ctx context.Context, pc *pgconn.PgConn, table, key string, columns []string, types []pgType) (int64, string, error) {
	h := &copyHash{Hash: sha256.New()}
	q := `COPY (SELECT ` + strings.Join(checksumSelect(columns, types), ", ") + ` FROM ` + table + ` ORDER BY ` + pgOrderBy(key) + `) TO STDOUT`
	if _, err := pc.CopyTo(ctx, h, q); err != nil {
		return 0, "", fmt.Errorf("checksum %s: %w", table, err)
	}
	return h.rows, hex.EncodeToString(h.Sum(nil)), nil
}

// srcColumns returns the columns of a SQLite table in declaration order.
func srcColumns(ctx context.Context, tx *sql.Tx, table string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("columns of %s: %w", table, err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil || len(cols) == 0 {
		return nil, fmt.Errorf("columns of %s: %v", table, err)
	}
	return cols, nil
}

// tableSchema is what the bulk copy drops before loading and recreates
// after: statements as PostgreSQL prints them.
type tableSchema struct {
	keys     []schemaObject // primary keys and unique constraints
	indexes  []schemaObject // secondary indexes
	foreign  []schemaObject // foreign keys
	triggers []schemaObject
}

// schemaObject is one constraint, index or trigger.
type schemaObject struct{ drop, create string }

// saveSchema reads the definitions of the tables' keys, indexes, foreign
// keys and triggers.
func (l *loader) saveSchema(ctx context.Context, tables []string) (*tableSchema, error) {
	s := &tableSchema{}
	oids := `(SELECT to_regclass(t) FROM unnest($1::text[]) t)`
	rows, err := l.tx.Query(ctx, `
		SELECT c.contype, 'ALTER TABLE ' || c.conrelid::regclass || ' DROP CONSTRAINT ' || quote_ident(c.conname),
			'ALTER TABLE ' || c.conrelid::regclass || ' ADD CONSTRAINT ' || quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid)
		FROM pg_constraint c
		WHERE c.conrelid IN `+oids+` AND c.contype IN ('p', 'u', 'f')
		ORDER BY c.conrelid, c.conname`, tables)
	if err != nil {
		return nil, fmt.Errorf("read the constraints: %w", err)
	}
	for rows.Next() {
		var kind string
		var o schemaObject
		if err := rows.Scan(&kind, &o.drop, &o.create); err != nil {
			return nil, fmt.Errorf("read the constraints: %w", err)
		}
		if kind == "f" {
			s.foreign = append(s.foreign, o)
		} else {
			s.keys = append(s.keys, o)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the constraints: %w", err)
	}
	for _, q := range []struct {
		into *[]schemaObject
		sql  string
	}{
		{&s.indexes, `
			SELECT 'DROP INDEX ' || i.indexrelid::regclass, pg_get_indexdef(i.indexrelid)
			FROM pg_index i
			WHERE i.indrelid IN ` + oids + `
				AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
			ORDER BY i.indrelid, i.indexrelid`},
		{&s.triggers, `
			SELECT 'DROP TRIGGER ' || quote_ident(t.tgname) || ' ON ' || t.tgrelid::regclass, pg_get_triggerdef(t.oid)
			FROM pg_trigger t
			WHERE t.tgrelid IN ` + oids + ` AND NOT t.tgisinternal
			ORDER BY t.tgrelid, t.tgname`},
	} {
		rows, err := l.tx.Query(ctx, q.sql, tables)
		if err != nil {
			return nil, fmt.Errorf("read the indexes and triggers: %w", err)
		}
		for rows.Next() {
			var o schemaObject
			if err := rows.Scan(&o.drop, &o.create); err != nil {
				return nil, fmt.Errorf("read the indexes and triggers: %w", err)
			}
			*q.into = append(*q.into, o)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read the indexes and triggers: %w", err)
		}
	}
	return s, nil
}

// drops returns the statements that drop the saved objects, dependents
// first (a foreign key needs its parent's key).
func (s *tableSchema) drops() []string {
	var out []string
	for _, group := range [][]schemaObject{s.triggers, s.foreign, s.indexes, s.keys} {
		for _, o := range group {
			out = append(out, o.drop)
		}
	}
	return out
}

// creates returns the statements that recreate the saved objects, keys
// first.
func (s *tableSchema) creates() []string {
	var out []string
	for _, group := range [][]schemaObject{s.keys, s.indexes, s.foreign, s.triggers} {
		for _, o := range group {
			out = append(out, o.create)
		}
	}
	return out
}
