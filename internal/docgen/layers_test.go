package docgen_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/reelvault/reelvault"

// layers is docs/architecture.md's package diagram as rules: the packages
// of the module each layer may import (by prefix). A package matches the
// longest prefix listed; tests are not counted.
var layers = map[string][]string{
	"domain":            {},
	"domain/domaintest": {"domain"}, // test helpers
	"store/safefile":    {},
	"store/pgtest":      {},
	"store":             {"domain", "store/safefile"},
	"backup":            {"domain", "store"},
	"app/hub":           {"domain"},
	"app":               {"domain", "store", "backup", "app"},
	"internal":          {},
}

// TestArchitecture fails when an import goes against the layers that
// docs/architecture.md draws: main → app → backup → store → domain.
func TestArchitecture(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/")
		if pkg == "" {
			continue // main may import anything
		}
		layer, allowed := layerOf(pkg)
		if layer == "" {
			t.Errorf("package %s is in no layer of docs/architecture.md: add it to layers", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			rel, ok := strings.CutPrefix(imp, module+"/")
			if !ok {
				continue // the standard library or a dependency
			}
			if !hasPrefix(rel, allowed) && !hasPrefix(rel, []string{pkg}) {
				t.Errorf("%s imports %s, against the layers of docs/architecture.md (%s may import %v)", pkg, rel, layer, allowed)
			}
		}
	}
}

// layerOf returns the longest layer prefix of pkg and what it may import.
func layerOf(pkg string) (string, []string) {
	best := ""
	for l := range layers {
		if (pkg == l || strings.HasPrefix(pkg, l+"/")) && len(l) > len(best) {
			best = l
		}
	}
	return best, layers[best]
}

// hasPrefix reports whether pkg is one of prefixes or below one.
func hasPrefix(pkg string, prefixes []string) bool {
	for _, p := range prefixes {
		if pkg == p || strings.HasPrefix(pkg, p+"/") {
			return true
		}
	}
	return false
}
