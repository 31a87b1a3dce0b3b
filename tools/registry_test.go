package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
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

// A hidden tool is neither listed nor callable, and a call is -32602 naming
// the flag that enables it; a name that is no tool is -32602 too.
func TestHiddenToolsAreRefusedWithTheReason(t *testing.T) {
	type rpcErr struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	call := func(s *server.MCPServer, name string) (rpcErr, string) {
		ctx := context.Background()
		s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
		resp, _ := json.Marshal(s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"`+name+`","arguments":{"prompt":"x","run_id":"tsk_1"}}}`)))
		var out struct {
			Error rpcErr `json:"error"`
		}
		require.NoError(t, json.Unmarshal(resp, &out))
		return out.Error, string(resp)
	}
	serve := func(f Filter) *server.MCPServer {
		sel, err := Select(f)
		require.NoError(t, err)
		hooks := &server.Hooks{}
		s := server.NewMCPServer("t", "1", server.WithToolCapabilities(false), server.WithHooks(hooks))
		Register(s, &Deps{}, sel)
		RefuseHidden(s, hooks, sel, f)
		return s
	}

	s := serve(Filter{ReadOnly: true})
	list, _ := json.Marshal(s.HandleMessage(context.Background(), json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)))
	assert.Contains(t, string(list), `"get_run"`)
	assert.NotContains(t, string(list), `"run_task"`)
	assert.NotContains(t, string(list), `"get_version"`, "opt-in toolsets stay unlisted")

	for _, tc := range []struct {
		f    Filter
		tool string
		want string
	}{
		{Filter{ReadOnly: true}, "run_task", "--read-only serves only read-only tools: start without --read-only"},
		{Filter{}, "get_version", "tool get_version is not enabled on this server: it is in the admin toolset, not enabled: start with --toolsets " + strings.Join(DefaultToolsets(), ",") + ",admin"},
		{Filter{Toolsets: []string{"runs"}}, "get_workflows", "it is in the workflows toolset, not enabled: start with --toolsets runs,workflows"},
		{Filter{Tools: []string{"get_run"}}, "run_task", "it is not in --tools (which enables only get_run): add it to --tools"},
		{Filter{ExcludeTools: []string{"run_task"}}, "run_task", "--exclude-tools hides it: remove it from --exclude-tools"},
	} {
		e, _ := call(serve(tc.f), tc.tool)
		assert.Equal(t, mcp.INVALID_PARAMS, e.Code, tc.tool)
		assert.Contains(t, e.Message, tc.want)
	}

	// A tool that does not exist at all: -32602 from mcp-go.
	e, _ := call(s, "no_such_tool")
	assert.Equal(t, mcp.INVALID_PARAMS, e.Code)
	assert.Contains(t, e.Message, "no_such_tool")
	assert.Contains(t, e.Message, "not found")
	// An enabled tool is not refused (it fails for want of a client, as an isError result).
	_, resp := call(s, "get_run")
	assert.NotContains(t, resp, "not enabled")
}

func TestCoreExtraToolSizes(t *testing.T) {
	byName := map[string]Tool{}
	for _, tl := range All() {
		byName[tl.Tool.Name] = tl
	}
	total := 0
	for _, name := range append(append([]string{}, coreExtraToolNames...), "get_version") {
		tl, ok := byName[name]
		require.True(t, ok, name)
		if tl.Toolset != ToolsetAdmin {
			total += len(tl.Tool.Name) + len(tl.Tool.Title) + len(tl.Tool.Description) + len(tl.Tool.RawInputSchema)
		}
	}
	assert.LessOrEqual(t, total, coreExtraBudget, "the ten core extra tools grew")
	t.Logf("core extra tools: %d bytes of name+title+description+inputSchema", total)

	// Hints: reads are read-only; a retry starts a billed run; writes are
	// never read-only.
	for name, want := range map[string]hints{
		"get_runs_v2": readHints, "get_workflow_runs": readHints, "get_workflow_runs_by_id": readHints, "get_version": readHints,
		"bulk_cancel_runs": {destructive: true, idempotent: true}, "retry_workflow_run": {destructive: true, openWorld: true},
		"update_workflow_folder": {idempotent: true}, "reset_workflow_browser_profile": {destructive: true, idempotent: true},
		"update_browser_session": {idempotent: true}, "update_browser_profile": {idempotent: true},
		"update_credential": {destructive: true, idempotent: true},
	} {
		a := byName[name].Tool.Annotations
		assert.Equal(t, want, effectiveHints(a), name)
	}
	assert.Contains(t, byName["retry_workflow_run"].Tool.Description, "COSTS MONEY")
	assert.Contains(t, byName["get_runs_v2"].Tool.Description, "List and filter")
	assert.Equal(t, ToolsetAdmin, byName["get_version"].Toolset)
	assert.Equal(t, ToolsetAdmin, Toolsets()[len(Toolsets())-1])
}

// The tools stay grouped by toolset, in Toolsets() order.
func TestCatalogGroupedByToolset(t *testing.T) {
	order := Toolsets()
	last := 0
	for _, tl := range All() {
		i := indexOf(order, tl.Toolset)
		require.GreaterOrEqual(t, i, last, "%s (%s) is out of its toolset's place", tl.Tool.Name, tl.Toolset)
		last = i
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
