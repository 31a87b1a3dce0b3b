package tools

import (
	"fmt"
	"strings"
)

// ToolsetInfo describes a toolset once. Everything else about toolsets is
// derived from the list of them (toolsetList): Toolsets, DefaultToolsets,
// the order of All, the README's toolset table and the --toolsets flag's
// help. A tool names its toolset in its spec (toolset: ToolsetRuns).
type ToolsetInfo struct {
	// ID is the name used in --toolsets and in each tool's Toolset.
	ID string
	// Description says in a few words what the toolset's tools do.
	Description string
	// Default toolsets are served when --toolsets is not given.
	Default bool
}

// Tools returns the toolset's tools, in catalog order.
func (ts ToolsetInfo) Tools() []Tool {
	var out []Tool
	for _, t := range All() {
		if t.Toolset == ts.ID {
			out = append(out, t)
		}
	}
	return out
}

// ReadOnlyTools returns the names of the toolset's read-only tools (those
// --read-only keeps).
func (ts ToolsetInfo) ReadOnlyTools() []string {
	var out []string
	for _, t := range ts.Tools() {
		if t.ReadOnly() {
			out = append(out, t.Tool.Name)
		}
	}
	return out
}

// Toolset names.
const (
	ToolsetRuns            = "runs"
	ToolsetWorkflows       = "workflows"
	ToolsetBrowserSessions = "browser_sessions"
	ToolsetBrowserProfiles = "browser_profiles"
	ToolsetCredentials     = "credentials"
	ToolsetAgent           = "agent"
	ToolsetFolders         = "folders"
	ToolsetCustomLLMs      = "custom_llms"
	ToolsetTags            = "tags"
	ToolsetAdmin           = "admin"
	ToolsetCleanup         = "cleanup"
	ToolsetSchedules       = "schedules"
	ToolsetScripts         = "scripts"
	ToolsetSDK             = "sdk"
	ToolsetBrowser         = "browser"
)

// toolsetList is every toolset, in display order: the one place a toolset
// is described. The default ones are the SDK reference's operations plus
// run listings and updates.
var toolsetList = []ToolsetInfo{
	{ID: ToolsetRuns, Default: true, Description: "Start task runs, follow, list, cancel and retry runs, read their artifacts and timelines."},
	{ID: ToolsetWorkflows, Default: true, Description: "Create, update, list and delete workflows; run them and list their runs."},
	{ID: ToolsetBrowserSessions, Default: true, Description: "Persistent cloud browser sessions that runs can share."},
	{ID: ToolsetBrowserProfiles, Default: true, Description: "Saved browser state (cookies, storage) to start runs logged in."},
	{ID: ToolsetCredentials, Default: true, Description: "Passwords, cards, secrets and 2FA codes stored in Skyvern's vault."},
	{ID: ToolsetAgent, Default: true, Description: "Login, file download and file upload helpers."},
	{ID: ToolsetFolders, Description: "Folders that group workflows."},
	{ID: ToolsetCustomLLMs, Description: "The organization's own LLM configurations."},
	{ID: ToolsetTags, Description: "Tags on workflows and runs, tag keys and values."},
	{ID: ToolsetSchedules, Description: "Cron schedules that run workflows."},
	{ID: ToolsetScripts, Description: "Code scripts: create, deploy new versions, run."},
	{ID: ToolsetSDK, Description: "One AI action on a page, as the Skyvern SDK does."},
	{ID: ToolsetBrowser, Description: "Drive a browser session's page live over CDP: navigate, snapshot, click, type, screenshot, tabs; AI act, extract and validate."},
	{ID: ToolsetCleanup, Description: "Clean-up helpers: what uses a browser profile before you delete it; delete files uploaded for runs."},
	{ID: ToolsetAdmin, Description: "The Skyvern server's version."},
}

// ToolsetInfos returns every toolset's description, in display order. The
// slice is a copy.
func ToolsetInfos() []ToolsetInfo { return append([]ToolsetInfo(nil), toolsetList...) }

// Toolsets lists every toolset in display order.
func Toolsets() []string {
	out := make([]string, 0, len(toolsetList))
	for _, ts := range toolsetList {
		out = append(out, ts.ID)
	}
	return out
}

// DefaultToolsets are the toolsets served when none are named.
func DefaultToolsets() []string {
	var out []string
	for _, ts := range toolsetList {
		if ts.Default {
			out = append(out, ts.ID)
		}
	}
	return out
}

// ToolsetsHelp is the --toolsets flag's help: the toolsets, the default
// ones, and the special values.
func ToolsetsHelp() string {
	return "comma-separated toolsets to enable, from: " + strings.Join(Toolsets(), ", ") +
		"; default (" + strings.Join(DefaultToolsets(), ", ") + ", combinable: default,tags) or all"
}

// toolsetTable renders the README's toolset table.
func toolsetTable() string {
	var b strings.Builder
	b.WriteString("| Toolset | Default | What its tools do | Tools (read-only) |\n|---|---|---|---|\n")
	for _, ts := range toolsetList {
		def := ""
		if ts.Default {
			def = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %d (%d) |\n", ts.ID, def, ts.Description, len(ts.Tools()), len(ts.ReadOnlyTools()))
	}
	return b.String()
}
