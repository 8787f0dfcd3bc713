package server_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/internal/docgen"
)

var update = flag.Bool("update", false, "rewrite the generated block of docs/api.md")

// TestDocsAPI keeps docs/api.md's endpoint and schema reference equal to the
// OpenAPI document the server serves (and its tests validate every exchange
// against). go test -run TestDocs -update rewrites it.
func TestDocsAPI(t *testing.T) {
	var doc apiDoc
	if err := json.Unmarshal(server.OpenAPI(), &doc); err != nil {
		t.Fatalf("decode openapi.json: %v", err)
	}
	docgen.Check(t, filepath.Join("..", "..", "docs", "api.md"), doc.markdown(), *update)
}

// apiDoc is the part of an OpenAPI 3.0 document the reference shows.
type apiDoc struct {
	Tags  []struct{ Name, Description string }
	Paths map[string]map[string]*apiOperation
	// Components holds what the operations refer to by $ref.
	Components struct {
		Parameters      map[string]*apiParameter
		Responses       map[string]*apiResponse
		Schemas         map[string]*apiSchema
		SecuritySchemes map[string]struct {
			Type, Scheme, In, Name, Description string
		}
	}
}

type apiOperation struct {
	Summary     string
	Description string
	Tags        []string
	Parameters  []*apiParameter
	RequestBody *struct {
		Required bool
		Content  map[string]struct{ Schema *apiSchema }
	}
	Responses map[string]*apiResponse
	Security  []map[string][]string
}

type apiParameter struct {
	Ref         string `json:"$ref"`
	Name        string
	In          string
	Required    bool
	Description string
	Schema      *apiSchema
}

type apiResponse struct {
	Ref         string `json:"$ref"`
	Description string
	Content     map[string]struct{ Schema *apiSchema }
}

type apiSchema struct {
	Ref         string `json:"$ref"`
	Type        string
	Format      string
	Pattern     string
	Description string
	Enum        []any
	Minimum     *float64
	Maximum     *float64
	MaxLength   *int
	Default     any
	Items       *apiSchema
	Properties  apiProperties
	Required    []string
}

// apiProperties are a schema's properties in the document's order, which
// puts the identifying fields first.
type apiProperties []struct {
	Name   string
	Schema *apiSchema
}

func (p *apiProperties) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var s apiSchema
		if err := dec.Decode(&s); err != nil {
			return err
		}
		*p = append(*p, struct {
			Name   string
			Schema *apiSchema
		}{tok.(string), &s})
	}
	return nil
}

// methodOrder is the order of an endpoint's operations.
var methodOrder = []string{"get", "post", "put", "patch", "delete"}

// markdown renders the endpoints by tag, then the schemas.
func (d *apiDoc) markdown() string {
	var b strings.Builder
	paths := make([]string, 0, len(d.Paths))
	for p := range d.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	type entry struct {
		method, path string
		op           *apiOperation
	}
	byTag := map[string][]entry{}
	for _, p := range paths {
		for _, m := range methodOrder {
			if op := d.Paths[p][m]; op != nil {
				tag := "other"
				if len(op.Tags) > 0 {
					tag = op.Tags[0]
				}
				byTag[tag] = append(byTag[tag], entry{strings.ToUpper(m), p, op})
			}
		}
	}

	b.WriteString("## Endpoints\n\n| Endpoint | What it does | Who may call it |\n| --- | --- | --- |\n")
	for _, tag := range d.Tags {
		for _, e := range byTag[tag.Name] {
			fmt.Fprintf(&b, "| [`%s %s`](#%s) | %s | %s |\n", e.method, e.path, headingAnchor(e.method+" "+e.path), cell(e.op.Summary), d.who(e.op))
		}
	}
	for _, tag := range d.Tags {
		fmt.Fprintf(&b, "\n## %s\n", strings.ToUpper(tag.Name[:1])+tag.Name[1:])
		for _, e := range byTag[tag.Name] {
			d.writeOperation(&b, e.method, e.path, e.op)
		}
	}

	b.WriteString("\n## Schemas\n")
	names := make([]string, 0, len(d.Components.Schemas))
	for n := range d.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := d.Components.Schemas[n]
		fmt.Fprintf(&b, "\n### %s\n\n", n)
		if s.Description != "" {
			fmt.Fprintf(&b, "%s\n\n", s.Description)
		}
		if len(s.Properties) == 0 {
			fmt.Fprintf(&b, "%s\n", d.typeOf(s))
			continue
		}
		b.WriteString("| Field | Type | Required |\n| --- | --- | --- |\n")
		for _, p := range s.Properties {
			req := ""
			if contains(s.Required, p.Name) {
				req = "yes"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", p.Name, cell(d.typeOf(p.Schema)), req)
		}
	}
	return b.String()
}

