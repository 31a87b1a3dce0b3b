package sandbox

import (
	"net/http"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// version serves GET /v1/version: public, no key needed.
func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": "sandbox-" + client.Version})
}
