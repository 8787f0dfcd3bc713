package desktop_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
)

// typesFile is the frontend's hand-written mirror of the JSON shapes.
var typesFile = filepath.Join("..", "..", "frontend", "src", "api", "types.ts")

// tsMirrors pairs each interface of types.ts with the Go type whose JSON it
// describes. Both transports (the HTTP API and these bindings) send that
// JSON, so the two must name the same fields.
var tsMirrors = map[string]struct {
	goType reflect.Type
	// optional lists fields the UI types as optional although Go always
	// sends them, with the reason.
	optional map[string]string
}{
	"Task":              {goType: reflect.TypeFor[domain.Task]()},
	"Script":            {goType: reflect.TypeFor[domain.Script]()},
	"Video":             {goType: reflect.TypeFor[domain.Video]()},
	"TaskEvent":         {goType: reflect.TypeFor[domain.Event]()},
	"TaskPage":          {goType: reflect.TypeFor[domain.TaskPage]()},
	"DayStats":          {goType: reflect.TypeFor[domain.DayStats]()},
	"TableSize":         {goType: reflect.TypeFor[domain.TableSize]()},
	"DBStatus":          {goType: reflect.TypeFor[domain.DBStatus]()},
	"User":              {goType: reflect.TypeFor[domain.User]()},
	"UserCreate":        {goType: reflect.TypeFor[domain.UserCreate]()},
	"UserWithKey":       {goType: reflect.TypeFor[domain.UserWithKey]()},
	"Backup":            {goType: reflect.TypeFor[domain.Backup]()},
	"BackupProgress":    {goType: reflect.TypeFor[domain.BackupProgress]()},
	"Schedule":          {goType: reflect.TypeFor[domain.Schedule]()},
	"ScheduleRuns":      {goType: reflect.TypeFor[domain.ScheduleRuns]()},
	"MediaRoots":        {goType: reflect.TypeFor[domain.MediaRoots]()},
	"JobRun":            {goType: reflect.TypeFor[domain.JobRun]()},
	"Upgrade":           {goType: reflect.TypeFor[domain.Upgrade]()},
	"Notification":      {goType: reflect.TypeFor[domain.Notification]()},
	"BackupMedia":       {goType: reflect.TypeFor[domain.BackupMedia]()},
	"SkippedFile":       {goType: reflect.TypeFor[domain.SkippedFile]()},
	"RestoreRequest":    {goType: reflect.TypeFor[domain.RestoreRequest]()},
	"RestoreResult":     {goType: reflect.TypeFor[domain.RestoreResult]()},
	"RestoredFiles":     {goType: reflect.TypeFor[domain.RestoredFiles]()},
	"DestinationStatus": {goType: reflect.TypeFor[domain.DestinationStatus]()},
	"SearchMatch":       {goType: reflect.TypeFor[domain.SearchMatch]()},
	"SnippetPart":       {goType: reflect.TypeFor[domain.SnippetPart]()},
	"DestinationInput":  {goType: reflect.TypeFor[desktop.DestinationInput]()},
	"VideoFix":          {goType: reflect.TypeFor[desktop.VideoFix]()},
	"WindowBoot":        {goType: reflect.TypeFor[desktop.Boot]()},
	"FirstPage":         {goType: reflect.TypeFor[desktop.FirstPage]()},
	"VideoClaim":        {goType: reflect.TypeFor[domain.VideoClaim]()},
	"StorageUsage":      {goType: reflect.TypeFor[domain.StorageUsage]()},
	"MissingVideo":      {goType: reflect.TypeFor[domain.MissingVideo]()},
	"StorageReport":     {goType: reflect.TypeFor[domain.StorageReport]()},
	"RelinkedVideo":     {goType: reflect.TypeFor[domain.RelinkedVideo]()},
	"RelinkReport":      {goType: reflect.TypeFor[domain.RelinkReport]()},
	"PreviewTask":       {goType: reflect.TypeFor[domain.PreviewTask]()},
	"TaskPreview":       {goType: reflect.TypeFor[domain.TaskPreview]()},
	"TaskRestoreResult": {goType: reflect.TypeFor[domain.TaskRestoreResult]()},
	"DrillResult":       {goType: reflect.TypeFor[domain.DrillResult]()},
	"Proven":            {goType: reflect.TypeFor[domain.Proven]()},
	"DrillRequest":      {goType: reflect.TypeFor[domain.DrillRequest]()},
	"SetInfo":           {goType: reflect.TypeFor[domain.SetInfo]()},
	"UploadResult":      {goType: reflect.TypeFor[desktop.UploadResult]()},
	"LastRestore":       {goType: reflect.TypeFor[domain.LastRestore]()},
	"Collection":        {goType: reflect.TypeFor[domain.Collection]()},
	"TagCount":          {goType: reflect.TypeFor[domain.TagCount]()},
	"Selection":         {goType: reflect.TypeFor[domain.Selection]()},
	"TaskFilter":        {goType: reflect.TypeFor[domain.TaskFilter]()},
	"BulkRequest":       {goType: reflect.TypeFor[domain.BulkRequest]()},
	"BulkResult":        {goType: reflect.TypeFor[domain.BulkResult]()},
	"TrashResult":       {goType: reflect.TypeFor[domain.TrashResult]()},
	"TrashSettings":     {goType: reflect.TypeFor[domain.TrashSettings]()},
	"ExportSaved":       {goType: reflect.TypeFor[desktop.ExportSaved]()},
	"ScriptInput":       {goType: reflect.TypeFor[domain.ScriptInput]()},
	"RerunInput":        {goType: reflect.TypeFor[domain.RerunInput]()},
	"BackupPlace": {goType: reflect.TypeFor[desktop.BackupPlace](), optional: map[string]string{
		"dir":  "the window always sends it; the HTTP transport reads it from the backups list, where it is optional",
		"undo": "null when there is nothing to undo",
	}},
	"AppStatus": {goType: reflect.TypeFor[desktop.Status](), optional: map[string]string{
		"version":  "the HTTP API's status has no build facts",
		"data_dir": "the HTTP API's status has no data folder",
		"database": "absent when the window could not open the database",
	}},
}

