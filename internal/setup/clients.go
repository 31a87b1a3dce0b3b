// Package setup writes skyvern-mcp into an MCP client's configuration
// (skyvern-mcp setup <client>) and finds the clients configured to run it
// (skyvern-mcp doctor).
//
// Each client's user-level config file sits at its documented per-OS
// location (see Clients). The API key is never written into a client's
// config: clients that expand environment references or prompt for inputs
// get a reference (Cursor, Windsurf: ${env:SKYVERN_API_KEY}; VS Code: an
// ${input:...} password prompt), the others (Claude Desktop, Claude Code) a
// --api-key-file argument naming a key file readable only by the user.
package setup

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
)

// Env is the part of the environment that decides where config files live:
// the OS layout and the user's directories. Tests build one around a temp
// HOME; FromOS reads the real one.
type Env struct {
	// GOOS is "linux", "darwin" or "windows" (the layout, not necessarily
	// the running OS).
	GOOS string
	// Home is the user's home directory ($HOME, %USERPROFILE%).
	Home string
	// AppData is %APPDATA% on Windows ("" for Home\AppData\Roaming).
	AppData string
	// XDGConfigHome is $XDG_CONFIG_HOME on Linux ("" for Home/.config).
	XDGConfigHome string
	// Getenv reads other variables (SKYVERN_API_KEY); nil reads none.
	Getenv func(string) string
}

// FromOS is the running user's Env.
func FromOS() Env {
	home, _ := os.UserHomeDir()
	return Env{GOOS: runtime.GOOS, Home: home, AppData: os.Getenv("APPDATA"), XDGConfigHome: os.Getenv("XDG_CONFIG_HOME"), Getenv: os.Getenv}
}

func (e Env) getenv(name string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(name)
}

// join builds a path with the running OS's separators: a layout differs in
// its directories, and tests check each layout in a temp HOME.
func (e Env) join(elem ...string) string { return filepath.Join(elem...) }

// userConfigDir is the per-OS directory for application settings:
// ~/.config (or $XDG_CONFIG_HOME) on Linux, ~/Library/Application Support
// on macOS, %APPDATA% on Windows.
func (e Env) userConfigDir() string {
	switch e.GOOS {
	case "darwin":
		return e.join(e.Home, "Library", "Application Support")
	case "windows":
		if e.AppData != "" {
			return e.AppData
		}
		return e.join(e.Home, "AppData", "Roaming")
	}
	if e.XDGConfigHome != "" {
		return e.XDGConfigHome
	}
	return e.join(e.Home, ".config")
}

// KeyFile is where setup keeps the API key for clients that cannot
// reference the environment: <user config dir>/skyvern-mcp/api-key.
func (e Env) KeyFile() string { return e.join(e.userConfigDir(), "skyvern-mcp", "api-key") }

// KeyStyle is how a client's entry gets the API key without holding it.
type KeyStyle int

const (
	// KeyFileArg passes --api-key-file <file> (the client expands nothing).
	KeyFileArg KeyStyle = iota
	// KeyEnvRef sets SKYVERN_API_KEY to ${env:SKYVERN_API_KEY} (the client
	// expands it from its own environment).
	KeyEnvRef
	// KeyInput sets SKYVERN_API_KEY to ${input:skyvern-api-key}, a
	// password prompt the client asks once and stores itself.
	KeyInput
)

// Client is an MCP client setup knows.
type Client struct {
	// Name is the setup argument: claude-desktop, claude-code, cursor,
	// vscode, windsurf.
	Name string
	// Title is the product name.
	Title string
	// ServersKey is the top-level key holding the server entries
	// ("mcpServers", VS Code: "servers").
	ServersKey string
	// Key is how the entry gets the API key.
	Key KeyStyle
	// Type is the entry's "type" field ("" for none).
	Type string
	path func(Env) string
}

// Path is the client's user-level config file in env's layout.
func (c Client) Path(env Env) string { return c.path(env) }

// Clients are the supported clients, by name. The paths are the clients'
// documented user-level config files:
//   - Claude Desktop: claude_desktop_config.json in ~/Library/Application
//     Support/Claude (macOS), %APPDATA%\Claude (Windows), ~/.config/Claude
//     (Linux builds).
//   - Claude Code: ~/.claude.json, key mcpServers (what `claude mcp add
//     --scope user` writes).
//   - Cursor: ~/.cursor/mcp.json.
//   - VS Code: mcp.json in the user settings directory: ~/Library/Application
//     Support/Code/User (macOS), %APPDATA%\Code\User (Windows),
//     ~/.config/Code/User (Linux); key servers.
//   - Windsurf: ~/.codeium/windsurf/mcp_config.json.
var Clients = map[string]Client{
	"claude-desktop": {Name: "claude-desktop", Title: "Claude Desktop", ServersKey: "mcpServers", Key: KeyFileArg,
		path: func(e Env) string { return e.join(e.userConfigDir(), "Claude", "claude_desktop_config.json") }},
	"claude-code": {Name: "claude-code", Title: "Claude Code", ServersKey: "mcpServers", Key: KeyFileArg, Type: "stdio",
		path: func(e Env) string { return e.join(e.Home, ".claude.json") }},
	"cursor": {Name: "cursor", Title: "Cursor", ServersKey: "mcpServers", Key: KeyEnvRef,
		path: func(e Env) string { return e.join(e.Home, ".cursor", "mcp.json") }},
	"vscode": {Name: "vscode", Title: "VS Code", ServersKey: "servers", Key: KeyInput, Type: "stdio",
		path: func(e Env) string { return e.join(e.userConfigDir(), "Code", "User", "mcp.json") }},
	"windsurf": {Name: "windsurf", Title: "Windsurf", ServersKey: "mcpServers", Key: KeyEnvRef,
		path: func(e Env) string { return e.join(e.Home, ".codeium", "windsurf", "mcp_config.json") }},
}

// ClientNames are the names of Clients, sorted.
func ClientNames() []string {
	names := make([]string, 0, len(Clients))
	for n := range Clients {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Server is a server entry of a client's config.
type Server struct {
	Name, Command string
	Args          []string
}

// Servers returns the server entries of a client's config file contents,
// sorted by name.
func Servers(c Client, raw []byte) ([]Server, error) {
	var doc map[string]any
	if err := decodeJSON(raw, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	m, _ := doc[c.ServersKey].(map[string]any)
	var out []Server
	for name, v := range m {
		e, _ := v.(map[string]any)
		s := Server{Name: name}
		s.Command, _ = e["command"].(string)
		args, _ := e["args"].([]any)
		for _, a := range args {
			if str, ok := a.(string); ok {
				s.Args = append(s.Args, str)
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
