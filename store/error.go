package store

import (
	"database/sql"
	"errors"

	"github.com/reelvault/reelvault/domain"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

const sqliteNotADB = sqlite3.SQLITE_NOTADB

// sqliteCode returns the extended SQLite result code of err, or 0. A
// PostgreSQL error is translated to the code with the same meaning.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return postgresCode(err)
}

// mapError converts driver errors to domain errors by SQLite's extended
// result code; this is the one place where that happens. Other errors are
// returned unchanged (and reported as EINTERNAL).
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	switch sqliteCode(err) {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &wrapped{domain.Errorf(domain.ECONFLICT, "It already exists."), err}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return &wrapped{domain.Errorf(domain.ENOTFOUND, "A referenced record does not exist."), err}
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return &wrapped{domain.Errorf(domain.EINVALID, "A value is out of range."), err}
	case sqlite3.SQLITE_NOTADB:
		return &wrapped{domain.Errorf(domain.EINVALID, "The file is not a Reelvault database."), err}
	case sqlite3.SQLITE_FULL:
		return &wrapped{domain.Errorf(domain.EINTERNAL, "The disk is full."), err}
	}
	return err
}

// wrapped is a domain error that keeps the driver error for logs.
type wrapped struct {
	err   *domain.Error
	cause error
}

// Unwrap returns both the domain error and the driver error.
func (w *wrapped) Unwrap() []error { return []error{w.err, w.cause} }

// Error returns the domain message and the driver detail.
func (w *wrapped) Error() string { return w.err.Error() + " (" + w.cause.Error() + ")" }

// isNoRows reports whether err says a query found no row.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
