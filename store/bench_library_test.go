package store_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// The library's benchmarks run on the suite's engine (REELVAULT_TEST_DB)
// over a history of $REELVAULT_BENCH_LIBRARY_TASKS tasks (default 100,000)
// inserted in SQL. Each times the store next to the same SQL run through
// plain sqlx on the store's own pools in the same run, and reports p50/p99
// of both and their ratio (see latencies):
//
//	go test ./store/ -run '^$' -bench BenchmarkLibrary_ -benchtime 1x
//	REELVAULT_BENCH_LIBRARY_TASKS=1000000 go test ./store/ -run '^$' -bench 'BenchmarkLibrary_FilteredPage$' -benchtime 200x
//	REELVAULT_BENCH_LIBRARY_TASKS=1000000 go test ./store/ -run '^$' -bench 'BenchmarkLibrary_BulkTag10k$' -benchtime 10x
//	REELVAULT_BENCH_LIBRARY_TASKS=1000000 go test ./store/ -run '^$' -bench 'BenchmarkLibrary_PurgeWhileWriting$' -benchtime 1x
//
// The figures and what they mean are in BENCHMARKS.md ("The library").

// libraryBenchTasks returns the history size of the library benchmarks.
func libraryBenchTasks(b *testing.B) int {
	if v := os.Getenv("REELVAULT_BENCH_LIBRARY_TASKS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10000 {
			b.Fatalf("REELVAULT_BENCH_LIBRARY_TASKS=%q: want a number ≥ 10000", v)
		}
		return n
	}
	return 100000
}

// libraryBatch returns the tasks per transaction of the bulk benchmark:
// $REELVAULT_BENCH_LIBRARY_BATCH, to compare sizes, or the store's default
// for the suite's engine.
func libraryBatch(b *testing.B) int {
	if v := os.Getenv("REELVAULT_BENCH_LIBRARY_BATCH"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("REELVAULT_BENCH_LIBRARY_BATCH=%q: want a positive number", v)
		}
		return n
	}
	if onPostgres() {
		return store.DefaultLibraryBatchPostgres
	}
	return store.DefaultLibraryBatch
}

// libraryPools returns the store's reader and writer pools as plain sqlx,
// for the raw side of a benchmark.
func libraryPools(b *testing.B, db *store.DB) (reader, writer *sqlx.DB) {
	b.Helper()
	ctx := context.Background()
	if err := db.Read(ctx, func(r *sqlx.DB) error { reader = r; return nil }); err != nil {
		b.Fatal(err)
	}
	if err := db.Write(ctx, func(w *sqlx.DB) error { writer = w; return nil }); err != nil {
		b.Fatal(err)
	}
	return reader, writer
}

// settle folds the WAL the seeding wrote into the database file (SQLite),
// so that the checkpointer's first TRUNCATE (it runs once the database has
// been idle, and the seeding's writes did not go through the store) does
// not copy hundreds of megabytes while the benchmark times writes: a
// user's database gets such a WAL only from an import.
func settle(b *testing.B, db *store.DB) {
	b.Helper()
	if onPostgres() {
		return
	}
	if err := db.Write(context.Background(), func(w *sqlx.DB) error {
		_, err := w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		return err
	}); err != nil {
		b.Fatal(err)
	}
}

// rawTx runs fn in one transaction of the writer pool w, as a hand-written
// caller would.
func rawTx(ctx context.Context, w *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	tx, err := w.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// inList returns "?, ?, …" for the values of vs, and the values as args.
func inList[T any](vs []T) (string, []any) {
	args := make([]any, len(vs))
	for i, v := range vs {
		args[i] = v
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(vs)), ", "), args
}

// writeWhile runs fn while another writer stars the tasks ids one by one
// as ctx (an ID it cannot see is skipped), and returns that writer's
// latencies: how long fn holds other writers up at a time.
func writeWhile(b *testing.B, lib *store.LibraryService, ctx context.Context, ids []string, fn func()) (lat []time.Duration) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var got []time.Duration
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			if _, err := lib.SetStar(ctx, ids[i%len(ids)], i%2 == 0); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
				b.Error(err)
				return
			}
			got = append(got, time.Since(start))
		}
	}()
	// Deferred, so that the writer stops also when fn fails the benchmark.
	defer func() {
		close(stop)
		wg.Wait()
		lat = got
	}()
	fn()
	return nil
}

