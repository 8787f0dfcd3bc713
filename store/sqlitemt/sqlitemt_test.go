package sqlitemt_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	_ "modernc.org/sqlite"

	"github.com/reelvault/reelvault/store/sqlitemt"
)

// openMutex opens path with the flags modernc uses (FULLMUTEX) and returns
// the connection's mutex as sqlite3_db_mutex reports it.
func openMutex(t *testing.T, path string) uintptr {
	t.Helper()
	tls := libc.NewTLS()
	defer tls.Close()
	name, err := libc.CString(path)
	if err != nil {
		t.Fatal(err)
	}
	defer libc.Xfree(tls, name)
	pdb := libc.Xmalloc(tls, libc.Tsize_t(unsafe.Sizeof(uintptr(0)))) // SQLite writes the handle here
	defer libc.Xfree(tls, pdb)
	flags := int32(sqlite3.SQLITE_OPEN_READWRITE | sqlite3.SQLITE_OPEN_CREATE | sqlite3.SQLITE_OPEN_FULLMUTEX)
	if rc := sqlite3.Xsqlite3_open_v2(tls, name, pdb, flags, 0); rc != sqlite3.SQLITE_OK {
		t.Fatalf("open: %d", rc)
	}
	db := *(*uintptr)(unsafe.Add(unsafe.Pointer(nil), pdb))
	defer sqlite3.Xsqlite3_close_v2(tls, db)
	return sqlite3.Xsqlite3_db_mutex(tls, db)
}

// A connection opened as modernc opens its connections gets the no-op
// mutex; with REELVAULT_SQLITE_MUTEX=serialized it gets SQLite's own.
func TestConnectionMutex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	m := openMutex(t, path)
	if want := os.Getenv(sqlitemt.EnvMode) != "serialized"; sqlitemt.Installed() != want || sqlitemt.IsNop(m) != want {
		t.Fatalf("%s=%q: installed %v, connection mutex no-op %v; want %v", sqlitemt.EnvMode, os.Getenv(sqlitemt.EnvMode), sqlitemt.Installed(), sqlitemt.IsNop(m), want)
	}
	if m == 0 {
		t.Fatal("a FULLMUTEX connection has no mutex")
	}
	if os.Getenv(sqlitemt.EnvMode) != "" {
		return
	}
	// The same test in a process that asked for serialized connections.
	cmd := exec.Command(os.Args[0], "-test.run=^TestConnectionMutex$", "-test.count=1")
	cmd.Env = append(os.Environ(), sqlitemt.EnvMode+"=serialized")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("serialized: %v\n%s", err, out)
	}
}

// Connections used by many goroutines at once, each by one at a time as
// database/sql hands them out, share SQLite's global state (page cache, file
// locks, memory statistics) through the mutexes that stay real: writers and
// readers on one WAL file see every commit, and the file stays whole. Run
// with -race, the detector sees the transpiled SQLite's shared memory too.
func TestConcurrentConnections(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func(name string) *sql.DB {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, name)+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(6)
		t.Cleanup(func() { db.Close() })
		return db
	}
	dbs := []*sql.DB{open("a.db"), open("b.db")}
	for _, db := range dbs {
		if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, g INTEGER, v TEXT)`); err != nil {
			t.Fatal(err)
		}
	}
	const writers, rows = 4, 200
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for _, db := range dbs {
		for g := range writers {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for i := range rows {
					if _, err := db.ExecContext(ctx, `INSERT INTO t (g, v) VALUES (?, ?)`, g, fmt.Sprintf("row %d of %d", i, g)); err != nil {
						errs <- err
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for range rows {
					var n int
					var s sql.NullString
					if err := db.QueryRowContext(ctx, `SELECT count(*), max(v) FROM t WHERE g = ?`, g).Scan(&n, &s); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, db := range dbs {
		var n, groups int
		var check string
		if err := db.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT g) FROM t`).Scan(&n, &groups); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil {
			t.Fatal(err)
		}
		if n != writers*rows || groups != writers || check != "ok" {
			t.Fatalf("%d rows in %d groups, integrity %q; want %d in %d, ok", n, groups, check, writers*rows, writers)
		}
	}
}
