package tools

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// schedScriptToolNames are the tools of the schedules, scripts and sdk
// toolsets, beyond the 30 of the SDK reference.
var schedScriptToolNames = []string{"schedules_list_all", "schedules_create", "schedules_list", "schedules_get",
	"schedules_update", "schedules_delete", "schedules_enable", "schedules_disable", "create_script", "get_scripts",
	"get_script", "deploy_script", "run_script", "run_sdk_action"}

// checkOutput validates a successful result's structured content against
// the tool's output schema, as a client may.
func checkOutput(t *testing.T, tool string, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	require.False(t, res.IsError, "%s: %s", tool, text(res))
	var raw json.RawMessage
	for _, tl := range All() {
		if tl.Tool.Name == tool {
			raw = tl.Tool.RawOutputSchema
		}
	}
	require.NotNil(t, raw, tool)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("mem:///"+tool+".json", doc))
	sch, err := c.Compile("mem:///" + tool + ".json")
	require.NoError(t, err)
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	assert.NoError(t, sch.Validate(inst), "%s: structured content does not match the output schema", tool)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	require.JSONEq(t, string(b), text(res))
	return m
}

func TestScheduleTools(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	def := map[string]any{"title": "Weekly digest", "workflow_definition": map[string]any{
		"parameters": []any{map[string]any{"parameter_type": "workflow", "key": "topic", "workflow_parameter_type": "string"}},
		"blocks":     []any{map[string]any{"block_type": "task", "label": "read", "url": "https://example.com", "navigation_goal": "Read {{topic}}"}},
	}}
	wpid := h.structured(h.call("create_workflow", map[string]any{"json_definition": def}, nil))["workflow_permanent_id"].(string)

	created := checkOutput(t, "schedules_create", h.call("schedules_create", map[string]any{"workflow_permanent_id": wpid,
		"cron_expression": "0 7 * * 1", "timezone": "Europe/Berlin", "name": "Monday digest", "parameters": map[string]any{"topic": "go"}}, nil))
	sched := created["schedule"].(map[string]any)
	id := sched["workflow_schedule_id"].(string)
	assert.True(t, strings.HasPrefix(id, "wfs_"), id)
	assert.Equal(t, true, sched["enabled"])
	assert.Equal(t, map[string]any{"topic": "go"}, sched["parameters"])
	nextRuns := created["next_runs"].([]any)
	require.Len(t, nextRuns, 5)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	for _, r := range nextRuns {
		at, err := time.Parse(time.RFC3339Nano, r.(string))
		require.NoError(t, err)
		assert.Equal(t, time.Monday, at.In(berlin).Weekday())
		assert.Equal(t, 7, at.In(berlin).Hour())
	}

	list := checkOutput(t, "schedules_list", h.call("schedules_list", map[string]any{"workflow_permanent_id": wpid}, nil))
	assert.EqualValues(t, 1, list["count"])
	got := checkOutput(t, "schedules_get", h.call("schedules_get", map[string]any{"workflow_permanent_id": wpid, "workflow_schedule_id": id}, nil))
	assert.Equal(t, "Monday digest", got["schedule"].(map[string]any)["name"])

	off := checkOutput(t, "schedules_disable", h.call("schedules_disable", map[string]any{"workflow_permanent_id": wpid, "workflow_schedule_id": id}, nil))
	assert.Equal(t, false, off["schedule"].(map[string]any)["enabled"])
	paused := checkOutput(t, "schedules_list_all", h.call("schedules_list_all", map[string]any{"status": "paused", "search": "digest"}, nil))
	assert.EqualValues(t, 1, paused["total_count"])
	item := paused["schedules"].([]any)[0].(map[string]any)
	assert.Equal(t, "Weekly digest", item["workflow_title"])
	assert.NotContains(t, item, "next_run", "a paused schedule has no next run")
	on := checkOutput(t, "schedules_enable", h.call("schedules_enable", map[string]any{"workflow_permanent_id": wpid, "workflow_schedule_id": id}, nil))
	assert.Equal(t, true, on["schedule"].(map[string]any)["enabled"])

	up := checkOutput(t, "schedules_update", h.call("schedules_update", map[string]any{"workflow_permanent_id": wpid, "workflow_schedule_id": id,
		"cron_expression": "0 18 * * 5", "timezone": "UTC", "enabled": false, "parameters": map[string]any{"topic": "rust"}}, nil))
	us := up["schedule"].(map[string]any)
	assert.Equal(t, "0 18 * * 5", us["cron_expression"])
	assert.Equal(t, false, us["enabled"])
	assert.NotContains(t, us, "name", "update replaces every field")

	// Bad arguments never reach Skyvern and name the field.
	before := h.sandbox.Calls("POST", "/v1/agents/{workflow_permanent_id}/schedules")
	bad := h.call("schedules_create", map[string]any{"workflow_permanent_id": wpid, "cron_expression": "0 7 * * 1"}, nil)
	require.True(t, bad.IsError)
	assert.Contains(t, text(bad), "timezone")
	bad = h.call("schedules_list_all", map[string]any{"page_size": 500}, nil)
	require.True(t, bad.IsError)
	assert.Contains(t, text(bad), "page_size")
	assert.Equal(t, before, h.sandbox.Calls("POST", "/v1/agents/{workflow_permanent_id}/schedules"))

	// A bad cron expression is Skyvern's 422, with the field and the reason.
	res := h.call("schedules_create", map[string]any{"workflow_permanent_id": wpid, "cron_expression": "* * * * *", "timezone": "UTC",
		"parameters": map[string]any{"topic": "x"}}, nil)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "HTTP 422")
	assert.Contains(t, text(res), "cron_expression: Value error, Cron interval must be at least 5 minutes")

	deleted := checkOutput(t, "schedules_delete", h.call("schedules_delete", map[string]any{"workflow_permanent_id": wpid, "workflow_schedule_id": id}, nil))
	assert.Equal(t, true, deleted["ok"])

	// Skyvern's 404 keeps its status and detail.
	gone := h.call("schedules_get", map[string]any{"workflow_permanent_id": wpid, "workflow_schedule_id": id}, nil)
	require.True(t, gone.IsError)
	assert.Contains(t, text(gone), "HTTP 404")
	assert.Contains(t, text(gone), "Schedule "+id+" not found")
}

