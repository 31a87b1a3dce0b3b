package mcpb

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/skyvern-mcp/skyvern-mcp/internal/testrun"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const committed = "../../mcpb/manifest.json"

// TestManifestUpToDate checks mcpb/manifest.json is what the code
// generates (UPDATE_MANIFEST=true rewrites it; make manifest).
func TestManifestUpToDate(t *testing.T) {
	want, err := Manifest("0.1.0-dev", Target{})
	require.NoError(t, err)
	if os.Getenv("UPDATE_MANIFEST") == "true" {
		require.NoError(t, os.WriteFile(committed, want, 0o644))
	}
	got, err := os.ReadFile(committed)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "mcpb/manifest.json is stale: run make generate")
}

func TestManifestPerTarget(t *testing.T) {
	for goos, want := range map[string]struct{ platform, entry, command string }{
		"linux":   {"linux", "server/skyvern-mcp", "${__dirname}/server/skyvern-mcp"},
		"darwin":  {"darwin", "server/skyvern-mcp", "${__dirname}/server/skyvern-mcp"},
		"windows": {"win32", "server/skyvern-mcp.exe", "${__dirname}/server/skyvern-mcp.exe"},
	} {
		raw, err := Manifest("v1.2.3", Target{GOOS: goos})
		require.NoError(t, err)
		var m struct {
			Version string
			Server  struct {
				EntryPoint string `json:"entry_point"`
				MCPConfig  struct {
					Command           string
					Env               map[string]string
					PlatformOverrides map[string]any `json:"platform_overrides"`
				} `json:"mcp_config"`
			}
			Compatibility struct{ Platforms []string }
			UserConfig    map[string]map[string]any `json:"user_config"`
		}
		require.NoError(t, json.Unmarshal(raw, &m))
		assert.Equal(t, "1.2.3", m.Version)
		assert.Equal(t, []string{want.platform}, m.Compatibility.Platforms)
		assert.Equal(t, want.entry, m.Server.EntryPoint)
		assert.Equal(t, want.command, m.Server.MCPConfig.Command)
		assert.Nil(t, m.Server.MCPConfig.PlatformOverrides)
		assert.Equal(t, "${user_config.api_key}", m.Server.MCPConfig.Env["SKYVERN_API_KEY"])
		assert.Equal(t, "${user_config.base_url}", m.Server.MCPConfig.Env["SKYVERN_BASE_URL"])
		assert.Equal(t, true, m.UserConfig["api_key"]["sensitive"])
		assert.Equal(t, "https://api.skyvern.com", m.UserConfig["base_url"]["default"])
	}
	_, err := Manifest("1", Target{GOOS: "plan9"})
	assert.EqualError(t, err, `no MCP Bundle platform for GOOS "plan9"`)
}

// mcpbCLI is the official CLI installed by make mcpb-deps (npm, mcpb/).
func mcpbCLI(t *testing.T) string {
	t.Helper()
	testrun.Always() // it runs the mcpb npm CLI, which go test's cache cannot see
	cli, err := filepath.Abs("../../mcpb/node_modules/.bin/mcpb")
	require.NoError(t, err)
	if _, err := os.Stat(cli); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: make mcpb-deps installs @anthropic-ai/mcpb", cli)
		}
		t.Skipf("SKIP: needs the npm package @anthropic-ai/mcpb: run make mcpb-deps (%v)", err)
	}
	return cli
}

// TestMCPBValidate runs `mcpb validate` (@anthropic-ai/mcpb) on the
// committed manifest and on a Windows one, and checks it refuses a broken
// manifest (so a pass means something).
func TestMCPBValidate(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: mcpb validate starts Node")
	}
	cli := mcpbCLI(t)
	win, err := Manifest("1.2.3", Target{GOOS: "windows"})
	require.NoError(t, err)
	broken := []byte(`{"manifest_version":"0.3","name":"skyvern-mcp","version":"1","user_config":{"api_key":{"type":"secret"}}}`)
	dir := t.TempDir()
	for name, body := range map[string][]byte{"windows.json": win, "broken.json": broken} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), body, 0o644))
	}
	for _, tc := range []struct {
		path string
		ok   bool
	}{{committed, true}, {filepath.Join(dir, "windows.json"), true}, {filepath.Join(dir, "broken.json"), false}} {
		out, err := exec.Command(cli, "validate", tc.path).CombinedOutput()
		if tc.ok {
			assert.NoError(t, err, "mcpb validate %s: %s", tc.path, out)
			assert.Contains(t, string(out), "Manifest schema validation passes!")
		} else {
			assert.Error(t, err, "mcpb validate accepted %s: %s", tc.path, out)
		}
	}
}
