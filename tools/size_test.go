package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Budgets of the default tool set's tools/list, in bytes of the tool
// objects: the model-facing part (name, title, description, inputSchema)
// and the whole objects. For comparison, measured the same way: Playwright
// MCP about 810 bytes per tool, GitHub's MCP server about 1,160. The
// budget was 24,000 / 48,000 bytes until the server's document became the
// contract: its 13 fields on default tools (start_fresh_browser,
// browser_profile_id, reuse_browser_session, needs_live_view,
// retention_days, credential profile fields) cost 1,204 model-facing bytes
// with one-line descriptions.
const (
	MaxDefaultModelFacingBytes = 25500
	MaxDefaultToolsListBytes   = 49500
	MaxDefaultTools            = 40
)

// listSize is the size of one tools/list answer.
type listSize struct {
	Tools       int
	Whole       int // bytes of the tool objects as sent
	ModelFacing int // bytes of name, title, description and inputSchema
}

// measureToolsList registers the tools on a real mcp-go server, asks it for
// tools/list as a client would, and measures the tool objects it sends.
func measureToolsList(t *testing.T, ts []Tool) (listSize, []json.RawMessage) {
	t.Helper()
	s := server.NewMCPServer("size", "test", server.WithToolCapabilities(false))
	Register(s, &Deps{}, ts)
	ctx := context.Background()
	s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
	resp := s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	raw, err := json.Marshal(resp)
	require.NoError(t, err)
	var out struct {
		Result struct {
			Tools      []json.RawMessage `json:"tools"`
			NextCursor string            `json:"nextCursor"`
		} `json:"result"`
	}
	require.NoError(t, json.Unmarshal(raw, &out))
	require.Empty(t, out.Result.NextCursor, "tools/list is not paginated")
	size := listSize{Tools: len(out.Result.Tools)}
	for _, obj := range out.Result.Tools {
		size.Whole += len(obj)
		var f struct {
			Name        json.RawMessage `json:"name"`
			Title       json.RawMessage `json:"title"`
			Description json.RawMessage `json:"description"`
			InputSchema json.RawMessage `json:"inputSchema"`
		}
		require.NoError(t, json.Unmarshal(obj, &f))
		size.ModelFacing += len(f.Name) + len(f.Title) + len(f.Description) + len(f.InputSchema)
	}
	return size, out.Result.Tools
}

// TestToolsListSize keeps the default tool set within the budgets, and
// reports the sizes of the default set, all tools and --read-only (run with
// -v to see them).
func TestToolsListSize(t *testing.T) {
	def, err := Select(Filter{})
	require.NoError(t, err)
	all, err := Select(Filter{Toolsets: []string{AllToolsets}})
	require.NoError(t, err)
	ro, err := Select(Filter{ReadOnly: true})
	require.NoError(t, err)
	roAll, err := Select(Filter{Toolsets: []string{AllToolsets}, ReadOnly: true})
	require.NoError(t, err)

	d, objs := measureToolsList(t, def)
	assert.Equal(t, len(def), d.Tools)
	assert.LessOrEqual(t, d.Tools, MaxDefaultTools, "default tool count")
	assert.LessOrEqual(t, d.ModelFacing, MaxDefaultModelFacingBytes, "default set: model-facing bytes (name, title, description, inputSchema)")
	assert.LessOrEqual(t, d.Whole, MaxDefaultToolsListBytes, "default set: bytes of the tool objects in tools/list")
	for _, obj := range objs {
		assert.NotContains(t, string(obj), `"icons"`, "no tool carries an icon")
		assert.NotContains(t, string(obj), ";base64,", "no inline data URIs")
	}
	for _, c := range []struct {
		name string
		ts   []Tool
	}{{"default", def}, {"all", all}, {"read-only", ro}, {"all,read-only", roAll}} {
		s, _ := measureToolsList(t, c.ts)
		t.Logf("%-14s tools=%3d whole=%6d bytes (%4d/tool) model-facing=%6d bytes (%4d/tool)",
			c.name, s.Tools, s.Whole, s.Whole/max(s.Tools, 1), s.ModelFacing, s.ModelFacing/max(s.Tools, 1))
	}
}

// Limits every tool keeps to, so that tools/list stays small as tools are
// added: characters of the description, the title and each property's
// description (at any depth).
const (
	maxToolDescription     = 220
	maxToolTitle           = 30
	maxPropertyDescription = 120
)

// longDescriptionAllowed are properties whose description replaces an
// inlined schema (the credential union, described in words: about 350
// characters instead of 1.5 KB of branches).
var longDescriptionAllowed = map[string]bool{"credential": true}

// TestToolsListSizePerTool logs each tool's share when run with -v; it fails
// when one tool alone takes more than an eighth of the default budget, or a
// description or title is over its limit.
func TestToolsListSizePerTool(t *testing.T) {
	for _, tl := range All() {
		s, _ := measureToolsList(t, []Tool{tl})
		t.Logf("%-32s %-16s whole=%5d model-facing=%5d", tl.Tool.Name, tl.Toolset, s.Whole, s.ModelFacing)
		assert.LessOrEqual(t, s.ModelFacing, MaxDefaultModelFacingBytes/8, "%s alone takes more than an eighth of the budget", tl.Tool.Name)
		assert.False(t, strings.Contains(tl.Tool.Description, "  "), "%s: double space in description", tl.Tool.Name)
		assert.LessOrEqual(t, len(tl.Tool.Description), maxToolDescription, "%s: description", tl.Tool.Name)
		assert.LessOrEqual(t, len(tl.Tool.Title), maxToolTitle, "%s: title", tl.Tool.Name)
		var in map[string]any
		require.NoError(t, json.Unmarshal(tl.Tool.RawInputSchema, &in))
		var walk func(path string, node map[string]any)
		walk = func(path string, node map[string]any) {
			props, _ := node["properties"].(map[string]any)
			for name, p := range props {
				pm, _ := p.(map[string]any)
				if d, _ := pm["description"].(string); !longDescriptionAllowed[name] {
					assert.LessOrEqual(t, len(d), maxPropertyDescription, "%s.%s: description", path, name)
				}
				walk(path+"."+name, pm)
			}
			if items, ok := node["items"].(map[string]any); ok {
				walk(path+"[]", items)
			}
			for _, b := range asSlice(node["anyOf"]) {
				if bm, ok := b.(map[string]any); ok {
					walk(path, bm)
				}
			}
		}
		walk(tl.Tool.Name, in)
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
