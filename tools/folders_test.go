package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// folderToolNames are the folder and custom LLM tools, named as the Python
// SDK methods.
var folderToolNames = []string{"create_folder", "get_folders", "get_folder", "update_folder", "delete_folder",
	"list_custom_llms", "create_custom_llm", "update_custom_llm", "delete_custom_llm"}

func TestFolderTools(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	f := h.structured(h.call("create_folder", map[string]any{"title": "Billing", "description": "Invoice agents"}, nil))
	id := f["folder_id"].(string)
	assert.True(t, strings.HasPrefix(id, "fld_"), id)
	assert.Equal(t, "Invoice agents", f["description"])
	assert.EqualValues(t, 0, f["workflow_count"])

	wf := h.structured(h.call("create_workflow", map[string]any{"folder_id": id,
		"yaml_definition": "title: Pay\nworkflow_definition:\n  parameters: []\n  blocks: []\n"}, nil))
	assert.Equal(t, id, wf["folder_id"])

	got := h.structured(h.call("get_folder", map[string]any{"folder_id": id}, nil))
	assert.EqualValues(t, 1, got["workflow_count"])
	assert.Equal(t, "Billing", got["title"])

	up := h.structured(h.call("update_folder", map[string]any{"folder_id": id, "title": "Payables"}, nil))
	assert.Equal(t, "Payables", up["title"])
	assert.Equal(t, "Invoice agents", up["description"], "omitted fields are kept")
	up = h.structured(h.call("update_folder", map[string]any{"folder_id": id, "description": ""}, nil))
	assert.Equal(t, "Payables", up["title"])
	assert.NotContains(t, up, "description", "an empty description clears it")

	h.structured(h.call("create_folder", map[string]any{"title": "Other"}, nil))
	list := h.structured(h.call("get_folders", map[string]any{"search": "pay"}, nil))
	assert.EqualValues(t, 1, list["count"])
	assert.EqualValues(t, 1, list["page"])
	assert.EqualValues(t, 100, list["page_size"])
	assert.Equal(t, id, list["folders"].([]any)[0].(map[string]any)["folder_id"])

	del := h.structured(h.call("delete_folder", map[string]any{"folder_id": id, "delete_workflows": true}, nil))
	assert.Equal(t, map[string]any{"status": "deleted", "folder_id": id, "workflows_deleted": true}, del)
	gone := h.call("get_workflow", map[string]any{"workflow_permanent_id": wf["workflow_permanent_id"]}, nil)
	assert.True(t, gone.IsError, "delete_workflows deleted the folder's workflow")

	// A Skyvern error keeps its status and detail.
	res := h.call("get_folder", map[string]any{"folder_id": id}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 404")
	assert.Contains(t, text(res), "Folder "+id+" not found")
	res = h.call("delete_folder", map[string]any{"folder_id": "fld_nope"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "Folder fld_nope not found")

	// Bad arguments name the field and never reach Skyvern.
	for _, tc := range []struct {
		tool string
		args map[string]any
		want []string
	}{
		{"create_folder", map[string]any{}, []string{"title"}},
		{"create_folder", map[string]any{"title": strings.Repeat("x", 256)}, []string{"title", "255"}},
		{"update_folder", map[string]any{"title": "x"}, []string{"folder_id"}},
		{"get_folders", map[string]any{"page_size": 501}, []string{"page_size", "500"}},
		{"delete_folder", map[string]any{"folder_id": "fld_1", "delete_workflows": "yes"}, []string{"delete_workflows", "boolean"}},
	} {
		res := h.call(tc.tool, tc.args, nil)
		require.True(t, res.IsError, "%s %v", tc.tool, tc.args)
		for _, w := range tc.want {
			assert.Contains(t, text(res), w, "%s %v", tc.tool, tc.args)
		}
	}
	assert.Equal(t, 2, h.sandbox.Calls("POST", "/v1/folders"), "only the two valid creates were sent")
	assert.Equal(t, 1, h.sandbox.Calls("GET", "/v1/folders"))
}

func TestCustomLLMToolsNeverReturnTheKey(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	const key = "sk-or-v1-CANARY-3b9d0f"
	cfg := map[string]any{"display_name": "Router", "provider": "openrouter", "model_name": "openai/gpt-4o", "api_key": key, "temperature": 0.3}
	r1 := h.call("create_custom_llm", map[string]any{"config": cfg}, nil)
	l := h.structured(r1)
	id := l["id"].(string)
	assert.True(t, strings.HasPrefix(id, "oat_"), id)
	conf := l["config"].(map[string]any)
	assert.Equal(t, "********", conf["api_key"])
	assert.Equal(t, "https://openrouter.ai/api/v1", conf["api_base"])
	assert.EqualValues(t, 0.3, conf["temperature"])

	r2 := h.call("list_custom_llms", map[string]any{}, nil)
	list := h.structured(r2)
	assert.EqualValues(t, 1, list["count"])

	// Update keeps the key with the mask and replaces the rest.
	conf["display_name"] = "Router 2"
	delete(conf, "temperature")
	r3 := h.call("update_custom_llm", map[string]any{"custom_llm_id": id, "config": conf}, nil)
	up := h.structured(r3)
	assert.Equal(t, "Router 2", up["config"].(map[string]any)["display_name"])
	assert.Equal(t, "********", up["config"].(map[string]any)["api_key"])
	assert.NotContains(t, up["config"], "temperature")

	// Failures with the key in the arguments: refused by the input schema
	// (too long, bad provider), refused by Skyvern (no api_base), unknown ID.
	long := strings.Repeat(key, 50)
	r4 := h.call("create_custom_llm", map[string]any{"config": map[string]any{"display_name": "d", "provider": "openrouter", "model_name": "m", "api_key": long}}, nil)
	r5 := h.call("create_custom_llm", map[string]any{"config": map[string]any{"display_name": "d", "provider": key, "model_name": "m", "api_key": key}}, nil)
	r6 := h.call("create_custom_llm", map[string]any{"config": map[string]any{"display_name": "d", "provider": "openai_compatible", "model_name": "m", "api_key": key}}, nil)
	r7 := h.call("update_custom_llm", map[string]any{"custom_llm_id": "oat_missing", "config": cfg}, nil)
	for _, r := range []*mcp.CallToolResult{r4, r5, r6, r7} {
		require.True(t, r.IsError)
	}
	assert.Contains(t, text(r4), "api_key")
	assert.Contains(t, text(r5), "provider")
	assert.Contains(t, text(r6), "HTTP 422")
	assert.Contains(t, text(r6), "api_base is required")
	assert.Contains(t, text(r7), "HTTP 404")
	assert.Contains(t, text(r7), "Custom LLM not found")

	r8 := h.call("delete_custom_llm", map[string]any{"custom_llm_id": id}, nil)
	assert.Equal(t, true, h.structured(r8)["ok"])
	for _, r := range []*mcp.CallToolResult{r1, r2, r3, r4, r5, r6, r7, r8} {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "CANARY")
	}
	assert.NotContains(t, h.logs.String(), "CANARY")
	assert.Equal(t, 2, h.sandbox.Calls("POST", "/v1/custom-llms"), "arguments refused by the input schema never reach Skyvern")
}

func TestFolderToolsReadOnlySelection(t *testing.T) {
	ro, err := Select(Filter{ReadOnly: true, Toolsets: []string{ToolsetFolders, ToolsetCustomLLMs}})
	require.NoError(t, err)
	var names []string
	for _, tl := range ro {
		names = append(names, tl.Tool.Name)
	}
	assert.ElementsMatch(t, []string{"get_folders", "get_folder", "list_custom_llms"}, names)
	all, err := Select(Filter{Toolsets: []string{ToolsetFolders, ToolsetCustomLLMs}})
	require.NoError(t, err)
	assert.Len(t, all, len(folderToolNames))
	assert.NotContains(t, DefaultToolsets(), ToolsetFolders, "opt-in")
	assert.NotContains(t, DefaultToolsets(), ToolsetCustomLLMs, "opt-in")
	assert.Subset(t, Toolsets(), []string{ToolsetFolders, ToolsetCustomLLMs})
}
