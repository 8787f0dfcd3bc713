package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/pgtest"
)

// schema is a comparable description of a database schema: per table, its
// columns ("name type-class null|notnull"), and the explicitly created
// indexes ("name(col, col)").
type schema struct {
	Columns map[string][]string
	Indexes []string
}

// Objects that exist on one engine only, by design: the FTS5 table's rowid
// is implicit in SQLite, and PostgreSQL searches through a trigram index.
var (
	// The stem column matches word forms with PostgreSQL's text search
	// (migration 8).
	postgresOnlyColumns = []string{"task_search.rowid", "task_search.created_at", "task_search.stem"}
	postgresOnlyIndexes = []string{"task_search_body_trgm(body)", "task_search_created(created_at, rowid)", "task_search_stem(stem)"}
	// task_search_late orders FTS5 matches (migration 3); PostgreSQL sorts
	// its search results by created_at and does not need it.
	// task_search_terms is FTS5's vocabulary for exact-term search
	// (migration 8); PostgreSQL matches substrings and stems instead.
	sqliteOnlyTables = []string{"task_search_late", "task_search_terms"}
)

// fts5Shadow reports whether table is one of the tables FTS5 keeps the
// task_search index in.
func fts5Shadow(table string) bool {
	switch table {
	case "task_search_data", "task_search_idx", "task_search_content", "task_search_docsize", "task_search_config":
		return true
	}
	return false
}

