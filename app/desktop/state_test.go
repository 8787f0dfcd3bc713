package desktop_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/reelvault/reelvault/app/desktop"
)

func TestWindowState(t *testing.T) {
	t.Run("DefaultWhenMissing", func(t *testing.T) {
		s, err := desktop.LoadWindowState(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s, desktop.DefaultWindowState(); got != want {
			t.Fatalf("state=%+v, want %+v", got, want)
		}
	})

	t.Run("RoundTrip", func(t *testing.T) {
		dir := t.TempDir()
		want := desktop.WindowState{X: 40, Y: 60, Width: 1400, Height: 900, Positioned: true}
		if err := desktop.SaveWindowState(dir, want); err != nil {
			t.Fatal(err)
		}
		got, err := desktop.LoadWindowState(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("state=%+v, want %+v", got, want)
		}
		// No temporary files are left behind.
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 || entries[0].Name() != desktop.WindowStateFile {
			t.Fatalf("dir holds %v, want only %s", entries, desktop.WindowStateFile)
		}
	})

	for _, tt := range []struct {
		name, content string
	}{
		{"ErrCorrupt", `{"width": 12`},
		{"ErrTooSmall", `{"width": 200, "height": 100}`},
		{"ErrTooLarge", `{"width": 90000, "height": 800}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, desktop.WindowStateFile), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := desktop.LoadWindowState(dir)
			if err == nil {
				t.Fatal("err=nil, want an error saying why the state was ignored")
			}
			if got, want := s, desktop.DefaultWindowState(); got != want {
				t.Fatalf("state=%+v, want the default %+v", got, want)
			}
		})
	}

	t.Run("SmallWindowIsKept", func(t *testing.T) {
		// The interface fits 800 and 420 px wide: such a window is remembered.
		for _, want := range []desktop.WindowState{{Width: 800, Height: 600}, {Width: 420, Height: 700}} {
			dir := t.TempDir()
			if err := desktop.SaveWindowState(dir, want); err != nil {
				t.Fatal(err)
			}
			got, err := desktop.LoadWindowState(dir)
			if err != nil {
				t.Fatalf("load %dx%d: %v", want.Width, want.Height, err)
			}
			if got != want {
				t.Fatalf("state=%+v, want %+v", got, want)
			}
		}
	})

	t.Run("FarAwayPositionIsForgotten", func(t *testing.T) {
		dir := t.TempDir()
		in := desktop.WindowState{X: 1 << 20, Y: 10, Width: 1200, Height: 800, Positioned: true}
		if err := desktop.SaveWindowState(dir, in); err != nil {
			t.Fatal(err)
		}
		got, err := desktop.LoadWindowState(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got.Positioned || got.Width != 1200 || got.Height != 800 {
			t.Fatalf("state=%+v, want size kept and position dropped", got)
		}
	})

	t.Run("ErrReadOnlyDir", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root can write into a read-only directory")
		}
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		if err := desktop.SaveWindowState(dir, desktop.DefaultWindowState()); err == nil {
			t.Fatal("err=nil, want an error")
		}
	})
}