// tsOnly are the interfaces of types.ts that mirror no Go type.
var tsOnly = map[string]string{
	"TaskQuery": "the UI's filter form; the transports turn it into query parameters or a domain.TaskFilter",
	"Me":        "the answer of GET /api/v1/me, an anonymous struct in app/server",
}

// TestFrontendTypes fails when frontend/src/api/types.ts drifts from the Go
// types it mirrors: a field added, renamed or removed on one side, a field
// optional on one side only (omitempty in Go, "?" in TypeScript), or a
// field whose TypeScript type cannot hold the Go value.
func TestFrontendTypes(t *testing.T) {
	ifaces, aliases := parseTypesTS(t, typesFile)
	for name := range ifaces {
		if _, ok := tsMirrors[name]; !ok && tsOnly[name] == "" {
			t.Errorf("types.ts: interface %s mirrors no Go type: add it to tsMirrors (or tsOnly, saying why)", name)
		}
	}
	for name, m := range tsMirrors {
		fields, ok := ifaces[name]
		if !ok {
			t.Errorf("types.ts has no interface %s (the mirror of %s)", name, m.goType)
			continue
		}
		goFields := jsonFields(m.goType)
		for _, f := range goFields {
			ts, ok := fields[f.name]
			if !ok {
				t.Errorf("%s: %s.%s (JSON %q) is missing from types.ts", name, m.goType, f.goName, f.name)
				continue
			}
			if ts.optional != f.omitempty && !(ts.optional && m.optional[f.name] != "") {
				t.Errorf("%s.%s: optional in TypeScript %v, omitempty in Go %v", name, f.name, ts.optional, f.omitempty)
			}
			if !tsHolds(ts.typ, f.typ, aliases) {
				t.Errorf("%s.%s: TypeScript type %q cannot hold Go %s", name, f.name, ts.typ, f.typ)
			}
		}
		for field := range fields {
			if !slices.ContainsFunc(goFields, func(f jsonField) bool { return f.name == field }) {
				t.Errorf("%s.%s is in types.ts but %s has no such JSON field", name, field, m.goType)
			}
		}
	}
	t.Run("Status", func(t *testing.T) {
		var want []string
		for _, s := range domain.Statuses {
			want = append(want, string(s))
		}
		if got := aliases["Status"]; !slices.Equal(got, want) {
			t.Fatalf("types.ts Status is %q, want domain.Statuses %q", got, want)
		}
	})
}

