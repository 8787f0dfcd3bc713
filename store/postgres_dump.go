package store

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// DumpTables lists, parents first, the tables a logical PostgreSQL dump
// holds: every table of the schema but goose's version table, which the
// target has its own of, and row_counts and user_status_counts, which its triggers fill. A table a new migration adds must be listed here;
// DumpPostgres refuses a schema with a table it does not know.
var DumpTables = []string{
	"users",
	"tasks",
	"scripts",
	"videos",
	"task_events",
	"task_search",
	"tags",
	"task_tags",
	"collections",
	"collection_tasks",
	"statistics",
	"settings",
	"job_runs",
	"owner_sessions",
}

// rowCountsTable is kept by triggers from the tables it counts: never
// dumped, copied or restored, it follows the rows that are.
const rowCountsTable = "row_counts"

// sessionsTable is the owner's sessions: in a dump, never restored from one.
const sessionsTable = "owner_sessions"

// historyTables is DumpTables without the owner's sessions: what a restore
// replaces.
func historyTables() []string {
	return slices.DeleteFunc(slices.Clone(DumpTables), func(n string) bool { return n == sessionsTable })
}

// DumpTable is one table of a dump: its columns in the order of the COPY
// data, and its row count.
type DumpTable struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Rows    int64    `json:"rows"`
	// SHA256 is the checksum of the table's COPY text, filled by the
	// writer of the dump.
	SHA256 string `json:"sha256,omitempty"`
}

// DumpPostgres reads every table of the PostgreSQL database db in one
// snapshot: a REPEATABLE READ, read-only transaction on one connection, so
// concurrent writers neither wait nor show through. For each table of
// DumpTables it calls emit with the table (columns and row count as of the
// snapshot) and a function that streams its rows in COPY text format and
// returns how many it wrote. It returns the schema version of the snapshot.
//
// Returns EINVALID when db is not PostgreSQL.
func DumpPostgres(ctx context.Context, db *DB, emit func(t *DumpTable, copyTo func(w io.Writer) (int64, error)) error) (int64, error) {
	if !db.dialect.isPostgres() {
		return 0, domain.Errorf(domain.EINVALID, "A logical dump is made of a PostgreSQL database.")
	}
	var version int64
	err := db.Read(ctx, func(r *sqlx.DB) error {
		conn, err := r.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(dc any) error {
			pc := dc.(*stdlib.Conn).Conn()
			if _, err := pc.Exec(ctx, `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`); err != nil {
				return err
			}
			defer pc.Exec(context.WithoutCancel(ctx), `ROLLBACK`)
			if err := pc.QueryRow(ctx, schemaVersionSQL).Scan(&version); err != nil {
				return fmt.Errorf("schema version: %w", err)
			}
			if err := checkDumpTables(ctx, pc); err != nil {
				return err
			}
			for _, name := range DumpTables {
				cols, err := pgColumns(ctx, pc, name)
				if err != nil {
					return err
				}
				t := &DumpTable{Name: name, Columns: cols}
				if err := pc.QueryRow(ctx, `SELECT count(*) FROM `+name).Scan(&t.Rows); err != nil {
					return fmt.Errorf("count %s: %w", name, err)
				}
				copyTo := func(w io.Writer) (int64, error) {
					tag, err := pc.PgConn().CopyTo(ctx, w, `COPY `+name+` (`+strings.Join(cols, ", ")+`) TO STDOUT`)
					if err != nil {
						return 0, fmt.Errorf("copy %s: %w", name, err)
					}
					return tag.RowsAffected(), nil
				}
				if err := emit(t, copyTo); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("dump: %w", err)
	}
	return version, nil
}

// checkDumpTables refuses a schema with a table DumpTables does not list,
// so that a new migration's table cannot be silently left out of backups.
func checkDumpTables(ctx context.Context, pc *pgx.Conn) error {
	rows, err := pc.Query(ctx, `
		SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	for _, n := range names {
		if n != "goose_db_version" && n != rowCountsTable && n != userCountsTable && !slices.Contains(DumpTables, n) {
			return fmt.Errorf("table %s is not in store.DumpTables", n)
		}
	}
	return nil
}

// pgColumns returns the columns of a table of the current schema in
// declaration order.
func pgColumns(ctx context.Context, pc *pgx.Conn, table string) ([]string, error) {
	rows, err := pc.Query(ctx, `
		SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'
		ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(cols) == 0 {
		return nil, fmt.Errorf("columns of %s: %v", table, err)
	}
	return cols, nil
}

// LoadPostgres replaces every row of the PostgreSQL database db with the
// tables of a dump of the same schema version, in one transaction that
// holds the store's write lock: a crash or an error at any point leaves the
// old rows, and no writer sees a half-loaded database. open returns the COPY
// text of a table; each table must load exactly the rows its entry counts.
// The identity sequences are moved past the loaded ids.
//
// Returns EINVALID for another schema version or a table that loads
// another number of rows than the dump says.
func LoadPostgres(ctx context.Context, db *DB, version int64, tables []*DumpTable, open func(t *DumpTable) (io.ReadCloser, error)) error {
	if !db.dialect.isPostgres() {
		return domain.Errorf(domain.EINVALID, "A logical dump loads into a PostgreSQL database.")
	}
	have, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if have != version {
		return domain.Invalidf("file", "The backup has schema version %d and this database %d; restore it with the Reelvault version that made it, or into a database of that version.", version, have)
	}
	for _, t := range tables {
		if !slices.Contains(DumpTables, t.Name) {
			return domain.Invalidf("file", "The backup holds a table %q this Reelvault does not know.", t.Name)
		}
	}
	err = db.Write(ctx, func(w *sqlx.DB) error {
		conn, err := w.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(dc any) error {
			pc := dc.(*stdlib.Conn).Conn()
			tx, err := pc.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(context.WithoutCancel(ctx))
			if _, err := tx.Exec(ctx, db.dialect.replaceLock); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
			// The owner's sessions are this install's credentials, not
			// history: the ones signed in now stay, and none ended since
			// the dump comes back (as a SQLite restore keeps them).
			history := historyTables()
			if _, err := tx.Exec(ctx, `TRUNCATE `+strings.Join(history, ", ")+` RESTART IDENTITY`); err != nil {
				return fmt.Errorf("empty the tables: %w", err)
			}
			for _, t := range tables {
				if t.Name == sessionsTable {
					continue
				}
				if err := loadTable(ctx, tx, t, open); err != nil {
					return err
				}
			}
			for _, t := range CopyTables {
				if t.Key != "id" {
					continue
				}
				if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t.Name+`', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM `+t.Name+`), false)`); err != nil {
					return fmt.Errorf("reset sequence of %s: %w", t.Name, err)
				}
			}
			return tx.Commit(ctx)
		})
	})
	if err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			return err
		}
		return fmt.Errorf("load dump: %w", mapError(err))
	}
	return nil
}

