package cli_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
)

func TestMediaRoot(t *testing.T) {
	r := newRunner(t)
	def := filepath.Join(r.dir, domain.MediaFolder)
	extra := t.TempDir()

	roots := decode[domain.MediaRoots](t, r.ok("--json", "media-root", "list"))
	if roots.Default != def || len(roots.Roots) != 0 {
		t.Fatalf("roots=%+v, want only the default %s", roots, def)
	}
	res := r.ok("media-root", "add", extra)
	want := fmt.Sprintf("Added %s; a running Reelvault applies it at once.\n\n", extra)
	lines := strings.Split(strings.TrimPrefix(res.Stdout, want), "\n")
	if !strings.HasPrefix(res.Stdout, want) || len(lines) != 4 ||
		strings.Join(strings.Fields(lines[1]), " ") != def+" default (the data directory's media folder)" ||
		strings.Join(strings.Fields(lines[2]), " ") != extra+" added" {
		t.Fatalf("stdout:\n%s", res.Stdout)
	}
	roots = decode[domain.MediaRoots](t, r.ok("media-root", "list", "--json"))
	if len(roots.Roots) != 1 || roots.Roots[0] != extra {
		t.Fatalf("roots=%+v, want [%s]", roots, extra)
	}

	t.Run("Errors", func(t *testing.T) {
		r := r.with(t)
		r.fails(cli.ExitError, "error: "+def+" is the data directory's media folder, always a media root.\n", "media-root", "remove", def)
		r.fails(cli.ExitError, "error: /not/a/root is not a media root.\n", "media-root", "remove", "/not/a/root")
		r.fails(cli.ExitError, "error: "+filepath.Join(extra, "missing")+" is not an existing folder.\n", "media-root", "add", filepath.Join(extra, "missing"))
		if res := r.run("media-root", "add"); res.Code != cli.ExitUsage {
			t.Fatalf("add without DIR: exit %d, want %d", res.Code, cli.ExitUsage)
		}
	})

	roots = decode[domain.MediaRoots](t, r.ok("--json", "media-root", "remove", extra))
	if len(roots.Roots) != 0 {
		t.Fatalf("roots=%+v after removal", roots)
	}
}
