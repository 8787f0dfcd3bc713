package pgtest_test

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"os"
	"strconv"
	"testing"

	"github.com/reelvault/reelvault/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestStart(t *testing.T) {
	ctx := context.Background()
	c, err := pgtest.Start(ctx)
	if errors.Is(err, pgtest.ErrNoPostgres) && !pgtest.Required() {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}

	u1, err := c.CreateDatabase(ctx, "Test/One")
	if err != nil {
		t.Fatal(err)
	}
	u2, err := c.CreateDatabase(ctx, "Test/One")
	if err != nil {
		t.Fatal(err)
	}
	if u1 == u2 {
		t.Fatalf("two databases share the URL %s", u1)
	}
	db, err := sql.Open("pgx", u1)
	if err != nil {
		t.Fatal(err)
	}
	var addr, encoding string
	if err := db.QueryRowContext(ctx, "SELECT host(inet_server_addr()), pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()").Scan(&addr, &encoding); err != nil {
		t.Fatal(err)
	}
	if addr != "127.0.0.1" || encoding != "UTF8" {
		t.Fatalf("server address=%q encoding=%q, want 127.0.0.1 and UTF8", addr, encoding)
	}
	// The store's search needs pg_trgm from postgresql-contrib.
	if _, err := db.ExecContext(ctx, "CREATE EXTENSION pg_trgm"); err != nil {
		t.Fatalf("pg_trgm: %v", err)
	}
	var fsync string
	if err := db.QueryRowContext(ctx, "SHOW fsync").Scan(&fsync); err != nil {
		t.Fatal(err)
	}
	want := "off"
	if os.Getenv(pgtest.DurableEnv) != "" {
		want = "on"
	}
	if fsync != want {
		t.Fatalf("fsync=%q, want %q", fsync, want)
	}
	db.Close()

	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("cluster folder %s still exists after Stop (%v)", c.Dir, err)
	}
	if conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port))); err == nil {
		conn.Close()
		t.Fatalf("port %d still accepts connections after Stop", c.Port)
	}
}

func TestNewDatabase(t *testing.T) {
	u := pgtest.NewDatabase(t)
	if u2 := pgtest.NewDatabase(t); u2 == u {
		t.Fatalf("two databases share the URL %s", u)
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("fresh database has %d tables, want 0", n)
	}
}
