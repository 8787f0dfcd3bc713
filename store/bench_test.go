package store_test

// Benchmarks of the store on a generated history, each operation timed next
// to the same SQL run through the raw driver (database/sql on modernc, or
// pgx's database/sql driver) in the same process. Run with
//
//	make bench BENCH_PKGS=./store/
//	REELVAULT_BENCH_TASKS=1000000 make bench BENCH_PKGS=./store/
//	REELVAULT_TEST_DB=postgres make bench BENCH_PKGS=./store/
//
// The history is seeded once per size into os.TempDir() and reused by later
// runs. On PostgreSQL (REELVAULT_TEST_DB=postgres, as for the test suite) the
// same benchmarks run on a throwaway, durable (fsync=on) cluster into which
// that SQLite history is migrated with CopyToPostgres (and verified); they
// skip when PostgreSQL is not installed, unless REELVAULT_REQUIRE_POSTGRES
// is set. Each benchmark reports p50/p99 latency of the store ("p50-µs",
// "p99-µs"), of the raw driver ("raw-p50-µs", "raw-p99-µs") and their ratio.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"golang.org/x/sys/unix"
	_ "modernc.org/sqlite"
)

// benchUsers is how many users share the generated history.
const benchUsers = 100

// benchTasks returns the history size: $REELVAULT_BENCH_TASKS or 100,000.
func benchTasks(tb testing.TB) int {
	if v := os.Getenv("REELVAULT_BENCH_TASKS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			tb.Fatalf("REELVAULT_BENCH_TASKS=%q: want a number ≥ 1000", v)
		}
		return n
	}
	return 100_000
}

var (
	adjectives = strings.Fields("red golden misty ancient neon quiet stormy frozen glowing tiny giant silver rusty lonely crowded sunlit moonlit hidden floating broken " +
		"emerald crimson velvet paper wooden crystal electric dusty sleepy wild gentle fierce hollow painted shimmering tangled distant forgotten curious brave")
	nouns = strings.Fields("fox lighthouse dragon robot whale castle garden train violin astronaut samurai bicycle tiger balloon submarine owl cathedral market glacier volcano " +
		"waterfall spaceship lantern kitten orchard harbor desert jellyfish carousel canyon windmill library dancer firefly monastery tram bridge meadow octopus telescope " +
		"pagoda greenhouse river falcon typewriter bamboo iceberg vineyard airship chessboard fountain raccoon comet island clocktower panda scarecrow mermaid")
	verbs  = strings.Fields("running drifting dancing sleeping glowing flying waiting spinning falling singing")
	places = []string{"in the mountains", "under the sea", "at dawn", "in a rainy city", "on the moon", "in a snowy forest", "at the beach", "in the desert",
		"inside a dream", "at night", "in an old town", "above the clouds", "in the jungle", "on a frozen lake", "in a busy station"}
	zhPlaces     = strings.Fields("森林 海边 沙漠 城市 雪山 草原 古镇 峡谷 湖泊 竹林 星空 瀑布 港口 花园 寺庙 稻田 冰川 火山 岛屿 长城 江南 乡村 高原 地铁 夜市 渔村 石窟 书院 茶园 灯塔")
	zhActivities = strings.Fields("探险 旅行 日落 夜景 航拍 延时 纪录 舞蹈 美食 风光 追光 漫步 飞行 穿越 奇遇 四季 晨雾 归途 相遇 告别")
	zhStyles     = strings.Fields("电影感 水墨风 赛博朋克 复古胶片 纪录片 动画风格")
)

// prompt returns a generated prompt and its four scene descriptions.
func prompt(rng *rand.Rand) (string, [4]string) {
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	var scenes [4]string
	if rng.IntN(10) < 3 {
		place, act := pick(zhPlaces), pick(zhActivities)
		p := "制作" + place + act + "视频，" + pick(zhStyles) + "，" + strconv.Itoa(10+rng.IntN(50)) + "秒"
		for i := range scenes {
			scenes[i] = fmt.Sprintf("第%d个镜头：%s的%s，%s", i+1, place, pick(zhActivities), pick(zhStyles))
		}
		return p, scenes
	}
	adj, noun := pick(adjectives), pick(nouns)
	p := fmt.Sprintf("A %s %s %s %s, cinematic, %d seconds", adj, noun, pick(verbs), pick(places), 10+rng.IntN(50))
	for i := range scenes {
		scenes[i] = fmt.Sprintf("Scene %d: the %s %s %s, %s light", i+1, adj, noun, pick(verbs), pick(adjectives))
	}
	return p, scenes
}

