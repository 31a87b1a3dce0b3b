package tools

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNullOptionalArgumentsAreAccepted: for every tool, arguments that
// give null for every optional top-level property validate as if those
// properties were absent, and required properties given as null are
// refused with a message that names each of them.
func TestNullOptionalArgumentsAreAccepted(t *testing.T) {
	for _, tl := range All() {
		t.Run(tl.Tool.Name, func(t *testing.T) {
			var schema struct {
				Properties map[string]json.RawMessage `json:"properties"`
				Required   []string                   `json:"required"`
			}
			require.NoError(t, json.Unmarshal(tl.Tool.RawInputSchema, &schema))
			required := map[string]bool{}
			for _, r := range schema.Required {
				required[r] = true
			}
			v := &argValidator{raw: tl.Tool.RawInputSchema, name: tl.Tool.Name}
			optional := map[string]any{}
			for p := range schema.Properties {
				if !required[p] {
					optional[p] = nil
				}
			}
			raw, err := json.Marshal(optional)
			require.NoError(t, err)
			got, err := v.validate(raw)
			if len(required) == 0 {
				require.NoError(t, err, "every optional property null")
				assert.JSONEq(t, `{}`, string(got), "the nulls are dropped before decoding")
			} else {
				// Only the missing required properties are reported.
				require.Error(t, err)
				for p := range optional {
					assert.NotRegexp(t, `(^|[ ;'])`+p+`[:' ]`, err.Error(), "optional %s given as null is reported", p)
				}
				for p := range required {
					assert.Contains(t, err.Error(), p)
				}
			}

			// Required properties given as null: each is named.
			if len(required) > 0 {
				args := map[string]any{}
				for p := range schema.Properties {
					args[p] = nil
				}
				raw, err := json.Marshal(args)
				require.NoError(t, err)
				_, err = v.validate(raw)
				require.Error(t, err)
				var want []string
				for p := range required {
					want = append(want, p+": required, got null; give a value")
				}
				sort.Strings(want)
				assert.Equal(t, strings.Join(want, "; "), err.Error())
			}
		})
	}
}

// TestNullArgumentsThroughTools calls tools with nulls at the top level and
// in nested objects, and checks what reaches Skyvern.
func TestNullArgumentsThroughTools(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	run := h.structured(h.call("run_task", map[string]any{"prompt": "Find the price", "max_steps": nil, "url": nil, "engine": nil,
		"data_extraction_schema": nil, "wait_for_completion": nil, "timeout": nil, "proxy_location": nil, "model": nil}, nil))
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/run/tasks"))
	req, _ := run["run_request"].(map[string]any)
	assert.Equal(t, "skyvern-2.0", req["engine"], "a null engine is the default engine")
	assert.NotContains(t, req, "max_steps")

	list := h.structured(h.call("get_runs_v2", map[string]any{"page": nil, "page_size": nil, "status": nil}, nil))
	assert.EqualValues(t, 1, list["page"])

	// Nested: optional fields of run_sdk_action's action and of
	// create_script's files.
	h.structured(h.call("run_sdk_action", map[string]any{"url": "https://shop.example.com", "browser_session_id": nil, "workflow_run_id": nil,
		"action": map[string]any{"type": "ai_act", "intention": "Dismiss the banner", "prompt": nil, "selector": nil, "timeout": nil}}, nil))
	h.structured(h.call("create_script", map[string]any{"workflow_id": nil, "files": []any{
		map[string]any{"path": "main.py", "content": "print('hi')\n", "encoding": "utf-8", "mime_type": nil}}}, nil))

	// Required, given as null: refused before any request.
	res := h.call("get_run", map[string]any{"run_id": nil}, nil)
	require.True(t, res.IsError)
	assert.Equal(t, "get_run: invalid arguments: run_id: required, got null; give a value", text(res))
	res = h.call("run_sdk_action", map[string]any{"url": "https://x.example", "action": map[string]any{"type": nil}}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "action.type: required, got null")
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/sdk/run_action"))
	// A null where the schema declares nothing stays an error.
	res = h.call("get_run", map[string]any{"run_id": "tsk_1", "max_stepz": nil}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "max_stepz")
}
