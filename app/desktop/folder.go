package desktop

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"

	"github.com/reelvault/reelvault/domain"
)

// OpenFolder shows dir in the system's file manager: explorer on Windows,
// open on macOS, xdg-open elsewhere. The folder is one argument of the
// command, never shell text. It returns ECONFLICT, naming the folder, when
// there is no such folder or no file manager to show it.
func OpenFolder(dir string) error {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return domain.Errorf(domain.ECONFLICT, "The folder %s does not exist.", dir)
	}
	name, args := folderCommand(runtime.GOOS, dir)
	// explorer exits 1 even when it opened the folder, so startProgram
	// reaps the process without judging its status.
	if err := startProgram(name, args...); err != nil {
		if _, missing := errors.AsType[*exec.Error](err); missing {
			return domain.Errorf(domain.ECONFLICT, "No file manager could be started (%s is missing); the data folder is %s.", name, dir)
		}
		return fmt.Errorf("open folder: %w", err)
	}
	return nil
}

// folderCommand is the command that shows dir in goos's file manager.
func folderCommand(goos, dir string) (string, []string) {
	switch goos {
	case "windows":
		return "explorer", []string{dir}
	case "darwin":
		return "open", []string{dir}
	}
	return "xdg-open", []string{dir}
}
