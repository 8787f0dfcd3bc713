package store_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/probe/probetest"
)

// BenchmarkPoster1080p measures, per iteration, the time from a 1080p
// H.264 clip's registration (CompleteTask returned) to its poster ready,
// and in the same run ffmpeg alone taking one frame of the same clip (the
// raw driver: most of a poster's time is ffmpeg starting). Each iteration
// registers a copy of the clip, so every poster is made anew.
//
//	go test -run '^$' -bench Poster1080p -benchtime 10x ./store/
func BenchmarkPoster1080p(b *testing.B) {
	dir := b.TempDir()
	clip := probetest.Make(b, dir, "hd.mp4", probetest.Clip{Width: 1920, Height: 1080, FPS: 25, Seconds: 4, Codec: "h264"})
	data, err := os.ReadFile(clip)
	if err != nil {
		b.Fatal(err)
	}
	e := newEnv(b)
	e.Tasks.Posters = store.NewPosterCache(filepath.Join(dir, "posters"))
	e.MustCreateUser(b, "studio", b.N+10)
	var posters, raw []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		copyPath := filepath.Join(dir, "hd-"+string(rune('a'+i%26))+time.Now().Format("150405.000000")+".mp4")
		if err := os.WriteFile(copyPath, data, 0o600); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-threads", "1", "-skip_frame", "nokey",
			"-i", copyPath, "-frames:v", "1", "-vf", "scale=480:-2", filepath.Join(dir, "raw.jpg")).CombinedOutput(); err != nil {
			b.Fatalf("ffmpeg: %v %s", err, out)
		}
		raw = append(raw, float64(time.Since(start).Microseconds())/1000)
		task := e.MustCreateTask(b, e.Owner, domain.TaskCreate{Username: "studio", Prompt: "hd"})
		if _, err := e.Tasks.StartTask(e.Owner, task.TaskID); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := e.Tasks.CompleteTask(e.Owner, task.TaskID, copyPath); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		for {
			p, err := e.Tasks.Poster(e.Owner, task.TaskID)
			if err != nil {
				b.Fatal(err)
			}
			if p.Ready {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		posters = append(posters, float64(time.Since(start).Microseconds())/1000)
	}
	b.StopTimer()
	sort.Float64s(posters)
	sort.Float64s(raw)
	b.ReportMetric(posters[len(posters)/2], "poster-p50-ms")
	b.ReportMetric(posters[len(posters)-1], "poster-max-ms")
	b.ReportMetric(raw[len(raw)/2], "ffmpeg-alone-p50-ms")
	b.ReportMetric(posters[len(posters)/2]/raw[len(raw)/2], "ratio")
}
