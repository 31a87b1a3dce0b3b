package httpserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSSEStreamCORSOnlyForListedOrigins: GET /sse used to answer
// "Access-Control-Allow-Origin: *" (mcp-go's default) to everyone; now only
// an origin listed in --allowed-origins gets a CORS header, with its own
// origin, as on every other route.
func TestSSEStreamCORSOnlyForListedOrigins(t *testing.T) {
	r := start(t, newTestTools().mcp, Options{Transport: TransportSSE, AllowedOrigins: []string{"https://app.example.com"}})
	for _, origin := range []string{"", "http://localhost:6274"} {
		var h []string
		if origin != "" {
			h = []string{"Origin", origin}
		}
		s := openSSE(t, r, h...)
		assert.Empty(t, s.resp.Header.Values("Access-Control-Allow-Origin"), "origin %q", origin)
		s.close()
	}
	s := openSSE(t, r, "Origin", "https://app.example.com")
	assert.Equal(t, []string{"https://app.example.com"}, s.resp.Header.Values("Access-Control-Allow-Origin"))
	assert.Equal(t, "Mcp-Session-Id", s.resp.Header.Get("Access-Control-Expose-Headers"))

	none := start(t, newTestTools().mcp, Options{Transport: TransportSSE})
	s = openSSE(t, none)
	assert.Empty(t, s.resp.Header.Values("Access-Control-Allow-Origin"), "no --allowed-origins: no CORS header at all")
}
