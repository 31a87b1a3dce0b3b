package tools

import (
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Skyvern caps a browser session timeout above its maximum and says so in
// the answer's warning (browser_sessions.py create_browser_session): the
// tool result repeats the warning as its own line of text.
func TestCreateBrowserSessionWarningReachesTheText(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	res := h.call("create_browser_session", map[string]any{"timeout": 1440}, nil)
	got := h.structured(res)
	assert.EqualValues(t, 240, got["timeout"], "capped by the server, not refused by the client")
	warning, _ := got["warning"].(string)
	require.Contains(t, warning, "Requested timeout of 1440 minutes exceeds the maximum of 240 minutes")
	require.Len(t, res.Content, 2)
	assert.Equal(t, "Skyvern warned: "+warning, res.Content[1].(mcp.TextContent).Text)

	plain := h.call("create_browser_session", map[string]any{"timeout": 30}, nil)
	assert.Len(t, plain.Content, 1, "no warning, no extra line")
	assert.NotContains(t, text(plain), "warned")
}
