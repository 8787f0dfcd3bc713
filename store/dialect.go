package store

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/reelvault/reelvault/domain"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	sqlite3 "modernc.org/sqlite/lib"
)

// This file is the one place where the SQL of SQLite and PostgreSQL
// differs. The services write SQLite-flavoured SQL with ? placeholders; a
// dialect rebinds it, and supplies the few fragments that cannot be shared:
//
//   - placeholders: ? on SQLite, $1… on PostgreSQL (sqlx.Rebind, cached);
//   - inserted ids: LastInsertId on SQLite, lastval() in the same
//     transaction on PostgreSQL (identity columns);
//   - locking: SQLite has one writer connection whose transactions begin
//     IMMEDIATE. PostgreSQL writers run in parallel, in this and in other
//     Reelvault processes on the same database: SERIALIZABLE with retry by
//     default, READ COMMITTED with row locks and conditional updates on the
//     hot paths (see DB.write and DB.writeRows). forUpdate locks a row read
//     before it is changed, and claims split the pending rows with
//     FOR UPDATE SKIP LOCKED;
//   - full-text search: FTS5 over text with CJK characters set apart on
//     SQLite; LIKE over the same text, lower-cased, with a pg_trgm GIN
//     index on PostgreSQL;
//   - calendar days of microsecond timestamps, and storage statistics;
//   - error codes: PostgreSQL SQLSTATEs are translated to the SQLite result
//     codes the rest of the store checks.
//
// Upserts (INSERT … ON CONFLICT … DO UPDATE with excluded.) and RETURNING
// are written once: both engines accept the same syntax. Identity columns
// and time types live in the two migration sets (BIGINT microseconds on
// both).

// Engine names, as returned by DB.Engine.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// IsPostgresURL reports whether dsn names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgresURL(dsn string) bool {
	lower := strings.ToLower(dsn)
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// dialect describes one SQL engine.
type dialect struct {
	engine     string
	bindType   int
	goose      goose.Dialect
	migrations func() fs.FS

	// replaceLock starts a transaction that replaces every table (a dump
	// restore), so that two such never interleave; the TRUNCATE that follows
	// keeps every other writer out.
	replaceLock string
	// claimSuffix ends the SELECT that picks the task to claim; forUpdate
	// ends a SELECT whose rows (of tasks t) the transaction changes next.
	claimSuffix, forUpdate string
	// cachesStmts: the store keeps prepared statements per pool (stmt.go);
	// pgx caches them itself on PostgreSQL.
	cachesStmts bool
	// lastval: inserted ids come from lastval() in the same transaction
	// (identity columns), not from the driver's LastInsertId.
	lastval bool
	// publishes: committed notifications are relayed to other processes
	// with NOTIFY (postgres_notify.go); on SQLite the watcher finds them.
	publishes bool

	rebound sync.Map // query → rebound query
}

// writeLockKey is the advisory lock that serialises whole-database
// replacements on PostgreSQL ("RVLT", as the SQLite application id).
// Advisory locks are per database.
const writeLockKey = 0x52564C54

var (
	sqliteDialect = &dialect{
		engine:      EngineSQLite,
		bindType:    sqlx.QUESTION,
		goose:       goose.DialectSQLite3,
		migrations:  sqliteMigrations,
		cachesStmts: true,
	}
	postgresDialect = &dialect{
		engine:      EnginePostgres,
		bindType:    sqlx.DOLLAR,
		goose:       goose.DialectPostgres,
		migrations:  postgresMigrations,
		replaceLock: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", writeLockKey),
		// OF t: lock the task row only, not the joined user row, so claims
		// for tasks of one user do not queue behind each other.
		claimSuffix: "\n\t\t\tFOR UPDATE OF t SKIP LOCKED",
		forUpdate:   "\n\t\t\tFOR UPDATE OF t",
		lastval:     true,
		publishes:   true,
	}
)

// rebind converts ? placeholders for the engine.
func (d *dialect) rebind(query string) string {
	if d == nil || d.bindType == sqlx.QUESTION {
		return query
	}
	if q, ok := d.rebound.Load(query); ok {
		return q.(string)
	}
	q := sqlx.Rebind(d.bindType, query)
	d.rebound.Store(query, q)
	return q
}

