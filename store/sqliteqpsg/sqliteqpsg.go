// Package sqliteqpsg turns on SQLite's query planner stability guarantee
// (SQLITE_DBCONFIG_ENABLE_QPSG) on every connection the process opens.
//
// Without it SQLite may plan a statement with the values bound to it — a
// partial index whose WHERE a bound value happens to satisfy, a LIKE
// pattern, STAT4 samples — and then marks the statement expired at every
// new binding, so it is parsed and planned again at each run, whatever the
// store's statement cache keeps. FTS5's own statement that finds a term's
// page in each segment (`segid=? AND term<=?`) did so twice per search:
// 7 % of a newest-first search's CPU at a million tasks. With the guarantee
// a statement keeps the plan it was prepared with; the store writes the
// conditions its partial indexes need as literals (`status = 'pending'`,
// `t.starred`, `t.rating > 0`), which the guarantee does not affect.
//
// modernc.org/sqlite offers no way to set a connection's configuration, so
// Enable registers an auto extension, which SQLite runs on each connection
// as it opens. The store calls it before it opens a database: at run time,
// after package initialisation, because store/sqlitemt shuts SQLite down
// and initialises it again as it is imported, which clears auto
// extensions. REELVAULT_SQLITE_QPSG=off leaves the guarantee off (for
// comparison in the same binary).
package sqliteqpsg

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// EnvMode names the environment variable that, set to "off", leaves the
// guarantee off.
const EnvMode = "REELVAULT_SQLITE_QPSG"

// fp returns the function pointer modernc's SQLite calls for f.
func fp[F any](f F) uintptr { return *(*uintptr)(unsafe.Pointer(&struct{ f F }{f})) }

// enable is the auto extension: sqlite3_db_config(db, ENABLE_QPSG, 1, NULL).
func enable(tls *libc.TLS, db, _, _ uintptr) int32 {
	return dbConfig(tls, db, 1, 0)
}

// dbConfig calls sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_QPSG, on,
// res): on 1 sets the guarantee, -1 leaves it; res, if not 0, receives its
// state.
func dbConfig(tls *libc.TLS, db uintptr, on int32, res uintptr) int32 {
	va := libc.Xmalloc(tls, 2*8) // libc.VaList takes 8 bytes an argument
	if va == 0 {
		return sqlite3.SQLITE_NOMEM
	}
	defer libc.Xfree(tls, va)
	return sqlite3.Xsqlite3_db_config(tls, db, sqlite3.SQLITE_DBCONFIG_ENABLE_QPSG, libc.VaList(va, on, res))
}

// Enabled reports whether the connection db (a sqlite3 pointer of
// modernc.org/sqlite/lib) has the guarantee on.
func Enabled(tls *libc.TLS, db uintptr) (bool, error) {
	res := libc.Xmalloc(tls, 4)
	if res == 0 {
		return false, errNoMemory
	}
	defer libc.Xfree(tls, res)
	if rc := dbConfig(tls, db, -1, res); rc != sqlite3.SQLITE_OK {
		return false, sqliteError(tls, rc)
	}
	// res is libc's memory, not Go's: read it at its address.
	return *(*int32)(unsafe.Add(unsafe.Pointer(nil), res)) == 1, nil
}

var (
	once      sync.Once
	enableErr error
)

// Enable makes every connection opened from now on in this process have
// the guarantee, unless REELVAULT_SQLITE_QPSG is "off". It registers once;
// an error means connections plan as before: slower, not wrong.
func Enable() error {
	once.Do(func() {
		if os.Getenv(EnvMode) == "off" {
			return
		}
		tls := libc.NewTLS()
		defer tls.Close()
		if rc := sqlite3.Xsqlite3_auto_extension(tls, fp(enable)); rc != sqlite3.SQLITE_OK {
			enableErr = fmt.Errorf("sqliteqpsg: sqlite3_auto_extension: %w", sqliteError(tls, rc))
		}
	})
	return enableErr
}

var errNoMemory = errors.New("sqliteqpsg: out of memory")

// sqliteError describes SQLite's result code rc.
func sqliteError(tls *libc.TLS, rc int32) error {
	return fmt.Errorf("sqlite %d: %s", rc, libc.GoString(sqlite3.Xsqlite3_errstr(tls, rc)))
}
