package tools

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// catalog builds every tool definition once, at the first call. The
// schemas are embedded (generated at build time), so this does no reflection.
var catalog = sync.OnceValue(func() []Tool {
	all := buildCatalog()
	for _, t := range all {
		if t.missing {
			panic("tools: no embedded schema for " + t.Tool.Name + "; run go generate ./tools")
		}
	}
	return all
})

func buildCatalog() []Tool {
	var all []Tool
	all = append(all, runTools()...)
	all = append(all, workflowTools()...)
	all = append(all, browserSessionTools()...)
	all = append(all, browserProfileTools()...)
	all = append(all, credentialTools()...)
	all = append(all, agentTools()...)
	all = append(all, folderTools()...)
	all = append(all, customLLMTools()...)
	all = append(all, tagTools()...)
	all = append(all, runListTools()...)
	all = append(all, workflowRunTools()...)
	all = append(all, browserUpdateTools()...)
	all = append(all, credentialUpdateTools()...)
	all = append(all, adminTools()...)
	all = append(all, scheduleTools()...)
	all = append(all, scriptTools()...)
	all = append(all, sdkActionTools()...)
	all = append(all, serverOnlyTools()...)
	// Tools defined in later files join their toolset's place.
	order := Toolsets()
	slices.SortStableFunc(all, func(a, b Tool) int { return slices.Index(order, a.Toolset) - slices.Index(order, b.Toolset) })
	return all
}

// All returns every tool, in toolset order. The slice is shared; do not
// modify it.
func All() []Tool { return catalog() }

// DefaultToolsets are the toolsets served when none are named: the six
// toolsets of the SDK reference's operations.
func DefaultToolsets() []string {
	return []string{ToolsetRuns, ToolsetWorkflows, ToolsetBrowserSessions, ToolsetBrowserProfiles, ToolsetCredentials, ToolsetAgent}
}

// AllToolsets is the --toolsets value that selects every toolset.
const AllToolsets = "all"

// CheckToolsets returns an error naming the first unknown toolset in names,
// with the valid names. "all" is valid. It builds no tool.
func CheckToolsets(names []string) error {
	known := Toolsets()
	for _, ts := range names {
		if ts != AllToolsets && !slices.Contains(known, ts) {
			return fmt.Errorf("unknown toolset %q; valid toolsets: %s, or all", ts, strings.Join(known, ", "))
		}
	}
	return nil
}

