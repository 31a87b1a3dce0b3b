// Package mcpb generates the manifest.json of skyvern-mcp's MCP Bundle
// (.mcpb, the Claude Desktop extension format of @anthropic-ai/mcpb,
// manifest version 0.3). The bundle holds one binary (server/skyvern-mcp, or
// server/skyvern-mcp.exe on Windows); make mcpb builds one bundle per
// release target. The API key is a sensitive user_config value (Claude
// Desktop keeps it in the OS keychain) passed as SKYVERN_API_KEY; the base
// URL and the sandbox switch are plain ones. The tools listed are the
// default tool set, from the code (tools.Select), so the list cannot drift.
package mcpb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/skyvern-mcp/skyvern-mcp/tools"
)

// Tool is a manifest tools entry.
type Tool struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Target selects the platform of a bundle: GOOS "" for the platform-neutral
// manifest checked into mcpb/manifest.json (every platform, with the
// Windows override).
type Target struct {
	GOOS string
}

// platform maps GOOS to the manifest's platform names.
var platform = map[string]string{"darwin": "darwin", "windows": "win32", "linux": "linux"}

// Manifest returns the manifest.json for version (a semantic version
// without the leading v) and target, indented, ending with a newline.
func Manifest(version string, t Target) ([]byte, error) {
	selected, err := tools.Select(tools.Filter{})
	if err != nil {
		return nil, err
	}
	var list []Tool
	for _, s := range selected {
		list = append(list, Tool{Name: s.Tool.Name, Description: FirstSentence(s.Tool.Description)})
	}
	// In tools/list's order (by name).
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	entry, command := "server/skyvern-mcp", "${__dirname}/server/skyvern-mcp"
	platforms := []string{"darwin", "win32", "linux"}
	mcpConfig := map[string]any{
		"command": command,
		"args":    []string{},
		"env": map[string]string{
			"SKYVERN_API_KEY":  "${user_config.api_key}",
			"SKYVERN_BASE_URL": "${user_config.base_url}",
			"SKYVERN_SANDBOX":  "${user_config.sandbox}",
		},
	}
	switch t.GOOS {
	case "":
		mcpConfig["platform_overrides"] = map[string]any{"win32": map[string]any{"command": command + ".exe"}}
	case "windows":
		entry, mcpConfig["command"] = entry+".exe", command+".exe"
		fallthrough
	default:
		p, ok := platform[t.GOOS]
		if !ok {
			return nil, fmt.Errorf("no MCP Bundle platform for GOOS %q", t.GOOS)
		}
		platforms = []string{p}
	}
	m := map[string]any{
		"manifest_version": "0.3",
		"name":             "skyvern-mcp",
		"display_name":     "Skyvern",
		"version":          strings.TrimPrefix(version, "v"),
		"description":      "Skyvern browser automation for Claude: run browser tasks and workflows, follow runs, read screenshots and recordings.",
		"long_description": "skyvern-mcp gives Claude the Skyvern browser-automation API as tools: run browser tasks and saved workflows, follow runs and their progress, read screenshots, recordings and extracted data, and manage browser sessions, profiles and credentials. Get an API key at Settings → API Keys on https://app.skyvern.com, or switch on the sandbox to try every tool on a simulated Skyvern without an account.",
		"author":           map[string]string{"name": "skyvern-mcp contributors", "url": "https://github.com/skyvern-mcp/skyvern-mcp"},
		"repository":       map[string]string{"type": "git", "url": "https://github.com/skyvern-mcp/skyvern-mcp"},
		"homepage":         "https://github.com/skyvern-mcp/skyvern-mcp",
		"support":          "https://github.com/skyvern-mcp/skyvern-mcp/issues",
		"license":          "MIT",
		"keywords":         []string{"skyvern", "browser", "automation", "web", "agent"},
		"server":           map[string]any{"type": "binary", "entry_point": entry, "mcp_config": mcpConfig},
		"tools":            list,
		"compatibility":    map[string]any{"platforms": platforms},
		"user_config": map[string]any{
			"api_key": map[string]any{
				"type": "string", "title": "Skyvern API key", "sensitive": true, "required": false,
				"description": "Your Skyvern organization key (Settings → API Keys on https://app.skyvern.com). Not needed with the sandbox.",
			},
			"base_url": map[string]any{
				"type": "string", "title": "Skyvern API base URL", "required": false, "default": "https://api.skyvern.com",
				"description": "Skyvern's API root: https://api.skyvern.com for Skyvern Cloud, http://localhost:8000 for a local Skyvern.",
			},
			"sandbox": map[string]any{
				"type": "boolean", "title": "Sandbox", "required": false, "default": false,
				"description": "Use the embedded Skyvern simulator instead of the real API (no account, no real browser).",
			},
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// FirstSentence is the start of a tool description up to its first ". "
// or line end: the short form the bundle lists.
func FirstSentence(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	return s
}