// TestMigrations_Lockstep checks that the PostgreSQL migrations create the
// same schema as the SQLite ones: same version numbers, tables, columns
// (type class and nullability) and index names and columns.
func TestMigrations_Lockstep(t *testing.T) {
	ctx := context.Background()

	t.Run("SameVersions", func(t *testing.T) {
		versions := func(dir string) []string {
			names, err := filepath.Glob(filepath.Join(dir, "*.sql"))
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, n := range names {
				out = append(out, filepath.Base(n))
			}
			return out
		}
		lite, pg := versions("migrations"), versions(filepath.Join("migrations", "postgres"))
		if len(lite) == 0 || !slices.Equal(lite, pg) {
			t.Fatalf("SQLite migrations %v, PostgreSQL migrations %v: want the same files", lite, pg)
		}
	})

	t.Run("SameSchema", func(t *testing.T) {
		lite := store.NewDB(filepath.Join(t.TempDir(), "reelvault.db"))
		if err := lite.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer lite.Close()
		pg := store.NewDB(pgtest.NewDatabase(t))
		if err := pg.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer pg.Close()

		want, got := sqliteSchema(t, lite), postgresSchema(t, pg)
		for _, c := range postgresOnlyColumns {
			table, col, _ := strings.Cut(c, ".")
			got.Columns[table] = slices.DeleteFunc(got.Columns[table], func(s string) bool { return strings.HasPrefix(s, col+" ") })
		}
		got.Indexes = slices.DeleteFunc(got.Indexes, func(s string) bool { return slices.Contains(postgresOnlyIndexes, s) })
		// imports is SQLite's import journal; PostgreSQL imports in one
		// transaction and keeps none (migration 14).
		delete(want.Columns, "imports")
		// goose owns its version table and declares it per engine.
		delete(want.Columns, "goose_db_version")
		delete(got.Columns, "goose_db_version")
		// FTS5 columns take no constraints; the store always writes body.
		for i, c := range want.Columns["task_search"] {
			want.Columns["task_search"][i] = strings.Replace(c, " null", " notnull", 1)
		}

		if w, g := fmt.Sprint(keys(want.Columns)), fmt.Sprint(keys(got.Columns)); w != g {
			t.Fatalf("tables: SQLite %s, PostgreSQL %s", w, g)
		}
		for table, cols := range want.Columns {
			if w, g := strings.Join(cols, "\n\t"), strings.Join(got.Columns[table], "\n\t"); w != g {
				t.Errorf("table %s:\nSQLite\n\t%s\nPostgreSQL\n\t%s", table, w, g)
			}
		}
		if w, g := strings.Join(want.Indexes, "\n\t"), strings.Join(got.Indexes, "\n\t"); w != g {
			t.Errorf("indexes:\nSQLite\n\t%s\nPostgreSQL\n\t%s", w, g)
		}
	})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// typeClass maps a declared column type to a class both engines share.
func typeClass(typ string) string {
	switch strings.ToLower(typ) {
	case "integer", "bigint", "boolean":
		return "integer"
	case "real", "double precision":
		return "real"
	case "text", "":
		return "text"
	}
	return "other:" + typ
}

func sqliteSchema(t *testing.T, db *store.DB) schema {
	t.Helper()
	ctx := context.Background()
	s := schema{Columns: map[string][]string{}}
	err := db.Read(ctx, func(r *sqlx.DB) error {
		var tables []string
		// FTS5 keeps its data in shadow tables named after the virtual
		// table; goose keeps its own version table on both engines.
		if err := r.SelectContext(ctx, &tables, `
			SELECT name FROM sqlite_schema
			WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`); err != nil {
			return err
		}
		for _, table := range tables {
			if fts5Shadow(table) || slices.Contains(sqliteOnlyTables, table) {
				continue
			}
			var cols []struct {
				Name    string `db:"name"`
				Type    string `db:"type"`
				NotNull bool   `db:"notnull"`
				PK      int    `db:"pk"`
			}
			if err := r.SelectContext(ctx, &cols, `SELECT name, type, "notnull", pk FROM pragma_table_info(?)`, table); err != nil {
				return err
			}
			for _, c := range cols {
				null := "null"
				if c.NotNull || c.PK > 0 {
					null = "notnull"
				}
				s.Columns[table] = append(s.Columns[table], c.Name+" "+typeClass(c.Type)+" "+null)
			}
			sort.Strings(s.Columns[table])
		}
		var indexes []string
		if err := r.SelectContext(ctx, &indexes, `SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL`); err != nil {
			return err
		}
		for _, idx := range indexes {
			var cols []string
			if err := r.SelectContext(ctx, &cols, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, idx); err != nil {
				return err
			}
			s.Indexes = append(s.Indexes, idx+"("+strings.Join(cols, ", ")+")")
		}
		sort.Strings(s.Indexes)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func postgresSchema(t *testing.T, db *store.DB) schema {
	t.Helper()
	ctx := context.Background()
	s := schema{Columns: map[string][]string{}}
	err := db.Read(ctx, func(r *sqlx.DB) error {
		var cols []struct {
			Table    string `db:"table_name"`
			Name     string `db:"column_name"`
			Type     string `db:"data_type"`
			Nullable string `db:"is_nullable"`
		}
		if err := r.SelectContext(ctx, &cols, `
			SELECT table_name, column_name, data_type, is_nullable
			FROM information_schema.columns
			WHERE table_schema = current_schema()`); err != nil {
			return err
		}
		for _, c := range cols {
			null := "null"
			if c.Nullable == "NO" {
				null = "notnull"
			}
			s.Columns[c.Table] = append(s.Columns[c.Table], c.Name+" "+typeClass(c.Type)+" "+null)
		}
		for table := range s.Columns {
			sort.Strings(s.Columns[table])
		}
		// Indexes created by CREATE INDEX, not those behind PRIMARY KEY or
		// UNIQUE constraints (SQLite names those sqlite_autoindex_…).
		var indexes []struct {
			Name    string `db:"name"`
			Columns string `db:"columns"`
		}
		if err := r.SelectContext(ctx, &indexes, `
			SELECT i.relname AS name,
				string_agg(a.attname, ', ' ORDER BY k.ord) AS columns
			FROM pg_index x
			JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_namespace n ON n.oid = i.relnamespace
			CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
			JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
			WHERE n.nspname = current_schema()
				AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
			GROUP BY i.relname`); err != nil {
			return err
		}
		for _, idx := range indexes {
			s.Indexes = append(s.Indexes, idx.Name+"("+idx.Columns+")")
		}
		sort.Strings(s.Indexes)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPostgres_Required makes sure the suite's cluster helper honours
// REELVAULT_REQUIRE_POSTGRES: with it set, PostgreSQL must be available.
func TestPostgres_Required(t *testing.T) {
	if !pgtest.Required() {
		t.Skip(pgtest.RequireEnv + " is not set")
	}
	if _, err := pgtest.FindBin(); err != nil {
		t.Fatalf("%s is set but: %v", pgtest.RequireEnv, err)
	}
	if os.Getenv(TestDBEnv) != store.EnginePostgres {
		t.Logf("%s is not %q: the suite ran on SQLite; only the PostgreSQL-specific tests used the cluster", TestDBEnv, store.EnginePostgres)
	}
}
