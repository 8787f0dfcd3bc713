package safefile_test

import (
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/reelvault/reelvault/store/safefile"
)

// tempDir returns a new temporary folder by its real path.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func write(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpen(t *testing.T) {
	dir := tempDir(t)
	clip := write(t, filepath.Join(dir, "clip.mp4"), "video bytes")
	secretDir := filepath.Join(dir, "secret")
	if err := os.Mkdir(secretDir, 0o700); err != nil {
		t.Fatal(err)
	}
	secret := write(t, filepath.Join(secretDir, "clip.mp4"), "owner token")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(secret, filepath.Join(dir, "link.mp4")))
	must(os.Symlink(secretDir, filepath.Join(dir, "parent")))
	must(os.Mkdir(filepath.Join(dir, "folder.mp4"), 0o700))
	must(syscall.Mkfifo(filepath.Join(dir, "fifo.mp4"), 0o600))
	ln, err := net.Listen("unix", filepath.Join(dir, "sock.mp4"))
	must(err)
	defer ln.Close()
	wd, err := os.Getwd()
	must(err)
	rel, err := filepath.Rel(wd, clip)
	must(err)

	for _, tt := range []struct {
		name string
		path string
		real string // the path File.Path must report
		err  error
	}{
		{"Regular", clip, clip, nil},
		{"Relative", rel, clip, nil},
		{"DotDot", filepath.Join(dir, "secret", "..", "clip.mp4"), clip, nil},
		{"ParentSymlink", filepath.Join(dir, "parent", "clip.mp4"), secret, nil},
		{"ErrSymlink", filepath.Join(dir, "link.mp4"), "", safefile.ErrSymlink},
		{"ErrFolder", filepath.Join(dir, "folder.mp4"), "", safefile.ErrNotRegular},
		{"ErrFIFO", filepath.Join(dir, "fifo.mp4"), "", safefile.ErrNotRegular},
		{"ErrSocket", filepath.Join(dir, "sock.mp4"), "", safefile.ErrNotRegular},
		{"ErrDevice", "/dev/null", "", safefile.ErrNotRegular},
		{"ErrMissing", filepath.Join(dir, "gone.mp4"), "", fs.ErrNotExist},
	} {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var f *safefile.File
			var err error
			go func() {
				defer close(done)
				f, err = safefile.Open(tt.path)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("Open(%s) blocked", tt.path)
			}
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err=%v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got, want := f.Path, tt.real; got != want {
				t.Fatalf("Path=%q, want %q", got, want)
			}
			body, err := io.ReadAll(f)
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := os.ReadFile(tt.real); string(body) != string(want) || f.Info.Size() != int64(len(want)) {
				t.Fatalf("read %q (size %d), want %q", body, f.Info.Size(), want)
			}
		})
	}
}

// Without /proc/self/fd (other systems, a container without /proc) the
// real path is resolved from the path and must name the opened file.
func TestOpen_NoProc(t *testing.T) {
	defer safefile.SetProcFD(filepath.Join(t.TempDir(), "none"))()
	dir := tempDir(t)
	clip := write(t, filepath.Join(dir, "clip.mp4"), "x")
	if err := os.Symlink(dir, filepath.Join(dir, "parent")); err != nil {
		t.Fatal(err)
	}
	f, err := safefile.Open(filepath.Join(dir, "parent", "clip.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.Path, clip; got != want {
		t.Fatalf("Path=%q, want %q", got, want)
	}
}

// A file replaced or deleted right after the open is refused: the path
// read back no longer names the open file.
func TestOpen_ErrChanged(t *testing.T) {
	for _, tt := range []struct {
		name   string
		noProc bool
		change func(t *testing.T, path string)
	}{
		{"Replaced", false, func(t *testing.T, path string) {
			write(t, path+".new", "other")
			if err := os.Rename(path+".new", path); err != nil {
				t.Fatal(err)
			}
		}},
		{"Deleted", false, func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
		{"DeletedNoProc", true, func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
		{"ReplacedNoProc", true, func(t *testing.T, path string) {
			write(t, path+".new", "other")
			if err := os.Rename(path+".new", path); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.noProc {
				defer safefile.SetProcFD(filepath.Join(t.TempDir(), "none"))()
			}
			clip := write(t, filepath.Join(tempDir(t), "clip.mp4"), "x")
			defer safefile.SetOpenedHook(func(path string) { tt.change(t, path) })()
			f, err := safefile.Open(clip)
			if err == nil {
				f.Close()
			}
			if !errors.Is(err, safefile.ErrChanged) {
				t.Fatalf("err=%v, want %v", err, safefile.ErrChanged)
			}
		})
	}
}

func TestWithin(t *testing.T) {
	dir := tempDir(t)
	if err := os.Symlink(dir, filepath.Join(dir, "alias")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		p, dir string
		want   bool
	}{
		{filepath.Join(dir, "a.mp4"), dir, true},
		{filepath.Join(dir, "sub", "a.mp4"), dir, true},
		{filepath.Join(dir, "a.mp4"), filepath.Join(dir, "alias"), true},
		{dir, dir, true},
		{filepath.Join(dir+"x", "a.mp4"), dir, false},
		{filepath.Dir(dir), dir, false},
		{"/etc/passwd", dir, false},
		{filepath.Join(dir, "a.mp4"), "", false},
		{filepath.Join(dir, "a.mp4"), filepath.Join(dir, "missing"), false},
	} {
		if got := safefile.Within(tt.p, tt.dir); got != tt.want {
			t.Errorf("Within(%q, %q)=%v, want %v", tt.p, tt.dir, got, tt.want)
		}
	}
}
