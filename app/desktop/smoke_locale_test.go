//go:build desktopsmoke

package desktop_test

import (
	"context"
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
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// TestWindowSmokeLocale opens the window at 800 px wide under the Chinese
// and the English system locale, checks the interface speaks the system's
// language through the window title it sets (the X property _NET_WM_NAME,
// read with xwininfo and xprop), and screenshots each, so a person can check
// the interface fits a small window (screenshots/window-zh-CN-800.png and
// window-en-800.png). The window is sized through its remembered state, as a
// user who made it small would. The language reaches the page from the
// window's locale variables, so Chinese shows whether or not the
// zh_CN.UTF-8 locale is generated (`locale -a`). In Chinese it also goes to
// the library's screens (collections, trash, the grid view, with a tag, a
// collection and a trashed task), checks each screen's heading is the
// Chinese one and screenshots it (window-zh-CN-collections.png, …-trash.png,
// …-grid.png), for a person to see that no English is left there.
func TestWindowSmokeLocale(t *testing.T) {
	bin := binary(t)
	artifacts := os.Getenv("ARTIFACTS_DIR")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	for _, tc := range []struct {
		name, lang, title string
		library           map[string]string // screen → its heading
	}{
		{"zh-CN", "zh_CN.UTF-8", "历史 — Reelvault", map[string]string{"collections": "合集", "trash": "回收站", "grid": "历史"}},
		{"en", "en_US.UTF-8", "History — Reelvault", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dataDir := t.TempDir()
			seed(t, filepath.Join(dataDir, "reelvault.db"), 30)
			if tc.library != nil {
				seedLibrary(t, filepath.Join(dataDir, "reelvault.db"))
			}
			state, _ := json.Marshal(desktop.WindowState{Width: 800, Height: 640})
			if err := os.WriteFile(filepath.Join(dataDir, desktop.WindowStateFile), state, 0o644); err != nil {
				t.Fatal(err)
			}
			display := xvfbtest.StartXvfb(t)
			env := withLocale(windowEnv(t, display, xvfbtest.FreeAddr(t)), tc.lang)
			if tc.library != nil {
				env = append(env, desktop.EnvWindowScript+"="+libraryTourScript(t))
			}
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
			for _, screen := range []string{"collections", "trash", "grid"} {
				if tc.library == nil {
					break
				}
				p := w.waitProbe(t, "screen "+screen+" ", time.Time{}, 30*time.Second)
				if got, want := strings.TrimPrefix(p.text, "screen "+screen+" heading="), tc.library[screen]; got != want {
					t.Fatalf("%s screen's heading %q in %s, want %q", screen, got, tc.name, want)
				}
				shot := filepath.Join(artifacts, "screenshots", fmt.Sprintf("window-%s-%s.png", tc.name, screen))
				if b, err := exec.Command("import", "-display", display, "-window", "root", shot).CombinedOutput(); err != nil {
					t.Fatalf("screenshot: %v: %s", err, b)
				}
				t.Logf("screenshot %s", shot)
			}
			w.stop(t)
		})
	}
}

// seedLibrary tags, collects, stars and trashes some of the tasks of the
// database at path, so the library's screens have something to show.
func seedLibrary(t *testing.T, path string) {
	t.Helper()
	ctx := domain.WithOwner(context.Background())
	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	page, err := store.NewTaskService(db).FindTasks(ctx, domain.TaskFilter{Limit: 4})
	if err != nil || len(page.Tasks) < 4 {
		t.Fatalf("the seeded tasks: %v", err)
	}
	lib := store.NewLibraryService(db)
	ids := []string{page.Tasks[1].TaskID, page.Tasks[2].TaskID}
	if _, err := lib.TagTask(ctx, ids[0], []string{"风景", "dusk"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.SetStar(ctx, ids[1], true); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.CreateCollection(ctx, "最爱"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddToCollection(ctx, "最爱", ids); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.TrashTasks(ctx, []string{page.Tasks[3].TaskID}, domain.TrashOptions{}); err != nil {
		t.Fatal(err)
	}
}

// libraryTourScript writes a window script: the probe (testdata/probe.js),
// then, once the history shows rows, a tour of the collections, the trash
// and the history's grid view, reporting "screen NAME heading=TEXT" on each
// and staying 2 s for the screenshot.
func libraryTourScript(t *testing.T) string {
	t.Helper()
	probe, err := os.ReadFile(probeScript(t))
	if err != nil {
		t.Fatal(err)
	}
	tour := `
(function () {
  const say = (m) => window.go.desktop.App.Probe(m);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const heading = () => ([...document.querySelectorAll('main h1')].find((h) => h.offsetParent !== null) || {}).textContent || '';
  (async () => {
    while (!document.querySelector('.task-row')) await sleep(100);
    await sleep(2500); // the history's screenshot
    for (const [name, go] of [
      ['collections', () => { location.hash = '#/collections'; }],
      ['trash', () => { location.hash = '#/trash'; }],
      ['grid', async () => { location.hash = '#/history'; await sleep(300); document.querySelector('[data-view=grid]').click(); }],
    ]) {
      await go();
      await sleep(1200);
      say('screen ' + name + ' heading=' + heading());
      await sleep(2000);
    }
    document.querySelector('[data-view=list]').click(); // the view is remembered
  })();
})();
`
	path := filepath.Join(t.TempDir(), "tour.js")
	if err := os.WriteFile(path, append(probe, tour...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
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
