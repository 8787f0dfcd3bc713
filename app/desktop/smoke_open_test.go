//go:build desktopsmoke

package desktop_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/desktop/xvfbtest"
	"github.com/reelvault/reelvault/store"
)

// TestWindowOpenError launches the window over a database that a newer
// Reelvault wrote: the window opens anyway and shows why it cannot open the
// database (screenshot .artifacts/screenshots/window-newer.png) instead of
// the process exiting with a message only a terminal would show; on close
// the process exits with status 1 and the message, and the file is
// unchanged.
func TestWindowOpenError(t *testing.T) {
	bin := binary(t)
	dataDir := t.TempDir()
	path := filepath.Join(dataDir, "reelvault.db")
	seed(t, path, 3)
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	newer := store.LatestSchemaVersion() + 1
	if _, err := raw.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)", newer); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	display := xvfbtest.StartXvfb(t)
	w := launch(t, bin, dataDir, windowEnv(t, display, xvfbtest.FreeAddr(t)))
	select {
	case err := <-w.exited:
		t.Fatalf("exited (%v) instead of showing the problem in a window\n%s", err, w.logs())
	case <-time.After(8 * time.Second):
	}
	screenshot(t, display, "window-newer.png")

	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-w.exited:
		if code := w.cmd.ProcessState.ExitCode(); code != 1 {
			t.Fatalf("exit %v (status %d), want status 1\n%s", err, code, w.logs())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("still running 20 s after SIGTERM\n%s", w.logs())
	}
	if !strings.Contains(w.logs(), "newer than this Reelvault supports") {
		t.Fatalf("the message does not say the database is newer:\n%s", w.logs())
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("the newer database changed (%v)", err)
	}
}

// TestWindowUpgrade launches the window over a database of an older
// schema: it is backed up, upgraded, and the window says so (screenshot
// .artifacts/screenshots/window-upgrade.png) as does the terminal.
func TestWindowUpgrade(t *testing.T) {
	if store.LatestSchemaVersion() < 2 {
		t.Skip("no older schema to upgrade from")
	}
	bin := binary(t)
	dataDir := t.TempDir()
	if err := store.CreateAtVersion(context.Background(), filepath.Join(dataDir, "reelvault.db"), store.LatestSchemaVersion()-1); err != nil {
		t.Fatal(err)
	}
	display := xvfbtest.StartXvfb(t)
	w := launch(t, bin, dataDir, windowEnv(t, display, xvfbtest.FreeAddr(t)))
	w.waitPainted(t, 60*time.Second)
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, display, "window-upgrade.png")
	w.stop(t)
	if !strings.Contains(w.logs(), "Upgraded the database from schema version") {
		t.Fatalf("the upgrade was not reported:\n%s", w.logs())
	}
	backups, _ := filepath.Glob(filepath.Join(dataDir, "backups", "*pre-migration*"))
	if len(backups) != 1 {
		t.Fatalf("pre-migration backups %v, want one", backups)
	}
}

// screenshot saves the display to the artifacts' screenshots folder and
// checks that it is not blank.
func screenshot(t *testing.T, display, name string) {
	t.Helper()
	artifacts := os.Getenv("ARTIFACTS_DIR")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	shot := filepath.Join(artifacts, "screenshots", name)
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("import", "-display", display, "-window", "root", shot).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v: %s", err, b)
	}
	b, err := exec.Command("identify", "-format", "%[fx:standard_deviation]", shot).Output()
	if err != nil {
		t.Fatalf("identify: %v", err)
	}
	var sd float64
	if _, err := fmt.Sscanf(string(b), "%g", &sd); err != nil || sd < 0.01 {
		t.Fatalf("screenshot %s looks blank (standard deviation %s)", shot, b)
	}
}