// storage fills the storage figures of st (page size, file size, per-table
// sizes…) in tx; measured is false when the per-table sizes were left to a
// background measurement (a large SQLite file, see StatsService.Status).
func (d *dialect) storage(tx *tx, st *domain.DBStatus, scanLimit int64) (measured bool, err error) {
	if d.isPostgres() {
		return true, postgresStorage(tx, st)
	}
	return sqliteStorage(tx, st, scanLimit)
}

// isPostgres reports whether d is PostgreSQL.
func (d *dialect) isPostgres() bool { return d != nil && d.engine == EnginePostgres }

// searchText returns the text stored in task_search.body for parts: on
// both engines with every CJK character set apart by spaces (searchBody);
// on PostgreSQL also lower-cased and with diacritics folded, so that a
// case-sensitive LIKE finds any case: ILIKE lower-cases every row it looks
// at and costs several times more.
//
// The spaces serve pg_trgm too: it splits text into words at spaces, so
// each CJK character is a word of its own with trigrams ("  森", " 森 ")
// that the GIN index can look up. A two-character term such as 森林,
// searched as "% 森  林 %", then needs only the rows holding both
// characters instead of a scan of every row (a run written without spaces
// would give it no trigram at all).
func (d *dialect) searchText(parts ...string) string {
	if d.isPostgres() {
		return foldSearch(searchBody(parts...))
	}
	return searchBody(parts...)
}

// searchCond returns the condition on tasks t that selects the tasks whose
// search text matches q (see searchTasks).
func (d *dialect) searchCond(q searchQuery) (string, []any) {
	if !d.isPostgres() {
		return "t.id IN (SELECT rowid FROM task_search WHERE task_search MATCH ?)", []any{q.fts}
	}
	cond, args := postgresSearchCond(q)
	return "t.id IN (SELECT s.rowid FROM task_search s WHERE " + cond + ")", args
}

// foldSearch lower-cases s and folds its diacritics.
// ASCII text, by far the most common, skips the Unicode transform.
func foldSearch(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.ToLower(foldDiacritics(s))
		}
	}
	return strings.ToLower(s)
}

// foldDiacritics removes combining marks (café → cafe), as SQLite's
// unicode61 tokenizer does with remove_diacritics 2; the text and the
// search terms are folded alike.
func foldDiacritics(s string) string {
	out, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	if err != nil {
		return s
	}
	return out
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// dayOf returns an expression for the UTC calendar day (YYYY-MM-DD) of a
// column of microseconds.
func (d *dialect) dayOf(column string) string {
	if d.isPostgres() {
		return "to_char(to_timestamp(" + column + " / 1000000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	return "date(" + column + " / 1000000, 'unixepoch')"
}

// postgresCode translates a PostgreSQL error to the SQLite extended result
// code with the same meaning, so that the store checks one set of codes.
// It returns 0 for other errors.
func postgresCode(err error) int {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return 0
	}
	switch pe.Code {
	case "23505": // unique_violation
		if strings.HasSuffix(pe.ConstraintName, "_pkey") {
			return sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
		}
		return sqlite3.SQLITE_CONSTRAINT_UNIQUE
	case "23503": // foreign_key_violation
		return sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	case "23514", // check_violation
		"22021", // character_not_in_repertoire: a NUL in text
		"22003": // numeric_value_out_of_range
		return sqlite3.SQLITE_CONSTRAINT_CHECK
	case "23502": // not_null_violation
		return sqlite3.SQLITE_CONSTRAINT_NOTNULL
	case "53100": // disk_full
		return sqlite3.SQLITE_FULL
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return sqlite3.SQLITE_BUSY
	}
	return 0
}

// uniqueColumn returns "table.column" of the column whose UNIQUE
// constraint err violated, as SQLite names it ("users.email"), or "".
func uniqueColumn(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		// PostgreSQL names single-column constraints table_column_key.
		col := strings.TrimSuffix(strings.TrimPrefix(pe.ConstraintName, pe.TableName+"_"), "_key")
		return pe.TableName + "." + col
	}
	if sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		msg := err.Error()
		if i := strings.LastIndex(msg, "failed: "); i >= 0 {
			col := msg[i+len("failed: "):]
			if j := strings.IndexAny(col, " ,()"); j >= 0 {
				col = col[:j]
			}
			return col
		}
	}
	return ""
}

// Engine returns EnginePostgres when the DB's Path is a PostgreSQL URL and
// EngineSQLite otherwise.
func (db *DB) Engine() string {
	if IsPostgresURL(db.Path) {
		return EnginePostgres
	}
	return EngineSQLite
}
