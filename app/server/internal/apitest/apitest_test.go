package apitest_test

import (
	"fmt"
	"io"
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
		streamed     bool
		want         []string // substrings of the problems; none: it conforms
	}{
		{name: "Stream", method: "GET", path: "/api/v1/events", status: 200, streamed: true,
			header: http.Header{"Content-Type": {"text/event-stream"}}},
		{name: "StreamUndeclaredType", method: "GET", path: "/api/v1/events", status: 200, streamed: true,
			header: http.Header{"Content-Type": {"text/plain"}},
			want:   []string{`response 200: Content-Type "text/plain" is not declared`}},
		{name: "RequestBody", method: "POST", path: "/api/v1/users", reqHeader: http.Header{"Content-Type": {"application/json"}},
			reqBody: `{"username":7}`, status: 201, header: jsonCT, body: `{}`,
			want: []string{"answered 201", "request body", "username"}},
		{name: "Conforms", method: "GET", path: "/api/v1/tasks/legacy_task-42", status: 404, header: jsonCT,
			body: `{"error":{"code":"not_found","message":"No task legacy_task-42."}}`},
		{name: "CommaStatuses", method: "GET", path: "/api/v1/tasks?status=failed,cancelled", status: 200, header: jsonCT,
			body: `{"tasks":[]}`},
		{name: "RepeatedStatuses", method: "GET", path: "/api/v1/tasks?status=failed&status=cancelled", status: 200, header: jsonCT,
			body: `{"tasks":[]}`},
		{name: "UnknownStatusInList", method: "GET", path: "/api/v1/tasks?status=failed,done", status: 200, header: jsonCT,
			body: `{"tasks":[]}`,
			want: []string{"answered 200", `query parameter "status"`, "done"}},
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
			problems := apitest.Check(rt, req, []byte(tc.reqBody), tc.status, header, []byte(tc.body), tc.streamed)
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

// recorder is a testing.TB that keeps what Errorf reports.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestTransport checks that the transport validates real exchanges and
// fails the test naming the request, the route and the status: a handler
// that answers a documented route with an undeclared status is reported, a
// conforming exchange is not, and the response body still reaches the test.
func TestTransport(t *testing.T) {
	srv := server.New(server.Config{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTeapot)
			fmt.Fprint(w, `{"ok":true}`)
			return
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	rec := &recorder{TB: t}
	client := &http.Client{Transport: apitest.Transport(func() testing.TB { return rec }, srv, nil)}
	// A request that matches no route (POST on a GET path: the fallback's
	// 405) is not checked; its body is still sent and read.
	resp, err := client.Post(ts.URL+"/api/v1/openapi.json", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST openapi.json: status=%d, want 405", resp.StatusCode)
	}
	for _, path := range []string{"/healthz", "/api/v1/openapi.json"} {
		resp, err := client.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(body) == 0 {
			t.Fatalf("%s: the test got an empty body", path)
		}
	}
	if len(rec.errs) != 1 {
		t.Fatalf("reported %d problems, want 1 (the 418):\n%s", len(rec.errs), strings.Join(rec.errs, "\n"))
	}
	for _, want := range []string{"GET /healthz (route GET /healthz) → 418", "status 418 is not declared"} {
		if !strings.Contains(rec.errs[0], want) {
			t.Errorf("report does not say %q:\n%s", want, rec.errs[0])
		}
	}
}
