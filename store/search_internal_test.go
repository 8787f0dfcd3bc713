package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/pgtest"
)

// openSearchDB opens a fresh database of the suite's engine
// (REELVAULT_TEST_DB) holding n tasks of one user: every task's prompt has
// "mountain", every 100th also "lighthouse".
func openSearchDB(t *testing.T, n int) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "reelvault.db")
	if os.Getenv("REELVAULT_TEST_DB") == EnginePostgres {
		path = pgtest.NewDatabase(t)
	}
	db := NewDB(path)
	ctx := context.Background()
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	quota := n
	u, _, err := NewUserService(db).CreateUser(domain.WithOwner(ctx), domain.UserCreate{Username: "alice", Quota: &quota})
	if err != nil {
		t.Fatal(err)
	}
	err = db.write(ctx, func(tx *tx) error {
		for i := 1; i <= n; i++ {
			prompt := fmt.Sprintf("A misty mountain number %d at dawn", i)
			if i%100 == 0 {
				prompt += " with a lighthouse"
			}
			var id int64
			if err := tx.get(&id, `INSERT INTO tasks (task_id, user_id, prompt, status, created_at, updated_at)
				VALUES (?, ?, ?, 'completed', ?, ?) RETURNING id`, "t-"+strconv.Itoa(i), u.ID, prompt, int64(i)*1e6, int64(i)*1e6); err != nil {
				return err
			}
			if err := addSearchEntry(tx, id, "t-"+strconv.Itoa(i), prompt, nil, ""); err != nil {
				return err
			}
		}
		if tx.db.dialect.isPostgres() {
			_, err := tx.exec(`ANALYZE`)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestSearch_StopsEarly checks that a newest-first page of a word that is
// in every task does not read every match. On SQLite the word becomes exact
// index terms (FTS5 answers a prefix query by reading every posting of its
// terms first; an exact term it walks in rowid order and stops). On
// PostgreSQL the plan walks task_search_created and reads about a page of
// rows.
func TestSearch_StopsEarly(t *testing.T) {
	const n = 3000
	db := openSearchDB(t, n)
	ctx := context.Background()
	for _, word := range []string{"mountain", "mountains", "lighthouse", "misty"} {
		t.Run(word, func(t *testing.T) {
			s, err := parseSearch(word)
			if err != nil {
				t.Fatal(err)
			}
			q := taskQuery{search: s, limit: DefaultPageSize, dialect: db.dialect}
			err = db.read(ctx, false, func(tx *tx) error {
				if !db.dialect.isPostgres() {
					if err := q.expandSearch(tx); err != nil {
						return err
					}
					// A prefix query is left only for a word no term
					// starts with: it reads no posting.
					for _, m := range regexp.MustCompile(`"(\w+)"\*`).FindAllStringSubmatch(q.search.fts, -1) {
						var terms int
						if err := tx.get(&terms, `SELECT count(*) FROM task_search_terms WHERE substr(term, 1, length(?)) = ?`, m[1], m[1]); err != nil {
							return err
						}
						if terms > 0 {
							t.Errorf("%q searches by prefix %s*, the prefix of %d terms: %s", word, m[1], terms, q.search.fts)
						}
					}
					if !strings.Contains(q.search.fts, `"`+strings.TrimSuffix(word, "s")+`"`) {
						t.Errorf("%q does not search the exact term: %s", word, q.search.fts)
					}
					return nil
				}
				if word == "lighthouse" {
					return nil // rare: the planner may take an index and sort 30 rows
				}
				query, args := q.postgresSearchSQL(domain.Actor{Owner: true})
				var plan []string
				if err := tx.sel(&plan, `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) `+query, args...); err != nil {
					return err
				}
				text := strings.Join(plan, "\n")
				m := regexp.MustCompile(`Index Scan Backward using task_search_created on task_search s \(actual rows=(\d+)`).FindStringSubmatch(text)
				if m == nil {
					t.Fatalf("the plan does not walk task_search_created:\n%s", text)
				}
				if rows, _ := strconv.Atoi(m[1]); rows > 2*DefaultPageSize {
					t.Fatalf("the walk read %d search rows for a page of %d:\n%s", rows, DefaultPageSize, text)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			page, err := NewTaskService(db).FindTasks(domain.WithOwner(ctx), domain.TaskFilter{Search: word})
			if err != nil {
				t.Fatal(err)
			}
			want := DefaultPageSize
			if word == "lighthouse" {
				want = n / 100
			}
			if got := len(page.Tasks); got != want {
				t.Fatalf("%q: %d tasks, want %d", word, got, want)
			}
			if got, want := page.Tasks[0].TaskID, "t-"+strconv.Itoa(n); word != "lighthouse" && got != want {
				t.Fatalf("%q: first task %s, want the newest %s", word, got, want)
			}
		})
	}
}

// TestSearch_PostgresMigrationFold checks that migration 8's SQL folding of
// error messages on PostgreSQL (lower-case, CJK characters set apart)
// writes the text the store itself writes, so the backfilled rows are
// found like new ones.
func TestSearch_PostgresMigrationFold(t *testing.T) {
	if os.Getenv("REELVAULT_TEST_DB") != EnginePostgres {
		t.Skip("PostgreSQL only")
	}
	db := openSearchDB(t, 1)
	for _, s := range []string{"显存不足：CUDA 内核启动失败", "CUDA error: Out of Memory", "メモリ不足 (GPU 0)", "메모리 부족"} {
		var got string
		err := db.read(context.Background(), false, func(tx *tx) error {
			return tx.get(&got, `SELECT lower(regexp_replace(?, '([一-鿿㐀-䶿぀-ヿ가-힯])', ' \1 ', 'g'))`, s)
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := postgresDialect.searchText(s); got != want {
			t.Errorf("migration folds %q to %q, the store to %q", s, got, want)
		}
	}
}

// TestSnippet checks the cutting and marking of snippets.
func TestSnippet(t *testing.T) {
	terms := func(text string) []searchTerm {
		q, err := parseSearch(text)
		if err != nil {
			t.Fatal(err)
		}
		return q.terms
	}
	show := func(parts []domain.SnippetPart) string {
		var b strings.Builder
		for _, p := range parts {
			if p.Hit {
				b.WriteString("[" + p.Text + "]")
			} else {
				b.WriteString(p.Text)
			}
		}
		return b.String()
	}
	long := strings.Repeat("雾", 100) + "灯塔" + strings.Repeat("海", 200)
	for _, tt := range []struct {
		text, search, want string
		n                  int
	}{
		{"CUDA error: out of memory", "cuda memory", "[CUDA] error: out of [memory]", 2},
		{"Café au lait", "cafe", "[Café] au lait", 1},
		{"Children running", "child runs", "[Children] [running]", 2},
		{"no match here", "zebra", "no match here", 0},
		{long, "灯塔", "…" + strings.Repeat("雾", 40) + "[灯塔]" + strings.Repeat("海", 118) + "…", 1},
		{"", "x", "", 0},
	} {
		hits, n := findHits(tt.text, terms(tt.search), false, map[string]string{})
		if got := show(snippet(tt.text, hits)); got != tt.want || n != tt.n {
			t.Errorf("snippet of %q for %q = %q (%d terms), want %q (%d)", tt.text, tt.search, got, n, tt.want, tt.n)
		}
	}
	if hits, n := findHits("underwater", terms("water"), true, map[string]string{}); n != 1 || len(hits) != 1 {
		t.Errorf("substring match on PostgreSQL: %v %d", hits, n)
	}
}
