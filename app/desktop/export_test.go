package desktop

import "context"

// SetMedia lets tests give an App its media base URL.
func SetMedia(a *App, base string) { a.setMedia(base) }

// SetLaunch replaces the program starter of OpenVideo and ShowVideo.
func SetLaunch(a *App, fn func(name string, args ...string) error) { a.launch = fn }

// OpenCommand exposes openCommand.
var OpenCommand = openCommand

// SetChooser replaces the open-file dialog of ChooseVideoFile.
func SetChooser(a *App, fn func(ctx context.Context, title string) (string, error)) { a.setChooser(fn) }

// SetSaver replaces the save dialog of ExportTasks.
func SetSaver(a *App, fn func(ctx context.Context, title, name string) (string, error)) {
	a.setSaver(fn)
}
