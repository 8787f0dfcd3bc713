//go:build desktopsmoke

package desktop_test

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/desktop/xvfbtest"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
	"github.com/reelvault/reelvault/store/probe/probetest"
)

// seedMediaTask adds the newest task: completed, with a final video that is
// a real H.264 MP4 and a scene clip that is a real VP9 WebM, both made here
// by ffmpeg from its testsrc2 pattern (many colours, a moving picture and a
// clock, so every frame differs). It returns the task's ID.
func seedMediaTask(t testing.TB, dbPath string) string {
	t.Helper()
	dir := t.TempDir()
	mp4 := probetest.Make(t, dir, "final.mp4", probetest.Clip{Width: 640, Height: 360, FPS: 25, Seconds: 6, Codec: "h264"})
	webm := probetest.Make(t, dir, "scene1.webm", probetest.Clip{Width: 640, Height: 360, FPS: 25, Seconds: 6, Codec: "vp9"})
	ctx := domain.WithOwner(context.Background())
	db := store.NewDB(dbPath)
	db.Synchronous = "NORMAL"
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tasks := store.NewTaskService(db)
	task, err := tasks.CreateTask(ctx, domain.TaskCreate{Username: "studio", Prompt: "Test pattern in H.264 and VP9", TotalScenes: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tasks.StartTask(ctx, task.TaskID); err != nil {
		t.Fatal(err)
	}
	if _, err := tasks.AddVideo(ctx, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: webm}); err != nil {
		t.Fatal(err)
	}
	if _, err := tasks.CompleteTask(ctx, task.TaskID, mp4); err != nil {
		t.Fatal(err)
	}
	return task.TaskID
}

// runCLI runs the binary with args on dataDir and returns its stdout; when
// want is set, the output must contain it.
func runCLI(t testing.TB, bin, dataDir string, env []string, want string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(args, "--data-dir", dataDir)...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reelvault %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	if want != "" && !strings.Contains(string(out), want) {
		t.Fatalf("reelvault %s said %q, want %q", strings.Join(args, " "), out, want)
	}
	return string(out)
}

// checkVideos waits for the probe to play the task screen's videos (the
// final MP4, then the scene's WebM) and checks each in a screenshot: after
// playback started, the video's region holds a real frame (many colours),
// and after a seek a different one. Screenshots go to
// artifacts/screenshots/video-*.png.
func checkVideos(t *testing.T, w *windowProc, display, artifacts string, since time.Time) {
	t.Helper()
	for _, v := range []struct{ label, file string }{{"Final video", "mp4"}, {"Scene 1", "webm"}} {
		var frames [2]image.Image
		for i, stage := range []string{"playing", "seeked"} {
			p := w.waitProbe(t, stage+" "+v.label+" ", since, 60*time.Second)
			if stage == "playing" && !strings.Contains(p.text, "src=loopback") {
				t.Fatalf("%s plays from %q, want the loopback media server", v.label, p.text)
			}
			shot := filepath.Join(artifacts, "screenshots", fmt.Sprintf("video-%s-%s.png", v.file, stage))
			if b, err := exec.Command("import", "-display", display, "-window", "root", shot).CombinedOutput(); err != nil {
				t.Fatalf("screenshot: %v: %s", err, b)
			}
			var x, y, wd, ht int
			rect := p.text[strings.Index(p.text, "rect=")+5:]
			if _, err := fmt.Sscanf(rect, "%d,%d,%d,%d", &x, &y, &wd, &ht); err != nil || wd < 100 || ht < 50 {
				t.Fatalf("probe %q: no usable video rectangle (%v)", p.text, err)
			}
			frames[i] = crop(t, shot, image.Rect(x, y, x+wd, y+ht))
			if n := colours(frames[i]); n < 200 {
				t.Fatalf("%s %s: the video's region in %s has %d colours, want a real frame (>= 200)", v.label, stage, shot, n)
			} else {
				t.Logf("%s %s (%s): %d colours in the video's region", v.label, stage, p.text, n)
			}
		}
		if d := differing(frames[0], frames[1]); d < 0.05 {
			t.Fatalf("%s: the frame after the seek differs in %.1f%% of its pixels, want a new frame", v.label, 100*d)
		} else {
			t.Logf("%s: %.0f%% of the pixels changed with the seek", v.label, 100*d)
		}
	}
	if p := w.waitProbe(t, "wails-scheme ", since, 10*time.Second); true {
		// The bug the media server works around: GStreamer cannot read the
		// window's own scheme. Logged, not asserted: a later WebKitGTK may fix it.
		t.Logf("the same video from the window's wails:// scheme: %s", p.text)
	}
	w.waitProbe(t, "videos done", since, 30*time.Second)
}

// checkPoster waits for the history row of task id to show its poster
// and checks it in a screenshot: the poster's region holds a real frame
// (many colours), not the placeholder. The screenshot goes to
// artifacts/screenshots/window-poster.png.
func checkPoster(t *testing.T, w *windowProc, display, artifacts, id string) {
	t.Helper()
	p := w.waitProbe(t, "poster "+id+" ", time.Time{}, 60*time.Second)
	shot := filepath.Join(artifacts, "screenshots", "window-poster.png")
	if b, err := exec.Command("import", "-display", display, "-window", "root", shot).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v: %s", err, b)
	}
	var x, y, wd, ht int
	rect := p.text[strings.Index(p.text, "rect=")+5:]
	if _, err := fmt.Sscanf(rect, "%d,%d,%d,%d", &x, &y, &wd, &ht); err != nil || wd < 40 || ht < 20 {
		t.Fatalf("probe %q: no usable poster rectangle (%v)", p.text, err)
	}
	if n := colours(crop(t, shot, image.Rect(x, y, x+wd, y+ht))); n < 100 {
		t.Fatalf("the poster's region in %s has %d colours, want a real frame (>= 100)", shot, n)
	} else {
		t.Logf("poster of the newest row (%s): %d colours in its region", p.text, n)
	}
}