// CheckTools returns an error naming the unknown tool names in names, with
// the valid names.
func CheckTools(names []string) error {
	var unknown []string
	for _, n := range names {
		if _, ok := byName()[n]; !ok {
			unknown = append(unknown, strconv.Quote(n))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	valid := make([]string, 0, len(All()))
	for _, t := range All() {
		valid = append(valid, t.Tool.Name)
	}
	return fmt.Errorf("unknown tool %s; valid tools: %s", strings.Join(unknown, ", "), strings.Join(valid, ", "))
}

var byName = sync.OnceValue(func() map[string]Tool {
	m := make(map[string]Tool, len(All()))
	for _, t := range All() {
		m[t.Tool.Name] = t
	}
	return m
})

// Filter selects tools, as the --toolsets, --tools, --exclude-tools and
// --read-only flags do.
type Filter struct {
	// Toolsets to include; empty means DefaultToolsets, and "all" every
	// toolset.
	Toolsets []string
	// Tools, when set, selects exactly these tools, whatever Toolsets says.
	Tools []string
	// ExcludeTools are left out of the selection.
	ExcludeTools []string
	// ReadOnly keeps only tools whose readOnlyHint is true.
	ReadOnly bool
}

// Select returns the tools the filter keeps, in catalog order, or an error
// naming an unknown toolset or tool and listing the valid ones.
func Select(f Filter) ([]Tool, error) {
	if err := CheckToolsets(f.Toolsets); err != nil {
		return nil, err
	}
	if err := CheckTools(f.Tools); err != nil {
		return nil, fmt.Errorf("--tools: %w", err)
	}
	if err := CheckTools(f.ExcludeTools); err != nil {
		return nil, fmt.Errorf("--exclude-tools: %w", err)
	}
	sets := f.Toolsets
	if len(sets) == 0 {
		sets = DefaultToolsets()
	}
	if slices.Contains(sets, AllToolsets) {
		sets = Toolsets()
	}
	var out []Tool
	for _, t := range All() {
		switch {
		case len(f.Tools) > 0 && !slices.Contains(f.Tools, t.Tool.Name):
		case len(f.Tools) == 0 && !slices.Contains(sets, t.Toolset):
		case slices.Contains(f.ExcludeTools, t.Tool.Name):
		case f.ReadOnly && !t.ReadOnly():
		default:
			out = append(out, t)
		}
	}
	return out, nil
}

// RefuseHidden makes a tools/call of a tool that exists but is not in
// selected fail with JSON-RPC error -32602 (invalid params, as for an
// unknown tool) whose message names the flag that enables it (e.g. "tool
// get_version is in the admin toolset, not enabled: start with --toolsets
// runs,...,admin"), instead of mcp-go's bare "tool not found". It registers
// every hidden tool on s with a handler that only refuses, and removes them
// from tools/list through an AfterListTools hook on hooks (which must be
// the hooks s was created with). A name that is no tool at all keeps
// mcp-go's -32602 "tool '...' not found". Call it after Register.
func RefuseHidden(s *server.MCPServer, hooks *server.Hooks, selected []Tool, f Filter) {
	on := make(map[string]bool, len(selected))
	for _, t := range selected {
		on[t.Tool.Name] = true
	}
	if len(on) == len(All()) {
		return
	}
	var hidden []server.ServerTool
	for _, t := range All() {
		if on[t.Tool.Name] {
			continue
		}
		msg := HiddenReason(t, f)
		hidden = append(hidden, server.ServerTool{
			// Only the name: the tool is never listed, and without an
			// execution mode a task-augmented call is refused the same way.
			Tool: mcp.Tool{Name: t.Tool.Name, InputSchema: mcp.ToolInputSchema{Type: "object"}},
			Handler: func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				return nil, server.NewHandlerError(&invalidParamsError{msg: msg})
			},
		})
	}
	s.AddTools(hidden...)
	hooks.AddAfterListTools(func(_ context.Context, _ any, _ *mcp.ListToolsRequest, res *mcp.ListToolsResult) {
		if res == nil {
			return
		}
		res.Tools = slices.DeleteFunc(res.Tools, func(t mcp.Tool) bool { return !on[t.Name] })
	})
}

// invalidParamsError is a JSON-RPC -32602 error with a message of our own.
type invalidParamsError struct{ msg string }

func (e *invalidParamsError) Error() string { return e.msg }

// JSONRPCError implements server.JSONRPCErrorProvider.
func (e *invalidParamsError) JSONRPCError() mcp.JSONRPCError {
	return mcp.JSONRPCError{JSONRPC: mcp.JSONRPC_VERSION, Error: mcp.NewJSONRPCErrorDetails(mcp.INVALID_PARAMS, e.msg, nil)}
}

// HiddenReason says why the filter hides tool t and which flag would
// enable it.
func HiddenReason(t Tool, f Filter) string {
	name := t.Tool.Name
	sets := f.Toolsets
	if len(sets) == 0 {
		sets = DefaultToolsets()
	}
	var why []string
	switch {
	case len(f.Tools) > 0 && !slices.Contains(f.Tools, name):
		why = append(why, fmt.Sprintf("it is not in --tools (which enables only %s): add it to --tools", strings.Join(f.Tools, ",")))
	case len(f.Tools) == 0 && !slices.Contains(sets, t.Toolset) && !slices.Contains(sets, AllToolsets):
		why = append(why, fmt.Sprintf("it is in the %s toolset, not enabled: start with --toolsets %s", t.Toolset, strings.Join(append(slices.Clone(sets), t.Toolset), ",")))
	}
	if slices.Contains(f.ExcludeTools, name) {
		why = append(why, "--exclude-tools hides it: remove it from --exclude-tools")
	}
	if f.ReadOnly && !t.ReadOnly() {
		why = append(why, "it changes Skyvern state and --read-only serves only read-only tools: start without --read-only")
	}
	if len(why) == 0 {
		why = append(why, "this server's tool selection hides it")
	}
	return fmt.Sprintf("tool %s is not enabled on this server: %s; tools/list shows the enabled tools", name, strings.Join(why, "; "))
}

// SelectionReason describes why a filter hides tools, for RefuseHidden.
func SelectionReason(f Filter) string {
	var parts []string
	if len(f.Tools) > 0 {
		parts = append(parts, "--tools enables only "+strings.Join(f.Tools, ", "))
	} else {
		sets := f.Toolsets
		if len(sets) == 0 {
			sets = DefaultToolsets()
		}
		parts = append(parts, "--toolsets enables "+strings.Join(sets, ", "))
	}
	if len(f.ExcludeTools) > 0 {
		parts = append(parts, "--exclude-tools hides "+strings.Join(f.ExcludeTools, ", "))
	}
	if f.ReadOnly {
		parts = append(parts, "--read-only serves only read-only tools")
	}
	return strings.Join(parts, "; ")
}

// Register adds the tools to s, bound to deps.
func Register(s *server.MCPServer, deps *Deps, ts []Tool) {
	st := make([]server.ServerTool, len(ts))
	for i, t := range ts {
		st[i] = server.ServerTool{Tool: t.Tool, Handler: t.Handler(deps)}
	}
	s.AddTools(st...)
}
