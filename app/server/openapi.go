package server

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"sync"
)

// openAPI is the OpenAPI 3 description of this API, written by hand and kept
// true by TestOpenAPI, which checks it against the route table both ways,
// and by the API tests, which validate every exchange against it.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3 document as written, with the default
// address in servers; /api/v1/openapi.json serves it with the real one.
func OpenAPI() []byte {
	return append([]byte(nil), openAPI...)
}

// openAPIFields is the document split into its top-level fields, parsed
// once, so that servers can be replaced per request.
var openAPIFields = sync.OnceValues(func() (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	err := json.Unmarshal(openAPI, &m)
	return m, err
})

// handleOpenAPI serves the document with servers naming the address this
// server listens on (from --addr, the port resolved), or, when it was not
// started by Listen, the address the request reached.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	base := s.URL()
	if base == "" {
		base = "http://" + r.Host
	}
	fields, err := openAPIFields()
	if err != nil {
		return err
	}
	doc := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		doc[k] = v
	}
	servers, err := json.Marshal([]map[string]string{{"url": base}})
	if err != nil {
		return err
	}
	doc["servers"] = servers
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, doc)
	return nil
}
