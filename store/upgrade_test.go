package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// previousRelease is the schema version of the previous release, whose
// database testdata/schema3.db holds; upgrades start from it.
const previousRelease = 3

// upgradeFixture is a database as the previous release left it.
var upgradeFixture = filepath.Join("testdata", fmt.Sprintf("schema%d.db", previousRelease))

// fixtureRows fills a database at schema version previousRelease with rows
// in every table. Raw statements (not the services, which write the newest
// schema) keep it the previous release's, and fixed values keep the file the
// same on every -update. Times are Unix microseconds, as the store writes. (The tasks_late trigger lists task-0003, created
// before task-0002, in task_search_late.)
var fixtureRows = []string{
	`INSERT INTO users (id, username, email, api_key_hash, key_prefix, quota, used_quota, is_active, created_at, updated_at) VALUES
		(1, 'alice', 'alice@example.com', 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1', 'rv_alice', 100, 3, 1, 1700000000000000, 1700000500000000),
		(2, 'bob', NULL, 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', 'rv_bob00', 10, 1, 0, 1700000100000000, 1700000100000000)`,
	`INSERT INTO tasks (id, task_id, user_id, prompt, status, progress, total_scenes, completed_scenes, final_video_path, error_message, attempts, lease_owner, lease_expires_at, created_at, updated_at, started_at, completed_at, duration) VALUES
		(1, 'task-0001', 1, 'A paper boat drifting down a rainy street', 'completed', 100, 2, 2, '/videos/boat.mp4', '', 1, '', NULL, 1700000200000000, 1700000400000000, 1700000210000000, 1700000400000000, 190.5),
		(2, 'task-0002', 1, '一只猫在屋顶上看日落', 'failed', 40, 3, 1, '', 'scene 2: the model timed out', 2, '', NULL, 1700000300000000, 1700000350000000, 1700000310000000, 1700000350000000, 40),
		(3, 'task-0003', 2, 'Late arrival: a lighthouse in fog', 'processing', 10, 1, 0, '', '', 1, 'worker-7', 1700000999000000, 1700000250000000, 1700000260000000, 1700000255000000, NULL, NULL),
		(4, 'task-0004', 1, 'Waiting in the queue', 'pending', 0, 0, 0, '', '', 0, '', NULL, 1700000450000000, 1700000450000000, NULL, NULL, NULL)`,
	`INSERT INTO scripts (id, task_id, scene_number, description, duration, camera_movement, lighting, created_at) VALUES
		(1, 1, 1, 'The boat leaves the gutter', 4.5, 'dolly in', 'overcast', 1700000220000000),
		(2, 1, 2, 'The boat reaches the drain', 3, '', '', 1700000230000000),
		(3, 2, 1, 'Cat on the ridge', 5, 'pan left', 'golden hour', 1700000320000000)`,
	`INSERT INTO videos (id, task_id, scene_number, file_path, file_size, duration, width, height, fps, status, created_at) VALUES
		(1, 1, 1, '/videos/boat-1.mp4', 1048576, 4.5, 1920, 1080, 24, 'completed', 1700000300000000),
		(2, 1, 2, '/videos/boat-2.webm', NULL, NULL, NULL, NULL, NULL, 'completed', 1700000350000000),
		(3, 1, 0, '/videos/boat.mp4', 2097152, 7.5, 1920, 1080, 24, 'completed', 1700000400000000)`,
	`INSERT INTO task_events (id, task_id, type, status, progress, message, created_at) VALUES
		(1, 1, 'created', 'pending', 0, '', 1700000200000000),
		(2, 1, 'completed', 'completed', 100, '', 1700000400000000),
		(3, 2, 'failed', 'failed', 40, 'scene 2: the model timed out', 1700000350000000)`,
	`INSERT INTO statistics (date, total_tasks, completed_tasks, failed_tasks, cancelled_tasks, total_videos, total_video_seconds, avg_generation_time, p95_generation_time) VALUES
		('2023-11-14', 4, 1, 1, 0, 3, 12, 190.5, 190.5)`,
	`INSERT INTO task_search (rowid, body) VALUES
		(1, 'A paper boat drifting down a rainy street'),
		(2, '一只猫在屋顶上看日落'),
		(3, 'Late arrival: a lighthouse in fog'),
		(4, 'Waiting in the queue')`,
	`INSERT INTO settings (key, value, updated_at) VALUES ('schedule', '{"backup":"0 3 * * *"}', 1700000000000000)`,
	`UPDATE goose_db_version SET tstamp = '2023-11-14 22:13:20'`, // goose stamps the time of each migration
	`INSERT INTO job_runs (id, job_id, started_at, finished_at, result, error, bytes, detail) VALUES
		(1, 'backup', 1700000500000000, 1700000501000000, 'ok', '', 65536, 'reelvault-2023-11-14.db.zst'),
		(2, 'vacuum', 1700000600000000, 1700000602000000, 'error', 'disk full', 0, '')`,
}

