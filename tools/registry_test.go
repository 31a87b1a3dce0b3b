package tools

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func names(ts []Tool) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Tool.Name
	}
	return out
}

func TestSelectDefaultIsTheCoreToolsets(t *testing.T) {
	def, err := Select(Filter{})
	require.NoError(t, err)
	for _, tl := range def {
		assert.Contains(t, DefaultToolsets(), tl.Toolset, tl.Tool.Name)
	}
	for _, n := range sdkToolNames {
		assert.Contains(t, names(def), n, "every SDK reference tool is in the default set")
	}
	all, err := Select(Filter{Toolsets: []string{AllToolsets}})
	require.NoError(t, err)
	assert.Len(t, all, len(All()))
}

func TestSelectToolsExcludeAndReadOnly(t *testing.T) {
	got, err := Select(Filter{Tools: []string{"get_run", "run_task", "cancel_run"}, Toolsets: []string{"credentials"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"run_task", "get_run", "cancel_run"}, names(got), "--tools wins over --toolsets, in catalog order")

	got, err = Select(Filter{Tools: []string{"get_run", "run_task", "cancel_run"}, ExcludeTools: []string{"cancel_run"}, ReadOnly: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"get_run"}, names(got))

	got, err = Select(Filter{Toolsets: []string{"runs"}, ExcludeTools: []string{"run_task"}})
	require.NoError(t, err)
	assert.NotContains(t, names(got), "run_task")
	assert.Contains(t, names(got), "get_run")
}

func TestSelectUnknownNamesListTheValidOnes(t *testing.T) {
	_, err := Select(Filter{Tools: []string{"get_run", "get_runz"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `--tools: unknown tool "get_runz"`)
	assert.Contains(t, err.Error(), "valid tools: run_task, get_run,")
	_, err = Select(Filter{ExcludeTools: []string{"nope"}})
	assert.ErrorContains(t, err, `--exclude-tools: unknown tool "nope"`)
	_, err = Select(Filter{Toolsets: []string{"runs", "nope"}})
	assert.ErrorContains(t, err, `unknown toolset "nope"; valid toolsets: runs, workflows`)
}

// A hidden tool is neither listed nor callable, and a call says which flag
// hides it.
func TestHiddenToolsAreRefusedWithTheReason(t *testing.T) {
	f := Filter{ReadOnly: true}
	sel, err := Select(f)
	require.NoError(t, err)
	hooks := &server.Hooks{}
	RefuseHidden(hooks, sel, SelectionReason(f))
	s := server.NewMCPServer("t", "1", server.WithToolCapabilities(false), server.WithHooks(hooks))
	Register(s, &Deps{}, sel)
	ctx := context.Background()
	s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))

	list, _ := json.Marshal(s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)))
	assert.Contains(t, string(list), `"get_run"`)
	assert.NotContains(t, string(list), `"run_task"`)

	resp, _ := json.Marshal(s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_task","arguments":{"prompt":"x"}}}`)))
	var out struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(resp, &out))
	assert.NotZero(t, out.Error.Code)
	assert.Contains(t, out.Error.Message, "tool run_task is not enabled on this server")
	assert.Contains(t, out.Error.Message, "--read-only serves only read-only tools")

	// A tool that does not exist at all keeps mcp-go's own error.
	resp, _ = json.Marshal(s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}}`)))
	assert.Contains(t, string(resp), "not found")
	// An enabled tool is not refused (it fails for want of a client, as an isError result).
	resp, _ = json.Marshal(s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get_run","arguments":{"run_id":"tsk_1"}}}`)))
	assert.NotContains(t, string(resp), "not enabled")
}
