// Package apitest checks the HTTP exchanges of the server's tests against the
// server's OpenAPI document with kin-openapi, a validator this project does
// not write: every request a test sends and every response it gets, so that
// the whole API test suite keeps the document true.
//
// A test client gets the check by wrapping its transport with Transport.
// Each disagreement fails the test with the route, the status and the field
// that disagree.
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/reelvault/reelvault/app/server"
)

var (
	loadOnce sync.Once
	loaded   *openapi3.T
	loadErr  error
)

// uuidRE is the "uuid" string format. kin-openapi checks only date and
// date-time by default; a generated client types a uuid-formatted field
// as a UUID, so the document must not say uuid where the server uses other
// strings.
var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Document returns the server's OpenAPI document, loaded and validated by
// kin-openapi once per test binary.
func Document() (*openapi3.T, error) {
	loadOnce.Do(func() {
		openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(uuidRE.String()))
		loader := openapi3.NewLoader()
		loaded, loadErr = loader.LoadFromData(server.OpenAPI())
		if loadErr != nil {
			loadErr = fmt.Errorf("load openapi.json: %w", loadErr)
			return
		}
		if err := loaded.Validate(context.Background()); err != nil {
			loadErr = fmt.Errorf("openapi.json is not a valid OpenAPI document: %w", err)
		}
	})
	return loaded, loadErr
}

// Transport returns a RoundTripper that sends each request through next
// (http.DefaultTransport when nil) and checks the request and its response
// against the document, reporting each disagreement on the test tb returns
// at that moment (a fuzz target's helper switches to each input's T):
//
//   - a response status the operation does not declare (304 included);
//   - a response Content-Type or JSON body the declared response does not
//     allow (types, required fields, enums, patterns, formats, fields the
//     document does not list);
//   - a request the document rejects (a path or query parameter, a header or
//     a body) that the server accepted with a 2xx or 3xx: then a generated
//     client could not send what the server serves, or the server accepts
//     what its document forbids.
//
// Requests that match no route (the fallback's 404 and 405, the web UI) are
// not checked. Streamed event bodies (text/event-stream) are checked for
// status and Content-Type only, and left unread for the test.
func Transport(tb func() testing.TB, srv *server.Server, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{tb: tb, srv: srv, next: next}
}

type transport struct {
	tb   func() testing.TB
	srv  *server.Server
	next http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	// Keep a copy of the request body: sending consumes it.
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, fmt.Errorf("apitest: read request body: %w", err)
		}
		req.Body.Close()
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	rt, ok := t.srv.Match(req)
	if !ok {
		return resp, nil
	}
	var respBody []byte
	streamed := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	if !streamed {
		respBody, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(respBody))
		if err != nil {
			return resp, err
		}
	}
	if problems := Check(rt, req, reqBody, resp.StatusCode, resp.Header, respBody, streamed); len(problems) > 0 {
		t.tb().Errorf("%s %s (route %s %s) → %d departs from openapi.json:\n  %s\nrequest body: %.300s\nresponse body: %.300s",
			req.Method, req.URL.RequestURI(), rt.Method, rt.Pattern, resp.StatusCode,
			strings.Join(problems, "\n  "), reqBody, respBody)
	}
	return resp, nil
}

