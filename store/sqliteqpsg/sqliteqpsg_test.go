package sqliteqpsg_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/reelvault/reelvault/store/sqliteqpsg"
)

// conn is a connection opened through modernc's SQLite library, as the
// driver opens its own.
type conn struct {
	t   *testing.T
	tls *libc.TLS
	db  uintptr
}

func (c *conn) cstr(s string) uintptr {
	p, err := libc.CString(s)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { libc.Xfree(c.tls, p) })
	return p
}

// word reads the pointer-sized word at p, libc's memory.
func word(p uintptr) uintptr { return *(*uintptr)(unsafe.Add(unsafe.Pointer(nil), p)) }

func open(t *testing.T, path string) *conn {
	c := &conn{t: t, tls: libc.NewTLS()}
	t.Cleanup(c.tls.Close)
	out := libc.Xmalloc(c.tls, 8)
	defer libc.Xfree(c.tls, out)
	flags := int32(sqlite3.SQLITE_OPEN_READWRITE | sqlite3.SQLITE_OPEN_CREATE | sqlite3.SQLITE_OPEN_FULLMUTEX)
	if rc := sqlite3.Xsqlite3_open_v2(c.tls, c.cstr(path), out, flags, 0); rc != sqlite3.SQLITE_OK {
		t.Fatalf("open: %d", rc)
	}
	c.db = word(out)
	t.Cleanup(func() { sqlite3.Xsqlite3_close_v2(c.tls, c.db) })
	return c
}

func (c *conn) exec(q string) {
	if rc := sqlite3.Xsqlite3_exec(c.tls, c.db, c.cstr(q), 0, 0, 0); rc != sqlite3.SQLITE_OK {
		c.t.Fatalf("%s: %s", q, libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db)))
	}
}

// reprepares runs q three times with the integer v bound to its one
// parameter and returns how many times SQLite prepared it again.
func (c *conn) reprepares(q string, v int64) int32 {
	out := libc.Xmalloc(c.tls, 8)
	defer libc.Xfree(c.tls, out)
	if rc := sqlite3.Xsqlite3_prepare_v3(c.tls, c.db, c.cstr(q), -1, sqlite3.SQLITE_PREPARE_PERSISTENT, out, 0); rc != sqlite3.SQLITE_OK {
		c.t.Fatalf("prepare %s: %d", q, rc)
	}
	stmt := word(out)
	defer sqlite3.Xsqlite3_finalize(c.tls, stmt)
	for range 3 {
		sqlite3.Xsqlite3_bind_int64(c.tls, stmt, 1, v)
		for sqlite3.Xsqlite3_step(c.tls, stmt) == sqlite3.SQLITE_ROW {
		}
		sqlite3.Xsqlite3_reset(c.tls, stmt)
	}
	return sqlite3.Xsqlite3_stmt_status(c.tls, stmt, sqlite3.SQLITE_STMTSTATUS_REPREPARE, 0)
}

// Every connection has the guarantee, and a statement whose plan could use
// a partial index for its bound value is not prepared again at each new
// binding; with REELVAULT_SQLITE_QPSG=off (in a child process) it is.
func TestStablePlans(t *testing.T) {
	off := os.Getenv(sqliteqpsg.EnvMode) == "off"
	if err := sqliteqpsg.Enable(); err != nil {
		t.Fatal(err)
	}
	c := open(t, filepath.Join(t.TempDir(), "q.db"))
	on, err := sqliteqpsg.Enabled(c.tls, c.db)
	if err != nil {
		t.Fatal(err)
	}
	if on == off {
		t.Fatalf("%s=%q: guarantee on %v", sqliteqpsg.EnvMode, os.Getenv(sqliteqpsg.EnvMode), on)
	}
	c.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER, y INTEGER);
		CREATE INDEX t_one ON t (y) WHERE x = 1;
		INSERT INTO t (x, y) VALUES (1, 1), (2, 2), (1, 3)`)
	n := c.reprepares(`SELECT y FROM t WHERE x = ? ORDER BY y`, 1)
	if off {
		if n == 0 {
			t.Fatal("without the guarantee the statement was never prepared again: the test proves nothing")
		}
		return
	}
	if n != 0 {
		t.Fatalf("prepared again %d times in three runs", n)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStablePlans$", "-test.count=1")
	cmd.Env = append(os.Environ(), sqliteqpsg.EnvMode+"=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("with %s=off: %v\n%s", sqliteqpsg.EnvMode, err, out)
	}
}