// loadTable copies one table's COPY text into it and checks the count.
func loadTable(ctx context.Context, tx pgx.Tx, t *DumpTable, open func(t *DumpTable) (io.ReadCloser, error)) error {
	for _, c := range t.Columns {
		if !isIdent(c) {
			return domain.Invalidf("file", "The backup names a column %q of table %s that is not a column name.", c, t.Name)
		}
	}
	r, err := open(t)
	if err != nil {
		return err
	}
	defer r.Close()
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, r, `COPY `+t.Name+` (`+strings.Join(t.Columns, ", ")+`) FROM STDIN`)
	if err != nil {
		if domain.ErrorCode(err) != domain.EINTERNAL {
			return err
		}
		return domain.Invalidf("file", "Table %s of the backup does not load: %v.", t.Name, err)
	}
	if n := tag.RowsAffected(); n != t.Rows {
		return domain.Invalidf("file", "Table %s of the backup loaded %d rows, but the backup counts %d.", t.Name, n, t.Rows)
	}
	return nil
}

// isIdent reports whether s is a plain lower-case SQL identifier.
func isIdent(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// TableChecksums returns, for each table of DumpTables (on PostgreSQL) or
// CopyTables (on SQLite), its row count and a checksum over every row in
// key order in an engine-independent encoding, to prove two databases hold
// the same rows.
func TableChecksums(ctx context.Context, db *DB) (map[string]*CopiedTable, error) {
	out := map[string]*CopiedTable{}
	for _, t := range CopyTables {
		var cols []string
		var err error
		if db.dialect.isPostgres() {
			err = db.Read(ctx, func(r *sqlx.DB) error {
				return r.SelectContext(ctx, &cols, `
					SELECT column_name FROM information_schema.columns
					WHERE table_schema = current_schema() AND table_name = $1
					ORDER BY ordinal_position`, t.Name)
			})
		} else {
			cols, err = tableColumns(ctx, db, t.Name)
		}
		if err != nil {
			return nil, err
		}
		n, sum, err := tableChecksum(ctx, db, t.Name, t.Key, cols)
		if err != nil {
			return nil, err
		}
		out[t.Name] = &CopiedTable{Name: t.Name, Rows: n, Checksum: sum}
	}
	return out, nil
}

// ReplaceFromSchema replaces every row of the PostgreSQL database db (its
// current schema) with the rows of the same tables in schema from, in one
// transaction that holds the store's write lock, so a crash leaves the old
// rows and writers never see a half-replaced database. Both must be at the
// same schema version. The identity sequences are moved past the new ids.
func ReplaceFromSchema(ctx context.Context, db *DB, from string) error {
	if !db.dialect.isPostgres() {
		return domain.Errorf(domain.EINVALID, "Only a PostgreSQL database is replaced from a schema.")
	}
	if !isIdent(from) {
		return domain.Invalidf("schema", "%q is not a schema name.", from)
	}
	history := historyTables()
	return db.write(ctx, func(tx *tx) error {
		if _, err := tx.exec(`TRUNCATE ` + strings.Join(history, ", ") + ` RESTART IDENTITY`); err != nil {
			return fmt.Errorf("empty the tables: %w", err)
		}
		for _, name := range history {
			var cols []string
			if err := tx.sel(&cols, `
				SELECT column_name FROM information_schema.columns
				WHERE table_schema = current_schema() AND table_name = ? AND is_generated = 'NEVER'
				ORDER BY ordinal_position`, name); err != nil {
				return fmt.Errorf("columns of %s: %w", name, err)
			}
			list := strings.Join(cols, ", ")
			if _, err := tx.exec(`INSERT INTO ` + name + ` (` + list + `) SELECT ` + list + ` FROM ` + from + `.` + name); err != nil {
				return fmt.Errorf("copy %s: %w", name, err)
			}
		}
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
