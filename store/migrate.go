package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/reelvault/reelvault/domain"
)

// migrationFS holds the SQLite migrations. PostgreSQL migrations live under
// migrations/postgres with the same version numbers and are not part of it.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// sqliteMigrations returns the folder goose reads SQLite migrations from.
func sqliteMigrations() fs.FS {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		panic(err) // the embedded folder always exists
	}
	return sub
}

// LatestSchemaVersion returns the version of the newest embedded migration.
func LatestSchemaVersion() int64 {
	v := schemaVersions()
	return v[len(v)-1]
}

// PreviousSchemaVersion returns the version of the embedded migration
// before the newest (versions need not be consecutive), the schema of the
// previous release for upgrade tests.
func PreviousSchemaVersion() int64 {
	v := schemaVersions()
	return v[len(v)-2]
}

// schemaVersions returns the versions of the embedded migrations, ascending.
func schemaVersions() []int64 {
	names, _ := fs.Glob(migrationFS, "migrations/*.sql")
	var versions []int64
	for _, name := range names {
		base := path.Base(name)
		n, err := strconv.ParseInt(strings.SplitN(base, "_", 2)[0], 10, 64)
		if err == nil {
			versions = append(versions, n)
		}
	}
	slices.Sort(versions)
	return versions
}

// schemaVersionSQL reads the version of the last migration goose applied:
// the one place that query is written (both engines, any Reelvault file).
const schemaVersionSQL = `SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`

// ReadSchemaVersion returns the version of the last migration applied to
// the database q reads: the live one or any other Reelvault database file
// (a backup being verified). The goose_db_version table must exist.
func ReadSchemaVersion(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (int64, error) {
	var v int64
	if err := q.QueryRowContext(ctx, schemaVersionSQL).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// migrate applies pending migrations with goose. Each runs in its own
// transaction that also records the new version, so a crash leaves the
// schema at a whole version.
func (db *DB) migrate(ctx context.Context, w *sqlx.DB, fresh bool) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, w.DB, sqliteMigrations(),
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("migrate: read version: %w", mapError(err))
	}
	if current > target {
		return domain.Errorf(domain.ECONFLICT,
			"The database %s has schema version %d, newer than this Reelvault supports (%d); update Reelvault.", db.Path, current, target)
	}
	if current == target {
		return nil
	}
	if !fresh && current > 0 && db.BeforeMigrate != nil {
		if _, err := walCheckpoint(ctx, w, "TRUNCATE"); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if err := db.BeforeMigrate(ctx, db.Path, current, target); err != nil {
			return fmt.Errorf("before migrate: %w", err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", mapError(err))
	}
	return nil
}

// CreateAtVersion creates a new, empty Reelvault database at path with the
// schema of an older release: the embedded migrations up to and including
// version. Upgrade tests open it with a DB to watch the later migrations run.
func CreateAtVersion(ctx context.Context, path string, version int64) error {
	if version < 1 || version > LatestSchemaVersion() {
		return domain.Invalidf("version", "The schema version must be between 1 and %d.", LatestSchemaVersion())
	}
	raw, err := sqlx.Open("sqlite", path)
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw.DB, sqliteMigrations(),
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("create database at version %d: %w", version, err)
	}
	return raw.Close()
}