func TestScriptTools(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	created := checkOutput(t, "create_script", h.call("create_script", map[string]any{"files": []any{
		map[string]any{"path": "main.py", "content": "print('hello')\n", "encoding": "utf-8"},
		map[string]any{"path": "requirements.txt", "content": base64.StdEncoding.EncodeToString([]byte("httpx\n"))},
	}}, nil))
	sid := created["script_id"].(string)
	assert.True(t, strings.HasPrefix(sid, "s_"), sid)
	assert.EqualValues(t, 1, created["version"])
	assert.EqualValues(t, 2, created["file_count"])
	main := created["file_tree"].(map[string]any)["main.py"].(map[string]any)
	assert.EqualValues(t, 15, main["size"], "utf-8 content is sent base64-encoded and arrives intact")
	assert.Equal(t, "text/x-python", main["mime_type"])

	v2 := checkOutput(t, "deploy_script", h.call("deploy_script", map[string]any{"script_id": sid,
		"files": []any{map[string]any{"path": "src/main.py", "content": "print(2)\n", "encoding": "utf-8"}}}, nil))
	assert.EqualValues(t, 2, v2["version"])
	assert.Contains(t, v2["file_tree"], "src")

	got := checkOutput(t, "get_script", h.call("get_script", map[string]any{"script_id": sid}, nil))
	assert.EqualValues(t, 2, got["version"])
	list := checkOutput(t, "get_scripts", h.call("get_scripts", map[string]any{"page_size": 5}, nil))
	assert.EqualValues(t, 1, list["count"])
	assert.EqualValues(t, 5, list["page_size"])
	assert.Equal(t, sid, list["scripts"].([]any)[0].(map[string]any)["script_id"])

	ran := checkOutput(t, "run_script", h.call("run_script", map[string]any{"script_id": sid}, nil))
	assert.Equal(t, true, ran["ok"])
	assert.NotContains(t, ran, "result", "Skyvern answers null")
	assert.Contains(t, ran["message"], "background")
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/scripts/{script_id}/run"))

	bad := h.call("create_script", map[string]any{"files": []any{map[string]any{"path": "a.py", "content": "%%%"}}}, nil)
	require.True(t, bad.IsError)
	assert.Contains(t, text(bad), "files[0].content")
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/scripts"), "the bad call never reached Skyvern")

	missing := h.call("run_script", map[string]any{"script_id": "s_000000000000000001"}, nil)
	require.True(t, missing.IsError)
	assert.Contains(t, text(missing), "HTTP 404")
	assert.Contains(t, text(missing), "Script not found")
}

