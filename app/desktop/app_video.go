package desktop

import (
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/reelvault/reelvault/domain"
)

// MediaBaseURL returns the prefix of the URLs the window's <video> elements
// play from: the loopback media server's base URL (MediaServer), or "" when
// it could not start (the page then falls back to /media/… on its own
// scheme).
func (a *App) MediaBaseURL() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.mediaBase
}

// OpenVideo opens a registered video in the system's default player, for a
// video the window cannot play itself.
func (a *App) OpenVideo(videoID int64) error {
	path, err := a.videoPath(videoID)
	if err != nil {
		return err
	}
	name, args := openCommand(runtime.GOOS, path, false)
	return a.launchCmd(name, args...)
}

// ShowVideo shows a registered video's file in the system's file manager.
func (a *App) ShowVideo(videoID int64) error {
	path, err := a.videoPath(videoID)
	if err != nil {
		return err
	}
	name, args := openCommand(runtime.GOOS, path, true)
	return a.launchCmd(name, args...)
}

// videoPath returns the file of a registered video if the store's media
// rule lets the window stream it (TaskService.OpenVideo, judged on the
// opened file): a video's path is written by an API key's user, and handing
// any file to the system's opener could run it (a .desktop file, a script).
func (a *App) videoPath(videoID int64) (string, error) {
	_, f, err := a.svc.Tasks.OpenVideo(a.context(), videoID)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return f.Name(), nil
}

// launchCmd starts a program without waiting for it to end.
func (a *App) launchCmd(name string, args ...string) error {
	launch := a.launch
	if launch == nil {
		launch = startProgram
	}
	if err := launch(name, args...); err != nil {
		return domain.Errorf(domain.ECONFLICT, "No program could be started to open the video (%s: %v).", name, err)
	}
	return nil
}

// startProgram starts name (found on $PATH) and reaps it when it ends.
func startProgram(name string, args ...string) error {
	path, err := exec.LookPath(name)
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

// openCommand is the command that opens path with the system's default
// application, or (folder) shows it in the file manager.
func openCommand(goos, path string, folder bool) (string, []string) {
	switch goos {
	case "darwin":
		if folder {
			return "open", []string{"-R", path}
		}
		return "open", []string{path}
	case "windows":
		if folder {
			return "explorer", []string{"/select," + path}
		}
		return "rundll32", []string{"url.dll,FileProtocolHandler", path}
	}
	if folder {
		return "xdg-open", []string{filepath.Dir(path)}
	}
	return "xdg-open", []string{path}
}
