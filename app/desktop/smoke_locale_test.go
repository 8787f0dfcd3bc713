//go:build desktopsmoke

package desktop_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/desktop"
)

// TestWindowSmokeLocale opens the window at 800 px wide under the Chinese
// and the English system locale and screenshots each, so a person can check
// the interface fits a small window and follows the system language
// (screenshots/window-zh-CN-800.png and window-en-800.png). The window is
// sized through its remembered state, as a user who made it small would.
// WebKitGTK takes navigator.language from the C library's locale, so the
// Chinese run shows Chinese only where the zh_CN.UTF-8 locale is generated
// (`locale -a`); elsewhere it shows English.
func TestWindowSmokeLocale(t *testing.T) {
	bin := binary(t)
	artifacts := os.Getenv("ARTIFACTS_DIR")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	for _, tc := range []struct{ name, lang string }{
		{"zh-CN", "zh_CN.UTF-8"},
		{"en", "en_US.UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dataDir := t.TempDir()
			seed(t, filepath.Join(dataDir, "reelvault.db"), 30)
			state, _ := json.Marshal(desktop.WindowState{Width: 800, Height: 640})
			if err := os.WriteFile(filepath.Join(dataDir, desktop.WindowStateFile), state, 0o644); err != nil {
				t.Fatal(err)
			}
			display := startXvfb(t)
			env := withLocale(windowEnv(t, display, freeAddr(t)), tc.lang)
			w := launch(t, bin, dataDir, env)
			if rows, _ := w.waitPainted(t, 60*time.Second); rows == 0 {
				t.Fatal("the first history page shows no rows, want the seeded tasks")
			}
			time.Sleep(1500 * time.Millisecond) // let fonts and thumbnails settle
			shot := filepath.Join(artifacts, "screenshots", fmt.Sprintf("window-%s-800.png", tc.name))
			if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
				t.Fatal(err)
			}
			if b, err := exec.Command("import", "-display", display, "-window", "root", shot).CombinedOutput(); err != nil {
				t.Fatalf("screenshot: %v: %s", err, b)
			}
			t.Logf("screenshot %s", shot)
			w.stop(t)
		})
	}
}

// withLocale replaces the locale variables of env with lang.
func withLocale(env []string, lang string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == "LANG" || k == "LANGUAGE" || strings.HasPrefix(k, "LC_") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "LANG="+lang)
}
