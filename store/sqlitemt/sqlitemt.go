// Package sqlitemt runs modernc's SQLite connections in SQLite's
// multi-thread mode instead of its serialized mode.
//
// modernc.org/sqlite opens every connection with SQLITE_OPEN_FULLMUTEX, with
// no option to do otherwise, so every sqlite3_column_*, sqlite3_bind_* and
// sqlite3_step call locks and unlocks the connection's recursive mutex —
// about a third of the CPU of reading a page of 50 tasks, and half of an
// export's, in modernc's emulated pthread mutex. That mutex protects
// nothing the driver does not already require: a modernc connection must not
// be used by two goroutines at once whatever its mode (its per-connection
// libc TLS is used before SQLite's mutex is reached; see the driver's
// documentation of Conn.Raw), and database/sql hands a connection to one
// goroutine at a time. The one call the driver makes from another goroutine,
// sqlite3_interrupt on a cancelled context, takes no mutex.
//
// Importing this package installs, before SQLite is first initialised, mutex
// methods that wrap SQLite's own: every static and fast mutex (the page
// cache's, the memory allocator's, the VFS's list of open files — the state
// connections share) is SQLite's, unchanged, and a recursive mutex
// allocated after initialisation, which is what a connection's own mutex is,
// is a no-op. That is what SQLITE_OPEN_NOMUTEX gives a connection.
//
// REELVAULT_SQLITE_MUTEX=serialized in the environment leaves SQLite's
// mutexes as they are (for comparison, or if a future driver ever uses a
// connection from two goroutines).
package sqlitemt

