package config

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/tools"
)

// The default toolsets leave out the opt-in ones (admin); "all" has them,
// and "default" combines with others.
func TestDefaultAndOptInToolsets(t *testing.T) {
	clearEnv(t)
	c, err := Load(nil, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, tools.DefaultToolsets(), c.Toolsets)
	assert.NotContains(t, c.Toolsets, tools.ToolsetAdmin)

	c, err = Load([]string{"--toolsets", "all"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, tools.Toolsets(), c.Toolsets)
	assert.Contains(t, c.Toolsets, tools.ToolsetAdmin)

	c, err = Load([]string{"--toolsets", "default,admin"}, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, append(tools.DefaultToolsets(), tools.ToolsetAdmin), c.Toolsets)

	sel, err := tools.Select(tools.Filter{Toolsets: tools.DefaultToolsets()})
	require.NoError(t, err)
	assert.Len(t, sel, 40, "the default tool set is 40 tools: Cursor shows at most 40")
}
