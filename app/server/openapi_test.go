package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/server"
)

type openAPIDoc struct {
	OpenAPI string                                 `json:"openapi"`
	Paths   map[string]map[string]openAPIOperation `json:"paths"`
	Raw     map[string]any                         `json:"-"`
}

type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	Tags        []string                   `json:"tags"`
	Security    *[]map[string][]string     `json:"security"`
	Responses   map[string]json.RawMessage `json:"responses"`
	RequestBody json.RawMessage            `json:"requestBody"`
	Parameters  []map[string]string        `json:"parameters"`
}

// TestOpenAPI checks the served document against the route table both ways:
// every registered route is documented with its access level, every
// documented operation is registered, and every $ref resolves.
func TestOpenAPI(t *testing.T) {
	e := MustOpenEnv(t)
	r := e.MustDo(http.StatusOK, "GET", "/api/v1/openapi.json", nil, nil)
	var doc openAPIDoc
	r.Decode(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi=%q, want 3.x", doc.OpenAPI)
	}

	registered := map[string]server.Route{}
	for _, rt := range e.srv.Routes() {
		registered[strings.ToLower(rt.Method)+" "+rt.Pattern] = rt
	}
	documented := map[string]openAPIOperation{}
	ids := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented[method+" "+path] = op
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s %s: operationId %q missing or repeated", method, path, op.OperationID)
			}
			ids[op.OperationID] = true
		}
	}

	for k, rt := range registered {
		op, ok := documented[k]
		if !ok {
			t.Errorf("route %s is not documented", k)
			continue
		}
		if op.Security == nil {
			t.Errorf("%s: no security requirement", k)
			continue
		}
		var schemes []string
		for _, req := range *op.Security {
			for name := range req {
				schemes = append(schemes, name)
			}
		}
		sort.Strings(schemes)
		want := map[server.Access]string{server.Public: "", server.Actor: "apiKey ownerSession", server.Owner: "ownerSession"}[rt.Access]
		if got := strings.Join(schemes, " "); got != want {
			t.Errorf("%s: security %q, want %q (access %s)", k, got, want, rt.Access)
		}
		if len(op.Tags) != 1 || op.Tags[0] != rt.Tag {
			t.Errorf("%s: tags %v, want [%s]", k, op.Tags, rt.Tag)
		}
		if len(op.Responses) == 0 {
			t.Errorf("%s: no responses", k)
		}
		// Path parameters in the pattern are declared.
		for _, seg := range strings.Split(rt.Pattern, "/") {
			if strings.HasPrefix(seg, "{") {
				name := strings.Trim(seg, "{}")
				found := false
				for _, p := range op.Parameters {
					found = found || strings.HasSuffix(p["$ref"], "/"+name)
				}
				if !found {
					t.Errorf("%s: path parameter %s not declared", k, name)
				}
			}
		}
	}
	for k := range documented {
		if _, ok := registered[k]; !ok {
			t.Errorf("documented operation %s is not a registered route", k)
		}
	}

	// Every $ref points at something.
	var raw map[string]any
	r.Decode(t, &raw)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if !resolves(raw, ref) {
					t.Errorf("$ref %s does not resolve", ref)
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(raw)
}

func resolves(doc map[string]any, ref string) bool {
	if !strings.HasPrefix(ref, "#/") {
		return false
	}
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// TestOpenAPI_Servers checks that the served document names the address the
// server really answers on, not a fixed default: the listening address of
// a server started by Listen (here a free port, as --addr 127.0.0.1:0
// would give), and the request's address for a server mounted elsewhere.
func TestOpenAPI_Servers(t *testing.T) {
	servers := func(t *testing.T, body []byte) []string {
		t.Helper()
		var doc struct {
			Servers []struct {
				URL string `json:"url"`
			} `json:"servers"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("decode the document: %v", err)
		}
		var urls []string
		for _, s := range doc.Servers {
			urls = append(urls, s.URL)
		}
		return urls
	}
	e := MustOpenEnv(t)
	t.Run("Mounted", func(t *testing.T) {
		r := e.MustDo(http.StatusOK, "GET", "/api/v1/openapi.json", nil, nil)
		if got, want := servers(t, r.Body), []string{e.ts.URL}; !slices.Equal(got, want) {
			t.Fatalf("servers=%q, want %q", got, want)
		}
	})
	t.Run("Listening", func(t *testing.T) {
		srv := startServing(t, e)
		resp, err := http.Get(srv.URL() + "/api/v1/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := servers(t, body), []string{srv.URL()}; !slices.Equal(got, want) || strings.HasSuffix(srv.URL(), ":7788") {
			t.Fatalf("servers=%q, want %q (the listening address)", got, want)
		}
	})
}

// TestOpenAPI_EventTypes keeps the browser's list of event names (which it
// must subscribe to one by one) equal to the notification types the
// document declares, so a new type reaches the page.
func TestOpenAPI_EventTypes(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				Notification struct {
					Properties struct {
						Type struct {
							Enum []string `json:"enum"`
						} `json:"type"`
					} `json:"properties"`
				} `json:"Notification"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(server.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	declared := slices.Sorted(slices.Values(doc.Components.Schemas.Notification.Properties.Type.Enum))
	src, err := os.ReadFile(filepath.Join("..", "..", "frontend", "src", "api", "http.ts"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`const EVENT_TYPES = \[([^\]]*)\]`).FindSubmatch(src)
	if m == nil {
		t.Fatal("frontend/src/api/http.ts has no EVENT_TYPES list")
	}
	var listened []string
	for _, q := range regexp.MustCompile(`'([a-z_]+)'`).FindAllSubmatch(m[1], -1) {
		listened = append(listened, string(q[1]))
	}
	slices.Sort(listened)
	if !slices.Equal(listened, declared) {
		t.Fatalf("the browser listens for %q; the document declares %q", listened, declared)
	}
}
