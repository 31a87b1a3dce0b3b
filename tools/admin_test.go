package tools

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

func TestGetVersionTool(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	v := h.structured(h.call("get_version", map[string]any{}, nil))
	assert.Equal(t, "sandbox-"+client.Version, v["version"])
	assert.Equal(t, map[string]any{"version": "sandbox-" + client.Version}, v["server"])
	assert.Equal(t, client.Version, v["skyvern_mcp_version"])
	only, err := Select(Filter{Toolsets: []string{ToolsetAdmin}})
	require.NoError(t, err)
	require.Len(t, only, 1)
	assert.Equal(t, "get_version", only[0].Tool.Name)
}
