package safefile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/reelvault/reelvault/store/safefile"
)

// BenchmarkOpen compares Open (open, fstat, readlink of /proc/self/fd,
// lstat) with a plain os.Open and Stat of the same file, what /media did per
// request before it opened first.
func BenchmarkOpen(b *testing.B) {
	dir, err := filepath.EvalSymlinks(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	clip := filepath.Join(dir, "clip.mp4")
	if err := os.WriteFile(clip, []byte("x"), 0o600); err != nil {
		b.Fatal(err)
	}
	b.Run("safefile", func(b *testing.B) {
		for b.Loop() {
			f, err := safefile.Open(clip)
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
	b.Run("os", func(b *testing.B) {
		for b.Loop() {
			if _, err := filepath.EvalSymlinks(clip); err != nil {
				b.Fatal(err)
			}
			f, err := os.Open(clip)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.Stat(); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}
