package store_test

// Search on a history whose words follow Zipf's law, as text does: the most
// common word is in most tasks, a rank-1000 word in a few hundred of 100k.
// Run with
//
//	go test -run '^$' -bench 'SearchZipf' -benchtime 400x ./store/
//	REELVAULT_BENCH_TASKS=1000000 go test -run '^$' -bench 'SearchZipf' -benchtime 400x -timeout 60m ./store/
//
// The store side is FindTasks: the newest 50 matches with their snippets.
// The raw side runs, in the same process, the query the store ran before
// version 8 (a prefix query walked newest id first: "word"*), or, for
// ...Exact, FTS5's floor for a page (one exact term walked newest first).

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// zipfWords is the vocabulary of the Zipf history, most common first: a
// few real words, then made-up ones.
var zipfWords = func() []string {
	words := strings.Fields("light mountain expedition river night forest city ocean dragon garden")
	seen := map[string]bool{}
	for _, w := range words {
		seen[w] = true
	}
	rng := rand.New(rand.NewPCG(3, 4))
	cons, vows := "bcdfghklmnprstvz", "aeiou"
	for len(words) < 20000 {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteByte(cons[rng.IntN(len(cons))])
			b.WriteByte(vows[rng.IntN(len(vows))])
		}
		b.WriteByte(cons[rng.IntN(len(cons))])
		if w := b.String(); !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return words
}()

// zipfText returns n words drawn by z.
func zipfText(z *rand.Zipf, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = zipfWords[z.Uint64()]
	}
	return strings.Join(w, " ")
}

var (
	zipfOnce sync.Once
	zipfDB   *store.DB
	zipfRaw  *rawDB
	zipfErr  error
)

// mustZipfFixture seeds (or reuses) the Zipf history and opens it.
func mustZipfFixture(b *testing.B) (*store.DB, *rawDB) {
	b.Helper()
	zipfOnce.Do(func() { zipfDB, zipfRaw, zipfErr = openZipfFixture(b, benchTasks(b)) })
	if zipfErr != nil {
		b.Fatal(zipfErr)
	}
	return zipfDB, zipfRaw
}

func openZipfFixture(b *testing.B, n int) (*store.DB, *rawDB, error) {
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("reelvault-zipf-bench-%d-v%d.db", n, store.LatestSchemaVersion()))
	if _, err := os.Stat(path); err != nil {
		tmp := fmt.Sprintf("%s.seeding-%d", path, os.Getpid())
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(tmp + suffix)
		}
		if err := migrated(ctx, tmp); err != nil {
			return nil, nil, err
		}
		start := time.Now()
		if err := seedZipf(ctx, tmp, n); err != nil {
			return nil, nil, err
		}
		b.Logf("seeded %d Zipf tasks in %v", n, time.Since(start).Round(time.Millisecond))
		if err := os.Rename(tmp, path); err != nil {
			return nil, nil, err
		}
	}
	db := store.NewDB(path)
	db.Logger = slog.New(slog.DiscardHandler)
	if err := db.Open(ctx); err != nil {
		return nil, nil, err
	}
	reader, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=mmap_size(268435456)&_pragma=cache_size(-16000)&_pragma=query_only(1)")
	if err != nil {
		return nil, nil, err
	}
	reader.SetMaxOpenConns(4)
	return db, &rawDB{DB: reader}, nil
}

