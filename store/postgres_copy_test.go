package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/pgtest"
)

// seedCopyHistory fills db with every kind of row: users with and without an
// email, active and not; tasks in every status with Chinese and English
// prompts; scripts; videos with and without their optional fields; events;
// statistics; settings; job runs finished and still running. Nullable
// columns hold NULL somewhere and a value elsewhere. It returns the task ids.
func seedCopyHistory(tb testing.TB, db *store.DB, n int) []string {
	tb.Helper()
	ctx := domain.WithOwner(context.Background())
	users := store.NewUserService(db)
	tasks := store.NewTaskService(db)
	for _, u := range []domain.UserCreate{
		{Username: "alice"},
		{Username: "zhang.wei", Email: "zhang@example.com", Quota: ptr(5000)},
		{Username: "bob", Email: "bob@example.com"},
	} {
		if _, _, err := users.CreateUser(ctx, u); err != nil {
			tb.Fatal(err)
		}
	}
	clip := filepath.Join(tb.TempDir(), "scene-1.mp4")
	if err := os.WriteFile(clip, []byte("not really a video"), 0o600); err != nil {
		tb.Fatal(err)
	}
	prompts := []string{
		"制作森林探险视频，清晨的薄雾",
		"A red fox running through the snowy forest at dawn",
		"Neon city at night, café scene — 霓虹灯下的城市",
		"日本語のプロンプト：桜と富士山",
	}
	var ids []string
	for i := range n {
		user := []string{"alice", "zhang.wei"}[i%2]
		task, err := tasks.CreateTask(ctx, domain.TaskCreate{Username: user, Prompt: fmt.Sprintf("%s #%d", prompts[i%len(prompts)], i), TotalScenes: 2})
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, task.TaskID)
		id := task.TaskID
		switch i % 5 {
		case 0: // pending, no scripts: every lifecycle column NULL
		case 1: // processing through a claim: a lease
			if _, err := tasks.ClaimTask(ctx, domain.ClaimRequest{Worker: "gpu-1"}); err != nil {
				tb.Fatal(err)
			}
		case 2, 3, 4:
			if _, err := tasks.SetScripts(ctx, id, []domain.ScriptInput{
				{SceneNumber: 1, Description: "无人机航拍海边的灯塔", Duration: 4.5, CameraMovement: "dolly in", Lighting: "golden hour"},
				{SceneNumber: 2, Description: "Close-up of a lighthouse keeper", Duration: 3},
			}); err != nil {
				tb.Fatal(err)
			}
			if _, err := tasks.StartTask(ctx, id); err != nil {
				tb.Fatal(err)
			}
			if _, err := tasks.AddVideo(ctx, id, domain.VideoInput{SceneNumber: 1, FilePath: clip, Duration: ptr(4.5), Width: ptr(1920), Height: ptr(1080), FPS: ptr(29.97)}); err != nil {
				tb.Fatal(err)
			}
			if _, err := tasks.AddVideo(ctx, id, domain.VideoInput{SceneNumber: 2, FilePath: "/videos/missing-scene-2.mp4"}); err != nil {
				tb.Fatal(err)
			}
			if _, err := tasks.UpdateProgress(ctx, id, domain.TaskProgress{Progress: 60, CompletedScenes: ptr(1)}); err != nil {
				tb.Fatal(err)
			}
			switch i % 5 {
			case 2:
				_, err = tasks.CompleteTask(ctx, id, "/videos/最终视频.mp4")
			case 3:
				_, err = tasks.FailTask(ctx, id, "渲染失败: GPU out of memory")
			case 4:
				_, err = tasks.CancelTask(ctx, id)
			}
			if err != nil {
				tb.Fatal(err)
			}
		}
	}
	if len(ids) >= 5 {
		seedLibrary(tb, db, ids)
	}
	if _, err := users.SetActive(ctx, "bob", false); err != nil {
		tb.Fatal(err)
	}
	if err := store.NewSettings(db).Set(ctx, map[string]string{"backup.cron": "0 3 * * *", "备注": "中文设置"}); err != nil {
		tb.Fatal(err)
	}
	runs := store.NewJobRuns(db)
	done, err := runs.Start(ctx, "backup")
	if err != nil {
		tb.Fatal(err)
	}
	done.Result, done.Bytes, done.Detail = domain.JobOK, 123456, "reelvault-2026.db.zst"
	if err := runs.Finish(ctx, done); err != nil {
		tb.Fatal(err)
	}
	if _, err := runs.Start(ctx, "vacuum"); err != nil { // still running: finished_at NULL
		tb.Fatal(err)
	}
	return ids
}

