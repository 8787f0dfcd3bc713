package server

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3 description of this API, written by hand and kept
// true by TestOpenAPI, which checks it against the route table both ways.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3 document served at /api/v1/openapi.json.
func OpenAPI() []byte {
	return append([]byte(nil), openAPI...)
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(openAPI)
	return nil
}