// seeder writes a generated history in one transaction through prepared
// statements: the bulk path.
type seeder struct {
	ctx    context.Context
	tx     *sql.Tx
	rng    *rand.Rand
	base   int64
	rows   int64
	err    error
	search []searchRow

	insTask, insScript, insVideo, insEvent, insSearch *sql.Stmt
}

// newSeeder begins the transaction on raw (one connection) and writes the
// benchUsers users, plus one more that durable creates write as.
func newSeeder(ctx context.Context, raw *sql.DB, n int) (*seeder, error) {
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	s := &seeder{ctx: ctx, tx: tx, rng: rand.New(rand.NewPCG(1, uint64(n))), base: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()}
	prep := func(q string) *sql.Stmt {
		if s.err != nil {
			return nil
		}
		var st *sql.Stmt
		st, s.err = tx.PrepareContext(ctx, q)
		return st
	}
	insUser := prep(`INSERT INTO users (id, username, username_key, api_key_hash, key_prefix, quota, used_quota, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	s.insTask = prep(`INSERT INTO tasks (id, task_id, user_id, prompt, status, progress, total_scenes, completed_scenes, error_message,
		attempts, created_at, updated_at, started_at, completed_at, duration) VALUES (?, ?, ?, ?, ?, ?, 4, ?, ?, ?, ?, ?, ?, ?, ?)`)
	// The four scripts and the four videos of a task go in one statement each.
	s.insScript = prep(`INSERT INTO scripts (task_id, scene_number, description, duration, camera_movement, lighting, created_at) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?, ?, ?, 5, 'pan left', 'soft', ?), `, 4), ", "))
	s.insVideo = prep(`INSERT INTO videos (task_id, scene_number, file_path, file_size, duration, width, height, fps, created_at) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?, ?, ?, 4000000, 5, 1920, 1080, 24, ?), `, 4), ", "))
	s.insEvent = prep(`INSERT INTO task_events (task_id, type, status, progress, message, created_at) VALUES (?, ?, ?, ?, '', ?)`)
	s.insSearch = prep(`INSERT INTO task_search (rowid, body) VALUES (?, ?)`)
	for u := 1; u <= benchUsers+1; u++ {
		sum := sha256.Sum256([]byte(strconv.Itoa(u)))
		name := fmt.Sprintf("bench-%03d", u)
		s.exec(insUser, u, name, domain.UsernameKey(name), hex.EncodeToString(sum[:]), "rv_bench", 1<<40, n/benchUsers, s.base, s.base)
	}
	if s.err != nil {
		tx.Rollback()
		return nil, s.err
	}
	return s, nil
}

func (s *seeder) exec(st *sql.Stmt, args ...any) { s.execRows(1, st, args...) }

// execRows runs a statement that inserts rows rows.
func (s *seeder) execRows(rows int64, st *sql.Stmt, args ...any) {
	if s.err == nil {
		_, s.err = st.ExecContext(s.ctx, args...)
		s.rows += rows
	}
}

var uuidNamespace = uuid.MustParse("6ba7b811-9dad-11d1-80b4-00c04fd430c8")

// task writes task number i (from 1) with 4 scripts, 4 videos, its events
// and its full-text entry.
func (s *seeder) task(i int) {
	rng := s.rng
	id := int64(i)
	created := s.base + id*30_000_000 // one task every 30 s
	user := 1 + rng.IntN(benchUsers)
	p, scenes := prompt(rng)
	var status string
	switch r := rng.IntN(100); {
	case r < 70:
		status = "completed"
	case r < 80:
		status = "failed"
	case r < 85:
		status = "cancelled"
	case r < 90:
		status = "processing"
	default:
		status = "pending"
	}
	var started, completed, duration any
	progress, done, attempts, errMsg := 0, 0, 0, ""
	if status != "pending" {
		started, attempts = created+5_000_000, 1
	}
	switch status {
	case "completed":
		d := 60 + rng.IntN(540)
		completed, duration, progress, done = created+5_000_000+int64(d)*1_000_000, float64(d), 100, 4
	case "failed", "cancelled":
		completed, duration = created+65_000_000, 60.0
		if status == "failed" {
			errMsg = "generation failed at scene 3"
		}
	case "processing":
		progress, done = 50, 2
	}
	s.exec(s.insTask, id, uuid.NewSHA1(uuidNamespace, []byte(strconv.Itoa(i))).String(), user, p, status, progress, done, errMsg,
		attempts, created, created, started, completed, duration)
	scripts, videos := make([]any, 0, 16), make([]any, 0, 16)
	for n := 1; n <= 4; n++ {
		scripts = append(scripts, id, n, scenes[n-1], created)
		videos = append(videos, id, n, fmt.Sprintf("/bench/videos/%d/scene-%d.mp4", i, n), created)
	}
	s.execRows(4, s.insScript, scripts...)
	s.execRows(4, s.insVideo, videos...)
	s.exec(s.insEvent, id, domain.EventCreated, "pending", 0, created)
	if started != nil {
		s.exec(s.insEvent, id, domain.EventStarted, "processing", 0, started)
	}
	if completed != nil {
		s.exec(s.insEvent, id, status, status, progress, completed)
	}
	// The full-text rows are written in runs of their own: FTS5 flushes
	// its in-memory index at every statement savepoint, so interleaving
	// them with the other inserts would write thousands of tiny segments.
	s.search = append(s.search, searchRow{id, store.SearchBody(p, scenes[:]...)})
	if len(s.search) >= 5000 {
		s.flushSearch()
	}
}

// searchRow is a pending task_search row.
type searchRow struct {
	id   int64
	body string
}

// flushSearch writes the pending task_search rows.
func (s *seeder) flushSearch() {
	for _, r := range s.search {
		s.exec(s.insSearch, r.id, r.body)
	}
	s.search = s.search[:0]
}

// commit ends the transaction.
func (s *seeder) commit() error {
	s.flushSearch()
	if s.err != nil {
		s.tx.Rollback()
		return s.err
	}
	return s.tx.Commit()
}

// seedHistory fills the migrated, empty database at path with n tasks and
// returns the rows written. It is fast rather than durable: the file is
// thrown away if seeding does not finish.
func seedHistory(ctx context.Context, path string, n int) (int64, error) {
	raw, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(OFF)&_pragma=cache_size(-262144)")
	if err != nil {
		return 0, err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	s, err := newSeeder(ctx, raw, n)
	if err != nil {
		return 0, err
	}
	for i := 1; i <= n; i++ {
		s.task(i)
	}
	if err := s.commit(); err != nil {
		return s.rows, err
	}
	if err := fillSearchTerms(ctx, raw); err != nil {
		return s.rows, err
	}
	// No ANALYZE: the store never runs it, so the benchmarks see the
	// plans a user's database gets (the ones TestQueryPlans checks).
	_, err = raw.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return s.rows, err
}

// fillSearchTerms fills task_search_terms from the index, as migration 8
// does, for a history seeded without the store.
func fillSearchTerms(ctx context.Context, raw *sql.DB) error {
	for _, q := range []string{
		`CREATE VIRTUAL TABLE temp.bench_vocab USING fts5vocab(main, task_search, row)`,
		`INSERT OR IGNORE INTO task_search_terms (term) SELECT term FROM temp.bench_vocab WHERE unicode(term) < 11904 OR unicode(term) > 55215`,
		`DROP TABLE temp.bench_vocab`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("search terms: %w", err)
		}
	}
	return nil
}

// migrated creates an empty, migrated Reelvault database at path.
func migrated(ctx context.Context, path string) error {
	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		return err
	}
	return db.Close()
}

// benchFixture is the seeded history shared by the benchmarks of one run.
type benchFixture struct {
	engine string // store.EngineSQLite or store.EnginePostgres
	db     *store.DB
	tasks  *store.TaskService
	raw    *sql.DB // reader pool with the store's reader pragmas (PostgreSQL: the pgx pool)
	rawW   *sql.DB // single writer connection with the store's writer pragmas (PostgreSQL: raw)
	rawR   *rawDB  // raw with prepared statements (SQLite only)
	rawRW  *rawDB  // rawW with prepared statements (SQLite only)
	sample []benchTask
	writer int64 // the user that durable creates write as
}

// benchTask is one seeded task the benchmarks pick inputs from.
type benchTask struct {
	ID        int64
	TaskID    string
	UserID    int64
	Status    string
	CreatedAt int64
}

var (
	fixtureOnce sync.Once
	fixture     *benchFixture
	fixtureErr  error
)

// mustFixture returns the history on the engine of the run (see TestDBEnv).
func mustFixture(b *testing.B) *benchFixture {
	b.Helper()
	if onPostgres() {
		return mustPostgresFixture(b)
	}
	return mustSQLiteFixture(b)
}

// mustSQLiteFixture seeds (or reuses) the SQLite history and opens it.
func mustSQLiteFixture(b *testing.B) *benchFixture {
	b.Helper()
	fixtureOnce.Do(func() { fixture, fixtureErr = openFixture(benchTasks(b), b) })
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	return fixture
}

func openFixture(n int, b *testing.B) (*benchFixture, error) {
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("reelvault-store-bench-%d-v%d.db", n, store.LatestSchemaVersion()))
	if _, err := os.Stat(path); err != nil {
		tmp := fmt.Sprintf("%s.seeding-%d", path, os.Getpid())
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(tmp + suffix)
		}
		if err := migrated(ctx, tmp); err != nil {
			return nil, err
		}
		start := time.Now()
		rows, err := seedHistory(ctx, tmp, n)
		if err != nil {
			return nil, err
		}
		b.Logf("seeded %d tasks (%d rows) in %v", n, rows, time.Since(start).Round(time.Millisecond))
		if err := os.Rename(tmp, path); err != nil {
			return nil, err
		}
	}
	if v := os.Getenv("REELVAULT_CHECKPOINT_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("REELVAULT_CHECKPOINT_INTERVAL=%q: %w", v, err)
		}
		store.CheckpointInterval = d
	}
	f := &benchFixture{engine: store.EngineSQLite, db: store.NewDB(path), writer: benchUsers + 1}
	f.db.Logger = slog.New(slog.DiscardHandler) // slow queries are what is being measured
	if err := f.db.Open(ctx); err != nil {
		return nil, err
	}
	f.tasks = store.NewTaskService(f.db)
	pragmas := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=mmap_size(268435456)&_pragma=cache_size(-16000)"
	reader, err := sql.Open("sqlite", path+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	f.raw, f.rawR = reader, &rawDB{DB: reader}
	f.raw.SetMaxOpenConns(4)
	f.raw.SetMaxIdleConns(4)
	writer, err := sql.Open("sqlite", path+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	f.rawW, f.rawRW = writer, &rawDB{DB: writer}
	f.rawW.SetMaxOpenConns(1)
	rows, err := f.raw.QueryContext(ctx, `SELECT id, task_id, user_id, status, created_at FROM tasks WHERE user_id <= ? ORDER BY random() LIMIT 20000`, benchUsers)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var t benchTask
		if err := rows.Scan(&t.ID, &t.TaskID, &t.UserID, &t.Status, &t.CreatedAt); err != nil {
			return nil, err
		}
		f.sample = append(f.sample, t)
	}
	return f, rows.Err()
}

// cursorAfter builds the FindTasks cursor that resumes after t (the store's
// cursor format; FindTasks refuses it with EINVALID if the format changes).
func cursorAfter(t benchTask) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d.%d", t.CreatedAt, t.ID)))
}

// latencies collects the timings of one benchmark: wall-clock time, and the
// CPU time of the benchmark's thread (what the operation would take on an
// idle machine; the wall clock also counts waiting for a core while other
// processes run).
type latencies struct{ store, raw, storeCPU, rawCPU []time.Duration }

// threadCPU returns the CPU time used by the calling OS thread.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// percentile returns the p-th percentile of d, which it sorts (0 if empty).
func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, len(d)*p/100)]
}

// report adds p50/p99 of both sides and their ratio to b's output, in µs.
func (l *latencies) report(b *testing.B) { l.reportIn(b, time.Microsecond, "µs") }

// reportIn is report with the latencies in unit, named name in the metrics
// ("p50-"+name).
func (l *latencies) reportIn(b *testing.B, unit time.Duration, name string) {
	pct := func(d []time.Duration, p int) float64 { return float64(percentile(d, p)) / float64(unit) }
	var total time.Duration
	for _, d := range l.store {
		total += d
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(max(1, len(l.store))), "ns/op")
	s50, s99 := pct(l.store, 50), pct(l.store, 99)
	b.ReportMetric(s50, "p50-"+name)
	b.ReportMetric(s99, "p99-"+name)
	if len(l.raw) > 0 {
		r50, r99 := pct(l.raw, 50), pct(l.raw, 99)
		b.ReportMetric(r50, "raw-p50-"+name)
		b.ReportMetric(r99, "raw-p99-"+name)
		b.ReportMetric(s50/r50, "ratio-p50")
		b.ReportMetric(s99/r99, "ratio-p99")
	}
	if len(l.storeCPU) > 0 && len(l.rawCPU) > 0 {
		c50, c99, r50, r99 := pct(l.storeCPU, 50), pct(l.storeCPU, 99), pct(l.rawCPU, 50), pct(l.rawCPU, 99)
		b.ReportMetric(c50, "cpu-p50-"+name)
		b.ReportMetric(c99, "cpu-p99-"+name)
		b.ReportMetric(r50, "raw-cpu-p50-"+name)
		b.ReportMetric(r99, "raw-cpu-p99-"+name)
		b.ReportMetric(c50/r50, "cpu-ratio-p50")
	}
}

// timeBoth runs the store and the raw side of one iteration in alternating
// order, so that neither always finds the caches warmed by the other.
// The caller runs locked to its OS thread (runtime.LockOSThread), so that the
// thread's CPU time is the operation's: database/sql and the driver run the
// query on the calling goroutine.
func (l *latencies) timeBoth(b *testing.B, i int, storeFn, rawFn func() error) {
	run := func(fn func() error, into, cpu *[]time.Duration) {
		start, startCPU := time.Now(), threadCPU()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		*into = append(*into, time.Since(start))
		*cpu = append(*cpu, threadCPU()-startCPU)
	}
	if i%2 == 0 {
		run(storeFn, &l.store, &l.storeCPU)
		run(rawFn, &l.raw, &l.rawCPU)
	} else {
		run(rawFn, &l.raw, &l.rawCPU)
		run(storeFn, &l.store, &l.storeCPU)
	}
}

// The raw side runs exactly the SQL the store runs.
const rawTaskColumns = `
	t.id, t.task_id, t.user_id, u.username, t.prompt, t.status, t.progress, t.total_scenes, t.completed_scenes,
	t.final_video_path, t.error_message, t.attempts, t.lease_owner, t.lease_expires_at, t.created_at, t.updated_at,
	t.started_at, t.completed_at, t.duration
