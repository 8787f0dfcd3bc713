package cli_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/internal/docgen"
)

// TestDocsCLI keeps docs/cli.md's command reference equal to the command
// table: every registered command with its summary and the help it prints
// (usage line and flags). go test -run TestDocs -update rewrites it.
func TestDocsCLI(t *testing.T) {
	r := newRunner(t)
	var b strings.Builder
	b.WriteString("| Command | What it does |\n| --- | --- |\n")
	for _, c := range cli.Commands() {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s |\n", c.Name, anchor(c.Name), strings.ReplaceAll(c.Summary, "|", `\|`))
	}
	for _, c := range cli.Commands() {
		// "help help" prints the overview: the whole list, global flags
		// included, which is what the help command shows.
		res := r.runRaw(append([]string{"help"}, strings.Fields(c.Name)...)...)
		if res.Code != cli.ExitOK || res.Stderr != "" {
			t.Fatalf("reelvault help %s: exit %d\n%s", c.Name, res.Code, res.Stderr)
		}
		if c.Name != "help" && !strings.HasPrefix(res.Stdout, "usage: "+c.Usage()+"\n") {
			t.Fatalf("reelvault help %s printed no usage line:\n%s", c.Name, res.Stdout)
		}
		fmt.Fprintf(&b, "\n### %s\n\n```\n%s```\n", c.Name, res.Stdout)
	}
	docgen.Check(t, filepath.Join("..", "..", "docs", "cli.md"), b.String(), *update)
}

// anchor is the heading anchor GitHub makes for "### name".
func anchor(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), " ", "-")
}
