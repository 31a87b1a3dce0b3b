package setup

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const canaryKey = "sk-canary-7f3a9e1d"

// layout returns an Env for goos around a fresh temp HOME, with the key in
// SKYVERN_API_KEY.
func layout(t *testing.T, goos string) Env {
	home := t.TempDir()
	env := Env{GOOS: goos, Home: home, Getenv: func(k string) string {
		if k == "SKYVERN_API_KEY" {
			return canaryKey
		}
		return ""
	}}
	if goos == "windows" {
		env.AppData = filepath.Join(home, "AppData", "Roaming")
	}
	return env
}

// documented are the config files of each client, relative to HOME, per OS
// layout (the clients' own documentation).
var documented = map[string]map[string]string{
	"claude-desktop": {
		"darwin":  "Library/Application Support/Claude/claude_desktop_config.json",
		"windows": "AppData/Roaming/Claude/claude_desktop_config.json",
		"linux":   ".config/Claude/claude_desktop_config.json",
	},
	"claude-code": {"darwin": ".claude.json", "windows": ".claude.json", "linux": ".claude.json"},
	"cursor":      {"darwin": ".cursor/mcp.json", "windows": ".cursor/mcp.json", "linux": ".cursor/mcp.json"},
	"vscode": {
		"darwin":  "Library/Application Support/Code/User/mcp.json",
		"windows": "AppData/Roaming/Code/User/mcp.json",
		"linux":   ".config/Code/User/mcp.json",
	},
	"windsurf": {"darwin": ".codeium/windsurf/mcp_config.json", "windows": ".codeium/windsurf/mcp_config.json", "linux": ".codeium/windsurf/mcp_config.json"},
}

func TestSetupMergesIntoEachClientPerOS(t *testing.T) {
	require.ElementsMatch(t, []string{"claude-desktop", "claude-code", "cursor", "vscode", "windsurf"}, ClientNames())
	for _, name := range ClientNames() {
		for _, goos := range []string{"linux", "darwin", "windows"} {
			t.Run(name+"/"+goos, func(t *testing.T) {
				env := layout(t, goos)
				c := Clients[name]
				path := c.Path(env)
				assert.Equal(t, filepath.Join(env.Home, filepath.FromSlash(documented[name][goos])), path)

				// An existing config: another server, another top-level
				// key, a large integer and (VS Code) another input.
				old := `{"` + c.ServersKey + `": {"other": {"command": "npx", "args": ["-y", "other-mcp"]}}, "numStartups": 1733420000123, "theme": "dark"`
				if name == "vscode" {
					old += `, "inputs": [{"type": "promptString", "id": "other-token", "password": true}]`
				}
				old += "}\n"
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, []byte(old), 0o644))

				var out bytes.Buffer
				now := time.Date(2026, 12, 5, 18, 30, 0, 0, time.UTC)
				res, err := Run(Options{Client: name, Command: "/opt/bin/skyvern-mcp", Env: env, Out: &out, Now: func() time.Time { return now }})
				require.NoError(t, err)
				assert.True(t, res.Written)
				assert.Equal(t, path+".backup-20261205T183000Z", res.Backup)
				backup, err := os.ReadFile(res.Backup)
				require.NoError(t, err)
				assert.Equal(t, old, string(backup))

				raw, err := os.ReadFile(path)
				require.NoError(t, err)
				assert.NotContains(t, string(raw), canaryKey, "the key is never written into a client's config")
				assert.Contains(t, string(raw), `"numStartups": 1733420000123`)
				var doc map[string]any
				require.NoError(t, json.Unmarshal(raw, &doc))
				assert.Equal(t, "dark", doc["theme"])
				servers := doc[c.ServersKey].(map[string]any)
				assert.Equal(t, map[string]any{"command": "npx", "args": []any{"-y", "other-mcp"}}, servers["other"])
				entry := servers["skyvern"].(map[string]any)
				assert.Equal(t, "/opt/bin/skyvern-mcp", entry["command"])
				if runtime.GOOS != "windows" {
					fi, err := os.Stat(path)
					require.NoError(t, err)
					assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm(), "the file keeps its mode")
				}

				switch name {
				case "claude-desktop", "claude-code":
					assert.Equal(t, []any{"--api-key-file", env.KeyFile()}, entry["args"])
					assert.Nil(t, entry["env"])
					key, err := os.ReadFile(env.KeyFile())
					require.NoError(t, err)
					assert.Equal(t, canaryKey+"\n", string(key))
					if runtime.GOOS != "windows" {
						fi, _ := os.Stat(env.KeyFile())
						assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
					}
					assert.Contains(t, out.String(), "cannot reference the environment")
				case "cursor", "windsurf":
					assert.Equal(t, map[string]any{"SKYVERN_API_KEY": "${env:SKYVERN_API_KEY}"}, entry["env"])
					assert.Equal(t, []any{}, entry["args"])
					assert.NoFileExists(t, env.KeyFile())
					assert.Contains(t, out.String(), "the key is not written into its config")
				case "vscode":
					assert.Equal(t, "stdio", entry["type"])
					assert.Equal(t, map[string]any{"SKYVERN_API_KEY": "${input:skyvern-api-key}"}, entry["env"])
					inputs := doc["inputs"].([]any)
					require.Len(t, inputs, 2)
					assert.Equal(t, "other-token", inputs[0].(map[string]any)["id"])
					assert.Equal(t, map[string]any{"type": "promptString", "id": "skyvern-api-key", "description": "Skyvern API key (Settings → API Keys at https://app.skyvern.com)", "password": true}, inputs[1])
				}

				// A second run changes nothing and makes no new backup.
				out.Reset()
				res, err = Run(Options{Client: name, Command: "/opt/bin/skyvern-mcp", Env: env, Out: &out, Now: func() time.Time { return now.Add(time.Minute) }})
				require.NoError(t, err)
				assert.False(t, res.Written)
				assert.Contains(t, out.String(), "already configured")
				assert.NoFileExists(t, path+".backup-20261205T183100Z")
			})
		}
	}
}