import (
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// EnvMode names the environment variable that, set to "serialized", keeps
// SQLite's own connection mutexes.
const EnvMode = "REELVAULT_SQLITE_MUTEX"

type methods = sqlite3.Tsqlite3_mutex_methods

var (
	// orig are SQLite's own mutex methods; ours wrap them.
	orig, ours methods
	// nop is the address every connection mutex gets: not memory SQLite
	// reads or writes, only a value no real mutex has.
	nop [8]byte
	// connections is set once SQLite is initialised with ours: recursive
	// mutexes allocated from then on are connections' own.
	connections atomic.Bool
)

// Installed reports whether connection mutexes are no-ops in this process.
func Installed() bool { return connections.Load() }

// IsNop reports whether p, a sqlite3_mutex pointer (for example
// sqlite3_db_mutex of a connection), is the no-op mutex.
func IsNop(p uintptr) bool { return p != 0 && p == nopMutex() }

func nopMutex() uintptr { return uintptr(unsafe.Pointer(&nop)) }

// fp is the C function pointer modernc's transpiled SQLite calls for f.
func fp[F any](f F) uintptr { return *(*uintptr)(unsafe.Pointer(&struct{ f F }{f})) }

// fn is the Go function behind the C function pointer p.
func fn[F any](p uintptr) F { return *(*F)(unsafe.Pointer(&struct{ p uintptr }{p})) }

func mutexAlloc(tls *libc.TLS, id int32) uintptr {
	if id == sqlite3.SQLITE_MUTEX_RECURSIVE && connections.Load() {
		return nopMutex()
	}
	return fn[func(*libc.TLS, int32) uintptr](orig.FxMutexAlloc)(tls, id)
}

func mutexFree(tls *libc.TLS, p uintptr) {
	if p != nopMutex() {
		fn[func(*libc.TLS, uintptr)](orig.FxMutexFree)(tls, p)
	}
}

func mutexEnter(tls *libc.TLS, p uintptr) {
	if p != nopMutex() {
		fn[func(*libc.TLS, uintptr)](orig.FxMutexEnter)(tls, p)
	}
}

func mutexTry(tls *libc.TLS, p uintptr) int32 {
	if p == nopMutex() {
		return sqlite3.SQLITE_OK
	}
	return fn[func(*libc.TLS, uintptr) int32](orig.FxMutexTry)(tls, p)
}

func mutexLeave(tls *libc.TLS, p uintptr) {
	if p != nopMutex() {
		fn[func(*libc.TLS, uintptr)](orig.FxMutexLeave)(tls, p)
	}
}

// mutexHeld and mutexNotheld serve SQLite's assertions (debug builds only);
// a no-op mutex is both held and not held, as SQLite's own no-op mutexes are.
func mutexHeld(tls *libc.TLS, p uintptr) int32 {
	if p == nopMutex() {
		return 1
	}
	return fn[func(*libc.TLS, uintptr) int32](orig.FxMutexHeld)(tls, p)
}

func mutexNotheld(tls *libc.TLS, p uintptr) int32 {
	if p == nopMutex() {
		return 1
	}
	return fn[func(*libc.TLS, uintptr) int32](orig.FxMutexNotheld)(tls, p)
}

// config calls sqlite3_config(op, arg) for an op whose one argument is a
// pointer.
func config(tls *libc.TLS, op int32, arg uintptr) error {
	va := libc.Xmalloc(tls, libc.Tsize_t(unsafe.Sizeof(uintptr(0))))
	if va == 0 {
		return fmt.Errorf("sqlite3_config(%d): out of memory", op)
	}
	defer libc.Xfree(tls, va)
	if rc := sqlite3.Xsqlite3_config(tls, op, libc.VaList(va, arg)); rc != sqlite3.SQLITE_OK {
		return fmt.Errorf("sqlite3_config(%d): %s", op, libc.GoString(sqlite3.Xsqlite3_errstr(tls, rc)))
	}
	return nil
}

// install wraps SQLite's mutex methods. SQLite installs its default methods
// when it is first initialised and accepts new ones only while shut down, so
// install initialises it, reads them, shuts it down, configures ours, and
// initialises it again: the one recursive mutex that initialisation
// allocates (its own, used only during initialisation) stays real. An error
// before ours are configured leaves SQLite shut down with its own methods,
// and the first connection initialises it again as if install had not run;
// fatal reports an error after that.
func install() (fatal bool, err error) {
	tls := libc.NewTLS()
	defer tls.Close()
	if rc := sqlite3.Xsqlite3_initialize(tls); rc != sqlite3.SQLITE_OK {
		return false, fmt.Errorf("sqlite3_initialize: %d", rc)
	}
	if rc := sqlite3.Xsqlite3_shutdown(tls); rc != sqlite3.SQLITE_OK {
		return false, fmt.Errorf("sqlite3_shutdown: %d", rc)
	}
	if err := config(tls, sqlite3.SQLITE_CONFIG_GETMUTEX, uintptr(unsafe.Pointer(&orig))); err != nil {
		return false, err
	}
	if orig.FxMutexAlloc == 0 || orig.FxMutexEnter == 0 || orig.FxMutexLeave == 0 {
		return false, fmt.Errorf("sqlite3_config(GETMUTEX) returned no mutex methods")
	}
	ours = orig
	ours.FxMutexAlloc = fp(mutexAlloc)
	ours.FxMutexFree = fp(mutexFree)
	ours.FxMutexEnter = fp(mutexEnter)
	ours.FxMutexTry = fp(mutexTry)
	ours.FxMutexLeave = fp(mutexLeave)
	ours.FxMutexHeld = fp(mutexHeld)
	ours.FxMutexNotheld = fp(mutexNotheld)
	if err := config(tls, sqlite3.SQLITE_CONFIG_MUTEX, uintptr(unsafe.Pointer(&ours))); err != nil {
		return false, err
	}
	if rc := sqlite3.Xsqlite3_initialize(tls); rc != sqlite3.SQLITE_OK {
		return true, fmt.Errorf("sqlite3_initialize with wrapped mutexes: %d", rc)
	}
	connections.Store(true)
	return false, nil
}

func init() {
	if os.Getenv(EnvMode) == "serialized" {
		return
	}
	if fatal, err := install(); fatal {
		// SQLite is configured with methods it failed to initialise
		// with: stop rather than open a database on it.
		panic("sqlitemt: " + err.Error())
	}
}