// seedZipf writes n tasks of one user: a 20-word prompt and two 10-word
// scenes each, one in ten failed with a short error, and their index.
func seedZipf(ctx context.Context, path string, n int) error {
	raw, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)&_pragma=synchronous(OFF)&_pragma=cache_size(-262144)")
	if err != nil {
		return err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, api_key_hash, key_prefix, quota, used_quota, created_at, updated_at)
		VALUES (1, 'zipf', 'x', 'rv_zipf', ?, ?, ?, ?)`, 1<<40, n, base, base); err != nil {
		return err
	}
	insTask, err := tx.PrepareContext(ctx, `INSERT INTO tasks (id, task_id, user_id, prompt, status, total_scenes, error_message, created_at, updated_at)
		VALUES (?, ?, 1, ?, ?, 2, ?, ?, ?)`)
	if err != nil {
		return err
	}
	insScripts, err := tx.PrepareContext(ctx, `INSERT INTO scripts (task_id, scene_number, description, duration, created_at) VALUES (?, 1, ?, 5, ?), (?, 2, ?, 5, ?)`)
	if err != nil {
		return err
	}
	insSearch, err := tx.PrepareContext(ctx, `INSERT INTO task_search (rowid, body) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	z := rand.NewZipf(rand.New(rand.NewPCG(5, uint64(n))), 1.07, 2, uint64(len(zipfWords)-1))
	type entry struct {
		id   int64
		body string
	}
	var pending []entry
	flush := func() error {
		for _, e := range pending {
			if _, err := insSearch.ExecContext(ctx, e.id, e.body); err != nil {
				return err
			}
		}
		pending = pending[:0]
		return nil
	}
	errors := []string{"CUDA error: out of memory", "显存不足", "the worker lost its connection", "scene render timed out"}
	for i := 1; i <= n; i++ {
		id := int64(i)
		created := base + id*30_000_000
		prompt, s1, s2 := zipfText(z, 20), zipfText(z, 10), zipfText(z, 10)
		status, errMsg := "completed", ""
		if i%10 == 0 {
			status, errMsg = "failed", errors[(i/10)%len(errors)]
		}
		if _, err := insTask.ExecContext(ctx, id, fmt.Sprintf("zipf-%d", i), prompt, status, errMsg, created, created); err != nil {
			return err
		}
		if _, err := insScripts.ExecContext(ctx, id, s1, created, id, s2, created); err != nil {
			return err
		}
		body := store.SearchBody(prompt, s1, s2)
		if errMsg != "" {
			body = store.SearchBody(prompt, s1, s2, errMsg)
		}
		// Index rows in runs of their own (see seeder.task).
		if pending = append(pending, entry{id, body}); len(pending) >= 5000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if err := fillSearchTerms(ctx, raw); err != nil {
		return err
	}
	_, err = raw.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// benchSearchZipf times the newest 50 matches of the words of the given
// ranks (0 is the most common), against raw running match(word).
func benchSearchZipf(b *testing.B, match func(string) string) {
	for _, rank := range []int{0, 9, 99, 999} {
		word := zipfWords[rank]
		b.Run(fmt.Sprintf("rank=%d", rank+1), func(b *testing.B) {
			db, raw := mustZipfFixture(b)
			tasks := store.NewTaskService(db)
			ctx, owner := context.Background(), domain.WithOwner(context.Background())
			var l latencies
			runtime.LockOSThread() // see timeBoth
			defer runtime.UnlockOSThread()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var want int
				l.timeBoth(b, i, func() error {
					page, err := tasks.FindTasks(owner, domain.TaskFilter{Search: word, Limit: 50})
					if err != nil {
						return err
					}
					want = len(page.Tasks)
					if len(page.Tasks) > 0 && page.Tasks[0].Match == nil {
						return fmt.Errorf("search %q: no snippet", word)
					}
					return nil
				}, func() error {
					rows, err := raw.query(ctx, nil, `SELECT`+strings.Replace(rawTaskColumns, "FROM tasks t", "FROM task_search s CROSS JOIN tasks t ON t.id = s.rowid", 1)+`
						WHERE task_search MATCH ?
							AND t.id NOT IN (SELECT task_id FROM task_search_late)
						ORDER BY s.rowid DESC
						LIMIT ?`, match(word), 51)
					if err != nil {
						return err
					}
					_, err = scanTasks(rows)
					return err
				})
				if i == 0 && want < 50 && rank < 999 {
					b.Fatalf("search %q found %d tasks, want a full page", word, want)
				}
			}
			l.report(b)
		})
	}
}