FROM tasks t
JOIN users u ON u.id = t.user_id`

// scanTasks reads task rows the way a hand-written caller would and returns
// how many there were.
func scanTasks(rows *sql.Rows) (int, error) {
	_, n, err := scanTaskRows(rows)
	return n, err
}

// scanTaskRows is scanTasks that also returns the first row's id.
func scanTaskRows(rows *sql.Rows) (int64, int, error) {
	defer rows.Close()
	n := 0
	var first int64
	for rows.Next() {
		var (
			id, userID, createdAt, updatedAt                   int64
			taskID, username, prompt, status, final, msg, leas string
			progress, total, done, attempts                    int
			leaseAt, startedAt, completedAt                    sql.NullInt64
			duration                                           sql.NullFloat64
		)
		if err := rows.Scan(&id, &taskID, &userID, &username, &prompt, &status, &progress, &total, &done, &final, &msg,
			&attempts, &leas, &leaseAt, &createdAt, &updatedAt, &startedAt, &completedAt, &duration); err != nil {
			return first, n, err
		}
		if n == 0 {
			first = id
		}
		n++
	}
	return first, n, rows.Err()
}

// rawDB is the raw driver as a careful caller uses it: each query text is
// prepared once per pool (the store caches its statements the same way).
type rawDB struct {
	*sql.DB
	stmts sync.Map // query → *sql.Stmt
}

// stmt returns the prepared statement of q; inside tx, bound to it.
func (r *rawDB) stmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	v, ok := r.stmts.Load(q)
	if !ok {
		st, err := r.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		v, _ = r.stmts.LoadOrStore(q, st)
	}
	st := v.(*sql.Stmt)
	if tx != nil {
		st = tx.StmtContext(ctx, st)
	}
	return st, nil
}

func (r *rawDB) query(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	st, err := r.stmt(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (r *rawDB) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	st, err := r.stmt(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// Raw statements of FindTaskByID, the same SQL as the store's.
const (
	rawGetTaskSQL    = `SELECT` + rawTaskColumns + ` WHERE t.task_id = ? ORDER BY t.created_at DESC, t.id DESC LIMIT ?`
	rawGetScriptsSQL = `SELECT id, scene_number, description, duration, camera_movement, lighting, created_at FROM scripts WHERE task_id = ? ORDER BY scene_number`
	rawGetVideosSQL  = `SELECT v.id, v.scene_number, v.file_path, v.file_size, v.duration, v.width, v.height, v.fps, v.status, v.created_at FROM videos v WHERE v.task_id = ? ORDER BY v.scene_number`
	rawGetEventsSQL  = `SELECT id, type, status, progress, message, created_at FROM task_events WHERE task_id = ? ORDER BY id`
)

// rawGetTask runs FindTaskByID's four queries on one snapshot.
func rawGetTask(ctx context.Context, raw *rawDB, taskID string) error {
	for _, q := range []string{rawGetTaskSQL, rawGetScriptsSQL, rawGetVideosSQL, rawGetEventsSQL} {
		if _, err := raw.stmt(ctx, nil, q); err != nil { // prepared before the snapshot starts
			return err
		}
	}
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows, err := raw.query(ctx, tx, rawGetTaskSQL, taskID, 2)
	if err != nil {
		return err
	}
	id, n, err := scanTaskRows(rows)
	if err != nil || n != 1 {
		return fmt.Errorf("task %s: %d rows, %v", taskID, n, err)
	}
	rows, err = raw.query(ctx, tx, rawGetScriptsSQL, id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var sid, created int64
		var scene int
		var desc, cam, light string
		var dur float64
		if err := rows.Scan(&sid, &scene, &desc, &dur, &cam, &light, &created); err != nil {
			return err
		}
	}
	rows.Close()
	rows, err = raw.query(ctx, tx, rawGetVideosSQL, id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var vid, created int64
		var scene int
		var path, status string
		var size, w, h sql.NullInt64
		var dur, fps sql.NullFloat64
		if err := rows.Scan(&vid, &scene, &path, &size, &dur, &w, &h, &fps, &status, &created); err != nil {
			return err
		}
	}
	rows.Close()
	rows, err = raw.query(ctx, tx, rawGetEventsSQL, id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var eid, created int64
		var typ, status, msg string
		var progress int
		if err := rows.Scan(&eid, &typ, &status, &progress, &msg, &created); err != nil {
			return err
		}
	}
	rows.Close()
	return tx.Commit()
}

func BenchmarkTaskService_FindTaskByID(b *testing.B) {
	f := mustFixture(b)
	ctx, owner := context.Background(), domain.WithOwner(context.Background())
	rng := rand.New(rand.NewPCG(3, 4))
	var l latencies
	runtime.LockOSThread() // see timeBoth
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := f.sample[rng.IntN(len(f.sample))]
		l.timeBoth(b, i, func() error {
			task, err := f.tasks.FindTaskByID(owner, t.TaskID)
			if err == nil && (len(task.Scripts) != 4 || len(task.Videos) != 4 || len(task.Events) == 0) {
				err = fmt.Errorf("task %s: %d scripts, %d videos, %d events", t.TaskID, len(task.Scripts), len(task.Videos), len(task.Events))
			}
			return err
		}, func() error {
			if f.engine == store.EnginePostgres {
				return pgRawGetTask(ctx, f.raw, t.TaskID)
			}
			return rawGetTask(ctx, f.rawR, t.TaskID)
		})
	}
	l.report(b)
}

func BenchmarkTaskService_FindTasks_History(b *testing.B) {
	f := mustFixture(b)
	ctx, owner := context.Background(), domain.WithOwner(context.Background())
	rng := rand.New(rand.NewPCG(5, 6))
	var l latencies
	runtime.LockOSThread() // see timeBoth
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A page of one user's tasks in one status, after a random position.
		t := f.sample[rng.IntN(len(f.sample))]
		uid := t.UserID
		l.timeBoth(b, i, func() error {
			_, err := f.tasks.FindTasks(owner, domain.TaskFilter{
				UserID: &uid, Status: []domain.Status{domain.Status(t.Status)}, Cursor: cursorAfter(t), Limit: 50,
			})
			return err
		}, func() error {
			q := `SELECT` + rawTaskColumns + `
				WHERE t.user_id = ? AND t.status = ? AND (t.created_at, t.id) < (?, ?)
				ORDER BY t.created_at DESC, t.id DESC
				LIMIT ?`
			var rows *sql.Rows
			var err error
			if f.engine == store.EnginePostgres {
				rows, err = f.raw.QueryContext(ctx, pg(q), uid, t.Status, t.CreatedAt, t.ID, 51)
			} else {
				rows, err = f.rawR.query(ctx, nil, q, uid, t.Status, t.CreatedAt, t.ID, 51)
			}
			if err != nil {
				return err
			}
			_, err = scanTasks(rows)
			return err
		})
	}
	l.report(b)
}

// BenchmarkTaskService_CountByStatus times the status counts of one user's
// untrashed tasks (benchTasks/benchUsers of them), what the history's
// status chips show for a user filter, against the raw driver counting the
// same tasks on the user's index. The two answers must agree.
func BenchmarkTaskService_CountByStatus(b *testing.B) {
	f := mustFixture(b)
	ctx, owner := context.Background(), domain.WithOwner(context.Background())
	rng := rand.New(rand.NewPCG(9, 10))
	const q = `SELECT status, count(*) FROM tasks WHERE user_id = ? AND trashed_at IS NULL GROUP BY status`
	var l latencies
	runtime.LockOSThread() // see timeBoth
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		uid := f.sample[rng.IntN(len(f.sample))].UserID
		var got, want map[domain.Status]int
		l.timeBoth(b, i, func() error {
			var err error
			got, err = f.tasks.CountTasksByStatus(owner, domain.TaskFilter{UserID: &uid})
			return err
		}, func() error {
			var rows *sql.Rows
			var err error
			if f.engine == store.EnginePostgres {
				rows, err = f.raw.QueryContext(ctx, pg(q), uid)
			} else {
				rows, err = f.rawR.query(ctx, nil, q, uid)
			}
			if err != nil {
				return err
			}
			defer rows.Close()
			want = map[domain.Status]int{}
			for rows.Next() {
				var st string
				var n int
				if err := rows.Scan(&st, &n); err != nil {
					return err
				}
				want[domain.Status(st)] = n
			}
			return rows.Err()
		})
		for _, st := range domain.Statuses {
			if got[st] != want[st] {
				b.Fatalf("user %d: %s counted %d by the store, %d by the raw driver", uid, st, got[st], want[st])
			}
		}
	}
	l.report(b)
}

// benchSearch times the newest 50 matches of random terms.
func benchSearch(b *testing.B, terms []string, match func(string) string) {
	f := mustFixture(b)
	ctx, owner := context.Background(), domain.WithOwner(context.Background())
	rng := rand.New(rand.NewPCG(7, 8))
	var l latencies
	runtime.LockOSThread() // see timeBoth
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		term := terms[rng.IntN(len(terms))]
		l.timeBoth(b, i, func() error {
			page, err := f.tasks.FindTasks(owner, domain.TaskFilter{Search: term, Limit: 50})
			if err == nil && len(page.Tasks) != 50 {
				err = fmt.Errorf("search %q: %d tasks, want 50", term, len(page.Tasks))
			}
			return err
		}, func() error {
			if f.engine == store.EnginePostgres {
				return pgRawSearch(ctx, f.raw, term)
			}
			// The store's two statements: the walk of the matches newest
			// id first, and the check for out-of-order tasks.
			rows, err := f.rawR.query(ctx, nil, `SELECT`+strings.Replace(rawTaskColumns, "FROM tasks t", "FROM task_search s CROSS JOIN tasks t ON t.id = s.rowid", 1)+`
				WHERE task_search MATCH ?
					AND t.id NOT IN (SELECT task_id FROM task_search_late)
				ORDER BY s.rowid DESC
				LIMIT ?`, match(term), 51)
			if err != nil {
				return err
			}
			if n, err := scanTasks(rows); err != nil || n < 50 {
				return fmt.Errorf("raw search %q: %d rows, %v", term, n, err)
			}
			var late bool
			rows, err = f.rawR.query(ctx, nil, `SELECT EXISTS (SELECT 1 FROM task_search_late)`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				err = rows.Scan(&late)
			}
			return err
		})
	}
	l.report(b)
}

// English nouns have three letters or more: on PostgreSQL the trigram index
// answers.
func BenchmarkTaskService_FindTasks_SearchEnglish(b *testing.B) {
	benchSearch(b, nouns, func(s string) string { return `"` + s + `"*` })
}

// Two-character Chinese words: the characters are words of their own in the
// search text, so pg_trgm has trigrams for them on PostgreSQL.
func BenchmarkTaskService_FindTasks_SearchChinese(b *testing.B) {
	benchSearch(b, zhPlaces, func(s string) string {
		r := []rune(s)
		return `"` + string(r[0]) + " " + string(r[1]) + `"`
	})
}

// BenchmarkTaskService_CreateTask times a durable create (synchronous=FULL,
// or PostgreSQL's fsync and synchronous_commit: each commit waits for the
// disk) on the seeded history, and on SQLite the store's stages (see
// phaseLog). The tasks it makes are deleted afterwards so that the cached
// history stays as seeded.
func BenchmarkTaskService_CreateTask(b *testing.B) {
	f := mustFixture(b)
	ctx := context.Background()
	uctx := domain.WithUser(ctx, f.writer)
	f.deleteWritesAfter(b)
	var l latencies
	var phases phaseLog // the store's stages (SQLite)
	phases.start(b, f.db)
	runtime.LockOSThread() // see timeBoth
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := fmt.Sprintf("A durable fox number %d", i)
		l.timeBoth(b, i, func() error {
			_, err := phases.time(func() error {
				_, err := f.tasks.CreateTask(uctx, domain.TaskCreate{Prompt: p, TotalScenes: 4})
				return err
			})
			return err
		}, func() error { return f.rawCreate(ctx, p) })
	}
	l.report(b)
	phases.report(b)
}

// rawCreate runs CreateTask's statements through the raw driver of f's engine.
func (f *benchFixture) rawCreate(ctx context.Context, prompt string) error {
	if f.engine == store.EnginePostgres {
		return pgRawCreate(ctx, f.raw, f.writer, prompt)
	}
	return rawCreate(ctx, f.rawRW, f.writer, prompt)
}

// deleteWritesAfter deletes the tasks the writer user made when b ends, so
// the cached SQLite history stays as seeded. The PostgreSQL history is a
// new database of a throwaway cluster in every run.
func (f *benchFixture) deleteWritesAfter(b *testing.B) {
	if f.engine == store.EnginePostgres {
		return
	}
	b.Cleanup(func() {
		if _, err := f.rawW.ExecContext(context.Background(), `DELETE FROM tasks WHERE user_id = ?`, f.writer); err != nil {
			b.Error(err)
		}
	})
}

// Raw statements of CreateTask, the same SQL as the store's.
var rawCreateSQL = []string{
	`SELECT quota, used_quota, is_active FROM users WHERE id = ?`,
	`UPDATE users SET used_quota = used_quota + 1, updated_at = ? WHERE id = ?`,
	`INSERT INTO tasks (task_id, user_id, prompt, status, total_scenes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
	`INSERT INTO task_search (rowid, body) VALUES (?, ?)`,
	`INSERT INTO task_events (task_id, type, status, progress, message, created_at) VALUES (?, 'created', 'pending', 0, '', ?)`,
	`INSERT INTO statistics (date, total_tasks, total_video_seconds) VALUES (?, 1, 0)
		ON CONFLICT (date) DO UPDATE SET total_tasks = statistics.total_tasks + 1`,
}

