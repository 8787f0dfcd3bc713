package probe_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/store/probe"
	"github.com/reelvault/reelvault/store/probe/probetest"
)

func probeFile(t *testing.T, path string) (*probe.Facts, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return probe.File(f)
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name      string
		clip      probetest.Clip
		container string
		codec     string
	}{
		{"a.mp4", probetest.Clip{Width: 320, Height: 180, FPS: 25, Seconds: 2, Codec: "h264"}, "mp4", "avc1"},
		{"b.mov", probetest.Clip{Width: 240, Height: 136, FPS: 30, Seconds: 1, Codec: "h264-mov"}, "mp4", "avc1"},
		{"c.webm", probetest.Clip{Width: 256, Height: 144, FPS: 24, Seconds: 2, Codec: "vp9"}, "matroska", "V_VP9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := probetest.Make(t, dir, tc.name, tc.clip)
			f, err := probeFile(t, path)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := f.Container, tc.container; got != want {
				t.Fatalf("container=%q, want %q", got, want)
			}
			if got, want := f.Codec, tc.codec; got != want {
				t.Fatalf("codec=%q, want %q", got, want)
			}
			if f.Width != tc.clip.Width || f.Height != tc.clip.Height {
				t.Fatalf("size=%dx%d, want %dx%d", f.Width, f.Height, tc.clip.Width, tc.clip.Height)
			}
			if d := f.Duration - tc.clip.Seconds; d < -0.1 || d > 0.1 {
				t.Fatalf("duration=%v, want %v", f.Duration, tc.clip.Seconds)
			}
			if d := f.FPS - float64(tc.clip.FPS); d < -0.1 || d > 0.1 {
				t.Fatalf("fps=%v, want %v", f.FPS, tc.clip.FPS)
			}
		})
	}
}

func TestFile_NotVideo(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"empty.mp4": "",
		"text.mp4":  "just some words, not a video",
		"short.mkv": "\x1a\x45\xdf",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := probeFile(t, path); !errors.Is(err, probe.ErrUnknownFormat) {
				t.Fatalf("err=%v, want ErrUnknownFormat", err)
			}
		})
	}
	t.Run("truncated", func(t *testing.T) {
		path := probetest.Make(t, dir, "whole.webm", probetest.Clip{Width: 160, Height: 90, FPS: 10, Seconds: 1, Codec: "vp9"})
		b, _ := os.ReadFile(path)
		cut := filepath.Join(dir, "cut.webm")
		os.WriteFile(cut, b[:40], 0o600)
		if _, err := probeFile(t, cut); err == nil {
			t.Fatal("a truncated WebM probed without error")
		}
		mp := probetest.Make(t, dir, "whole.mp4", probetest.Clip{Width: 160, Height: 90, FPS: 10, Seconds: 1, Codec: "h264"})
		b, _ = os.ReadFile(mp)
		cut = filepath.Join(dir, "cut.mp4")
		os.WriteFile(cut, b[:100], 0o600)
		if _, err := probeFile(t, cut); err == nil || !strings.Contains(err.Error(), "") {
			t.Fatalf("a truncated MP4 probed: %v", err)
		}
	})
}