// writeUpgradeFixture rewrites testdata/schema3.db (go test -run
// TestUpgrade -update).
func writeUpgradeFixture(t *testing.T) {
	ctx := context.Background()
	tmp := filepath.Join(t.TempDir(), "fixture.db")
	if err := store.CreateAtVersion(ctx, tmp, previousRelease); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", tmp)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range fixtureRows {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := os.Remove(upgradeFixture); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	// VACUUM INTO writes a compact, self-contained file (no WAL).
	if _, err := raw.ExecContext(ctx, "VACUUM INTO ?", upgradeFixture); err != nil {
		t.Fatal(err)
	}
}

// TestUpgrade_PreviousRelease opens a copy of a database written by the
// previous release (schema version 3, testdata/schema3.db) and checks that
// it reaches the newest schema with every row of every table unchanged, and
// that the services read them.
func TestUpgrade_PreviousRelease(t *testing.T) {
	if *update {
		writeUpgradeFixture(t)
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reelvault.db")
	b, err := os.ReadFile(upgradeFixture)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	before := allRows(t, path)
	if len(before) < 8 {
		t.Fatalf("fixture has rows in %d tables, want every table", len(before))
	}
	for table, rows := range before {
		if len(rows) == 0 {
			t.Fatalf("fixture table %s is empty", table)
		}
	}
	if v := fileSchemaVersion(t, path); v != previousRelease {
		t.Fatalf("fixture at schema %d, want %d", v, previousRelease)
	}

	db := store.NewDB(path)
	var migrated [2]int64
	db.BeforeMigrate = func(_ context.Context, _ string, from, to int64) error {
		migrated = [2]int64{from, to}
		return nil
	}
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	latest := store.LatestSchemaVersion()
	if v, err := db.SchemaVersion(ctx); err != nil || v != latest {
		t.Fatalf("schema after open %d (%v), want %d", v, err, latest)
	}
	if latest > previousRelease && migrated != [2]int64{previousRelease, latest} {
		t.Fatalf("BeforeMigrate saw %v, want [%d %d]", migrated, previousRelease, latest)
	}

	// The services read the old rows.
	task, err := store.NewTaskService(db).FindTaskByID(domain.WithOwner(ctx), "task-0001")
	if err != nil {
		t.Fatal(err)
	}
	if len(task.Scripts) != 2 || len(task.Videos) != 3 || len(task.Events) != 2 || task.Status != domain.StatusCompleted {
		t.Fatalf("task-0001 after the upgrade: %d scripts, %d videos, %d events, status %s; want 2, 3, 2, completed",
			len(task.Scripts), len(task.Videos), len(task.Events), task.Status)
	}
	page, err := store.NewTaskService(db).FindTasks(domain.WithOwner(ctx), domain.TaskFilter{Search: "lighthouse"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tasks) != 1 || page.Tasks[0].TaskID != "task-0003" {
		t.Fatalf("search for lighthouse after the upgrade found %d tasks, want task-0003", len(page.Tasks))
	}
	// Migration 8 indexed the error messages of tasks that had failed and
	// the words already in the index (word forms and prefixes).
	for search, want := range map[string]string{"timed out": "task-0002", "猫": "task-0002", "drifts": "task-0001", "boa": "task-0001"} {
		page, err := store.NewTaskService(db).FindTasks(domain.WithOwner(ctx), domain.TaskFilter{Search: search})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tasks) != 1 || page.Tasks[0].TaskID != want {
			t.Fatalf("search for %q after the upgrade found %d tasks, want %s", search, len(page.Tasks), want)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Every row of every table, in the columns the old schema had.
	after := allRows(t, path)
	for table, rows := range before {
		got := after[table]
		if len(got) != len(rows) {
			t.Errorf("%s: %d rows after the upgrade, want %d", table, len(got), len(rows))
			continue
		}
		for i, row := range rows {
			for col, want := range row {
				if v, ok := got[i][col]; !ok || !reflect.DeepEqual(v, want) {
					t.Errorf("%s row %d column %s: %v after the upgrade, want %v", table, i+1, col, v, want)
				}
			}
		}
	}
}

// allRows reads every row of every ordinary table of the database at
// path (not goose's, SQLite's or the full-text index's own), in rowid order.
func allRows(t *testing.T, path string) map[string][]map[string]any {
	t.Helper()
	raw, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var tables []string
	// Tables WITHOUT ROWID (the per-user status counts of migration 20)
	// are newer than the release and have no rowid to order by.
	rows, err := raw.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'
		AND sql NOT LIKE '%WITHOUT ROWID' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'task_search_%'
		AND name <> 'goose_db_version' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	tables = append(tables, "task_search_late")
	out := map[string][]map[string]any{}
	for _, table := range tables {
		rs, err := raw.Query(fmt.Sprintf("SELECT * FROM %q ORDER BY rowid", table))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := map[string]any{}
			for i, c := range cols {
				row[c] = vals[i]
			}
			out[table] = append(out[table], row)
		}
		rs.Close()
	}
	return out
}

// fileSchemaVersion reads the schema version goose recorded in the file.
func fileSchemaVersion(t *testing.T, path string) int64 {
	t.Helper()
	raw, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var v int64
	if err := raw.QueryRow("SELECT max(version_id) FROM goose_db_version WHERE is_applied").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
