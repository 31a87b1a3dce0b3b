package tools

import (
	"fmt"
	"slices"
	"strings"
	"sync"

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
	all = append(all, scheduleTools()...)
	all = append(all, scriptTools()...)
	all = append(all, sdkActionTools()...)
	return all
}

// All returns every tool, in toolset order. The slice is shared; do not
// modify it.
func All() []Tool { return catalog() }

// CheckToolsets returns an error naming the first unknown toolset in names.
// It builds no tool.
func CheckToolsets(names []string) error {
	known := Toolsets()
	for _, ts := range names {
		if !slices.Contains(known, ts) {
			return fmt.Errorf("unknown toolset %q; known toolsets: %s", ts, strings.Join(known, ", "))
		}
	}
	return nil
}

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
	if err := CheckToolsets(f.Toolsets); err != nil {
		return nil, err
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