func TestSetupCreatesMissingFile(t *testing.T) {
	env := layout(t, "darwin")
	res, err := Run(Options{Client: "claude-desktop", Command: "/usr/local/bin/skyvern-mcp", Sandbox: true, Env: env})
	require.NoError(t, err)
	assert.True(t, res.Written)
	assert.Empty(t, res.Backup)
	raw, err := os.ReadFile(res.Path)
	require.NoError(t, err)
	assert.JSONEq(t, `{"mcpServers":{"skyvern":{"command":"/usr/local/bin/skyvern-mcp","args":["--sandbox"]}}}`, string(raw))
	assert.NoFileExists(t, env.KeyFile(), "the sandbox needs no key file")
}

func TestSetupAPIKeyFileForEveryClient(t *testing.T) {
	for _, name := range ClientNames() {
		env := layout(t, "linux")
		res, err := Run(Options{Client: name, Command: "/bin/skyvern-mcp", APIKeyFile: "/home/u/.skyvern-key", Env: env})
		require.NoError(t, err, name)
		raw, _ := os.ReadFile(res.Path)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(raw, &doc))
		entry := doc[Clients[name].ServersKey].(map[string]any)["skyvern"].(map[string]any)
		assert.Equal(t, []any{"--api-key-file", "/home/u/.skyvern-key"}, entry["args"], name)
		assert.Nil(t, entry["env"], name)
		assert.NoFileExists(t, env.KeyFile(), name)
	}
}

