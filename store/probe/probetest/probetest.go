// Package probetest makes real video files for tests with Debian's ffmpeg
// (make deps installs it), from its testsrc2 pattern: many colours, a
// moving picture and a clock, so every frame differs.
package probetest

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
)

// Clip describes a test video.
type Clip struct {
	Width, Height int
	FPS           int
	Seconds       float64
	// Codec is "h264" (an MP4, moov first), "h264-mov" (a QuickTime MOV),
	// or "vp9" (a WebM).
	Codec string
}

// Make writes clip c into dir under name and returns its path. The test
// fails when ffmpeg is missing.
func Make(tb testing.TB, dir, name string, c Clip) string {
	tb.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		tb.Fatalf("ffmpeg is missing (make deps installs it): %v", err)
	}
	path := filepath.Join(dir, name)
	args := []string{"-v", "error", "-y", "-f", "lavfi", "-i",
		fmt.Sprintf("testsrc2=size=%dx%d:rate=%d:duration=%g", c.Width, c.Height, c.FPS, c.Seconds)}
	switch c.Codec {
	case "h264":
		args = append(args, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4")
	case "h264-mov":
		args = append(args, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mov")
	case "vp9":
		args = append(args, "-c:v", "libvpx-vp9", "-b:v", "400k", "-deadline", "realtime", "-cpu-used", "8", "-f", "webm")
	default:
		tb.Fatalf("probetest: unknown codec %q", c.Codec)
	}
	args = append(args, path)
	if b, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		tb.Fatalf("ffmpeg %v: %v\n%s", args, err, b)
	}
	return path
}