// BenchmarkTaskService_FindTasks_SearchZipf: the store against the query it
// ran before version 8 (a prefix query).
func BenchmarkTaskService_FindTasks_SearchZipf(b *testing.B) {
	benchSearchZipf(b, func(w string) string { return `"` + w + `"*` })
}

// BenchmarkTaskService_FindTasks_SearchZipfExact: the store against FTS5's
// floor for a page (one exact term, no snippets).
func BenchmarkTaskService_FindTasks_SearchZipfExact(b *testing.B) {
	benchSearchZipf(b, func(w string) string { return `"` + w + `"` })
}

var (
	pgZipfOnce sync.Once
	pgZipfDB   *store.DB
	pgZipfRaw  *sql.DB
	pgZipfErr  error
)

// mustPostgresZipfFixture migrates the Zipf history into a new PostgreSQL
// database (see mustPostgresFixture).
func mustPostgresZipfFixture(b *testing.B) (*store.DB, *sql.DB) {
	b.Helper()
	lite, _ := mustZipfFixture(b)
	c := mustBenchCluster(b)
	pgZipfOnce.Do(func() {
		ctx := context.Background()
		url, err := c.CreateDatabase(ctx, "zipf")
		if err != nil {
			pgZipfErr = err
			return
		}
		db := store.NewDB(url)
		db.Logger = slog.New(slog.DiscardHandler)
		if pgZipfErr = db.Open(ctx); pgZipfErr != nil {
			return
		}
		dir, err := os.MkdirTemp("", "reelvault-pg-zipf-")
		if err != nil {
			pgZipfErr = err
			return
		}
		defer os.RemoveAll(dir)
		src, err := snapshot(ctx, lite.Path, filepath.Join(dir, "snapshot.db"))
		if err != nil {
			pgZipfErr = err
			return
		}
		defer src.Close()
		if _, pgZipfErr = store.CopyToPostgres(ctx, src, db, store.CopyOptions{Batch: 2000}); pgZipfErr != nil {
			return
		}
		if pgZipfRaw, pgZipfErr = sql.Open("pgx", url); pgZipfErr != nil {
			return
		}
		if _, pgZipfErr = pgZipfRaw.ExecContext(ctx, "ANALYZE"); pgZipfErr != nil {
			return
		}
		pgZipfDB = db
	})
	if pgZipfErr != nil {
		b.Fatal(pgZipfErr)
	}
	return pgZipfDB, pgZipfRaw
}

// BenchmarkPostgres_FindTasks_SearchZipf: the PostgreSQL store (newest 50
// with snippets, words also matched by stem) against the query it ran
// before version 8 (the substring walk alone) through pgx in the same run.
func BenchmarkPostgres_FindTasks_SearchZipf(b *testing.B) {
	for _, rank := range []int{0, 9, 99, 999} {
		word := zipfWords[rank]
		b.Run(fmt.Sprintf("rank=%d", rank+1), func(b *testing.B) {
			db, raw := mustPostgresZipfFixture(b)
			tasks := store.NewTaskService(db)
			ctx, owner := context.Background(), domain.WithOwner(context.Background())
			var l latencies
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				l.timeBoth(b, i, func() error {
					_, err := tasks.FindTasks(owner, domain.TaskFilter{Search: word, Limit: 50})
					return err
				}, func() error {
					rows, err := raw.QueryContext(ctx, pg(`SELECT`+strings.Replace(rawTaskColumns, "FROM tasks t", "FROM task_search s JOIN tasks t ON t.id = s.rowid", 1)+`
						WHERE s.body LIKE ? ESCAPE '\'
						ORDER BY s.created_at DESC, s.rowid DESC
						LIMIT ?`), "%"+word+"%", 51)
					if err != nil {
						return err
					}
					_, err = scanTasks(rows)
					return err
				})
			}
			l.report(b)
		})
	}
}