// openCopyPair opens a SQLite database and an empty PostgreSQL database.
func openCopyPair(t *testing.T) (src, dst *store.DB) {
	t.Helper()
	ctx := context.Background()
	src = store.NewDB(filepath.Join(t.TempDir(), "reelvault.db"))
	if err := src.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	dst = store.NewDB(pgtest.NewDatabase(t))
	if err := dst.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dst.Close() })
	return src, dst
}

// tableRows reads every row of a table in key order as column → value,
// with values in a form both engines share.
func tableRows(t *testing.T, db *store.DB, table, key string) []map[string]any {
	t.Helper()
	ctx := context.Background()
	var out []map[string]any
	err := db.Read(ctx, func(r *sqlx.DB) error {
		order := key
		if db.Engine() == store.EnginePostgres && key != "id" && !strings.Contains(key, ",") {
			order += ` COLLATE "C"`
		}
		rs, err := r.QueryxContext(ctx, `SELECT * FROM `+table+` ORDER BY `+order)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			m := map[string]any{}
			if err := rs.MapScan(m); err != nil {
				return err
			}
			for k, v := range m {
				switch x := v.(type) {
				case bool:
					m[k] = map[bool]int64{false: 0, true: 1}[x]
				case float64:
					if x == math.Trunc(x) {
						m[k] = int64(x)
					}
				case []byte:
					m[k] = string(x)
				}
			}
			out = append(out, m)
		}
		return rs.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// assertSameRows compares every field of every row of every copied table.
func assertSameRows(t *testing.T, src, dst *store.DB) {
	t.Helper()
	for _, tbl := range store.CopyTables {
		want, got := tableRows(t, src, tbl.Name, tbl.Key), tableRows(t, dst, tbl.Name, tbl.Key)
		if len(want) != len(got) {
			t.Fatalf("%s: %d rows in SQLite, %d in PostgreSQL", tbl.Name, len(want), len(got))
		}
		nulls, values := map[string]bool{}, map[string]bool{}
		for i := range want {
			for col, w := range want[i] {
				g, ok := got[i][col]
				if !ok {
					t.Fatalf("%s row %d: column %s missing in PostgreSQL", tbl.Name, i, col)
				}
				if !reflect.DeepEqual(w, g) {
					t.Fatalf("%s row %d column %s: SQLite %#v, PostgreSQL %#v", tbl.Name, i, col, w, g)
				}
				if w == nil {
					nulls[col] = true
				} else {
					values[col] = true
				}
			}
		}
		// The history must exercise NULL and non-NULL in the nullable
		// columns that matter, or the comparison proves little.
		for _, col := range map[string][]string{
			"users":    {"email"},
			"tasks":    {"lease_expires_at", "started_at", "completed_at", "duration"},
			"videos":   {"file_size", "duration", "width", "height", "fps"},
			"job_runs": {"finished_at"},
		}[tbl.Name] {
			if !nulls[col] || !values[col] {
				t.Fatalf("%s.%s: the generated history needs both NULL and a value (null=%v value=%v)", tbl.Name, col, nulls[col], values[col])
			}
		}
	}
}

func TestCopyToPostgres(t *testing.T) {
	ctx := domain.WithOwner(context.Background())

	t.Run("EveryRowFieldByField", func(t *testing.T) {
		src, dst := openCopyPair(t)
		ids := seedCopyHistory(t, src, 25)
		var total, copied int64
		report, err := store.CopyToPostgres(ctx, src, dst, store.CopyOptions{Batch: 7, Progress: func(n, c int64) {
			if n >= 0 {
				total = n
			}
			copied += c
		}})
		if err != nil {
			t.Fatal(err)
		}
		if total == 0 || copied != total {
			t.Fatalf("progress: copied %d of %d rows", copied, total)
		}
		if len(report.Tables) != len(store.CopyTables) || report.Resumed {
			t.Fatalf("report=%+v", report)
		}
		assertSameRows(t, src, dst)
		// The counts status reports are right on the copy, whose counting
		// triggers were off while the rows arrived.
		if bad, err := dst.CheckRowCounts(ctx, false); err != nil || len(bad) > 0 {
			t.Fatalf("row counts on PostgreSQL after the copy: %v, %v", bad, err)
		}

		// The services read the same history from both engines.
		srcTasks, dstTasks := store.NewTaskService(src), store.NewTaskService(dst)
		for _, id := range ids {
			want, err := srcTasks.FindTaskByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			got, err := dstTasks.FindTaskByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("task %s differs:\nSQLite     %+v\nPostgreSQL %+v", id, want, got)
			}
		}
		// Search works on the copy, for prompts and scene descriptions.
		for search, min := range map[string]int{"森林": 5, "灯塔": 15, "café": 6, "lighthouse": 15} {
			page, err := dstTasks.FindTasks(ctx, domain.TaskFilter{Search: search, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Tasks) < min {
				t.Fatalf("search %q found %d tasks on PostgreSQL, want at least %d", search, len(page.Tasks), min)
			}
		}
		// New rows get fresh ids after the copied ones.
		task, err := dstTasks.CreateTask(ctx, domain.TaskCreate{Username: "alice", Prompt: "after the migration"})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := dstTasks.FindTaskByID(ctx, task.TaskID); err != nil || got.Prompt != "after the migration" {
			t.Fatalf("new task on PostgreSQL: %+v, %v", got, err)
		}
	})

	t.Run("ErrTargetNotEmpty", func(t *testing.T) {
		src, dst := openCopyPair(t)
		seedCopyHistory(t, src, 3)
		if _, _, err := store.NewUserService(dst).CreateUser(ctx, domain.UserCreate{Username: "someone"}); err != nil {
			t.Fatal(err)
		}
		_, err := store.CopyToPostgres(ctx, src, dst, store.CopyOptions{})
		AssertCode(t, err, domain.ECONFLICT, "")
		users, err := store.NewUserService(dst).FindUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 1 || users[0].Username != "someone" {
			t.Fatalf("target changed: %v", users)
		}
	})

	t.Run("ErrWrongEngines", func(t *testing.T) {
		src, dst := openCopyPair(t)
		_, err := store.CopyToPostgres(ctx, dst, src, store.CopyOptions{})
		AssertCode(t, err, domain.EINVALID, "")
	})

	t.Run("InterruptedLeavesTargetEmpty", func(t *testing.T) {
		src, dst := openCopyPair(t)
		seedCopyHistory(t, src, 20)
		before := schemaObjects(t, dst)

		// Interrupt the copy after a few progress reports, half-way through
		// the rows: the copy is one transaction, so nothing stays.
		stop := errors.New("interrupted")
		runCtx, cancel := context.WithCancelCause(ctx)
		reports := 0
		_, err := store.CopyToPostgres(runCtx, src, dst, store.CopyOptions{Batch: 5, Progress: func(n, c int64) {
			if c > 0 {
				if reports++; reports == 6 {
					cancel(stop)
				}
			}
		}})
		if err == nil {
			t.Fatal("interrupted copy succeeded")
		}
		assertEmpty(t, dst)
		if after := schemaObjects(t, dst); !reflect.DeepEqual(before, after) {
			t.Fatalf("the target's indexes, constraints and triggers changed:\nbefore %v\nafter  %v", before, after)
		}

		// Run again, as the message says: no --resume needed.
		if _, err := store.CopyToPostgres(ctx, src, dst, store.CopyOptions{Batch: 5}); err != nil {
			t.Fatal(err)
		}
		assertSameRows(t, src, dst)
		if after := schemaObjects(t, dst); !reflect.DeepEqual(before, after) {
			t.Fatalf("the copy did not recreate the schema:\nbefore %v\nafter  %v", before, after)
		}
	})

	t.Run("TextAndNumbersExactly", func(t *testing.T) {
		// Values that COPY's text format escapes, and doubles whose decimal
		// forms differ between Go and PostgreSQL, arrive bit for bit and
		// pass verification.
		src, dst := openCopyPair(t)
		seedCopyHistory(t, src, 5)
		raw, err := sql.Open("sqlite", src.Path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		for _, q := range []string{
			`UPDATE tasks SET prompt = 'back\slash' || char(9) || 'tab' || char(10) || 'nl' || char(13) || 'cr' || char(8) || char(12) || char(11) || char(1) || ' \N \. end' WHERE id = 1`,
			`UPDATE tasks SET error_message = '\' WHERE id = 2`,
			`UPDATE scripts SET duration = 1234567.0 WHERE id = 1`,
			`UPDATE scripts SET duration = 1e-7 WHERE id = 2`,
			`UPDATE scripts SET duration = 5e-324 WHERE id = 3`,
			`UPDATE scripts SET duration = 1e300 WHERE id = 4`,
			`UPDATE scripts SET duration = 0.1 + 0.2 WHERE id = 5`,
			`UPDATE scripts SET duration = 7 WHERE id = 6`,
		} {
			if res, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			} else if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("%s: %d rows", q, n)
			}
		}
		if _, err := store.CopyToPostgres(ctx, src, dst, store.CopyOptions{}); err != nil {
			t.Fatal(err)
		}
		assertSameRows(t, src, dst)
	})

	t.Run("ErrRejectedRowLeavesTargetEmpty", func(t *testing.T) {
		// A row PostgreSQL refuses (an event of a task that does not exist,
		// possible in a SQLite file written without foreign keys) fails the
		// copy when the foreign keys are rebuilt after the rows: the whole
		// transaction, rows and dropped indexes alike, is rolled back.
		src, dst := openCopyPair(t)
		seedCopyHistory(t, src, 5)
		before := schemaObjects(t, dst)
		raw, err := sql.Open("sqlite", src.Path+"?_pragma=foreign_keys(0)&_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.Exec(`INSERT INTO task_events (task_id, type, status, progress, message, created_at) VALUES (999999, 'created', 'pending', 0, '', 1)`); err != nil {
			t.Fatal(err)
		}
		_, err = store.CopyToPostgres(ctx, src, dst, store.CopyOptions{})
		if err == nil || !strings.Contains(err.Error(), "foreign key") {
			t.Fatalf("copy of an orphan event: %v, want a foreign key violation", err)
		}
		assertEmpty(t, dst)
		if after := schemaObjects(t, dst); !reflect.DeepEqual(before, after) {
			t.Fatalf("the target's indexes, constraints and triggers changed:\nbefore %v\nafter  %v", before, after)
		}
	})

	t.Run("ResumeAfterInterruption", func(t *testing.T) {
		// A target that holds part of the history: what an earlier
		// Reelvault, which committed batch by batch, left when it was
		// interrupted. Here: a full copy whose later tasks (and their
		// scripts, videos, events and search rows) are deleted again.
		src, dst := openCopyPair(t)
		ids := seedCopyHistory(t, src, 20)
		if _, err := store.CopyToPostgres(ctx, src, dst, store.CopyOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := dst.Write(ctx, func(w *sqlx.DB) error {
			for _, q := range []string{
				`DELETE FROM tasks WHERE id > (SELECT max(id) / 2 FROM tasks)`,
				`DELETE FROM job_runs WHERE id > (SELECT min(id) FROM job_runs)`,
				`DELETE FROM settings WHERE key > 'backup.cron'`,
			} {
				if _, err := w.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if partial := tableRows(t, dst, "tasks", "id"); len(partial) == 0 || len(partial) >= len(ids) {
			t.Fatalf("partial target holds %d of %d tasks", len(partial), len(ids))
		}

		// A row copied by the first run changes before the second.
		if _, err := store.NewTaskService(src).CancelTask(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}

		_, err := store.CopyToPostgres(ctx, src, dst, store.CopyOptions{Batch: 5})
		AssertCode(t, err, domain.ECONFLICT, "")

		report, err := store.CopyToPostgres(ctx, src, dst, store.CopyOptions{Batch: 5, Resume: true})
		if err != nil {
			t.Fatal(err)
		}
		if !report.Resumed {
			t.Fatal("report does not say resumed")
		}
		assertSameRows(t, src, dst)

		// Resuming a finished copy changes nothing.
		if _, err := store.CopyToPostgres(ctx, src, dst, store.CopyOptions{Resume: true}); err != nil {
			t.Fatal(err)
		}
		assertSameRows(t, src, dst)
	})

	t.Run("ErrVerifyFails", func(t *testing.T) {
		// A row that differs in the target after the copy (written by
		// something else) is reported, not silently accepted.
		src, dst := openCopyPair(t)
		seedCopyHistory(t, src, 3)
		if _, err := store.CopyToPostgres(ctx, src, dst, store.CopyOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := dst.Write(ctx, func(w *sqlx.DB) error {
			_, err := w.Exec(`INSERT INTO settings (key, value, updated_at) VALUES ('zzz', 'only in PostgreSQL', $1)`, time.Now().UnixMicro())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_, err := store.CopyToPostgres(ctx, src, dst, store.CopyOptions{Resume: true})
		AssertCode(t, err, domain.EINTERNAL, "")
		if msg := domain.ErrorMessage(err); msg == "" {
			t.Fatal("no message")
		}
	})
}

// assertEmpty fails unless every copied table and the search index of the
// PostgreSQL database db are empty.
func assertEmpty(t *testing.T, db *store.DB) {
	t.Helper()
	for _, tbl := range append(store.CopyTables, struct{ Name, Key string }{"task_search", "rowid, created_at"}) {
		if rows := tableRows(t, db, tbl.Name, tbl.Key); len(rows) != 0 {
			t.Fatalf("%s holds %d rows after a failed copy", tbl.Name, len(rows))
		}
	}
}

// schemaObjects lists the indexes, constraints and triggers of the current
// schema of a PostgreSQL database, with their definitions.
func schemaObjects(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	err := db.Read(context.Background(), func(r *sqlx.DB) error {
		return r.Select(&out, `
			SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
			UNION ALL
			SELECT 'constraint ' || conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
			UNION ALL
			SELECT 'trigger ' || tgname || ': ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)
			ORDER BY 1`)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 20 {
		t.Fatalf("only %d schema objects: %v", len(out), out)
	}
	return out
}
