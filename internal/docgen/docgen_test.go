package docgen_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/internal/docgen"
)

func TestReplace(t *testing.T) {
	doc := "# Title\n\nProse.\n\n" + docgen.Begin + "\n\nold\n\n" + docgen.End + "\n\nMore prose.\n"
	got, err := docgen.Replace([]byte(doc), "new\nlines\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# Title\n\nProse.\n\n" + docgen.Begin + "\n\nnew\nlines\n\n" + docgen.End + "\n\nMore prose.\n"; string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	again, _ := docgen.Replace(got, "new\nlines")
	if string(again) != string(got) {
		t.Fatalf("replacing twice changed the document:\n%s", again)
	}
	t.Run("ErrNoMarkers", func(t *testing.T) {
		if _, err := docgen.Replace([]byte("# Title\n"), "x"); err == nil || !strings.Contains(err.Error(), "markers") {
			t.Fatalf("err=%v, want one naming the markers", err)
		}
	})
}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.md")
	doc := "# Doc\n" + docgen.Begin + "\n\nold\n\n" + docgen.End + "\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	ft := &fakeTB{TB: t}
	func() {
		defer func() { recover() }()
		docgen.Check(ft, path, "new\n", false)
	}()
	if !ft.failed || !strings.Contains(ft.msg, "make docs") || !strings.Contains(ft.msg, `"new"`) {
		t.Fatalf("a drifted document: failed=%v, message %q", ft.failed, ft.msg)
	}
	if data, _ := os.ReadFile(path); string(data) != doc {
		t.Fatalf("Check without update changed the file:\n%s", data)
	}
	docgen.Check(t, path, "new\n", true)
	docgen.Check(t, path, "new\n", false) // now up to date
}

// fakeTB records a failure instead of failing the test.
type fakeTB struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = fmt.Sprintf(format, args...)
	panic("fatal")
}
