// Package apitest checks HTTP responses against the server's OpenAPI
// document, so that every test that talks to the API also keeps the
// document true: each route's statuses and each JSON body's schema (types,
// required fields, enums, no undocumented fields).
package apitest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/reelvault/reelvault/app/server"
)

var (
	docOnce sync.Once
	doc     map[string]any
)

func openAPIDocument(tb testing.TB) map[string]any {
	docOnce.Do(func() {
		if err := json.Unmarshal(server.OpenAPI(), &doc); err != nil {
			tb.Fatalf("openapi.json: %v", err)
		}
	})
	return doc
}

// deref follows a $ref within the document.
func deref(d map[string]any, v any) any {
	for {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		var cur any = d
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		v = cur
	}
}

// checkResponse reports how a response departs from the document.
func checkResponse(tb testing.TB, rt server.Route, status int, contentType string, body []byte) []string {
	d := openAPIDocument(tb)
	op, _ := d["paths"].(map[string]any)[rt.Pattern].(map[string]any)[strings.ToLower(rt.Method)].(map[string]any)
	if op == nil {
		return []string{"operation not documented"}
	}
	resp := deref(d, op["responses"].(map[string]any)[strconv.Itoa(status)])
	if resp == nil {
		return []string{fmt.Sprintf("status %d not documented", status)}
	}
	if !strings.HasPrefix(contentType, "application/json") || len(body) == 0 {
		return nil
	}
	content, _ := resp.(map[string]any)["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	if media == nil {
		return []string{fmt.Sprintf("status %d documents no JSON body", status)}
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []string{"invalid JSON: " + err.Error()}
	}
	return checkValue(d, media["schema"], v, "$")
}

// checkValue validates v against the subset of JSON Schema the document uses.
func checkValue(d map[string]any, schema, v any, at string) []string {
	s, _ := deref(d, schema).(map[string]any)
	if len(s) == 0 {
		return nil // {}: anything
	}
	if v == nil {
		if s["nullable"] == true {
			return nil
		}
		return []string{at + ": null"}
	}
	var errs []string
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || e == v
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v not in %v", at, v, enum))
		}
	}
	switch s["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return append(errs, at+": not an object")
		}
		props, _ := s["properties"].(map[string]any)
		for _, r := range asStrings(s["required"]) {
			if _, ok := m[r]; !ok {
				errs = append(errs, at+": missing required "+r)
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k]; ok {
				errs = append(errs, checkValue(d, p, m[k], at+"."+k)...)
			} else if ap, ok := s["additionalProperties"]; ok && ap == false {
				errs = append(errs, at+": undocumented field "+k)
			} else if ok {
				errs = append(errs, checkValue(d, ap, m[k], at+"."+k)...)
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return append(errs, at+": not an array")
		}
		for i, x := range a {
			errs = append(errs, checkValue(d, s["items"], x, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		if _, ok := v.(string); !ok {
			errs = append(errs, at+": not a string")
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != math.Trunc(f) {
			errs = append(errs, at+": not an integer")
		}
	case "number":
		if _, ok := v.(float64); !ok {
			errs = append(errs, at+": not a number")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, at+": not a boolean")
		}
	}
	return errs
}

func asStrings(v any) []string {
	var out []string
	for _, x := range asSlice(v) {
		out = append(out, x.(string))
	}
	return out
}

func asSlice(v any) []any { a, _ := v.([]any); return a }

// Conform fails the test when a response to req departs from the document:
// an undocumented status, or a JSON body that does not match the schema
// (types, required fields, enums, undocumented fields). Requests that match
// no route (the fallback's 404 and 405) are not checked.
func Conform(tb testing.TB, srv *server.Server, req *http.Request, status int, header http.Header, body []byte) {
	tb.Helper()
	rt, ok := srv.Match(req)
	if !ok {
		return
	}
	if errs := checkResponse(tb, rt, status, header.Get("Content-Type"), body); len(errs) > 0 {
		tb.Errorf("%s %s → %d departs from openapi.json:\n  %s\nbody: %.300s", req.Method, rt.Pattern, status, strings.Join(errs, "\n  "), body)
	}
}