// reportWriter adds the p50, p99 and maximum of another writer's latencies
// to b's output, each metric named prefix+"-p50-ms" and so on, and how many
// of its writes (prefix+"-writes") waited longer than 50 ms
// (prefix+"-over-50ms").
func reportWriter(b *testing.B, prefix string, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(percentile(lat, 50)), prefix+"-p50-ms")
	b.ReportMetric(ms(percentile(lat, 99)), prefix+"-p99-ms")
	b.ReportMetric(ms(percentile(lat, 100)), prefix+"-max-ms")
	over := 0
	for _, d := range lat {
		if d > 50*time.Millisecond {
			over++
		}
	}
	b.ReportMetric(float64(over), prefix+"-over-50ms")
	b.ReportMetric(float64(len(lat)), prefix+"-writes")
}

// BenchmarkLibrary_BulkTag10k tags 10,000 tasks chosen by ID, of a history
// of $REELVAULT_BENCH_LIBRARY_TASKS, while another writer stars tasks one
// by one. The raw side runs the store's SQL by hand: the IDs resolved in
// chunks of 500, then one INSERT … SELECT per batch (see libraryBatch),
// each in a transaction of its own. It
// reports p50/p99 per bulk of both and the other writer's latency during
// each ("writer-max-ms" is the longest stall).
func BenchmarkLibrary_BulkTag10k(b *testing.B) {
	e := newLibEnv(b)
	all := seedTasks(b, e.DB, e.Alice.ID, libraryBenchTasks(b))
	ids := all[len(all)-domain.MaxSelection:] // the newest 10,000
	others := all[:len(all)-domain.MaxSelection]
	settle(b, e.DB)
	ctx := context.Background()
	reader, writer := libraryPools(b, e.DB)
	batch := libraryBatch(b)
	e.Lib.Batch = batch
	untag := func() {
		if err := rawTx(ctx, writer, func(tx *sqlx.Tx) error {
			if _, err := tx.Exec(`DELETE FROM task_tags`); err != nil {
				return err
			}
			_, err := tx.Exec(`DELETE FROM tags`)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		if onPostgres() {
			// Else every bulk finds the dead rows of all the earlier ones.
			if _, err := writer.ExecContext(ctx, `VACUUM ANALYZE task_tags, tags`); err != nil {
				b.Fatal(err)
			}
		}
	}
	// The first bulk after seeding, whichever side runs it, holds the other
	// writer up for several hundred milliseconds on SQLite (cold pages of a
	// fresh 1M history): an untimed one goes first, so that neither side
	// is charged with it.
	start := time.Now()
	cold := writeWhile(b, e.Lib, e.AliceCtx, others, func() {
		if _, err := rawBulkTag(ctx, reader, writer, e.Alice.ID, ids, "warm-up", batch); err != nil {
			b.Fatal(err)
		}
	})
	b.Logf("first bulk (raw, untimed): %v, other writer's longest wait %v", time.Since(start).Round(time.Millisecond), percentile(cold, 100).Round(time.Millisecond))
	untag()
	var l latencies
	var storeWriter, rawWriter []time.Duration
	runtime.LockOSThread() // see timeBoth
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tag := fmt.Sprintf("tag %d", i)
		var sw, rw []time.Duration
		l.timeBoth(b, i, func() error {
			var res *domain.BulkResult
			var err error
			sw = writeWhile(b, e.Lib, e.AliceCtx, others, func() {
				res, err = e.Lib.Bulk(e.AliceCtx, domain.BulkRequest{Selection: domain.Selection{TaskIDs: ids}, Action: domain.BulkTag, Tag: tag + " store"})
			})
			if err == nil && res.Changed != len(ids) {
				err = fmt.Errorf("store: changed %d", res.Changed)
			}
			return err
		}, func() error {
			var n int
			var err error
			rw = writeWhile(b, e.Lib, e.AliceCtx, others, func() {
				n, err = rawBulkTag(ctx, reader, writer, e.Alice.ID, ids, tag+" raw", batch)
			})
			if err == nil && n != len(ids) {
				err = fmt.Errorf("raw: changed %d", n)
			}
			return err
		})
		b.Logf("bulk %d: store %v (other writer's longest wait %v), raw %v (%v)", i,
			l.store[len(l.store)-1].Round(time.Millisecond), percentile(sw, 100).Round(time.Millisecond),
			l.raw[len(l.raw)-1].Round(time.Millisecond), percentile(rw, 100).Round(time.Millisecond))
		storeWriter, rawWriter = append(storeWriter, sw...), append(rawWriter, rw...)
		// Untimed: the tasks go back to no tags, so every bulk does the same work.
		b.StopTimer()
		untag()
		b.StartTimer()
	}
	b.StopTimer()
	l.reportIn(b, time.Millisecond, "ms")
	reportWriter(b, "writer", storeWriter)
	reportWriter(b, "raw-writer", rawWriter)
	b.ReportMetric(float64(batch), "batch")
}

// rawBulkTag is BulkTag's SQL by hand: the tasks of taskIDs that user owns
// get the tag, batchSize tasks per transaction.
func rawBulkTag(ctx context.Context, reader, writer *sqlx.DB, user int64, taskIDs []string, tag string, batchSize int) (int, error) {
	var targets []int64
	for chunk := range slices.Chunk(taskIDs, 500) {
		in, args := inList(chunk)
		var rows []struct {
			ID     int64  `db:"id"`
			TaskID string `db:"task_id"`
			UserID int64  `db:"user_id"`
		}
		if err := reader.SelectContext(ctx, &rows, reader.Rebind(`SELECT t.id, t.task_id, t.user_id FROM tasks t WHERE t.task_id IN (`+in+`)`), args...); err != nil {
			return 0, err
		}
		for _, r := range rows {
			if r.UserID == user {
				targets = append(targets, r.ID)
			}
		}
	}
	total := 0
	for batch := range slices.Chunk(targets, batchSize) {
		err := rawTx(ctx, writer, func(tx *sqlx.Tx) error {
			var tagID int64
			if err := tx.GetContext(ctx, &tagID, tx.Rebind(`SELECT id FROM tags WHERE name_key = ?`), tag); err == sql.ErrNoRows {
				if err := tx.GetContext(ctx, &tagID, tx.Rebind(`INSERT INTO tags (name, name_key) VALUES (?, ?) RETURNING id`), tag, tag); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			in, ids := inList(batch)
			res, err := tx.ExecContext(ctx, tx.Rebind(`
				INSERT INTO task_tags (task_id, tag_id, task_created_at,
					task_status, task_starred, task_rating, task_trashed_at)
				SELECT t.id, CAST(? AS BIGINT), t.created_at,
					t.status, t.starred, t.rating, t.trashed_at FROM tasks t
				WHERE (SELECT count(*) FROM task_tags x WHERE x.task_id = t.id) < ? AND t.id IN (`+in+`)
				ON CONFLICT DO NOTHING`), append([]any{tagID, domain.MaxTagsPerTask}, ids...)...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			total += int(n)
			return err
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// BenchmarkLibrary_FilteredPage reads the first page of 50 and the page
// after a cursor 500 tasks deep for each library filter, as a user, against
// the same SQL (store.TaskPageSQL) through plain sqlx on the store's reader
// pool: the store adds the tasks' tags and collections and the domain
// types.
func BenchmarkLibrary_FilteredPage(b *testing.B) {
	e := newLibEnv(b)
	n := libraryBenchTasks(b)
	seedTasks(b, e.DB, e.Alice.ID, n)
	ctx := context.Background()
	if err := e.DB.Write(ctx, func(w *sqlx.DB) error {
		return execAll(ctx, w,
			`UPDATE tasks SET starred = (id % 3 = 0), rating = id % 6, status = CASE WHEN id % 4 = 0 THEN 'failed' ELSE 'completed' END`,
			`UPDATE tasks SET trashed_at = 1 WHERE id % 101 = 0`,
			`INSERT INTO tags (name, name_key) VALUES ('夜景', '夜景'), ('rare', 'rare')`,
			`INSERT INTO task_tags (task_id, tag_id, task_created_at) SELECT id, (SELECT id FROM tags WHERE name_key = '夜景'), created_at FROM tasks WHERE id % 7 = 0`,
			`INSERT INTO task_tags (task_id, tag_id, task_created_at) SELECT id, (SELECT id FROM tags WHERE name_key = 'rare'), created_at FROM tasks WHERE id % 997 = 0`,
			`INSERT INTO collections (name, name_key, created_at) VALUES ('Trailer v2', 'trailer v2', 1)`,
			`INSERT INTO collection_tasks (collection_id, task_id, added_at, task_created_at) SELECT (SELECT id FROM collections), id, 1, created_at FROM tasks WHERE id % 11 = 0`,
		)
	}); err != nil {
		b.Fatal(err)
	}
	// The statistics the scheduled maintenance keeps (no STAT4 samples).
	if err := e.DB.Analyze(ctx, true); err != nil {
		b.Fatal(err)
	}
	settle(b, e.DB)
	reader, _ := libraryPools(b, e.DB)
	raw := &rawDB{DB: reader.DB}
	completed := []domain.Status{domain.StatusCompleted}
	for _, tc := range []struct {
		name string
		f    domain.TaskFilter
	}{
		{"Starred", domain.TaskFilter{Starred: true}},
		{"StarredStatus", domain.TaskFilter{Starred: true, Status: completed}},
		{"Rating4Status", domain.TaskFilter{MinRating: 4, Status: completed}},
		{"Tag", domain.TaskFilter{Tags: []string{"夜景"}}},
		{"TagRare", domain.TaskFilter{Tags: []string{"rare"}}},
		{"Collection", domain.TaskFilter{Collection: "Trailer v2"}},
		{"Combined", domain.TaskFilter{Starred: true, MinRating: 2, Tags: []string{"夜景"}, Collection: "Trailer v2", Status: completed}},
		{"RareTagCollection", domain.TaskFilter{Tags: []string{"rare"}, Collection: "Trailer v2"}},
		{"Trash", domain.TaskFilter{Trashed: true}},
	} {
		for _, deep := range []bool{false, true} {
			name := tc.name + "/First"
			f := tc.f
			f.Limit = 50
			if deep {
				name = tc.name + "/Deep"
				// The page after the first 500 matches.
				f.Limit = 500
				p, err := e.Tasks.FindTasks(e.AliceCtx, f)
				if err != nil {
					b.Fatal(err)
				}
				if p.NextCursor == "" {
					continue
				}
				f.Cursor, f.Limit = p.NextCursor, 50
			}
			b.Run(name, func(b *testing.B) {
				stmts, err := store.TaskPageSQL(e.AliceCtx, e.DB, f)
				if err != nil {
					b.Fatal(err)
				}
				var want int
				storePage := func() error {
					p, err := e.Tasks.FindTasks(e.AliceCtx, f)
					if err == nil {
						want = len(p.Tasks)
					}
					return err
				}
				rawRun := func(stmts []store.PageStatement) error { return raw.page(ctx, stmts, want) }
				rawPage := func() error { return rawRun(stmts) }
				if err := storePage(); err != nil {
					b.Fatal(err)
				}
				// For several labels, the SQL of the store before it chose
				// the sparsest label to walk, run raw too ("old-").
				var old []store.PageStatement
				if f.Collection != "" && len(f.Tags) > 0 {
					old = []store.PageStatement{oldLabelSQL(b, reader, e.Alice.ID, f)}
				}
				var l latencies
				var oldLat, oldCPU []time.Duration
				runtime.LockOSThread() // see timeBoth
				defer runtime.UnlockOSThread()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					l.timeBoth(b, i, storePage, rawPage)
					if old != nil {
						start, startCPU := time.Now(), threadCPU()
						if err := rawRun(old); err != nil {
							b.Fatal(err)
						}
						oldLat, oldCPU = append(oldLat, time.Since(start)), append(oldCPU, threadCPU()-startCPU)
					}
				}
				b.StopTimer()
				l.reportIn(b, time.Millisecond, "ms")
				if old != nil {
					ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
					b.ReportMetric(ms(percentile(oldLat, 50)), "old-p50-ms")
					b.ReportMetric(ms(percentile(oldLat, 99)), "old-p99-ms")
					b.ReportMetric(ms(percentile(oldCPU, 50)), "old-cpu-p50-ms")
					b.ReportMetric(ms(percentile(oldCPU, 99)), "old-cpu-p99-ms")
				}
			})
		}
	}
}

// oldLabelSQL returns the query the store ran, before it chose which label
// to walk, for a page of f (a collection, tags and, optionally, starred,
// a rating and one status) as user: it always walked the collection and
// tested each entry's task row first, then the tags.
func oldLabelSQL(b *testing.B, reader *sqlx.DB, user int64, f domain.TaskFilter) store.PageStatement {
	b.Helper()
	where := "l.collection_id = (SELECT c.id FROM collections c WHERE c.name_key = ?)"
	args := []any{strings.ToLower(f.Collection)}
	if f.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil {
			b.Fatal(err)
		}
		at, id, _ := strings.Cut(string(raw), ".")
		where += " AND (l.task_created_at, l.task_id) < (?, ?)"
		args = append(args, at, id)
	}
	userCond := "+t.user_id = ?"
	if onPostgres() {
		userCond = "t.user_id = ?"
	}
	where += " AND " + userCond
	args = append(args, user)
	for _, st := range f.Status {
		where += " AND t.status = ?"
		args = append(args, string(st))
	}
	where += " AND t.trashed_at IS NULL"
	if f.Starred {
		where += " AND t.starred"
	}
	if f.MinRating > 0 {
		where += " AND t.rating > 0 AND t.rating >= ?"
		args = append(args, f.MinRating)
	}
	for _, tag := range f.Tags {
		where += " AND EXISTS (SELECT 1 FROM task_tags tt WHERE tt.task_id = t.id AND tt.tag_id = (SELECT g.id FROM tags g WHERE g.name_key = ?))"
		args = append(args, strings.ToLower(tag))
	}
	cross := "CROSS JOIN"
	if onPostgres() {
		cross = "JOIN"
	}
	return store.PageStatement{Query: reader.Rebind(`SELECT
	t.id, t.task_id, t.user_id, u.username, t.prompt, t.status, t.progress, t.total_scenes, t.completed_scenes,
	t.final_video_path, t.error_message, t.attempts, t.lease_owner, t.lease_expires_at, t.created_at, t.updated_at,
	t.started_at, t.completed_at, t.duration, t.starred, t.rating,
	coalesce((SELECT o.task_id FROM tasks o WHERE o.id = t.rerun_of), '') AS rerun_of,
	t.trashed_at
FROM collection_tasks l
` + cross + ` tasks t ON t.id = l.task_id
JOIN users u ON u.id = t.user_id
WHERE ` + where + `
ORDER BY l.task_created_at DESC, l.task_id DESC
LIMIT 51`), Args: args}
}

// page runs the statements of one history page as the raw baseline (the
// same SQL the store ran) and checks that the last one read the store's
// want rows, or the one row more that a page reads to know there is a next.
func (r *rawDB) page(ctx context.Context, stmts []store.PageStatement, want int) error {
	for i, st := range stmts {
		rows, err := r.query(ctx, nil, st.Query, st.Args...)
		if err != nil {
			return err
		}
		n, err := scanAny(rows)
		if err != nil {
			return err
		}
		if i == len(stmts)-1 && n != want && n != want+1 {
			return fmt.Errorf("raw page: %d rows, store %d", n, want)
		}
	}
	return nil
}

// scanAny reads every row of rows into untyped values and returns how many
// there were.
func scanAny(rows *sql.Rows) (int, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// BenchmarkLibrary_PurgeWhileWriting purges the trash, a tenth of a
// history of $REELVAULT_BENCH_LIBRARY_TASKS (3,000 tasks a day; 100,000 of
// 1,000,000), while another writer stars tasks one by one, and reports the
// purge's time and that writer's latency (p50, p99, max). Each trashed task
// has an event and a tag that go with it. The raw side, in the same run
// and on the same database, deletes another tenth as alike as can be (the
// same number of tasks, as spread out, with an event and a tag each) in
// plain SQL batches of the store's purge batch size, with the same other
// writer: the floor of a purge, without its statistics and notifications.
func BenchmarkLibrary_PurgeWhileWriting(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newLibEnv(b)
		n := libraryBenchTasks(b)
		all := seedTasksEvery(b, e.DB, e.Alice.ID, n, 24*time.Hour/3000)
		// Tasks with id ≡ 0 (mod 10) go to the trash; those ≡ 5 are the
		// raw side's; the other writer stars the rest.
		var others []string
		for k, id := range all {
			if (k+1)%5 != 0 {
				others = append(others, id)
			}
		}
		if err := e.DB.Write(ctx, func(w *sqlx.DB) error {
			return execAll(ctx, w,
				`UPDATE tasks SET trashed_at = 1 WHERE id % 10 = 0`,
				`INSERT INTO tags (name, name_key) VALUES ('purged', 'purged')`,
				`INSERT INTO task_tags (task_id, tag_id, task_created_at) SELECT id, (SELECT id FROM tags), created_at FROM tasks WHERE id % 5 = 0`,
				`INSERT INTO task_events (task_id, type, status, progress, message, created_at) SELECT id, 'created', 'pending', 0, '', created_at FROM tasks WHERE id % 5 = 0`,
			)
		}); err != nil {
			b.Fatal(err)
		}
		settle(b, e.DB)
		reader, writer := libraryPools(b, e.DB)
		var rawIDs []int64
		if err := reader.SelectContext(ctx, &rawIDs, `SELECT id FROM tasks WHERE id % 10 = 5 ORDER BY id`); err != nil {
			b.Fatal(err)
		}
		batch := store.DefaultPurgeBatch
		if onPostgres() {
			batch = store.DefaultPurgeBatchPostgres
		}
		var purged, rawPurged int
		var took, rawTook time.Duration
		var lat, rawLat []time.Duration
		storeSide := func() {
			lat = writeWhile(b, e.Lib, e.AliceCtx, others, func() {
				start := time.Now()
				res, err := e.Lib.PurgeTrash(e.Owner, time.Now())
				took = time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				purged = res.Changed
			})
		}
		rawSide := func() {
			rawLat = writeWhile(b, e.Lib, e.AliceCtx, others, func() {
				start := time.Now()
				for ids := range slices.Chunk(rawIDs, batch) {
					in, args := inList(ids)
					if err := rawTx(ctx, writer, func(tx *sqlx.Tx) error {
						res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM tasks WHERE id IN (`+in+`)`), args...)
						if err == nil {
							var n int64
							n, err = res.RowsAffected()
							rawPurged += int(n)
						}
						return err
					}); err != nil {
						b.Fatal(err)
					}
				}
				rawTook = time.Since(start)
			})
		}
		// Alternate which side finds the bigger history.
		if i%2 == 0 {
			rawSide()
			storeSide()
		} else {
			storeSide()
			rawSide()
		}
		if purged != len(rawIDs) || rawPurged != len(rawIDs) {
			b.Fatalf("purged %d, raw %d, want %d each", purged, rawPurged, len(rawIDs))
		}
		b.ReportMetric(float64(took.Nanoseconds()), "ns/op")
		b.ReportMetric(took.Seconds(), "purge-s")
		b.ReportMetric(rawTook.Seconds(), "raw-purge-s")
		b.ReportMetric(took.Seconds()/rawTook.Seconds(), "ratio")
		b.ReportMetric(float64(purged), "purged")
		reportWriter(b, "writer", lat)
		reportWriter(b, "raw-writer", rawLat)
	}
}

// BenchmarkLibrary_SearchFilteredPage searches a copy of the Zipf history
// of BenchmarkTaskService_FindTasks_SearchZipf ($REELVAULT_BENCH_TASKS
// tasks) with library data added (a third starred, the tag 夜景 on 1/7 of
// the tasks, rare on 1/997, the collection Trailer v2 on 1/11) for words
// of four frequencies, each with one library filter, as the owner: the
// first page of 50 with snippets, against the store's walk of the matches
// (store.TaskPageSQL) through plain SQL on the same reader pool (no
// snippets: the floor of a page); every case with the full-text index as
// seeded, then merged into one segment. SQLite only.
func BenchmarkLibrary_SearchFilteredPage(b *testing.B) {
	if onPostgres() {
		b.Skip("SQLite: the Zipf history")
	}
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("reelvault-zipf-bench-%d-v%d.db", benchTasks(b), store.LatestSchemaVersion()))
	if _, err := os.Stat(path); err != nil {
		mustZipfFixture(b) // seeds it
	}
	start := time.Now()
	// Copied through a read-only connection: the shared history stays as
	// it is.
	dst := filepath.Join(b.TempDir(), "zipf-library.db")
	src, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	_, err = src.ExecContext(ctx, `VACUUM INTO ?`, dst)
	src.Close()
	if err != nil {
		b.Fatal(err)
	}
	db := store.NewDB(dst)
	db.Logger = slog.New(slog.DiscardHandler)
	if err := db.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Write(ctx, func(w *sqlx.DB) error {
		return execAll(ctx, w,
			`UPDATE tasks SET starred = (id % 3 = 0)`,
			`INSERT INTO tags (name, name_key) VALUES ('夜景', '夜景'), ('rare', 'rare'), ('few', 'few')`,
			`INSERT INTO task_tags (task_id, tag_id, task_created_at) SELECT id, (SELECT id FROM tags WHERE name_key = '夜景'), created_at FROM tasks WHERE id % 7 = 0`,
			`INSERT INTO task_tags (task_id, tag_id, task_created_at) SELECT id, (SELECT id FROM tags WHERE name_key = 'rare'), created_at FROM tasks WHERE id % 997 = 0`,
			`INSERT INTO task_tags (task_id, tag_id, task_created_at) SELECT id, (SELECT id FROM tags WHERE name_key = 'few'), created_at FROM tasks WHERE id % 40000 = 0`,
			`INSERT INTO collections (name, name_key, created_at) VALUES ('Trailer v2', 'trailer v2', 1)`,
			`INSERT INTO collection_tasks (collection_id, task_id, added_at, task_created_at) SELECT (SELECT id FROM collections), id, 1, created_at FROM tasks WHERE id % 11 = 0`,
		)
	}); err != nil {
		b.Fatal(err)
	}
	if err := db.Analyze(ctx, true); err != nil {
		b.Fatal(err)
	}
	settle(b, db)
	b.Logf("copied the Zipf history and added library data in %v", time.Since(start).Round(time.Millisecond))
	tasks := store.NewTaskService(db)
	owner := domain.WithOwner(ctx)
	reader, _ := libraryPools(b, db)
	raw := &rawDB{DB: reader.DB}
	// The index as the seeding left it (11 segments at 1M tasks: one per
	// run of 5,000 tasks, merged four at a time), then merged into one
	// segment as the nightly optimize job does (store.DB.MergeSearchIndex).
	for _, index := range []string{"seeded", "merged"} {
		if index == "merged" {
			start := time.Now()
			m, err := db.MergeSearchIndex(ctx, 0)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("merged the search index from %d segments in %d steps, %v", m.SegmentsBefore, m.Steps, time.Since(start).Round(time.Millisecond))
		}
		for _, rank := range []int{0, 9, 99, 999} {
			word := zipfWords[rank]
			for _, tc := range []struct {
				name string
				f    domain.TaskFilter
			}{
				{"Tag", domain.TaskFilter{Tags: []string{"夜景"}}},
				{"TagRare", domain.TaskFilter{Tags: []string{"rare"}}},
				{"TagFew", domain.TaskFilter{Tags: []string{"few"}}},
				{"Collection", domain.TaskFilter{Collection: "Trailer v2"}},
				{"Starred", domain.TaskFilter{Starred: true}},
			} {
				f := tc.f
				f.Search, f.Limit = word, 50
				b.Run(fmt.Sprintf("index=%s/rank=%d/%s", index, rank+1, tc.name), func(b *testing.B) {
					stmts, err := store.TaskPageSQL(owner, db, f)
					if err != nil {
						b.Fatal(err)
					}
					var want int
					storePage := func() error {
						p, err := tasks.FindTasks(owner, f)
						if err != nil {
							return err
						}
						want = len(p.Tasks)
						if want > 0 && p.Tasks[0].Match == nil {
							return fmt.Errorf("search %q: no snippet", word)
						}
						return nil
					}
					rawPage := func() error { return raw.page(ctx, stmts, want) }
					if err := storePage(); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(want), "tasks")
					var l latencies
					runtime.LockOSThread() // see timeBoth
					defer runtime.UnlockOSThread()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						l.timeBoth(b, i, storePage, rawPage)
					}
					b.StopTimer()
					l.reportIn(b, time.Millisecond, "ms")
				})
			}
		}
	}
}

// execAll runs each statement of qs on w, in order, and names the one that
// failed.
func execAll(ctx context.Context, w *sqlx.DB, qs ...string) error {
	for _, q := range qs {
		if _, err := w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