// writeOperation writes one endpoint's section.
func (d *apiDoc) writeOperation(b *strings.Builder, method, path string, op *apiOperation) {
	fmt.Fprintf(b, "\n### %s %s\n\n%s.", method, path, strings.TrimSuffix(op.Summary, "."))
	if op.Description != "" {
		fmt.Fprintf(b, " %s", op.Description)
	}
	fmt.Fprintf(b, "\n\nWho: %s.\n", d.who(op))
	if len(op.Parameters) > 0 {
		b.WriteString("\n| Parameter | In | Type | Required | Meaning |\n| --- | --- | --- | --- | --- |\n")
		for _, p := range op.Parameters {
			if p.Ref != "" {
				p = d.Components.Parameters[refName(p.Ref)]
			}
			req := ""
			if p.Required {
				req = "yes"
			}
			fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", p.Name, p.In, cell(d.typeOf(p.Schema)), req, cell(p.Description))
		}
	}
	if rb := op.RequestBody; rb != nil {
		types := sortedKeys(rb.Content)
		var parts []string
		for _, ct := range types {
			parts = append(parts, fmt.Sprintf("%s (`%s`)", d.typeOf(rb.Content[ct].Schema), ct))
		}
		fmt.Fprintf(b, "\nBody: %s.\n", strings.Join(parts, " or "))
	}
	b.WriteString("\n| Status | Meaning | Body |\n| --- | --- | --- |\n")
	codes := sortedKeys(op.Responses)
	for _, code := range codes {
		r := op.Responses[code]
		if r.Ref != "" {
			r = d.Components.Responses[refName(r.Ref)]
		}
		var bodies []string
		for _, ct := range sortedKeys(r.Content) {
			s := r.Content[ct].Schema
			if s == nil {
				bodies = append(bodies, "`"+ct+"`")
				continue
			}
			bodies = append(bodies, d.typeOf(s)+" (`"+ct+"`)")
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", code, cell(r.Description), cell(strings.Join(bodies, ", ")))
	}
}

// who names the credentials an operation accepts.
func (d *apiDoc) who(op *apiOperation) string {
	if len(op.Security) == 0 {
		return "anyone"
	}
	var names []string
	for _, req := range op.Security {
		for name := range req {
			switch name {
			case "apiKey":
				names = append(names, "API key")
			case "ownerSession":
				names = append(names, "owner session")
			default:
				names = append(names, name)
			}
		}
		if len(req) == 0 {
			names = append(names, "anyone")
		}
	}
	return strings.Join(names, ", ")
}

// typeOf describes a schema in a few words, with its bounds.
func (d *apiDoc) typeOf(s *apiSchema) string {
	if s == nil {
		return "any"
	}
	if s.Ref != "" {
		n := refName(s.Ref)
		return fmt.Sprintf("[`%s`](#%s)", n, strings.ToLower(n))
	}
	t := s.Type
	switch {
	case t == "array" && s.Items != nil:
		t = "array of " + d.typeOf(s.Items)
	case t == "":
		t = "any"
	case s.Format != "":
		t += " (" + s.Format + ")"
	}
	var notes []string
	if len(s.Enum) > 0 {
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprintf("`%v`", v)
		}
		notes = append(notes, "one of "+strings.Join(vals, ", "))
	}
	switch {
	case s.Minimum != nil && s.Maximum != nil:
		notes = append(notes, num(*s.Minimum)+" – "+num(*s.Maximum))
	case s.Minimum != nil:
		notes = append(notes, "≥ "+num(*s.Minimum))
	case s.Maximum != nil:
		notes = append(notes, "≤ "+num(*s.Maximum))
	}
	if s.MaxLength != nil {
		notes = append(notes, fmt.Sprintf("at most %d characters", *s.MaxLength))
	}
	if s.Pattern != "" {
		notes = append(notes, "matching `"+s.Pattern+"`")
	}
	if s.Default != nil {
		notes = append(notes, fmt.Sprintf("default `%v`", s.Default))
	}
	if s.Description != "" {
		notes = append(notes, s.Description)
	}
	if len(notes) > 0 {
		t += ": " + strings.Join(notes, "; ")
	}
	return t
}

// headingAnchor is the anchor GitHub gives a heading with this text.
func headingAnchor(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

func refName(ref string) string { return ref[strings.LastIndexByte(ref, '/')+1:] }

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
