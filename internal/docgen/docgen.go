// Package docgen keeps the generated parts of the reference documents in
// docs/ equal to what the code says. A document is hand-written Markdown
// with one generated block between two marker lines; the tests that own the
// source of truth (the command table, the OpenAPI document) render the block
// and call Check, which fails when the file disagrees, or rewrites the block
// when the tests run with -update (make docs).
package docgen

import (
	"bytes"
	"fmt"
	"os"
	"testing"
)

// The marker lines around a document's generated block.
const (
	Begin = "<!-- BEGIN GENERATED: do not edit; make docs rewrites this block -->"
	End   = "<!-- END GENERATED -->"
)

// Check compares the generated block of the Markdown file path with body.
// With update it rewrites the block instead (the file must already hold both
// markers). It fails tb naming the command that brings the file up to date.
func Check(tb testing.TB, path, body string, update bool) {
	tb.Helper()
	old, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	next, err := Replace(old, body)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if bytes.Equal(old, next) {
		return
	}
	if update {
		if err := os.WriteFile(path, next, 0o644); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("rewrote the generated block of %s", path)
		return
	}
	tb.Fatalf("%s is out of date with the code: run make docs (go test -run TestDocs -update) and commit it\n%s", path, firstDifference(old, next))
}

// Replace returns doc with the text between its markers replaced by body.
func Replace(doc []byte, body string) ([]byte, error) {
	i := bytes.Index(doc, []byte(Begin+"\n"))
	j := bytes.Index(doc, []byte("\n"+End))
	if i < 0 || j < 0 || j < i {
		return nil, fmt.Errorf("the generated block's markers are missing (%q … %q)", Begin, End)
	}
	start := i + len(Begin) + 1
	var out bytes.Buffer
	out.Write(doc[:start])
	out.WriteString("\n")
	out.WriteString(body)
	if len(body) > 0 && body[len(body)-1] != '\n' {
		out.WriteString("\n")
	}
	out.Write(doc[j:])
	return out.Bytes(), nil
}

// firstDifference describes the first line where got and want differ.
func firstDifference(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for n := 0; n < len(g) || n < len(w); n++ {
		var gl, wl []byte
		if n < len(g) {
			gl = g[n]
		}
		if n < len(w) {
			wl = w[n]
		}
		if !bytes.Equal(gl, wl) {
			return fmt.Sprintf("line %d:\n  file: %q\n  code: %q", n+1, gl, wl)
		}
	}
	return ""
}
