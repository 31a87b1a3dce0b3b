package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/internal/oauthtest"
)

const oauthAudience = "https://mcp.example.com/mcp"

// TestOAuthScopesWithRealTools: with --oauth-issuer, a read-scope token
// lists only the read-only tools (the same ones --read-only serves) and
// is refused a run tool; a run-scope token starts runs; no token is
// logged, even at debug level.
func TestOAuthScopesWithRealTools(t *testing.T) {
	is := oauthtest.NewIssuer(t, oauthAudience)
	s := serveHTTP(t, []string{"--sandbox", "--sandbox-run-seconds", "0.2", "--transport", "http", "--log-level", "debug",
		"--oauth-issuer", is.URL, "--oauth-audience", oauthAudience}, nil)

	read := is.Token("reader", "skyvern:read")
	c := connect(t, s.base, map[string]string{"Authorization": "Bearer " + read})
	ctx, cancel := c.ctx()
	defer cancel()
	list, err := c.c.ListTools(ctx, mcp.ListToolsRequest{})
	require.NoError(t, err)
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
		require.NotNil(t, tool.Annotations.ReadOnlyHint, tool.Name)
		assert.True(t, *tool.Annotations.ReadOnlyHint, "%s is not read-only", tool.Name)
	}
	assert.Contains(t, names, "get_run")
	assert.NotContains(t, names, "run_task")
	// The same list as --read-only.
	ro := serveHTTP(t, []string{"--sandbox", "--transport", "http", "--read-only"}, nil)
	roList, err := connect(t, ro.base, nil).c.ListTools(ctx, mcp.ListToolsRequest{})
	require.NoError(t, err)
	assert.Len(t, list.Tools, len(roList.Tools))

	_, err = c.c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "run_task", Arguments: map[string]any{"prompt": "x"}}})
	require.Error(t, err, "run_task with a read-only token")
	assert.Contains(t, err.Error(), "403")
	res := c.call("get_workflows", map[string]any{})
	assert.False(t, res.IsError, text(res))

	run := is.Token("runner", "skyvern:run")
	rc := connect(t, s.base, map[string]string{"Authorization": "Bearer " + run})
	assert.NotEmpty(t, rc.runTask("find the price"))

	logs := s.stderr.String()
	assert.Contains(t, logs, `"oauth":true`)
	assert.NotContains(t, logs, read)
	assert.NotContains(t, logs, run)
}

// TestOAuthWhoseSkyvernKey: signed-in callers use the server's key (a team
// account; their x-api-key is ignored) when it has one, else each sends its
// own x-api-key beside its token (401 without).
func TestOAuthWhoseSkyvernKey(t *testing.T) {
	is := oauthtest.NewIssuer(t, oauthAudience)
	var mu sync.Mutex
	var seen []string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("x-api-key"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[]`)
	}))
	defer upstream.Close()
	keys := func() []string { mu.Lock(); defer mu.Unlock(); out := seen; seen = nil; return out }
	tok := is.Token("alice", "skyvern:run")
	args := []string{"--transport", "http", "--base-url", upstream.URL, "--oauth-issuer", is.URL, "--oauth-audience", oauthAudience}

	t.Run("team account", func(t *testing.T) {
		s := serveHTTP(t, args, map[string]string{"SKYVERN_API_KEY": "sk-team-key-0123"})
		c := connect(t, s.base, map[string]string{"Authorization": "Bearer " + tok, "x-api-key": "sk-alice-own-key"})
		keys()
		res := c.call("get_workflows", map[string]any{})
		require.False(t, res.IsError, text(res))
		assert.Equal(t, []string{"sk-team-key-0123"}, keys())
	})
	t.Run("own keys", func(t *testing.T) {
		s := serveHTTP(t, args, nil)
		req, err := http.NewRequest(http.MethodPost, s.base+"/mcp", strings.NewReader(initialize))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a signed-in caller without a key of its own")
		assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "x-api-key")

		c := connect(t, s.base, map[string]string{"Authorization": "Bearer " + tok, "x-api-key": "sk-alice-own-key"})
		keys()
		res := c.call("get_workflows", map[string]any{})
		require.False(t, res.IsError, text(res))
		assert.Equal(t, []string{"sk-alice-own-key"}, keys())
		assert.NotContains(t, s.stderr.String(), "sk-alice-own-key")
	})
}