// rawCreate runs CreateTask's statements in one IMMEDIATE transaction.
func rawCreate(ctx context.Context, w *rawDB, userID int64, prompt string) error {
	for _, q := range rawCreateSQL { // prepared while the one connection is free
		if _, err := w.stmt(ctx, nil, q); err != nil {
			return err
		}
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UnixMicro()
	rows, err := w.query(ctx, tx, rawCreateSQL[0], userID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var quota, used int
		var active bool
		if err := rows.Scan(&quota, &used, &active); err != nil {
			return err
		}
	}
	rows.Close()
	if _, err := w.exec(ctx, tx, rawCreateSQL[1], now, userID); err != nil {
		return err
	}
	res, err := w.exec(ctx, tx, rawCreateSQL[2], uuid.NewString(), userID, prompt, "pending", 4, now, now)
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	if _, err := w.exec(ctx, tx, rawCreateSQL[3], id, prompt); err != nil {
		return err
	}
	if _, err := w.exec(ctx, tx, rawCreateSQL[4], id, now); err != nil {
		return err
	}
	if _, err := w.exec(ctx, tx, rawCreateSQL[5], time.Now().UTC().Format(time.DateOnly)); err != nil {
		return err
	}
	return tx.Commit()
}

// BenchmarkBulkImport measures the bulk path (one transaction, prepared
// statements, WAL, synchronous=FULL) in rows per second: each iteration adds
// one task of about 13 rows to a fresh database, committed at the end.
func BenchmarkBulkImport(b *testing.B) {
	sqliteOnly(b) // PostgreSQL's bulk path is CopyToPostgres, timed by the fixture
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bulk.db")
	if err := migrated(ctx, path); err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	s, err := newSeeder(ctx, raw, b.N)
	if err != nil {
		b.Fatal(err)
	}
	rows, cpu := s.rows, cpuTime()
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		s.task(i)
	}
	if err := s.commit(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	written := float64(s.rows - rows)
	b.ReportMetric(written/b.Elapsed().Seconds(), "rows/s")
	// Rows per second of this process's own CPU time: the figure a quiet
	// machine would show, even when other work shares the cores.
	b.ReportMetric(written/(cpuTime()-cpu).Seconds(), "rows/cpu-s")
}

// cpuTime returns the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
