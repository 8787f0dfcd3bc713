package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// importChildEnv names the database and the export file a child process of
// TestExportService_ImportKill imports into until it is killed.
const importChildEnv = "REELVAULT_IMPORT_CHILD"

// bigExport writes an NDJSON export of n copies of the sample tasks (new
// task IDs, owned by a user the database does not have) to a file and
// returns its path.
func bigExport(t *testing.T, n int) string {
	t.Helper()
	src := openAt(t)
	importFile(t, src, filepath.Join("testdata", "import.json"))
	lines := bytes.Split(bytes.TrimSuffix(exportAll(t, src, domain.ExportFilter{NDJSON: true}), []byte("\n")), []byte("\n"))
	var head store.ExportHeader
	if err := json.Unmarshal(lines[0], &head); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	head.Users = append(head.Users, &store.ExportUser{Username: "carol", Quota: 100, IsActive: true, CreatedAt: now, UpdatedAt: now})
	var doc bytes.Buffer
	enc := json.NewEncoder(&doc)
	if err := enc.Encode(&head); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		var task store.ExportTask
		if err := json.Unmarshal(lines[1+i%(len(lines)-1)], &task); err != nil {
			t.Fatal(err)
		}
		task.TaskID = fmt.Sprintf("bulk-%06d", i)
		task.Username = "carol"
		task.RerunOf = ""
		if err := enc.Encode(&task); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "big.ndjson")
	if err := os.WriteFile(path, doc.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// historyOf returns db's export without its exported_at: the whole history
// a user can see.
func historyOf(t *testing.T, db *store.DB) []byte {
	t.Helper()
	out := exportAll(t, db, domain.ExportFilter{NDJSON: true})
	head, rest, _ := bytes.Cut(out, []byte("\n"))
	var h store.ExportHeader
	if err := json.Unmarshal(head, &h); err != nil {
		t.Fatal(err)
	}
	h.ExportedAt = time.Time{}
	data, err := json.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	return append(append(data, '\n'), rest...)
}

// TestExportService_ImportKill kills a process in the middle of an import
// (after some of its chunks committed) with SIGKILL, and checks that the
// next open leaves the database as it was before the import: no task,
// script, search entry or user of the import, the file intact. The same
// import then runs to its end.
func TestExportService_ImportKill(t *testing.T) {
	if env := os.Getenv(importChildEnv); env != "" {
		var paths []string
		if err := json.Unmarshal([]byte(env), &paths); err != nil {
			panic(err)
		}
		importChild(paths[0], paths[1])
		return
	}
	sqliteOnly(t)
	const n = 20_000
	file := bigExport(t, n)
	path := filepath.Join(t.TempDir(), "reelvault.db")
	db := store.NewDB(path)
	db.Logger = slog.New(slog.DiscardHandler)
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	importFile(t, db, filepath.Join("testdata", "import.json"))
	before := historyOf(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	env, _ := json.Marshal([]string{path, file})
	cmd := exec.Command(os.Args[0], "-test.run=^TestExportService_ImportKill$")
	cmd.Env = append(os.Environ(), importChildEnv+"="+string(env))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Kill the child once some of the import's chunks are committed.
	raw, err := sql.Open("sqlite", path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	committed := 0
	for committed < 1000 {
		select {
		case err := <-exited:
			t.Fatalf("the import ended (%v) before it could be killed", err)
		case <-time.After(2 * time.Millisecond):
		}
		raw.QueryRow(`SELECT count(*) FROM tasks t JOIN users u ON u.id = t.user_id WHERE u.username = 'carol'`).Scan(&committed)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	if committed >= n {
		t.Fatalf("the import had finished (%d tasks) when killed", committed)
	}

	db = store.NewDB(path)
	db.Logger = slog.New(slog.DiscardHandler)
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := historyOf(t, db); !bytes.Equal(got, before) {
		t.Fatalf("after the killed import (%d tasks committed) the history differs from before it", committed)
	}
	var left struct{ Imports, Scripts, Search, Users int }
	if err := db.Read(context.Background(), func(r *sqlx.DB) error {
		var check string
		if err := r.Get(&check, "PRAGMA integrity_check"); err != nil || check != "ok" {
			return fmt.Errorf("integrity_check: %s %v", check, err)
		}
		return r.Get(&left, `SELECT
			(SELECT count(*) FROM imports) AS imports,
			(SELECT count(*) FROM scripts WHERE task_id NOT IN (SELECT id FROM tasks)) AS scripts,
			(SELECT count(*) FROM task_search WHERE rowid NOT IN (SELECT id FROM tasks)) AS search,
			(SELECT count(*) FROM users WHERE username = 'carol') AS users`)
	}); err != nil {
		t.Fatal(err)
	}
	if left.Imports != 0 || left.Scripts != 0 || left.Search != 0 || left.Users != 0 {
		t.Fatalf("left over after the undo: %+v", left)
	}
	if locks, _ := filepath.Glob(path + "-import-*"); len(locks) != 0 {
		t.Fatalf("import lock files left: %v", locks)
	}

	res := importFile(t, db, file)
	if got, want := res.Tasks, n; got != want {
		t.Fatalf("tasks=%d, want %d", got, want)
	}
}

// importChild imports the export file into the database at path in chunks
// of 500 tasks; the parent kills it on the way.
func importChild(path, file string) {
	db := store.NewDB(path)
	if err := db.Open(context.Background()); err != nil {
		panic(err)
	}
	f, err := os.Open(file)
	if err != nil {
		panic(err)
	}
	exp := store.NewExportService(db)
	exp.ImportChunk = 500
	if _, err := exp.Import(domain.WithOwner(context.Background()), f); err != nil {
		panic(err)
	}
	os.Exit(0)
}

// An import that fails after some of its chunks committed (here its
// context is cancelled) takes them back before it returns.
func TestExportService_Import_UndoOnFailure(t *testing.T) {
	sqliteOnly(t)
	const n = 6000
	file := bigExport(t, n)
	db := openAt(t)
	importFile(t, db, filepath.Join("testdata", "import.json"))
	before := historyOf(t, db)

	ctx, cancel := context.WithCancel(domain.WithOwner(context.Background()))
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			var carol int
			db.Read(ctx, func(r *sqlx.DB) error {
				return r.Get(&carol, `SELECT count(*) FROM tasks t JOIN users u ON u.id = t.user_id WHERE u.username = 'carol'`)
			})
			if carol > 0 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	exp := store.NewExportService(db)
	exp.ImportChunk = 500
	if _, err := exp.Import(ctx, f); err == nil {
		t.Fatal("the import ended before it could be cancelled")
	}
	if got := historyOf(t, db); !bytes.Equal(got, before) {
		t.Fatal("after the failed import the history differs from before it")
	}
}