func TestSetupDryRunShowsDiffWritesNothing(t *testing.T) {
	env := layout(t, "linux")
	path := Clients["cursor"].Path(env)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	old := `{"mcpServers": {"other": {"command": "x"}}}`
	require.NoError(t, os.WriteFile(path, []byte(old), 0o644))
	var out bytes.Buffer
	res, err := Run(Options{Client: "cursor", Command: "/bin/skyvern-mcp", DryRun: true, Env: env, Out: &out})
	require.NoError(t, err)
	assert.False(t, res.Written)
	raw, _ := os.ReadFile(path)
	assert.Equal(t, old, string(raw))
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1, "no backup, no temp file")
	s := out.String()
	assert.Contains(t, s, "Dry run: this adds the \"skyvern\" entry and keeps the 1 other server(s)")
	assert.Contains(t, s, "--- "+path+"\n+++ "+path+" (after setup)\n")
	assert.Contains(t, s, `+    "skyvern": {`)
	assert.Contains(t, s, `+        "SKYVERN_API_KEY": "${env:SKYVERN_API_KEY}"`)
}

func TestSetupPrintOnlyPrints(t *testing.T) {
	env := layout(t, "linux")
	var out bytes.Buffer
	_, err := Run(Options{Client: "claude-code", Command: "/opt/skyvern mcp/skyvern-mcp", Print: true, Env: env, Out: &out, Args: []string{"--toolsets", "all"}})
	require.NoError(t, err)
	assert.NoFileExists(t, Clients["claude-code"].Path(env))
	assert.NoFileExists(t, env.KeyFile())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	assert.Equal(t, "claude mcp add --scope user skyvern -- '/opt/skyvern mcp/skyvern-mcp' --api-key-file "+env.KeyFile()+" --toolsets all", last)
	var snippet map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.Join(lines[:len(lines)-1], "\n")), &snippet))
	assert.Equal(t, map[string]any{"mcpServers": map[string]any{"skyvern": map[string]any{
		"type": "stdio", "command": "/opt/skyvern mcp/skyvern-mcp", "args": []any{"--api-key-file", env.KeyFile(), "--toolsets", "all"},
	}}}, snippet)
	assert.NotContains(t, out.String(), canaryKey)
}

func TestSetupLeavesNonJSONAlone(t *testing.T) {
	env := layout(t, "linux")
	path := Clients["vscode"].Path(env)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	old := "{\n  // my servers\n  \"servers\": {},\n}\n"
	require.NoError(t, os.WriteFile(path, []byte(old), 0o644))
	_, err := Run(Options{Client: "vscode", Command: "/bin/skyvern-mcp", Env: env})
	require.ErrorIs(t, err, ErrNotJSON)
	assert.Contains(t, err.Error(), "skyvern-mcp setup vscode --print")
	raw, _ := os.ReadFile(path)
	assert.Equal(t, old, string(raw))
}

func TestSetupUnknownClient(t *testing.T) {
	_, err := Run(Options{Client: "emacs", Command: "/bin/skyvern-mcp", Env: layout(t, "linux")})
	assert.EqualError(t, err, `unknown client "emacs": expected one of claude-code, claude-desktop, cursor, vscode, windsurf`)
}

// TestSetupAgainWritesMissingKeyFile: a first run without SKYVERN_API_KEY
// says where the key goes; a second run with it set writes the key file even
// though the config is already right.
func TestSetupAgainWritesMissingKeyFile(t *testing.T) {
	env := layout(t, "linux")
	getenv := env.Getenv
	env.Getenv = nil
	var out bytes.Buffer
	_, err := Run(Options{Client: "claude-code", Command: "/bin/skyvern-mcp", Env: env, Out: &out})
	require.NoError(t, err)
	assert.Contains(t, out.String(), "Now put your API key in "+env.KeyFile())
	assert.NoFileExists(t, env.KeyFile())
	env.Getenv = getenv
	res, err := Run(Options{Client: "claude-code", Command: "/bin/skyvern-mcp", Env: env, Out: &out})
	require.NoError(t, err)
	assert.False(t, res.Written)
	assert.Equal(t, env.KeyFile(), res.KeyFileWritten)
	key, err := os.ReadFile(env.KeyFile())
	require.NoError(t, err)
	assert.Equal(t, canaryKey+"\n", string(key))
}
