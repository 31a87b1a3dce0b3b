package tools

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDotSegmentIDsNeverReachSkyvern: IDs "." and ".." (and "", "a/b",
// "%2e%2e") are refused with an isError naming the field, and Skyvern
// receives no request: they used to become POST /v1/runs/../cancel, POST
// /v1/credentials/../delete, GET /v1/runs/.
func TestDotSegmentIDsNeverReachSkyvern(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for _, c := range []struct {
		tool, field, id string
	}{
		{"cancel_run", "run_id", ".."},
		{"delete_credential", "credential_id", ".."},
		{"get_run", "run_id", "."},
		{"get_run", "run_id", ""},
		{"get_run", "run_id", "tsk_1/../../credentials"},
		{"get_run", "run_id", "%2e%2e"},
		{"delete_workflow", "workflow_id", ".."},
		{"get_artifact", "artifact_id", "a_1\\..\\x"},
	} {
		h.sandbox.ResetCalls()
		res := h.call(c.tool, map[string]any{c.field: c.id}, nil)
		require.True(t, res.IsError, "%s %q", c.tool, c.id)
		msg := text0(res)
		assert.True(t, strings.HasPrefix(msg, c.tool+": invalid arguments: "+c.field+": "), msg)
		assert.Equal(t, 0, h.sandbox.TotalCalls(), "%s %q reached Skyvern", c.tool, c.id)
	}
	res := h.call("get_run", map[string]any{"run_id": ".."}, nil)
	assert.Equal(t, `get_run: invalid arguments: run_id: ".." is not a Skyvern ID: IDs are letters, digits, '_' and '-' (for example tsk_v2_123, wr_123, wpid_123, cred_123), at most 128 characters`, text0(res))
	res = h.call("delete_tag_key", map[string]any{"key": ".."}, nil)
	assert.True(t, res.IsError)
	assert.Contains(t, text0(res), "delete_tag_key: invalid arguments: key: \"..\" cannot be used")
	res = h.call("bulk_cancel_runs", map[string]any{"run_ids": []string{"tsk_1", ".."}}, nil)
	assert.Contains(t, text0(res), "run_ids[1]: \"..\" is not a Skyvern ID")
}

// TestEveryIDFieldIsChecked: for every tool and every argument holding a
// Skyvern ID (or a tag key), ".." is refused naming that argument, before
// any request, whatever else the arguments hold.
func TestEveryIDFieldIsChecked(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	checked := 0
	for _, tool := range All() {
		f := idFieldsOf(tool.Tool.RawInputSchema)
		fields := append(append(append([]string{}, f.ids...), f.names...), f.lists...)
		for _, field := range fields {
			var v any = ".."
			if strings.HasSuffix(field, "_ids") {
				v = []string{".."}
			}
			h.sandbox.ResetCalls()
			res := h.call(tool.Tool.Name, map[string]any{field: v}, nil)
			require.True(t, res.IsError, "%s.%s", tool.Tool.Name, field)
			assert.Contains(t, text0(res), "invalid arguments: "+field, "%s.%s", tool.Tool.Name, field)
			assert.Equal(t, 0, h.sandbox.TotalCalls(), "%s.%s reached Skyvern", tool.Tool.Name, field)
			checked++
		}
	}
	// Every ID that goes into a path is among them (the spec's path
	// parameters: run_id, workflow_run_id, workflow_permanent_id,
	// workflow_id, credential_id, browser_session_id, profile_id,
	// artifact_id, folder_id, script_id, custom_llm_id,
	// workflow_schedule_id, key).
	assert.Greater(t, checked, 60)
}
