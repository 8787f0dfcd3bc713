package store

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"unsafe"

	"github.com/reelvault/reelvault/domain"
	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// cword reads the pointer-sized word at p, memory of libc's allocator.
func cword(p uintptr) uintptr { return *(*uintptr)(unsafe.Add(unsafe.Pointer(nil), p)) }

// reprepares prepares query on a connection of its own to path, runs it
// twice with args, stepping through every row, and returns how many times
// SQLite prepared it, or a statement of its own it ran for it, again
// (SQLITE_STMTSTATUS_REPREPARE): a statement whose
// plan depends on a bound value expires at every new binding, which makes
// the store's statement cache (stmt.go) useless for it.
func reprepares(t *testing.T, path, query string, args ...any) int32 {
	t.Helper()
	tls := libc.NewTLS()
	defer tls.Close()
	cstr := func(s string) uintptr {
		p, err := libc.CString(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	name := cstr(path)
	defer libc.Xfree(tls, name)
	out := libc.Xmalloc(tls, libc.Tsize_t(unsafe.Sizeof(uintptr(0)))) // SQLite writes the handles here
	defer libc.Xfree(tls, out)
	if rc := sqlite3.Xsqlite3_open_v2(tls, name, out, sqlite3.SQLITE_OPEN_READONLY, 0); rc != sqlite3.SQLITE_OK {
		t.Fatalf("open: %d", rc)
	}
	conn := cword(out)
	defer sqlite3.Xsqlite3_close_v2(tls, conn)
	text := cstr(query)
	defer libc.Xfree(tls, text)
	if rc := sqlite3.Xsqlite3_prepare_v3(tls, conn, text, -1, sqlite3.SQLITE_PREPARE_PERSISTENT, out, 0); rc != sqlite3.SQLITE_OK {
		t.Fatalf("prepare: %s\n%s", libc.GoString(sqlite3.Xsqlite3_errmsg(tls, conn)), query)
	}
	stmt := cword(out)
	defer sqlite3.Xsqlite3_finalize(tls, stmt)
	var texts []uintptr
	defer func() {
		for _, p := range texts {
			libc.Xfree(tls, p)
		}
	}()
	for range 2 {
		for i, a := range args {
			n := int32(i + 1)
			var rc int32
			switch v := reflect.ValueOf(a); v.Kind() {
			case reflect.Int, reflect.Int64, reflect.Int32:
				rc = sqlite3.Xsqlite3_bind_int64(tls, stmt, n, v.Int())
			case reflect.Bool:
				b := int64(0)
				if v.Bool() {
					b = 1
				}
				rc = sqlite3.Xsqlite3_bind_int64(tls, stmt, n, b)
			case reflect.String:
				p := cstr(v.String())
				texts = append(texts, p)
				rc = sqlite3.Xsqlite3_bind_text(tls, stmt, n, p, -1, 0)
			case reflect.Invalid:
				rc = sqlite3.Xsqlite3_bind_null(tls, stmt, n)
			default:
				t.Fatalf("argument %d: %T not bound by this test", n, a)
			}
			if rc != sqlite3.SQLITE_OK {
				t.Fatalf("bind %d: %d", n, rc)
			}
		}
		for {
			rc := sqlite3.Xsqlite3_step(tls, stmt)
			if rc == sqlite3.SQLITE_DONE {
				break
			}
			if rc != sqlite3.SQLITE_ROW {
				t.Fatalf("step: %s\n%s", libc.GoString(sqlite3.Xsqlite3_errmsg(tls, conn)), query)
			}
		}
		sqlite3.Xsqlite3_reset(tls, stmt)
	}
	// The statements SQLite prepares for itself on the connection (FTS5's
	// look-up of a term in each segment) count too.
	var n int32
	for s := sqlite3.Xsqlite3_next_stmt(tls, conn, 0); s != 0; s = sqlite3.Xsqlite3_next_stmt(tls, conn, s) {
		n += sqlite3.Xsqlite3_stmt_status(tls, s, sqlite3.SQLITE_STMTSTATUS_REPREPARE, 0)
	}
	return n
}

// The statements of history pages stay prepared: run again with new
// values, SQLite does not parse and plan them again. A bare `LIMIT ?`, a
// `user_id = ?` or a `status = ?` each made it do so at every page (see
// limitParam, numParam and statusParam).
func TestTaskPages_StayPrepared(t *testing.T) {
	ctx := context.Background()
	db := NewDB(filepath.Join(t.TempDir(), "reelvault.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	user, _, err := NewUserService(db).CreateUser(domain.WithOwner(ctx), domain.UserCreate{Username: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	// Tasks to search: FTS5 looks a term up in the index's segments with
	// statements of its own, which planned with their bound values until
	// every connection got the query planner stability guarantee
	// (sqliteqpsg).
	tasks := NewTaskService(db)
	for _, p := range []string{"a fox at dawn", "a fox at night", "a red fox"} {
		if _, err := tasks.CreateTask(domain.WithUser(ctx, user.ID), domain.TaskCreate{Prompt: p}); err != nil {
			t.Fatal(err)
		}
	}
	completed := []domain.Status{domain.StatusCompleted}
	for _, who := range []struct {
		name string
		ctx  context.Context
	}{
		{"owner", domain.WithOwner(ctx)},
		{"user", domain.WithUser(ctx, user.ID)},
	} {
		for i, f := range []domain.TaskFilter{
			{},
			{Status: completed},
			{Status: []domain.Status{domain.StatusCompleted, domain.StatusFailed}},
			{Status: completed, Starred: true},
			{Status: completed, MinRating: 4},
			{Tags: []string{"夜景"}},
			{Collection: "Trailer v2", Status: completed},
			{Starred: true, MinRating: 2, Tags: []string{"夜景"}, Collection: "Trailer v2", Status: completed},
			{Trashed: true},
			{Search: "fox"},
			{Search: "fox", Status: completed},
			{Search: "fox", Tags: []string{"rare"}, Status: completed},
			{Username: "alice", Status: completed},
		} {
			f.Limit = 50
			t.Run(fmt.Sprintf("%s/%d", who.name, i), func(t *testing.T) {
				stmts, err := TaskPageSQL(who.ctx, db, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range stmts {
					if n := reprepares(t, db.Path, s.Query, s.Args...); n != 0 {
						t.Errorf("filter %+v: prepared again %d times in two runs:\n%s\nargs %v", f, n, s.Query, s.Args)
					}
				}
			})
		}
	}
}
