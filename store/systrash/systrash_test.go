package systrash_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/store/systrash"
)

func TestTrash_Put(t *testing.T) {
	dir := t.TempDir()
	tr := &systrash.Trash{Home: filepath.Join(dir, "Trash"), Now: func() time.Time { return time.Date(2026, 3, 14, 9, 30, 0, 0, time.Local) }}
	src := filepath.Join(dir, "my clips", "夜景 1.mp4")
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := os.WriteFile(src, []byte("video"), 0o644); err != nil {
			t.Fatal(err)
		}
		dest, err := tr.Put(src)
		if err != nil {
			t.Fatal(err)
		}
		want := "夜景 1.mp4"
		if i == 1 {
			want = "夜景 1.2.mp4"
		}
		if got := filepath.Base(dest); got != want {
			t.Fatalf("trashed as %q, want %q", got, want)
		}
		if _, err := os.Stat(src); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("source still there: %v", err)
		}
		info, err := os.ReadFile(filepath.Join(dir, "Trash", "info", want+".trashinfo"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(info), "[Trash Info]\nPath=/") || !strings.Contains(string(info), "my%20clips/%E5%A4%9C%E6%99%AF%201.mp4") ||
			!strings.Contains(string(info), "DeletionDate=2026-03-14T09:30:00") {
			t.Fatalf("trashinfo = %q", info)
		}
	}
}

func TestTrash_Put_NoTrash(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "a.mp4")
	if err := os.WriteFile(src, []byte("v"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, tr := range map[string]*systrash.Trash{
		"NoHome":       {},
		"HomeUnusable": {Home: filepath.Join(blocker, "Trash")},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := tr.Put(src); !errors.Is(err, systrash.ErrNoTrash) {
				t.Fatalf("err=%v, want ErrNoTrash", err)
			}
			if _, err := os.Stat(src); err != nil {
				t.Fatalf("file moved: %v", err)
			}
		})
	}
	t.Run("Missing", func(t *testing.T) {
		tr := &systrash.Trash{Home: filepath.Join(dir, "Trash")}
		if _, err := tr.Put(filepath.Join(dir, "gone.mp4")); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err=%v, want not exist", err)
		}
	})
}

func TestDefault_XDGDataHome(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", dir)
	if got, want := systrash.Default().Home, filepath.Join(dir, "Trash"); got != want {
		t.Fatalf("home=%q, want %q", got, want)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", dir)
	if got, want := systrash.Default().Home, filepath.Join(dir, ".local", "share", "Trash"); got != want {
		t.Fatalf("home=%q, want %q", got, want)
	}
}

// Only regular files go to the trash: a symbolic link or a folder is
// refused with ErrNoTrash and left in place.
func TestTrash_Put_NotRegular(t *testing.T) {
	dir := t.TempDir()
	tr := &systrash.Trash{Home: filepath.Join(dir, "Trash")}
	target := filepath.Join(dir, "clip.mp4")
	if err := os.WriteFile(target, []byte("v"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.mp4")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, folder} {
		if _, err := tr.Put(p); !errors.Is(err, systrash.ErrNoTrash) || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("Put(%s)=%v, want ErrNoTrash: not a regular file", filepath.Base(p), err)
		}
		if _, err := os.Lstat(p); err != nil {
			t.Fatalf("%s moved: %v", filepath.Base(p), err)
		}
	}
	if _, err := os.Stat(target); err != nil {
		t.Fatalf("the link's target moved: %v", err)
	}
}

// A file in the trash without its .trashinfo record keeps its name: the
// next file of that name takes another one, and the stray file is left
// as it was.
func TestTrash_Put_StrayFile(t *testing.T) {
	dir := t.TempDir()
	tr := &systrash.Trash{Home: filepath.Join(dir, "Trash")}
	if err := os.MkdirAll(filepath.Join(dir, "Trash", "files"), 0o700); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(dir, "Trash", "files", "clip.mp4")
	if err := os.WriteFile(stray, []byte("stray"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "clip.mp4")
	if err := os.WriteFile(src, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	dest, err := tr.Put(src)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(dest) != "clip.2.mp4" {
		t.Fatalf("trashed as %q, want clip.2.mp4", filepath.Base(dest))
	}
	if b, _ := os.ReadFile(stray); string(b) != "stray" {
		t.Fatalf("the stray file now holds %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "Trash", "info", "clip.mp4.trashinfo")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a record was left for the stray file's name: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "Trash", "info", "clip.2.mp4.trashinfo")); err != nil {
		t.Fatalf("no record for the trashed file: %v", err)
	}
}

// A relative $XDG_DATA_HOME is ignored (the specification wants an
// absolute one); without a home there is no home trash, only the top
// directories'.
func TestDefault_RelativeXDGAndNoHome(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", "relative/share")
	t.Setenv("HOME", dir)
	if got, want := systrash.Default().Home, filepath.Join(dir, ".local", "share", "Trash"); got != want {
		t.Fatalf("home=%q, want %q", got, want)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "")
	if tr := systrash.Default(); tr.Home != "" || !tr.TopDirs {
		t.Fatalf("without a home: %+v, want no home trash and the top directories", tr)
	}
}