// crop returns the part of the screenshot at path under r (page coordinates;
// the window sits at the top left corner of the Xvfb screen), without a
// tenth at each edge, so the frame's borders and rounded corners do not
// count.
func crop(t *testing.T, path string, r image.Rectangle) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	r = r.Inset(min(r.Dx(), r.Dy()) / 10).Intersect(img.Bounds())
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok || r.Empty() {
		t.Fatalf("%s: cannot crop %v", path, r)
	}
	return sub.SubImage(r)
}

// colours counts the distinct colours of img.
func colours(img image.Image) int {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	return len(seen)
}

// differing returns the share of pixels that differ clearly between two
// images of the same size.
func differing(a, b image.Image) float64 {
	ab, bb := a.Bounds(), b.Bounds()
	w, h := min(ab.Dx(), bb.Dx()), min(ab.Dy(), bb.Dy())
	if w == 0 || h == 0 {
		return 0
	}
	diff := 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r1, g1, b1, _ := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			if absDiff(r1, r2) > 32<<8 || absDiff(g1, g2) > 32<<8 || absDiff(b1, b2) > 32<<8 {
				diff++
			}
		}
	}
	return float64(diff) / float64(w*h)
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// BenchmarkWindowLiveUpdate measures, with the window open on the history
// of 1,000 tasks, the time from `reelvault task create` returning (another
// process writing the SQLite file) to the new row in the window's DOM, one
// command per iteration; p50/p99 in ms. Run it with `make bench-desktop
// BENCH_DESKTOP=BenchmarkWindowLiveUpdate`.
func BenchmarkWindowLiveUpdate(b *testing.B) {
	bin := binary(b)
	dataDir := b.TempDir()
	seed(b, filepath.Join(dataDir, "reelvault.db"), 1000)
	display := xvfbtest.StartXvfb(b)
	env := windowEnv(b, display, xvfbtest.FreeAddr(b))
	runCLI(b, bin, dataDir, env, "", "user", "add", "bench", "--quota", "1000000")
	w := launch(b, bin, dataDir, env)
	w.waitPainted(b, 60*time.Second)
	var lags, totals []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		id := strings.TrimSpace(runCLI(b, bin, dataDir, env, "", "task", "create", "--user", "bench", "--prompt", fmt.Sprintf("Live %d", i)))
		created := time.Now()
		row := w.waitProbe(b, "row "+id+" at=0", start, 10*time.Second)
		lags = append(lags, float64(row.at.Sub(created).Microseconds())/1000)
		totals = append(totals, float64(row.at.Sub(start).Microseconds())/1000)
	}
	b.StopTimer()
	sort.Float64s(lags)
	sort.Float64s(totals)
	b.ReportMetric(percentile(lags, 0.50), "p50-ms")
	b.ReportMetric(percentile(lags, 0.99), "p99-ms")
	b.ReportMetric(percentile(totals, 0.99), "p99-with-cli-ms")
	w.stop(b)
}
