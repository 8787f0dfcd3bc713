package probe_test

import (
	"io"
	"os"
	"testing"

	"github.com/reelvault/reelvault/store/probe"
	"github.com/reelvault/reelvault/store/probe/probetest"
)

// BenchmarkFile probes a 1080p MP4 and WebM of 10 s; the raw baseline in
// the same run opens the file and reads its first 64 KiB.
//
//	go test -run '^$' -bench . -benchtime 2s ./store/probe/
func BenchmarkFile(b *testing.B) {
	dir := b.TempDir()
	for _, c := range []struct {
		name string
		clip probetest.Clip
	}{
		{"mp4", probetest.Clip{Width: 1920, Height: 1080, FPS: 30, Seconds: 10, Codec: "h264"}},
		{"webm", probetest.Clip{Width: 1920, Height: 1080, FPS: 30, Seconds: 10, Codec: "vp9"}},
	} {
		path := probetest.Make(b, dir, c.name+"."+c.name, c.clip)
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := probe.File(f); err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
		b.Run(c.name+"-raw-64KiB", func(b *testing.B) {
			buf := make([]byte, 64<<10)
			for i := 0; i < b.N; i++ {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(f, buf); err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
	}
}