// tsField is one property of a TypeScript interface.
type tsField struct {
	typ      string
	optional bool
}

var (
	ifaceRE = regexp.MustCompile(`^export interface (\w+)(?: extends (\w+))? \{$`)
	fieldRE = regexp.MustCompile(`^\s+(\w+)(\??): (.+);$`)
	aliasRE = regexp.MustCompile(`^export type (\w+) = ((?:'[^']*'(?: \| )?)+);$`)
	quoteRE = regexp.MustCompile(`'([^']*)'`)
)

// parseTypesTS reads the interfaces of a types.ts (one property a line, as
// the file is written; an interface that extends another gets its fields
// too) and its unions of string literals.
func parseTypesTS(t *testing.T, path string) (map[string]map[string]tsField, map[string][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ifaces := map[string]map[string]tsField{}
	aliases := map[string][]string{}
	var cur map[string]tsField
	extends := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil:
			if m := ifaceRE.FindStringSubmatch(line); m != nil {
				cur = map[string]tsField{}
				ifaces[m[1]] = cur
				if m[2] != "" {
					extends[m[1]] = m[2]
				}
			} else if strings.HasPrefix(line, "export interface ") {
				t.Fatalf("%s:%d: cannot read the interface declaration %q", path, n, line)
			} else if m := aliasRE.FindStringSubmatch(line); m != nil {
				for _, q := range quoteRE.FindAllStringSubmatch(m[2], -1) {
					aliases[m[1]] = append(aliases[m[1]], q[1])
				}
			}
		case line == "}":
			cur = nil
		case trimmed == "" || strings.HasPrefix(trimmed, "/*") || strings.HasPrefix(trimmed, "*") || strings.HasPrefix(trimmed, "//"):
		default:
			m := fieldRE.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("%s:%d: cannot read the property %q (one \"name?: type;\" a line)", path, n, trimmed)
			}
			cur[m[1]] = tsField{typ: m[3], optional: m[2] == "?"}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for name, base := range extends {
		for b := base; b != ""; b = extends[b] {
			if ifaces[b] == nil {
				t.Fatalf("%s: interface %s extends %s, which is not in the file", path, name, b)
			}
			for field, ts := range ifaces[b] {
				if _, own := ifaces[name][field]; !own {
					ifaces[name][field] = ts
				}
			}
		}
	}
	if len(ifaces) == 0 {
		t.Fatalf("%s: no interfaces found", path)
	}
	return ifaces, aliases
}

// jsonField is one field of a Go struct's JSON.
type jsonField struct {
	name, goName string
	typ          reflect.Type
	omitempty    bool
}

// jsonFields lists the JSON fields of struct type typ as encoding/json
// writes them (embedded structs flattened), sorted by name.
func jsonFields(typ reflect.Type) []jsonField {
	var out []jsonField
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		omit := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		out = append(out, jsonField{name: name, goName: f.Name, typ: f.Type, omitempty: omit})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// tsHolds reports whether a TypeScript type (as written in types.ts) can
// hold the JSON of Go type gt.
func tsHolds(ts string, gt reflect.Type, aliases map[string][]string) bool {
	for gt.Kind() == reflect.Pointer {
		gt = gt.Elem()
	}
	switch {
	case gt == timeType:
		return ts == "string"
	case gt == rawType || gt.Kind() == reflect.Interface:
		return ts == "unknown"
	case strings.HasSuffix(ts, "[]"):
		return gt.Kind() == reflect.Slice && tsHolds(strings.TrimSuffix(ts, "[]"), gt.Elem(), aliases)
	case strings.HasPrefix(ts, "Record<"):
		return gt.Kind() == reflect.Map
	}
	switch gt.Kind() {
	case reflect.String:
		// string, a union of literals (possibly "| string"), or an alias of one.
		return ts == "string" || strings.HasPrefix(ts, "'") || aliases[ts] != nil
	case reflect.Bool:
		return ts == "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return ts == "number"
	case reflect.Struct:
		m, ok := tsMirrors[ts]
		return ok && m.goType == gt
	}
	return false
}
