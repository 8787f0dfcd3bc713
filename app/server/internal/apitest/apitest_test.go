package apitest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/app/server/internal/apitest"
)

// TestDocument checks that kin-openapi loads and validates the document.
func TestDocument(t *testing.T) {
	if _, err := apitest.Document(); err != nil {
		t.Fatal(err)
	}
}

// TestCheck feeds the validator exchanges that depart from the document and
// checks that each is caught with a message naming the part that disagrees,
// and that conforming exchanges pass.
func TestCheck(t *testing.T) {
	srv := server.New(server.Config{})
	jsonCT := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	for _, tc := range []struct {
		name         string
		method, path string
		reqHeader    http.Header
		reqBody      string
		status       int
		header       http.Header
		body         string
		want         []string // substrings of the problems; none: it conforms
	}{
		{name: "Conforms", method: "GET", path: "/api/v1/tasks/legacy_task-42", status: 404, header: jsonCT,
			body: `{"error":{"code":"not_found","message":"No task legacy_task-42."}}`},
		{name: "CommaStatuses", method: "GET", path: "/api/v1/tasks?status=failed,cancelled", status: 200, header: jsonCT,
			body: `{"tasks":[]}`},
		{name: "UndeclaredStatus", method: "GET", path: "/api/v1/me", status: 418, header: jsonCT, body: `{}`,
			want: []string{"status 418 is not declared"}},
		{name: "UndeclaredNotModified", method: "GET", path: "/healthz", status: 304,
			want: []string{"status 304 is not declared"}},
		{name: "BadEnum", method: "GET", path: "/api/v1/tasks/x", status: 404, header: jsonCT,
			body: `{"error":{"code":"missing","message":"m"}}`,
			want: []string{"response 404", "$.error.code", "missing"}},
		{name: "UndocumentedField", method: "GET", path: "/api/v1/tasks/x", status: 404, header: jsonCT,
			body: `{"error":{"code":"not_found","message":"m","hint":"h"}}`,
			want: []string{"response 404", "hint"}},
		{name: "TextPlainRangeError", method: "GET", path: "/media/7", status: 416,
			header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Range": {"bytes */10"}},
			body:   "invalid range: failed to overlap\n",
			want:   []string{"response 416", "text/plain"}},
		{name: "ServedWhatTheDocumentRejects", method: "GET", path: "/api/v1/tasks?limit=0", status: 200, header: jsonCT,
			body: `{"tasks":[]}`,
			want: []string{"answered 200", `query parameter "limit"`}},
		{name: "BadPathParameter", method: "GET", path: "/api/v1/tasks/a.b", status: 200, header: jsonCT,
			body: `{}`,
			want: []string{"answered 200", `path parameter "task_id"`}},
		{name: "RejectedAndRefused", method: "GET", path: "/api/v1/tasks?limit=0", status: 400, header: jsonCT,
			body: `{"error":{"code":"invalid","message":"limit must be 1 to 500.","field":"limit"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.reqBody))
			if tc.reqHeader != nil {
				req.Header = tc.reqHeader
			}
			rt, ok := srv.Match(req)
			if !ok {
				t.Fatalf("%s %s matches no route", tc.method, tc.path)
			}
			header := tc.header
			if header == nil {
				header = http.Header{}
			}
			problems := apitest.Check(rt, req, []byte(tc.reqBody), tc.status, header, []byte(tc.body), false)
			got := strings.Join(problems, "\n")
			if len(tc.want) == 0 && len(problems) > 0 {
				t.Fatalf("problems in a conforming exchange:\n%s", got)
			}
			if len(tc.want) > 0 && len(problems) == 0 {
				t.Fatalf("no problem found, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("problems do not mention %q:\n%s", w, got)
				}
			}
		})
	}
}
