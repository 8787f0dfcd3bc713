package backupapi_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The export of a selection: task_ids, comma-separated or repeated,
// combined with the other filters.
func TestBackupRoutes_ExportTaskIDs(t *testing.T) {
	e := mustOpenEnv(t)
	one, two, three := e.createTask("one"), e.createTask("two"), e.createTask("three")
	prompts := func(query string) []string {
		t.Helper()
		var doc struct {
			Tasks []struct {
				Prompt string `json:"prompt"`
			} `json:"tasks"`
		}
		e.must(200, "GET", "/api/v1/export?"+query, nil).decode(&doc)
		var out []string
		for _, t := range doc.Tasks {
			out = append(out, t.Prompt)
		}
		slices.Sort(out)
		return out
	}
	if got, want := prompts("task_ids="+one+","+three), []string{"one", "three"}; !slices.Equal(got, want) {
		t.Fatalf("export of a selection: %q, want %q", got, want)
	}
	if got, want := prompts("task_ids="+two+"&task_ids="+three+"&status=pending"), []string{"three", "two"}; !slices.Equal(got, want) {
		t.Fatalf("export of a repeated selection: %q, want %q", got, want)
	}
	if got := prompts("task_ids=" + one + "&status=completed"); len(got) != 0 {
		t.Fatalf("a selection combined with a status it does not have exported %q", got)
	}
	// Real IDs would make a URL over the header limit; the bound is
	// checked with short ones.
	if _, field := e.must(400, "GET", "/api/v1/export?task_ids="+strings.TrimSuffix(strings.Repeat("x,", 10001), ","), nil).code(); field != "task_ids" {
		t.Fatalf("field=%q, want task_ids", field)
	}
}

// An export whose query is wrong is refused with 400 naming the
// parameter; ndjson writes one task a line after a header line.
func TestBackupRoutes_ExportQuery(t *testing.T) {
	e := mustOpenEnv(t)
	one, two := e.createTask("one"), e.createTask("two")
	for _, tt := range []struct{ query, field string }{
		{"colour=red", "colour"},
		{"format=xml", "format"},
		{"status=dreaming", "status"},
		{"since=yesterday", "since"},
		{"until=2026-13-40", "until"},
	} {
		code, field := e.must(400, "GET", "/api/v1/export?"+tt.query, nil).code()
		if code != "invalid" || field != tt.field {
			t.Fatalf("export?%s: code=%q field=%q, want invalid naming %s", tt.query, code, field, tt.field)
		}
	}
	r := e.must(200, "GET", "/api/v1/export?format=ndjson&status=pending&since=2000-01-01", nil)
	lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1]+lines[2], one) || !strings.Contains(lines[1]+lines[2], two) {
		t.Fatalf("ndjson export:\n%s\nwant a header line and the two tasks", r.body)
	}
}

// POST /api/v1/export takes the selection in the body, so a selection of
// real IDs up to the limit fits; a bad body is refused naming the field.
func TestBackupRoutes_ExportSelectionBody(t *testing.T) {
	e := mustOpenEnv(t)
	one, _, three := e.createTask("one"), e.createTask("two"), e.createTask("three")
	var doc struct {
		Tasks []struct {
			Prompt string `json:"prompt"`
		} `json:"tasks"`
	}
	r := e.must(200, "POST", "/api/v1/export", jsonBody(t, map[string]any{"task_ids": []string{one, three}}))
	if got := r.header.Get("Content-Disposition"); !strings.Contains(got, "reelvault-export.json") {
		t.Fatalf("Content-Disposition=%q, want an attachment named reelvault-export.json", got)
	}
	r.decode(&doc)
	var got []string
	for _, t := range doc.Tasks {
		got = append(got, t.Prompt)
	}
	slices.Sort(got)
	if want := []string{"one", "three"}; !slices.Equal(got, want) {
		t.Fatalf("export of a selection in the body: %q, want %q", got, want)
	}
	lines := strings.Split(strings.TrimSpace(string(e.must(200, "POST", "/api/v1/export", jsonBody(t, map[string]any{"task_ids": []string{one}, "format": "ndjson"})).body)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], one) {
		t.Fatalf("ndjson export of one task: %q, want a header line and the task", lines)
	}

	many := make([]string, 10001)
	for i := range many {
		many[i] = "00000000-0000-0000-0000-000000000000"
	}
	for _, tt := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{}, "task_ids"},
		{map[string]any{"task_ids": []string{}}, "task_ids"},
		{map[string]any{"task_ids": []string{one}, "format": "xml"}, "format"},
		{map[string]any{"task_ids": many}, "task_ids"},
	} {
		code, field := e.must(400, "POST", "/api/v1/export", jsonBody(t, tt.body)).code()
		if code != "invalid" || field != tt.field {
			t.Fatalf("export body %.60v: code=%q field=%q, want invalid naming %s", tt.body, code, field, tt.field)
		}
	}
}

// jsonBody encodes v as a request body.
func jsonBody(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
