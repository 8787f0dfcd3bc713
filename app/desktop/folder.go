package desktop

import (
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
	path, err := exec.LookPath(name)
	if err != nil {
		return domain.Errorf(domain.ECONFLICT, "No file manager could be started (%s is missing); the data folder is %s.", name, dir)
	}
	cmd := exec.Command(path, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open folder: %w", err)
	}
	// Reap the process; its status says little (explorer exits 1 even when
	// it opened the folder).
	go func() { _ = cmd.Wait() }()
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
