package desktop

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// openTasks opens a real SQLite store in a temporary folder with the user
// "studio" and returns its task service.
func openTasks(t *testing.T) domain.TaskService {
	t.Helper()
	db := store.NewDB(filepath.Join(t.TempDir(), "reelvault.db"))
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, _, err := store.NewUserService(db).CreateUser(domain.WithOwner(context.Background()), domain.UserCreate{Username: "studio"}); err != nil {
		t.Fatal(err)
	}
	return store.NewTaskService(db)
}

func createTask(t *testing.T, tasks domain.TaskService, prompt string) *domain.Task {
	t.Helper()
	task, err := tasks.CreateTask(domain.WithOwner(context.Background()), domain.TaskCreate{Username: "studio", Prompt: prompt, TotalScenes: 1})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func TestFirstPages(t *testing.T) {
	t.Run("AheadThenFresh", func(t *testing.T) {
		tasks := openTasks(t)
		first := createTask(t, tasks, "the first")
		f := &firstPages{tasks: tasks}
		f.Start(context.Background())
		p := f.Get(context.Background())
		if p == nil || p.Limit != FirstPageLimit || len(p.Page.Tasks) != 1 || p.Page.Tasks[0].TaskID != first.TaskID {
			t.Fatalf("first Get = %+v, want the one task with limit %d", p, FirstPageLimit)
		}
		// The page reloaded: read again, with what changed since.
		second := createTask(t, tasks, "the second")
		p = f.Get(context.Background())
		if p == nil || len(p.Page.Tasks) != 2 || p.Page.Tasks[0].TaskID != second.TaskID {
			t.Fatalf("second Get = %+v, want both tasks, the newest first", p)
		}
	})
	t.Run("WithoutTasks", func(t *testing.T) {
		f := &firstPages{}
		f.Start(context.Background())
		if p := f.Get(context.Background()); p != nil {
			t.Fatalf("Get without a task service = %+v, want nil", p)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		f := &firstPages{tasks: openTasks(t)}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if p := f.Get(ctx); p != nil {
			t.Fatalf("Get with a cancelled context = %+v, want nil", p)
		}
	})
}

func TestWithPage(t *testing.T) {
	assets := fstest.MapFS{"index.html": {Data: []byte("<!doctype html>\n<html lang=\"en\">\n  <head>\n    <title>Reelvault</title>\n  </head>\n</html>\n")}}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "next "+r.Method+" "+r.URL.Path)
	})
	tasks := openTasks(t)
	// A prompt that would end a script element early if it were not escaped.
	createTask(t, tasks, `</script><script>alert(1)</script> 一只猫`)
	first := &firstPages{tasks: tasks}
	served := 0
	boot := func(r *http.Request) *Boot {
		served++
		return &Boot{Info: Status{Info: Info{Version: "1.2.3"}}, MediaBase: "http://127.0.0.1:1/secret", FirstPage: first.Get(r.Context())}
	}
	srv := httptest.NewServer(withPage(assets, "zh-CN", boot, "window.first = 1;", next))
	defer srv.Close()
	do := func(method, path string) (string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), resp.Header
	}

	for _, path := range []string{"/", "/index.html"} {
		body, h := do("GET", path)
		if !strings.HasPrefix(body, "<!doctype html>\n<html lang=\"en\">\n  <head><meta name=\"reelvault-language\" content=\"zh-CN\" /><script>window.first = 1;</script><script type=\"application/json\" id=\"reelvault-boot\">") {
			t.Fatalf("GET %s = %q, want the language, the script and the boot block at the top of the head", path, body)
		}
		if got := strings.Count(body, "</script>"); got != 2 {
			t.Fatalf("GET %s has %d </script>, want 2 (the prompt's escaped): %s", path, got, body)
		}
		if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("GET %s Content-Type %q, want text/html", path, ct)
		}
		if cc := h.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("GET %s Cache-Control %q, want no-store (the page carries data)", path, cc)
		}
		m := regexp.MustCompile(`id="reelvault-boot">(.*?)</script>`).FindStringSubmatch(body)
		var got Boot
		if m == nil || json.Unmarshal([]byte(m[1]), &got) != nil {
			t.Fatalf("GET %s: no readable boot block in %q", path, body)
		}
		if got.Info.Version != "1.2.3" || got.MediaBase != "http://127.0.0.1:1/secret" || got.FirstPage == nil ||
			len(got.FirstPage.Page.Tasks) != 1 || !strings.HasPrefix(got.FirstPage.Page.Tasks[0].Prompt, "</script>") {
			t.Fatalf("GET %s boot = %+v, want the info, the media base and the one task with its prompt intact", path, got)
		}
	}
	if served != 2 {
		t.Fatalf("boot answered %d times, want once per page served (2)", served)
	}
	for _, req := range [][2]string{{"GET", "/assets/app.js"}, {"POST", "/"}} {
		if body, _ := do(req[0], req[1]); body != "next "+req[0]+" "+req[1] {
			t.Fatalf("%s %s = %q, want it passed on", req[0], req[1], body)
		}
	}
	// Nothing to add, or no page to add it to: next itself.
	for name, h := range map[string]http.Handler{
		"Nothing": withPage(assets, "", nil, "", next),
		"NoPage":  withPage(fstest.MapFS{}, "zh-CN", boot, "x", next),
		"NoHead":  withPage(fstest.MapFS{"index.html": {Data: []byte("<p>hi</p>")}}, "zh-CN", boot, "x", next),
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Body.String() != "next GET /" {
			t.Fatalf("%s: GET / = %q, want it passed on", name, rec.Body.String())
		}
	}
}
