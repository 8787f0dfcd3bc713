package backup_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/klauspost/compress/zstd"
	"github.com/reelvault/reelvault/backup"
)

// rawDrill is the baseline of a drill on the raw driver: decompress the set
// into a scratch file and run PRAGMA integrity_check on it, nothing else.
func rawDrill(b *testing.B, set string) time.Duration {
	b.Helper()
	start := time.Now()
	dst := filepath.Join(b.TempDir(), "raw.db")
	rawExpand(b, set, dst)
	raw, err := sql.Open("sqlite", dst)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	var ok string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		b.Fatalf("integrity_check=%q, %v", ok, err)
	}
	d := time.Since(start)
	os.Remove(dst)
	return d
}

// rawExpand decompresses a .db.zst to dst with the zstd library alone.
func rawExpand(b *testing.B, src, dst string) {
	b.Helper()
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	dec, err := zstd.NewReader(in, zstd.WithDecoderConcurrency(2))
	if err != nil {
		b.Fatal(err)
	}
	defer dec.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, dec); err != nil {
		b.Fatal(err)
	}
	out.Close()
}

// BenchmarkRestoreTask restores one task of the benchmark database from a
// backup of it into the live process (the task is changed first, so the
// restore replaces it), against the raw baseline of only decompressing the
// set in the same run.
func BenchmarkRestoreTask(b *testing.B) {
	db, m := benchDB(b)
	ctx := context.Background()
	bk, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		b.Fatal(err)
	}
	n := benchTasks(b)
	b.ResetTimer()
	var took, preview, raw time.Duration
	for i := 0; i < b.N; i++ {
		id := fmt.Sprintf("b0000000-0000-4000-8000-%012d", (i*7919)%n)
		b.StopTimer()
		if err := db.Write(ctx, func(w *sqlx.DB) error {
			_, err := w.Exec(`UPDATE tasks SET prompt = 'changed', updated_at = updated_at + 1 WHERE task_id = ?`, id)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		p, err := m.PreviewTasks(ctx, bk.Name)
		if err != nil {
			b.Fatal(err)
		}
		preview += time.Since(start)
		if p.Changed != 1 {
			b.Fatalf("preview: %d changed, want 1", p.Changed)
		}
		b.StartTimer()
		start = time.Now()
		res, err := m.RestoreTasks(ctx, bk.Name, []string{id})
		if err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		b.StopTimer()
		if len(res.Replaced) != 1 {
			b.Fatalf("replaced=%v", res.Replaced)
		}
		start = time.Now()
		rawExpand(b, bk.Path, filepath.Join(b.TempDir(), "raw.db"))
		raw += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "restore-s/op")
	b.ReportMetric(preview.Seconds()/float64(b.N), "preview-s/op")
	b.ReportMetric(raw.Seconds()/float64(b.N), "raw-decompress-s/op")
	b.ReportMetric(took.Seconds()/raw.Seconds(), "restore/raw")
}

// BenchmarkDrill drills a backup of the benchmark database, against the raw
// baseline (decompress + integrity_check on the raw driver) in the same run.
func BenchmarkDrill(b *testing.B) {
	_, m := benchDB(b)
	ctx := context.Background()
	bk, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var took, raw time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		r, err := m.Drill(ctx, bk.Name)
		if err != nil || !r.OK {
			b.Fatalf("drill=%+v, %v", r, err)
		}
		took += time.Since(start)
		b.StopTimer()
		raw += rawDrill(b, bk.Path)
		b.StartTimer()
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "drill-s/op")
	b.ReportMetric(raw.Seconds()/float64(b.N), "raw-s/op")
	b.ReportMetric(took.Seconds()/raw.Seconds(), "drill/raw")
}
