package backup_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/store"
)

// BenchmarkBackup_Media measures a backup set with video files: a first
// backup of REELVAULT_BENCH_MEDIA_MB megabytes of generated 4 MB files
// (default 256), then a second one after 1 % new files, against a plain
// copy of the same files (read, write, fsync) in the same run; and durable
// task writes during the first backup against the same writes idle.
//
//	REELVAULT_BENCH_MEDIA_MB=1024 go test -run '^$' -bench BenchmarkBackup_Media -benchtime 1x ./backup/
func BenchmarkBackup_Media(b *testing.B) {
	total := 256
	if v, err := strconv.Atoi(os.Getenv("REELVAULT_BENCH_MEDIA_MB")); err == nil && v > 0 {
		total = v
	}
	const fileMB = 4
	n := max(total/fileMB, 1)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		db, m := MustOpen(b)
		media := mediaDir(b, db)
		data := make([]byte, fileMB<<20)
		write := func(name string, seed uint64) string {
			rng := rand.New(rand.NewPCG(seed, 9))
			for j := 0; j < len(data); j += 8 {
				x := rng.Uint64()
				for k := range 8 {
					data[j+k] = byte(x >> (8 * k))
				}
			}
			p := filepath.Join(media, name)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				b.Fatal(err)
			}
			return p
		}
		var paths []string
		for f := range n {
			paths = append(paths, write(fmt.Sprintf("clip-%04d.mp4", f), uint64(f)))
		}
		for f := 0; f < len(paths); f += 10 {
			SeedVideos(b, db, paths[f:min(f+10, len(paths))]...)
		}

		// The raw baseline: copy every file and fsync it.
		rawDir := b.TempDir()
		start := time.Now()
		for _, p := range paths {
			if err := rawCopy(p, filepath.Join(rawDir, filepath.Base(p))); err != nil {
				b.Fatal(err)
			}
		}
		raw := time.Since(start)
		os.RemoveAll(rawDir)

		// The first backup, with one writer committing tasks meanwhile.
		var first time.Duration
		busy := writesDuring(b, db, func() {
			start := time.Now()
			if _, err := m.Backup(ctx, backup.Options{}); err != nil {
				b.Fatal(err)
			}
			first = time.Since(start)
		})
		idle := writesDuring(b, db, func() { time.Sleep(2 * time.Second) })

		// 1 % new files, then the second backup.
		added := max(n/100, 1)
		var fresh []string
		for f := range added {
			fresh = append(fresh, write(fmt.Sprintf("new-%04d.mp4", f), uint64(n+f)))
		}
		SeedVideos(b, db, fresh...)
		start = time.Now()
		second, err := m.Backup(ctx, backup.Options{})
		if err != nil {
			b.Fatal(err)
		}
		secondTime := time.Since(start)
		if second.Media.NewFiles != int64(added) {
			b.Fatalf("second backup added %d files, want %d", second.Media.NewFiles, added)
		}

		mb := float64(n * fileMB)
		b.ReportMetric(mb, "media_MB")
		b.ReportMetric(first.Seconds(), "first_s")
		b.ReportMetric(secondTime.Seconds(), "second_s")
		b.ReportMetric(secondTime.Seconds()/first.Seconds(), "second_vs_first")
		b.ReportMetric(raw.Seconds(), "raw_copy_s")
		b.ReportMetric(first.Seconds()/raw.Seconds(), "first_vs_raw_copy")
		b.ReportMetric(pctMs(busy, 0.99), "p99_ms")
		b.ReportMetric(pctMs(idle, 0.99), "idle_p99_ms")
		b.ReportMetric(pctMs(busy, 0.50), "p50_ms")
		b.ReportMetric(pctMs(idle, 0.50), "idle_p50_ms")
		b.ReportMetric(float64(len(busy)), "writes_during_backup")
	}
}

// writesDuring commits tasks back to back while during runs and returns
// each commit's latency.
func writesDuring(b *testing.B, db *store.DB, during func()) []time.Duration {
	var lat []time.Duration
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			if _, err := insertTask(context.Background(), db); err != nil {
				b.Error(err)
				return
			}
			lat = append(lat, time.Since(start))
		}
	}()
	during()
	close(stop)
	<-done
	return lat
}

// rawCopy copies src to dst and fsyncs it.
func rawCopy(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// pctMs returns the p-th percentile of d in milliseconds.
func pctMs(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[int(float64(len(s)-1)*p)].Microseconds()) / 1000
}
