package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/internal/setup"
)

func TestSetupCommand(t *testing.T) {
	env := setup.Env{GOOS: "linux", Home: t.TempDir()}
	var out, errOut bytes.Buffer
	// Flags after the client name, server arguments after --.
	code := runSetup([]string{"windsurf", "--command", "/opt/skyvern-mcp", "--", "--toolsets", "all"}, env, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	raw, err := os.ReadFile(filepath.Join(env.Home, ".codeium", "windsurf", "mcp_config.json"))
	require.NoError(t, err)
	var doc map[string]map[string]map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	assert.Equal(t, []any{"--toolsets", "all"}, doc["mcpServers"]["skyvern"]["args"])

	out.Reset()
	code = runSetup([]string{"--dry-run", "--sandbox", "--command", "/opt/skyvern-mcp", "cursor"}, env, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), `+        "--sandbox"`)
	assert.NoFileExists(t, filepath.Join(env.Home, ".cursor", "mcp.json"))

	errOut.Reset()
	assert.Equal(t, 2, runSetup(nil, env, &out, &errOut))
	assert.Contains(t, errOut.String(), "claude-desktop  Claude Desktop ("+filepath.Join(env.Home, ".config", "Claude", "claude_desktop_config.json")+")")
	errOut.Reset()
	assert.Equal(t, 1, runSetup([]string{"emacs", "--command", "/x"}, env, &out, &errOut))
	assert.Contains(t, errOut.String(), `unknown client "emacs"`)
}
