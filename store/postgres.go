package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/reelvault/reelvault/domain"
)

// postgresMigrationFS holds the PostgreSQL migrations, numbered like the
// SQLite ones (a test keeps the two sets in lockstep).
//
//go:embed migrations/postgres/*.sql
var postgresMigrationFS embed.FS

// postgresMigrations returns the folder goose reads PostgreSQL migrations
// from.
func postgresMigrations() fs.FS {
	sub, err := fs.Sub(postgresMigrationFS, "migrations/postgres")
	if err != nil {
		panic(err) // the embedded folder always exists
	}
	return sub
}

// Connections a process opens on PostgreSQL: a writer pool, a reader pool
// and, when it has a Notifier, one LISTEN connection of its own.
//
// Writers run in parallel (see DB.write) but a write transaction is short
// and mostly waits on PostgreSQL's own work, so a handful of writer
// connections saturate it; readers get one per CPU and two more for the
// requests that wait on the network. Both are bounded, so that several
// Reelvault processes fit in PostgreSQL's default max_connections (100)
// with room for others; PostgresWriterConns and PostgresReaderConns (or the
// URL parameters reelvault_writers and reelvault_readers) change them.
const (
	DefaultPostgresWriterConns = 6
	DefaultPostgresReaderConns = 0 // 0: runtime.NumCPU()+2, at most 16
)

// DefaultPostgresConns is the largest pool a process opens by default (the
// reader pool on a machine of 14 CPUs or more).
const DefaultPostgresConns = 16

// openPostgres opens the writer and reader pools on the PostgreSQL database
// db.Path and applies pending migrations.
//
// The reader pool's transactions are REPEATABLE READ and read-only (see
// DB.read), so a service method that reads in several statements sees one
// snapshot, as it does in SQLite's WAL mode.
func (db *DB) openPostgres(ctx context.Context) (err error) {
	writerDSN, readerDSN, writers, readers, err := postgresDSNs(db.Path)
	if err != nil {
		return err
	}
	writer, err := sqlx.Open("pgx", writerDSN)
	if err != nil {
		return fmt.Errorf("open writer: %w", err)
	}
	configurePool(writer, writers)
	defer func() {
		if err != nil {
			writer.Close()
		}
	}()
	if err := writer.PingContext(ctx); err != nil {
		return domain.Errorf(domain.EINVALID, "Cannot connect to the PostgreSQL database %s: %v", redactURL(db.Path), err)
	}
	var syncCommit string
	if err := writer.GetContext(ctx, &syncCommit, `SELECT current_setting('synchronous_commit')`); err == nil && syncCommit == "off" {
		db.Logger.Warn("PostgreSQL has synchronous_commit=off: a write acknowledged just before a server crash may be lost", "db", redactURL(db.Path))
	}
	if err := db.migratePostgres(ctx, writer.DB); err != nil {
		return err
	}

	reader, err := sqlx.Open("pgx", readerDSN)
	if err != nil {
		return fmt.Errorf("open reader: %w", err)
	}
	configurePool(reader, readers)
	if err := reader.PingContext(ctx); err != nil {
		reader.Close()
		return fmt.Errorf("open reader: %w", mapError(err))
	}
	db.writer, db.reader = writer, reader
	db.origin = newOrigin()
	db.startPublisher(writer)
	if db.Notifier != nil {
		db.startListener(writerDSN)
	}
	return nil
}

// postgresPoolSizes returns the sizes of the writer and the reader pool
// for the URL parameters q (reelvault_writers, reelvault_readers) or the
// defaults.
func postgresPoolSizes(q url.Values) (writers, readers int, err error) {
	writers = DefaultPostgresWriterConns
	readers = min(runtime.NumCPU()+2, DefaultPostgresConns)
	for name, n := range map[string]*int{"reelvault_writers": &writers, "reelvault_readers": &readers} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		k, err := strconv.Atoi(v)
		if err != nil || k < 1 || k > 1000 {
			return 0, 0, domain.Invalidf("db", "The PostgreSQL URL parameter %s=%q is not a number of connections from 1 to 1000.", name, v)
		}
		*n = k
	}
	return writers, readers, nil
}

func configurePool(p *sqlx.DB, n int) {
	p.SetMaxOpenConns(n)
	p.SetMaxIdleConns(n)
	p.SetConnMaxIdleTime(5 * time.Minute)
}

