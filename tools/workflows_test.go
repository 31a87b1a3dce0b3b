package tools

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFolderResetAndUpdateTools(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	wf := h.structured(h.call("create_workflow", map[string]any{"yaml_definition": "title: Folder me\nworkflow_definition:\n  parameters: []\n  blocks: []\n"}, nil))
	wpid := wf["workflow_permanent_id"]
	folder := h.structured(h.call("create_folder", map[string]any{"title": "Billing"}, nil))["folder_id"]
	moved := h.structured(h.call("update_workflow_folder", map[string]any{"workflow_permanent_id": wpid, "folder_id": folder}, nil))
	assert.Equal(t, folder, moved["folder_id"])
	got := h.structured(h.call("get_folder", map[string]any{"folder_id": folder}, nil))
	assert.EqualValues(t, 1, got["workflow_count"], "the folder counts the workflow moved into it")
	bad := h.call("update_workflow_folder", map[string]any{"workflow_permanent_id": wpid, "folder_id": "fld_missing"}, nil)
	assert.True(t, bad.IsError)
	assert.Contains(t, text(bad), "Folder fld_missing not found")
	list := h.structured(h.call("get_workflows", map[string]any{"folder_id": folder}, nil))
	assert.EqualValues(t, 1, list["count"])
	out := h.structured(h.call("update_workflow_folder", map[string]any{"workflow_permanent_id": wpid}, nil))
	assert.NotContains(t, out, "folder_id")
	res := h.call("update_workflow_folder", map[string]any{"workflow_permanent_id": wpid, "folder_id": "bogus"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 400")
	assert.Contains(t, text(res), "Folder bogus not found")

	reset := h.structured(h.call("reset_workflow_browser_profile", map[string]any{"workflow_permanent_id": wpid}, nil))
	assert.Equal(t, true, reset["ok"])
	res = h.call("reset_workflow_browser_profile", map[string]any{"workflow_permanent_id": "wpid_404"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 404")
	assert.Contains(t, text(res), "Workflow wpid_404 not found")

	s := h.structured(h.call("create_browser_session", map[string]any{}, nil))
	up := h.structured(h.call("update_browser_session", map[string]any{"browser_session_id": s["browser_session_id"], "generate_browser_profile": true}, nil))
	assert.Equal(t, true, up["generate_browser_profile"])
	h.structured(h.call("close_browser_session", map[string]any{"browser_session_id": s["browser_session_id"]}, nil))
	res = h.call("update_browser_session", map[string]any{"browser_session_id": s["browser_session_id"], "generate_browser_profile": false}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 409")
	assert.Contains(t, text(res), "already ended")

	p := h.structured(h.call("create_browser_profile", map[string]any{"name": "one", "description": "first"}, nil))
	h.structured(h.call("create_browser_profile", map[string]any{"name": "two"}, nil))
	renamed := h.structured(h.call("update_browser_profile", map[string]any{"profile_id": p["browser_profile_id"], "name": "uno"}, nil))
	assert.Equal(t, "uno", renamed["name"])
	assert.Equal(t, "first", renamed["description"], "fields not given are kept")
	cleared := h.structured(h.call("update_browser_profile", map[string]any{"profile_id": p["browser_profile_id"], "description": ""}, nil))
	assert.NotContains(t, cleared, "description")
	res = h.call("update_browser_profile", map[string]any{"profile_id": p["browser_profile_id"], "name": "two"}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 409")
}
