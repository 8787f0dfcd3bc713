//go:build desktopsmoke

package desktop_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/app/desktop/xvfbtest"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// TestWindowLibrary drives the library screens in the real window on Xvfb,
// through the window's bindings: a star clicked in the history is stored,
// so is a rating given to the picked row in the bulk bar, the grid view's
// tick boxes pick, the trash's retention changed in the trash view is
// stored, the collections screen lists a collection with its count, and a task
// with two takes compares their final videos side by side.
func TestWindowLibrary(t *testing.T) {
	bin := binary(t)
	dataDir := t.TempDir()
	dbPath := filepath.Join(dataDir, "reelvault.db")
	seed(t, dbPath, 20)
	origin := seedMediaTask(t, dbPath)
	rerun := seedTakes(t, dbPath, origin)
	display := xvfbtest.StartXvfb(t)
	env := append(windowEnv(t, display, xvfbtest.FreeAddr(t)), desktop.EnvWindowScript+"="+libraryProbeScript(t))

	// The probe may act before the first-page report reaches the test (the
	// rows come with the page): its reports count from the launch.
	start := time.Now()
	w := launch(t, bin, dataDir, env)
	w.waitPainted(t, 60*time.Second)

	// The probe reports "error …" instead when a step fails; waitProbe's
	// failure prints the window's output, probe lines included.
	starred := strings.TrimPrefix(w.waitProbe(t, "starred ", start, 30*time.Second).text, "starred ")
	show := runCLI(t, bin, dataDir, env, "", "--json", "task", "show", starred)
	if !strings.Contains(show, `"starred": true`) && !strings.Contains(show, `"starred":true`) {
		t.Fatalf("the star clicked in the window is not stored: task show says\n%s", show)
	}

	if got, want := w.waitProbe(t, "rated ", start, 30*time.Second).text, "rated "+starred+"=3"; got != want {
		t.Fatalf("bulk rating: %q, want %q", got, want)
	}
	show = runCLI(t, bin, dataDir, env, "", "--json", "task", "show", starred)
	if !strings.Contains(show, `"rating": 3`) && !strings.Contains(show, `"rating":3`) {
		t.Fatalf("the rating given in the bulk bar is not stored: task show says\n%s", show)
	}
	if got, want := w.waitProbe(t, "grid ", start, 30*time.Second).text, "grid 2 picked"; got != want {
		t.Fatalf("grid view: %q, want %q", got, want)
	}
	if got, want := w.waitProbe(t, "retention ", start, 30*time.Second).text, "retention Trashed tasks are kept for 7 days, then deleted for good."; got != want {
		t.Fatalf("trash retention: %q, want %q", got, want)
	}
	if got := runCLI(t, bin, dataDir, env, "", "--json", "trash", "retention"); !strings.Contains(strings.ReplaceAll(got, " ", ""), `"trash_retention_days":7`) {
		t.Fatalf("the retention set in the window is not stored: trash retention says\n%s", got)
	}

	if got, want := w.waitProbe(t, "collection ", start, 30*time.Second).text, "collection Trailer v2=1 task"; got != want {
		t.Fatalf("collections screen: %q, want %q", got, want)
	}

	runCLI(t, bin, dataDir, env, "already open", "open", rerun)
	if got, want := w.waitProbe(t, "takes ", start, 90*time.Second).text, "takes 2 compare=2 ready=2"; got != want {
		t.Fatalf("takes: %q, want %q", got, want)
	}
	w.stop(t)
}

// seedTakes puts origin in a collection and runs it again, completing the
// new take with origin's final video file; it returns the new take's ID.
func seedTakes(t testing.TB, dbPath, origin string) string {
	t.Helper()
	ctx := domain.WithOwner(context.Background())
	db := store.NewDB(dbPath)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tasks := store.NewTaskService(db)
	lib := store.NewLibraryService(db)
	if _, err := lib.CreateCollection(ctx, "Trailer v2"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddToCollection(ctx, "Trailer v2", []string{origin}); err != nil {
		t.Fatal(err)
	}
	first, err := tasks.FindTaskByID(ctx, origin)
	if err != nil {
		t.Fatal(err)
	}
	prompt := first.Prompt + ", take two"
	next, err := lib.RerunTask(ctx, origin, domain.RerunInput{Prompt: &prompt})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tasks.StartTask(ctx, next.TaskID); err != nil {
		t.Fatal(err)
	}
	if _, err := tasks.CompleteTask(ctx, next.TaskID, first.FinalVideoPath); err != nil {
		t.Fatal(err)
	}
	return next.TaskID
}

// libraryProbeScript is the absolute path of testdata/probe_library.js.
func libraryProbeScript(tb testing.TB) string {
	p, err := filepath.Abs(filepath.Join("testdata", "probe_library.js"))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