// Check validates one exchange on route rt against the document and returns
// what disagrees, each line naming the part (status, header, parameter,
// body field). A streamed response's body is not checked.
func Check(rt server.Route, req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte, streamed bool) []string {
	doc, err := Document()
	if err != nil {
		return []string{err.Error()}
	}
	pathItem := doc.Paths.Find(rt.Pattern)
	if pathItem == nil {
		return []string{fmt.Sprintf("path %s is not documented", rt.Pattern)}
	}
	op := pathItem.GetOperation(rt.Method)
	if op == nil {
		return []string{fmt.Sprintf("operation %s %s is not documented", rt.Method, rt.Pattern)}
	}
	// kin-openapi never checks 304 and redirects against the declared
	// statuses; every status must be declared here.
	if op.Responses.Status(status) == nil && op.Responses.Default() == nil {
		return []string{fmt.Sprintf("status %d is not declared (declared: %s)", status, strings.Join(declared(op), ", "))}
	}

	params, err := pathParams(rt.Pattern, req.URL)
	if err != nil {
		return []string{err.Error()}
	}
	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	options := &openapi3filter.Options{
		MultiError:            true,
		IncludeResponseStatus: true,
		// Authentication is the server's to judge; the route table test
		// checks each operation's security requirement.
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		ExcludeResponseBody: streamed || stringBody(op, status, header.Get("Content-Type")),
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    vreq,
		PathParams: params,
		Route:      &routers.Route{Spec: doc, Path: rt.Pattern, PathItem: pathItem, Method: rt.Method, Operation: op},
		Options:    options,
	}
	var problems []string
	if streamed && !declaresType(op, status, header.Get("Content-Type")) {
		problems = append(problems, fmt.Sprintf("response %d: Content-Type %q is not declared", status, header.Get("Content-Type")))
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && status < 400 {
		for _, p := range flatten(err) {
			problems = append(problems, fmt.Sprintf("request rejected by the document but answered %d: %s", status, p))
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                options,
	}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		for _, p := range flatten(err) {
			problems = append(problems, fmt.Sprintf("response %d: %s", status, p))
		}
	}
	return problems
}

// declared lists the statuses an operation declares.
func declared(op *openapi3.Operation) []string {
	var out []string
	for code := range op.Responses.Map() {
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}

// pathParams extracts the values of a ServeMux pattern's {name} wildcards
// from u, as the server's mux does (segment by segment, unescaped). The
// route matched, so the segments line up.
func pathParams(pattern string, u *url.URL) (map[string]string, error) {
	pat := strings.Split(pattern, "/")
	got := strings.Split(u.EscapedPath(), "/")
	params := map[string]string{}
	for i, seg := range pat {
		if name, ok := strings.CutPrefix(seg, "{"); ok && i < len(got) {
			v, err := url.PathUnescape(got[i])
			if err != nil {
				return nil, fmt.Errorf("path %s: %w", u.EscapedPath(), err)
			}
			params[strings.TrimSuffix(name, "}")] = v
		}
	}
	return params, nil
}

// stringBody reports whether the declared response for status holds the
// Content-Type as a plain string (a file, NDJSON): kin-openapi decodes only
// bodies of the media types it knows, so such a body is left undecoded once
// its Content-Type has matched the document.
func stringBody(op *openapi3.Operation, status int, contentType string) bool {
	media := declaredMedia(op, status, contentType)
	return media != nil && media.Schema != nil && media.Schema.Value != nil && media.Schema.Value.Type.Is(openapi3.TypeString)
}

// declaresType reports whether the declared response for status lists the
// Content-Type (or a range such as video/* that holds it).
func declaresType(op *openapi3.Operation, status int, contentType string) bool {
	return declaredMedia(op, status, contentType) != nil
}

// declaredMedia returns the declared content of the response for status
// that matches contentType, or nil.
func declaredMedia(op *openapi3.Operation, status int, contentType string) *openapi3.MediaType {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil
	}
	ref := op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return nil
	}
	return ref.Value.Content.Get(mt)
}

// flatten turns kin-openapi's (multi-)errors into one line per problem,
// naming the parameter or the body field. It looks at the error's own type
// first: errors.As would skip to a nested error and lose the context.
func flatten(err error) []string {
	prefix := func(where string, errs []string) []string {
		for i := range errs {
			errs[i] = where + errs[i]
		}
		return errs
	}
	switch e := err.(type) {
	case openapi3.MultiError:
		var out []string
		for _, x := range e {
			out = append(out, flatten(x)...)
		}
		return out
	case *openapi3filter.RequestError:
		where := ""
		switch {
		case e.Parameter != nil:
			where = fmt.Sprintf("%s parameter %q: ", e.Parameter.In, e.Parameter.Name)
		case e.RequestBody != nil:
			where = "request body: "
		}
		if e.Err == nil {
			return []string{where + e.Reason}
		}
		return prefix(where, flatten(e.Err))
	case *openapi3filter.ResponseError:
		if e.Err == nil {
			return []string{e.Reason}
		}
		return prefix(e.Reason+": ", flatten(e.Err))
	case *openapi3.SchemaError:
		at := "$"
		if ptr := e.JSONPointer(); len(ptr) > 0 {
			at += "." + strings.Join(ptr, ".")
		}
		return []string{fmt.Sprintf("%s: %s (value %.80v)", at, e.Reason, e.Value)}
	}
	return []string{err.Error()}
}
