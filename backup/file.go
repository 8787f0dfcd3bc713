package backup

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// FileInfo describes a database file that passed verification.
type FileInfo struct {
	PageSize      int64            `json:"page_size"`
	Pages         int64            `json:"pages"`
	SchemaVersion int64            `json:"schema_version"`
	Rows          map[string]int64 `json:"rows"` // rows per table
}

// checkSource refuses a path that is missing or a directory before any work.
func checkSource(path string) (os.FileInfo, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, domain.Errorf(domain.ENOTFOUND, "Backup file %s does not exist.", path)
	} else if err != nil {
		return nil, fmt.Errorf("stat backup file: %w", err)
	} else if fi.IsDir() {
		return nil, domain.Invalidf("file", "%s is a directory, not a backup file.", path)
	}
	return fi, nil
}

// checkHeader reads the 100-byte SQLite header of the uncompressed file at
// path and refuses what is not a whole Reelvault database: another format, a
// file shorter than its header promises, another application's database.
// name is how the file is shown in messages.
func checkHeader(path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open database file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat database file: %w", err)
	}
	hdr := make([]byte, 100)
	if _, err := io.ReadFull(f, hdr); err != nil || string(hdr[:16]) != string(sqliteMagic) {
		return domain.Invalidf("file", "%s is not a SQLite database.", name)
	}

	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return domain.Invalidf("file", "%s has a damaged header (page size %d).", name, pageSize)
	}
	// The in-header page count is valid when the change counter matches the
	// "version valid for" number, which every SQLite since 3.7.0 keeps.
	if binary.BigEndian.Uint32(hdr[24:28]) == binary.BigEndian.Uint32(hdr[92:96]) {
		pages := int64(binary.BigEndian.Uint32(hdr[28:32]))
		if want := pages * pageSize; fi.Size() < want {
			return domain.Invalidf("file", "%s is truncated: its header promises %d bytes but it holds %d.", name, want, fi.Size())
		}
	}
	if fi.Size()%pageSize != 0 {
		return domain.Invalidf("file", "%s is truncated: %d bytes is not a whole number of %d-byte pages.", name, fi.Size(), pageSize)
	}
	if id := int32(binary.BigEndian.Uint32(hdr[68:72])); id != store.ApplicationID {
		return domain.Invalidf("file", "%s is not a Reelvault database (application_id 0x%08x).", name, uint32(id))
	}
	return nil
}

// verifyDatabase proves the uncompressed database at path whole and usable
// by this binary: header checks, PRAGMA integrity_check, a schema version not
// newer than LatestSchemaVersion. It switches the file to rollback-journal
// mode so that it is one self-contained file, so call it only on private
// copies, never on a file the user owns. name is how the file is shown in
// messages.
func verifyDatabase(ctx context.Context, path, name string) (*FileInfo, error) {
	return checkDatabaseWith(ctx, path, name, "integrity_check")
}

// checkDatabase is verifyDatabase; without integrity it skips PRAGMA
// integrity_check, for a file whose bytes are known to be those of a backup
// that passed it (its checksum matches the catalogue).
func checkDatabase(ctx context.Context, path, name string, integrity bool) (*FileInfo, error) {
	if integrity {
		return checkDatabaseWith(ctx, path, name, "integrity_check")
	}
	return checkDatabaseWith(ctx, path, name, "")
}

// checkDatabaseWith is verifyDatabase with the check pragma given:
// "integrity_check", "quick_check" (every page and b-tree, without
// comparing each index with its table), or "" for none.
func checkDatabaseWith(ctx context.Context, path, name, check string) (*FileInfo, error) {
	if err := checkHeader(path, name); err != nil {
		return nil, err
	}
	// The check reads every page once: through a memory map (as far as
	// SQLite maps, 2 GB) it reads them in place, without a pread and a copy
	// per page (a third less CPU for quick_check on a 170 MB copy). The
	// file is this process's own (a fresh copy, or a backup decompressed
	// next to the database), so nobody truncates it under the map.
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=mmap_size(2147418112)")
	if err != nil {
		return nil, fmt.Errorf("open database file: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	damaged := func(err error) error { return damagedError(ctx, name, err) }
	if _, err := db.ExecContext(ctx, `PRAGMA journal_mode=DELETE`); err != nil {
		return nil, damaged(err)
	}
	if check == "" {
		return describe(ctx, db, name)
	}
	rows, err := db.QueryContext(ctx, `PRAGMA `+check+`(20)`)
	if err != nil {
		return nil, damaged(err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, damaged(err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, damaged(err)
	} else if err := rows.Err(); err != nil {
		return nil, damaged(err)
	}
	if len(problems) > 0 {
		return nil, domain.Invalidf("file", "%s failed the integrity check: %s.", name, strings.Join(problems, "; "))
	}

	return describe(ctx, db, name)
}

// describe reads the page counts, schema version and row counts of an open
// database file and refuses a schema newer than this binary.
func describe(ctx context.Context, db *sql.DB, name string) (*FileInfo, error) {
	damaged := func(err error) error { return damagedError(ctx, name, err) }
	var err error
	info := &FileInfo{Rows: map[string]int64{}}
	if err := db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&info.PageSize); err != nil {
		return nil, damaged(err)
	}
	if err := db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&info.Pages); err != nil {
		return nil, damaged(err)
	}
	if info.SchemaVersion, err = schemaVersion(ctx, db); err != nil {
		return nil, damaged(err)
	}
	if latest := store.LatestSchemaVersion(); info.SchemaVersion > latest {
		return nil, domain.Invalidf("file", "%s has schema version %d, newer than this Reelvault supports (%d); upgrade Reelvault to restore it.", name, info.SchemaVersion, latest)
	}
	if info.Rows, err = rowCounts(ctx, db); err != nil {
		return nil, damaged(err)
	}
	return info, nil
}

// migrationsTable is where goose records applied migrations.
const migrationsTable = "goose_db_version"

// damagedError reports a SQLite error while reading the file name as
// EINVALID, unless ctx ended.
func damagedError(ctx context.Context, name string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return domain.Invalidf("file", "%s is damaged: %v.", name, err)
}

// schemaVersion reads the migration version recorded in the database by goose.
func schemaVersion(ctx context.Context, db *sql.DB) (int64, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, migrationsTable).Scan(&n); err != nil {
		return 0, fmt.Errorf("find migrations table: %w", err)
	} else if n == 0 {
		return 0, nil
	}
	return store.ReadSchemaVersion(ctx, db)
}

// rowCounts counts the rows of every table but SQLite's own.
func rowCounts(ctx context.Context, db *sql.DB) (map[string]int64, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT name
		FROM sqlite_schema
		WHERE type = 'table'
		  AND name NOT LIKE 'sqlite_%'
		  AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'
		ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan table name: %w", err)
		}
		names = append(names, name)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	counts := make(map[string]int64, len(names))
	for _, name := range names {
		var n int64
		// Table names come from sqlite_schema, not from input; quoted as identifiers.
		q := `SELECT count(*) FROM "` + strings.ReplaceAll(name, `"`, `""`) + `"`
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", name, err)
		}
		counts[name] = n
	}
	return counts, nil
}
