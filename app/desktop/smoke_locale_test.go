//go:build desktopsmoke

package desktop_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/app/desktop/xvfbtest"
)

// TestWindowSmokeLocale opens the window at 800 px wide under the Chinese
// and the English system locale, checks the interface speaks the system's
// language through the window title it sets (the X property _NET_WM_NAME,
// read with xwininfo and xprop), and screenshots each, so a person can check
// the interface fits a small window (screenshots/window-zh-CN-800.png and
// window-en-800.png). The window is sized through its remembered state, as a
// user who made it small would. The language reaches the page from the
// window's locale variables, so Chinese shows whether or not the
// zh_CN.UTF-8 locale is generated (`locale -a`).
func TestWindowSmokeLocale(t *testing.T) {
	bin := binary(t)
	artifacts := os.Getenv("ARTIFACTS_DIR")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	for _, tc := range []struct{ name, lang, title string }{
		{"zh-CN", "zh_CN.UTF-8", "历史 — Reelvault"},
		{"en", "en_US.UTF-8", "History — Reelvault"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dataDir := t.TempDir()
			seed(t, filepath.Join(dataDir, "reelvault.db"), 30)
			state, _ := json.Marshal(desktop.WindowState{Width: 800, Height: 640})
			if err := os.WriteFile(filepath.Join(dataDir, desktop.WindowStateFile), state, 0o644); err != nil {
				t.Fatal(err)
			}
			display := xvfbtest.StartXvfb(t)
			env := withLocale(windowEnv(t, display, xvfbtest.FreeAddr(t)), tc.lang)
			w := launch(t, bin, dataDir, env)
			if rows, _ := w.waitPainted(t, 60*time.Second); rows == 0 {
				t.Fatal("the first history page shows no rows, want the seeded tasks")
			}
			if title := waitTitle(t, display, tc.title, 10*time.Second); title != tc.title {
				t.Fatalf("window title %q under LANG=%s, want %q", title, tc.lang, tc.title)
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

// waitTitle polls the titles of the window's X windows on display (class
// "reelvault") until one is want, and returns it, or the last title seen.
func waitTitle(t *testing.T, display, want string, timeout time.Duration) string {
	t.Helper()
	idRe := regexp.MustCompile(`(?m)^\s*(0x[0-9a-f]+) .*\("reelvault" "[^"]*"\)`)
	nameRe := regexp.MustCompile(`_NET_WM_NAME\(UTF8_STRING\) = ("(?:[^"\\]|\\.)*")`)
	var last string
	for deadline := time.Now().Add(timeout); ; time.Sleep(200 * time.Millisecond) {
		tree, err := exec.Command("xwininfo", "-display", display, "-root", "-tree").CombinedOutput()
		if err != nil {
			t.Fatalf("xwininfo: %v: %s", err, tree)
		}
		for _, m := range idRe.FindAllStringSubmatch(string(tree), -1) {
			out, err := exec.Command("xprop", "-display", display, "-id", m[1], "_NET_WM_NAME").CombinedOutput()
			if err != nil {
				continue // the window went away between the two commands
			}
			// xprop escapes bytes it cannot print in its locale as \ooo.
			if n := nameRe.FindStringSubmatch(string(out)); n != nil {
				if title, err := strconv.Unquote(n[1]); err == nil {
					last = title
					if title == want {
						return title
					}
				}
			}
		}
		if time.Now().After(deadline) {
			return last
		}
	}
}