// postgresDSNs returns the connection strings of the writer and the reader
// pool and the pools' sizes.
//
// No session state is set on a pooled connection, so that Reelvault runs
// behind PgBouncer in transaction mode, where consecutive transactions of
// one client connection may run on different server connections: the
// isolation and read-only mode of each transaction are set as it begins,
// and statements are not prepared by name. pgx's default
// (default_query_exec_mode=cache_statement) keeps a named prepared
// statement per query on each connection, which PgBouncer's transaction
// mode cannot follow; cache_describe sends each query with the unnamed
// statement in one round trip, having cached its parameter and result types
// once per connection. A URL that names default_query_exec_mode keeps its
// choice. Durability relies on the server's synchronous_commit, on by
// default: an acknowledged commit is then on disk, as synchronous=FULL
// makes it for SQLite.
func postgresDSNs(raw string) (writer, reader string, writers, readers int, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" && u.Query().Get("host") == "" {
		return "", "", 0, 0, domain.Invalidf("db", "The PostgreSQL URL %s is not valid; use postgres://user:password@host:5432/database.", redactURL(raw))
	}
	q := u.Query()
	if writers, readers, err = postgresPoolSizes(q); err != nil {
		return "", "", 0, 0, err
	}
	q.Del("reelvault_writers")
	q.Del("reelvault_readers")
	q.Set("application_name", "reelvault")
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "cache_describe")
	}
	// pgx reads "+" literally: spell the space as %20.
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u.String(), u.String(), writers, readers, nil
}

// redactURL returns raw without its password, for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// migratePostgres applies pending PostgreSQL migrations. A session advisory
// lock keeps two processes that start together from migrating at once.
func (db *DB) migratePostgres(ctx context.Context, w *sql.DB) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, w, postgresMigrations(),
		goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("migrate: read version: %w", mapError(err))
	}
	if current > target {
		return domain.Errorf(domain.ECONFLICT,
			"The database %s has schema version %d, newer than this Reelvault supports (%d); update Reelvault.", redactURL(db.Path), current, target)
	}
	if db.SchemaTarget > 0 && db.SchemaTarget < target {
		target = db.SchemaTarget
	}
	if current >= target {
		return nil
	}
	if _, err := p.UpTo(ctx, target); err != nil {
		return fmt.Errorf("migrate: %w", mapError(err))
	}
	return nil
}

// Upgrade migrates an open PostgreSQL database that was opened at an older
// SchemaTarget to this binary's latest schema.
func (db *DB) Upgrade(ctx context.Context) error {
	if !db.dialect.isPostgres() {
		return domain.Errorf(domain.EINVALID, "Upgrade applies to PostgreSQL; SQLite databases are upgraded when opened.")
	}
	db.SchemaTarget = 0
	return db.Write(ctx, func(w *sqlx.DB) error { return db.migratePostgres(ctx, w.DB) })
}

// errExclusivePostgres is returned by Exclusive on PostgreSQL: there is no
// file to hand over.
var errExclusivePostgres = domain.Errorf(domain.EINVALID,
	"This Reelvault stores its data in PostgreSQL, which has no database file to copy or replace; use a JSON export, or pg_dump and pg_restore, instead.")

// pgResult adds LastInsertId to a PostgreSQL result: the pgx driver has no
// such call, so it asks lastval() in the same transaction, which holds the
// value the INSERT just took from the table's identity sequence.
type pgResult struct {
	sql.Result
	t *tx
}

// LastInsertId returns the id of the row the INSERT created.
func (r pgResult) LastInsertId() (int64, error) {
	if _, ok := r.t.ext.(*sqlx.Tx); !ok {
		return 0, errors.New("last insert id: only inside a transaction")
	}
	var id int64
	if err := sqlx.GetContext(r.t.ctx, r.t.ext, &id, "SELECT lastval()"); err != nil {
		return 0, fmt.Errorf("last insert id: %w", err)
	}
	return id, nil
}

// postgresStorage fills st for a PostgreSQL database: the database size
// stands for the file size, relation sizes for the per-table sizes, and
// PostgreSQL's block size for the page size. There is no WAL file or free
// page count of the database's own. The sizes are always measured.
func postgresStorage(tx *tx, st *domain.DBStatus) error {
	st.Path = redactURL(st.Path)
	if err := tx.get(&st.PageSize, `SELECT current_setting('block_size')::bigint`); err != nil {
		return err
	}
	if err := tx.get(&st.FileSize, `SELECT pg_database_size(current_database())`); err != nil {
		return err
	}
	return tx.sel(&st.Tables, `
		SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')
		ORDER BY bytes DESC, name`)
}
