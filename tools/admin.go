package tools

import (
	"context"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// VersionResult is get_version's output.
type VersionResult struct {
	// Version is Skyvern's "version" entry: a git SHA for official builds.
	Version string `json:"version"`
	// Server is everything Skyvern answered.
	Server map[string]string `json:"server"`
	// SkyvernMCPVersion is this server's own version.
	SkyvernMCPVersion string `json:"skyvern_mcp_version"`
}

func adminTools() []Tool {
	return []Tool{
		define(spec{name: "get_version", title: "Get the Skyvern version", toolset: ToolsetAdmin, hints: readHints,
			description: "Get the Skyvern server's version (a git SHA for official builds) and this MCP server's version, e.g. to check which Skyvern a base URL points at."},
			func(ctx context.Context, c *call, _ *NoInput) (*VersionResult, error) {
				v, err := c.client.GetVersion(ctx)
				if err != nil {
					return nil, err
				}
				return &VersionResult{Version: v.Version(), Server: v, SkyvernMCPVersion: client.Version}, nil
			}),
	}
}
