package desktop

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WindowStateFile is the name of the file in the data dir that remembers the
// window's size and position between launches.
const WindowStateFile = "window.json"

// Window size limits. A remembered size outside them (a file edited by hand,
// a display that got smaller) is replaced by the default. The interface fits
// down to a phone-narrow 420 px, so the window may be that small.
const (
	DefaultWidth  = 1280
	DefaultHeight = 800
	MinWidth      = 400
	MinHeight     = 480
	maxDimension  = 16384
)

// WindowState is the remembered geometry of the window.
type WindowState struct {
	X         int  `json:"x"`
	Y         int  `json:"y"`
	Width     int  `json:"width"`
	Height    int  `json:"height"`
	Maximised bool `json:"maximised,omitempty"`
	// Positioned is false until a position was saved: the window is then
	// left where the window manager puts it.
	Positioned bool `json:"positioned,omitempty"`
}

// DefaultWindowState is the state of a first launch.
func DefaultWindowState() WindowState {
	return WindowState{Width: DefaultWidth, Height: DefaultHeight}
}

// LoadWindowState reads the window state from dir. A missing file gives the
// default state; an unreadable or nonsensical one gives the default state and
// an error saying why, so the caller can log it and go on.
func LoadWindowState(dir string) (WindowState, error) {
	path := filepath.Join(dir, WindowStateFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultWindowState(), nil
	} else if err != nil {
		return DefaultWindowState(), fmt.Errorf("read window state: %w", err)
	}
	var s WindowState
	if err := json.Unmarshal(b, &s); err != nil {
		return DefaultWindowState(), fmt.Errorf("parse window state %s: %w", path, err)
	}
	if s.Width < MinWidth || s.Height < MinHeight || s.Width > maxDimension || s.Height > maxDimension {
		return DefaultWindowState(), fmt.Errorf("window state %s: size %dx%d out of range", path, s.Width, s.Height)
	}
	if s.X < -maxDimension || s.Y < -maxDimension || s.X > maxDimension || s.Y > maxDimension {
		s.X, s.Y, s.Positioned = 0, 0, false
	}
	return s, nil
}

// SaveWindowState writes s to dir atomically (a temporary file renamed into
// place), so a crash never leaves half a file.
func SaveWindowState(dir string, s WindowState) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode window state: %w", err)
	}
	tmp, err := os.CreateTemp(dir, WindowStateFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("save window state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save window state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save window state: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, WindowStateFile)); err != nil {
		return fmt.Errorf("save window state: %w", err)
	}
	return nil
}