func TestRunSDKActionTool(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	session := h.structured(h.call("create_browser_session", map[string]any{}, nil))["browser_session_id"].(string)
	out := checkOutput(t, "run_sdk_action", h.call("run_sdk_action", map[string]any{"url": "https://shop.example.com", "browser_session_id": session,
		"action": map[string]any{"type": "extract", "prompt": "the basket total",
			"extract_schema": map[string]any{"type": "object", "properties": map[string]any{"total": map[string]any{"type": "number"}}, "required": []any{"total"}}}}, nil))
	wr := out["workflow_run_id"].(string)
	assert.True(t, strings.HasPrefix(wr, "wr_"), wr)
	assert.IsType(t, 0.0, out["result"].(map[string]any)["total"])
	assert.Equal(t, 1, h.sandbox.Calls("POST", "/v1/sdk/run_action"))
	run := h.structured(h.call("get_run", map[string]any{"run_id": wr}, nil))
	assert.Equal(t, "completed", run["status"])

	valid := checkOutput(t, "run_sdk_action", h.call("run_sdk_action", map[string]any{"url": "https://shop.example.com", "browser_session_id": session,
		"workflow_run_id": wr, "action": map[string]any{"type": "validate", "prompt": "The basket is not empty"}}, nil))
	assert.Equal(t, true, valid["result"], "a boolean result passes the output schema")
	act := checkOutput(t, "run_sdk_action", h.call("run_sdk_action", map[string]any{"url": "https://shop.example.com",
		"action": map[string]any{"type": "ai_act", "intention": "Dismiss the cookie banner"}}, nil))
	assert.NotContains(t, act, "result")

	// A field of another action type is refused before any request.
	bad := h.call("run_sdk_action", map[string]any{"url": "https://x.example", "action": map[string]any{"type": "ai_act", "intention": "x", "prompt": "y"}}, nil)
	require.True(t, bad.IsError)
	assert.Contains(t, text(bad), "action.prompt not accepted by ai_act actions")
	bad = h.call("run_sdk_action", map[string]any{"url": "https://x.example", "action": map[string]any{"type": "hover"}}, nil)
	require.True(t, bad.IsError)
	assert.Contains(t, text(bad), "type")
	assert.Equal(t, 3, h.sandbox.Calls("POST", "/v1/sdk/run_action"))

	missing := h.call("run_sdk_action", map[string]any{"url": "https://x.example", "browser_session_id": "pbs_000000000000000001",
		"action": map[string]any{"type": "ai_click", "intention": "OK"}}, nil)
	require.True(t, missing.IsError)
	assert.Contains(t, text(missing), "HTTP 404")
	assert.Contains(t, text(missing), "Browser session pbs_000000000000000001 not found")
}

// The text typed by ai_input_text (a password, say) is in no result, error
// or log line, even when Skyvern echoes it.
func TestRunSDKActionNeverShowsTypedText(t *testing.T) {
	const typed = "s3cret-pass-canary-2718"
	h := newHarness(t, harnessOpts{})
	args := map[string]any{"url": "https://x.example/login", "action": map[string]any{"type": "ai_input_text", "intention": "Password field", "value": typed}}
	var all []*mcp.CallToolResult
	all = append(all, h.call("run_sdk_action", args, nil))
	h.sandbox.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/sdk/run_action", Status: 200,
		Body: `{"workflow_run_id":"wr_1","result":"typed ` + typed + `"}`, Times: 1})
	echoed := h.call("run_sdk_action", args, nil)
	assert.Equal(t, "typed [REDACTED]", checkOutput(t, "run_sdk_action", echoed)["result"])
	all = append(all, echoed)
	h.sandbox.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/sdk/run_action", Status: 404,
		Body: `{"detail":"no field accepts ` + typed + `"}`, Times: 1})
	failed := h.call("run_sdk_action", args, nil)
	require.True(t, failed.IsError)
	assert.Contains(t, text(failed), "[REDACTED]")
	all = append(all, failed)
	for _, res := range all {
		b, err := json.Marshal(res)
		require.NoError(t, err)
		assert.NotContains(t, string(b), typed)
	}
	assert.NotContains(t, h.logs.String(), typed)
}
