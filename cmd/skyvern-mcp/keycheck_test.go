package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// TestOwnKeyCheckedWithSkyvernBeforeSession: in own-keys mode a made-up
// x-api-key gets 401 and no session (checked against the sandbox, which
// answers 403 Invalid credentials), the verdict is cached (one upstream
// request for many initializes), and a valid key gets its session.
func TestOwnKeyCheckedWithSkyvernBeforeSession(t *testing.T) {
	const valid = "sk-valid-key-for-sandbox-1"
	sb := sandbox.New(sandbox.Options{APIKey: valid})
	upstream := httptest.NewServer(sb)
	defer upstream.Close()
	s := serveHTTP(t, []string{"--transport", "http", "--base-url", upstream.URL}, nil)
	open := func(key string) (int, string, string) {
		req, err := http.NewRequest(http.MethodPost, s.base+"/mcp", strings.NewReader(initialize))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("x-api-key", key)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Mcp-Session-Id"), string(b)
	}
	for range 20 {
		code, session, body := open("sk-made-up-by-an-attacker")
		require.Equal(t, http.StatusUnauthorized, code, body)
		assert.Empty(t, session)
		assert.Contains(t, body, "Skyvern does not accept the API key")
		assert.NotContains(t, body, "sk-made-up-by-an-attacker")
	}
	assert.Equal(t, 1, sb.Calls("GET", "/v1/folders"), "one check for 20 initializes")
	for range 5 {
		code, session, body := open(valid)
		require.Equal(t, http.StatusOK, code, body)
		assert.NotEmpty(t, session)
	}
	assert.Equal(t, 2, sb.Calls("GET", "/v1/folders"), "one more for the valid key")
	assert.NotContains(t, s.stderr.String(), "sk-made-up-by-an-attacker")
	assert.NotContains(t, s.stderr.String(), valid)
}
