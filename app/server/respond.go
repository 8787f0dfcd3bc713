package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// MaxBodyBytes is the largest request body the API accepts; larger bodies get
// 413.
const MaxBodyBytes = 1 << 20

// Error codes used only at the HTTP edge, beside the domain codes.
const (
	ETOOLARGE    = "too_large"    // request body over MaxBodyBytes (413)
	ERATELIMITED = "rate_limited" // too many failed authentication attempts (429)
)

// errorResponse is the body of every error reply.
type errorResponse struct {
	Error domain.Error `json:"error"`
}

// statusByCode maps error codes to HTTP statuses. Quota exhaustion is 403: the
// request is understood and authenticated but not allowed until the owner
// raises the quota, and retrying later does not help (unlike 429).
var statusByCode = map[string]int{
	domain.EINVALID:       http.StatusBadRequest,
	domain.EUNAUTHORIZED:  http.StatusUnauthorized,
	domain.EFORBIDDEN:     http.StatusForbidden,
	domain.EQUOTAEXCEEDED: http.StatusForbidden,
	domain.ENOTFOUND:      http.StatusNotFound,
	domain.ECONFLICT:      http.StatusConflict,
	ETOOLARGE:             http.StatusRequestEntityTooLarge,
	ERATELIMITED:          http.StatusTooManyRequests,
	domain.EINTERNAL:      http.StatusInternalServerError,
}

// StatusCode returns the HTTP status for an error code.
func StatusCode(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// writeJSON writes v as JSON with the given status. The body is encoded
// before anything is sent: a value that cannot be encoded (say a +Inf that
// slipped into a number) is answered with 500 and the error shape, and a log
// line, never with the promised status and an empty body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if v == nil {
		w.WriteHeader(status)
		return
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		loggerOf(w).Error("encode response", slog.Int("status", status), slog.String("type", fmt.Sprintf("%T", v)), slog.Any("err", err))
		buf.Reset()
		_ = json.NewEncoder(&buf).Encode(errorResponse{Error: domain.Error{Code: domain.EINTERNAL, Message: domain.ErrorMessage(err)}})
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client went away; nothing useful to do
}

// loggedWriter carries the server's logger to writeJSON. Unwrap lets
// http.ResponseController reach the connection; ReadFrom keeps the
// connection's sendfile path for served files.
type loggedWriter struct {
	http.ResponseWriter
	logger *slog.Logger
}

func (w *loggedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *loggedWriter) ReadFrom(r io.Reader) (int64, error) { return io.Copy(w.ResponseWriter, r) }

// loggerOf returns the logger a loggedWriter in w's chain carries, or the
// default logger.
func loggerOf(w http.ResponseWriter) *slog.Logger {
	for w != nil {
		if lw, ok := w.(*loggedWriter); ok {
			return lw.logger
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	return slog.Default()
}

// writeError writes err as an error body. Internal errors are logged with
// their details and shown to the client only as a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(s.logger, w, r, err)
}

// writeError writes err as an error body, logging internal errors to logger.
func writeError(logger *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	e := domain.Public(err)
	code := e.Code
	if code == domain.EINTERNAL {
		logger.Error("request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	if code == ERATELIMITED {
		w.Header().Set("Retry-After", strconv.Itoa(int(FailedAuthEvery.Seconds())))
	}
	writeJSON(w, StatusCode(code), errorResponse{Error: e})
}

// decodeJSON reads exactly one JSON object from the request body into v.
// Unknown fields, trailing data and bodies over MaxBodyBytes are refused with
// an error naming the problem. An empty body is refused unless allowEmpty.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool) error {
	if r.ContentLength > MaxBodyBytes {
		return tooLarge()
	}
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) && allowEmpty {
			return nil
		}
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return tooLarge()
		}
		return domain.Invalidf("body", "The request body must hold a single JSON object.")
	}
	strict := json.NewDecoder(bytes.NewReader(raw))
	strict.DisallowUnknownFields()
	if err := strict.Decode(v); err != nil {
		return jsonError(err)
	}
	return checkKeys(raw, reflect.TypeOf(v))
}

func tooLarge() error {
	return &domain.Error{Code: ETOOLARGE, Field: "body", Message: fmt.Sprintf("The request body is larger than %d bytes.", MaxBodyBytes)}
}

// jsonError turns a decoding error into an EINVALID error naming the field.
func jsonError(err error) error {
	var (
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
		tooBig   *http.MaxBytesError
		unknownF = "json: unknown field "
	)
	switch {
	case errors.As(err, &tooBig):
		return tooLarge()
	case errors.Is(err, io.EOF):
		return domain.Invalidf("body", "The request body is empty; a JSON object is required.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Invalidf("body", "The request body is truncated JSON.")
	case errors.As(err, &syntax):
		return domain.Invalidf("body", "The request body is not valid JSON (at byte %d).", syntax.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return domain.Invalidf("body", "The request body must be a JSON object, not %s.", typ.Value)
		}
		return domain.Invalidf(field, "Field %q must be %s, not %s.", field, jsonTypeName(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), unknownF):
		name := strings.Trim(strings.TrimPrefix(err.Error(), unknownF), `"`)
		field := name
		if field == "" {
			field = "body"
		}
		return domain.Invalidf(field, "Unknown field %q.", name)
	}
	return domain.Invalidf("body", "The request body could not be read as JSON.")
}

// jsonTypeName names a Go kind the way a JSON client thinks of it.
func jsonTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "an integer"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice":
		return "an array"
	case kind == "struct", kind == "map":
		return "an object"
	}
	return "of another type"
}

// serveContent is http.ServeContent with the API's error shape: ServeContent
// answers an unsatisfiable Range (416) and a failed If-Match or
// If-Unmodified-Since (412) with Go's text/plain or an empty body; these get
// a JSON error body instead, with ServeContent's headers (Content-Range:
// bytes */SIZE on 416) kept. Everything else, the streamed file included,
// passes through untouched.
func serveContent(w http.ResponseWriter, r *http.Request, name string, modtime time.Time, content io.ReadSeeker) {
	http.ServeContent(&contentErrorWriter{ResponseWriter: w}, r, name, modtime, content)
}

// contentErrorWriter rewrites ServeContent's 412 and 416 replies; see
// serveContent.
type contentErrorWriter struct {
	http.ResponseWriter
	replaced bool // the status was rewritten: drop ServeContent's own body
}

func (w *contentErrorWriter) WriteHeader(status int) {
	var e domain.Error
	switch status {
	case http.StatusRequestedRangeNotSatisfiable:
		e = domain.Error{Code: domain.EINVALID, Field: "range", Message: "The requested range is not satisfiable: " + rangeSize(w.Header().Get("Content-Range"))}
	case http.StatusPreconditionFailed:
		e = domain.Error{Code: domain.ECONFLICT, Message: "The file changed: If-Match or If-Unmodified-Since does not hold."}
	default:
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.replaced = true
	h := w.Header()
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	writeJSON(w.ResponseWriter, status, errorResponse{Error: e})
}

func (w *contentErrorWriter) Write(p []byte) (int, error) {
	if w.replaced {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// ReadFrom keeps the sendfile path of the underlying writer for the file
// body.
func (w *contentErrorWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.replaced {
		return io.Copy(io.Discard, r)
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(w.ResponseWriter, r)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *contentErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// rangeSize describes the file size from a "bytes */SIZE" Content-Range.
func rangeSize(contentRange string) string {
	if size, ok := strings.CutPrefix(contentRange, "bytes */"); ok {
		return "the file is " + size + " bytes."
	}
	return "it lies outside the file."
}
