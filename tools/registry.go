package tools

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/server"
)

// catalog builds every tool definition once: schema generation happens at
// the first call, not per tool call.
var catalog = sync.OnceValue(func() []Tool {
	var all []Tool
	all = append(all, runTools()...)
	all = append(all, workflowTools()...)
	all = append(all, browserSessionTools()...)
	all = append(all, browserProfileTools()...)
	all = append(all, credentialTools()...)
	all = append(all, agentTools()...)
	return all
})

// All returns every tool, in toolset order. The slice is shared; do not
// modify it.
func All() []Tool { return catalog() }

// Filter selects tools.
type Filter struct {
	// Toolsets to include; empty means all.
	Toolsets []string
	// ReadOnly keeps only tools whose readOnlyHint is true.
	ReadOnly bool
}

// Select returns the tools the filter keeps, or an error naming an unknown
// toolset.
func Select(f Filter) ([]Tool, error) {
	known := Toolsets()
	for _, ts := range f.Toolsets {
		if !slices.Contains(known, ts) {
			return nil, fmt.Errorf("unknown toolset %q; known toolsets: %s", ts, strings.Join(known, ", "))
		}
	}
	var out []Tool
	for _, t := range All() {
		if len(f.Toolsets) > 0 && !slices.Contains(f.Toolsets, t.Toolset) {
			continue
		}
		if f.ReadOnly && !t.ReadOnly() {
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// Register adds the tools to s, bound to deps.
func Register(s *server.MCPServer, deps *Deps, ts []Tool) {
	st := make([]server.ServerTool, len(ts))
	for i, t := range ts {
		st[i] = server.ServerTool{Tool: t.Tool, Handler: t.Handler(deps)}
	}
	s.AddTools(st...)
}
