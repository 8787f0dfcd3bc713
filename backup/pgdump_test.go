package backup_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openPostgres opens a store on a new, empty PostgreSQL database with a
// backup Manager writing to dir.
func openPostgres(tb testing.TB, dir string) (*store.DB, *backup.Manager) {
	tb.Helper()
	db := store.NewDB(pgtest.NewDatabase(tb))
	db.Logger = discardLogger()
	if err := db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	m := backup.NewManager(db)
	m.Dir = dir
	m.Logger = discardLogger()
	return db, m
}

// importFixture imports the store's test history into db.
func importFixture(tb testing.TB, db *store.DB) {
	tb.Helper()
	f, err := os.Open(filepath.Join("..", "store", "testdata", "import.json"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := store.NewExportService(db).Import(domain.WithOwner(context.Background()), f); err != nil {
		tb.Fatal(err)
	}
}

// assertRowCounts fails unless the row counts that status reports (kept
// by triggers) equal count(*), after a restore replaced every table
// (TRUNCATE, then COPY).
func assertRowCounts(tb testing.TB, db *store.DB, step string) {
	tb.Helper()
	bad, err := db.CheckRowCounts(context.Background(), false)
	if err != nil {
		tb.Fatalf("%s: %v", step, err)
	}
	for _, b := range bad {
		tb.Errorf("%s: row count %s", step, b)
	}
}

func checksums(tb testing.TB, db *store.DB) map[string]*store.CopiedTable {
	tb.Helper()
	sums, err := store.TableChecksums(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	return sums
}

// PostgreSQL backup → restore into an empty database → identical rows;
// drills, the restore of one task and undo work on PostgreSQL too.
func TestManager_Postgres(t *testing.T) {
	if _, err := pgtest.FindBin(); err != nil && !pgtest.Required() {
		t.Skip(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	live, m := openPostgres(t, dir)
	importFixture(t, live)
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.Name, ".pg.tar") || b.Rows["tasks"] != 3 || b.SchemaVersion != store.LatestSchemaVersion() {
		t.Fatalf("backup=%+v, want a .pg.tar of 3 tasks at the latest schema", b)
	}
	want := checksums(t, live)

	t.Run("RestoreKeepsSessions", func(t *testing.T) {
		db, m := openPostgres(t, t.TempDir())
		importFixture(t, db)
		restoreKeepsSessions(t, db, m)
	})

	t.Run("RestoreIntoEmptyDatabase", func(t *testing.T) {
		empty, m2 := openPostgres(t, dir)
		if n := checksums(t, empty)["tasks"].Rows; n != 0 {
			t.Fatalf("new database holds %d tasks", n)
		}
		res, err := m2.Restore(ctx, b.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.PreRestore == nil || res.Rows["tasks"] != 3 {
			t.Fatalf("restore=%+v", res)
		}
		if got := checksums(t, empty); !reflect.DeepEqual(got, want) {
			for name, w := range want {
				if g := got[name]; *g != *w {
					t.Errorf("table %s: %d rows %.12s, want %d rows %.12s", name, g.Rows, g.Checksum, w.Rows, w.Checksum)
				}
			}
			t.Fatal("rows differ after the restore")
		}
		assertRowCounts(t, empty, "restored")
		if _, err := m2.Undo(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if n := checksums(t, empty)["tasks"].Rows; n != 0 {
			t.Fatalf("undo left %d tasks, want the empty database back", n)
		}
		assertRowCounts(t, empty, "undone")
	})

	t.Run("Drill", func(t *testing.T) {
		r, err := m.Drill(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK || r.Tasks != 3 {
			t.Fatalf("drill=%+v", r)
		}
		// A bit-flipped copy is caught.
		flipped := filepath.Join(t.TempDir(), "flipped"+filepath.Ext(b.Name))
		data, err := os.ReadFile(b.Path)
		if err != nil {
			t.Fatal(err)
		}
		data[largestMember(t, data)] ^= 0x04
		if err := os.WriteFile(flipped, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err = m.Inspect(ctx, flipped)
		assertCode(t, err, domain.EINVALID)
	})

	// A lost catalogue is rebuilt from the dumps in the folder, each
	// verified whole; a damaged dump and a stray file are left out.
	t.Run("ListRebuildsCatalogue", func(t *testing.T) {
		dir := t.TempDir()
		m := backup.NewManager(live)
		m.Dir = dir
		m.Logger = discardLogger()
		a, err := m.Backup(ctx, backup.Options{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(a.Path)
		if err != nil {
			t.Fatal(err)
		}
		data[largestMember(t, data)] ^= 0x04
		damaged := filepath.Join(dir, "reelvault-20260101T000000.000Z-manual.pg.tar")
		if err := os.WriteFile(damaged, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "reelvault-20260102T000000.000Z-manual.pg.tar"), []byte("not a dump"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(dir, backup.CatalogFile)); err != nil {
			t.Fatal(err)
		}
		list, err := m.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 {
			t.Fatalf("listed=%+v, want only %s", list, a.Name)
		}
		got := list[0]
		if got.Name != a.Name || got.Kind != a.Kind || got.SHA256 != a.SHA256 || got.Size != a.Size ||
			got.Rows["tasks"] != 3 || got.SchemaVersion != a.SchemaVersion || got.VerifiedAt.IsZero() {
			t.Fatalf("rebuilt=%+v, want %+v verified again", got, a)
		}
		if _, err := os.Stat(filepath.Join(dir, backup.CatalogFile)); err != nil {
			t.Fatalf("catalogue not rewritten: %v", err)
		}
	})

	// An uploaded dump is verified whole before it is kept as a PostgreSQL
	// set; a damaged one is refused naming the file and not kept.
	t.Run("Upload", func(t *testing.T) {
		dir := t.TempDir()
		m := backup.NewManager(live)
		m.Dir = dir
		m.Logger = discardLogger()
		data, err := os.ReadFile(b.Path)
		if err != nil {
			t.Fatal(err)
		}
		up, info, err := m.Upload(ctx, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(up.Name, ".pg.tar") || up.Kind != domain.BackupUploaded || up.Rows["tasks"] != 3 || info.Engine != "postgres" {
			t.Fatalf("upload=%+v info=%+v, want an uploaded PostgreSQL set of 3 tasks", up, info)
		}
		data[largestMember(t, data)] ^= 0x04
		_, _, err = m.Upload(ctx, bytes.NewReader(data))
		if code, field := domain.ErrorCode(err), domain.ErrorField(err); code != domain.EINVALID || field != "file" {
			t.Fatalf("upload of a damaged dump: %v (code %q, field %q), want invalid naming file", err, code, field)
		}
		list, err := m.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Name != up.Name {
			t.Fatalf("listed=%+v, want only the good upload", list)
		}
	})

	t.Run("RestoreOneTask", func(t *testing.T) {
		const task = "3f6c1d2e-0000-4000-8000-000000000001"
		_, recs, err := live.TaskRecords(ctx, []string{task})
		if err != nil {
			t.Fatal(err)
		}
		changed := *recs[0]
		changed.Prompt, changed.Videos = "changed here", nil
		if _, err := live.ReplaceTasks(ctx, nil, []*store.ExportTask{&changed}, nil, nil); err != nil {
			t.Fatal(err)
		}
		before := taskSigs(t, live)
		p, err := m.PreviewTasks(ctx, b.Name)
		if err != nil {
			t.Fatal(err)
		}
		if p.Changed != 1 || p.Same != 2 || p.Missing != 0 {
			t.Fatalf("preview=%+v, want 1 changed, 2 the same", p)
		}
		if _, err := m.RestoreTasks(ctx, b.Name, []string{task}); err != nil {
			t.Fatal(err)
		}
		statsEqualRebuild(t, live)
		got := checksums(t, live)
		// Row ids of the restored task's rows are new; users and the
		// statistics are as in the backup.
		for _, name := range []string{"users", "statistics"} {
			if *got[name] != *want[name] {
				t.Errorf("table %s differs from the backup after restoring the task", name)
			}
		}
		_, back, _ := live.TaskRecords(ctx, []string{task})
		if !reflect.DeepEqual(back, recs) {
			t.Fatal("the restored task differs from the backup's")
		}
		if _, err := m.Undo(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if got := taskSigs(t, live); !reflect.DeepEqual(got, before) {
			t.Fatal("undo did not put the changed task back")
		}
	})
}

// largestMember returns the offset of the middle byte of the largest table
// in the tar archive data: a flip there changes a table's content, not the
// archive's padding.
func largestMember(t *testing.T, data []byte) int {
	t.Helper()
	br := bytes.NewReader(data)
	tr := tar.NewReader(br)
	var best, bestSize int64
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		// The reader stands at the member's first byte, after its header
		// and any extension records.
		start, _ := br.Seek(0, io.SeekCurrent)
		// A table's data, not the manifest: a flipped letter in a name
		// the manifest lists may still parse.
		if hdr.Size > bestSize && strings.HasPrefix(hdr.Name, "tables/") {
			best, bestSize = start+hdr.Size/2, hdr.Size
		}
	}
	if bestSize == 0 {
		t.Fatal("the dump holds no files")
	}
	return int(best)
}
