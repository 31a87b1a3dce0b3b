package sandbox_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func TestSDKActionResults(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, true)
	session, err := e.c.CreateBrowserSession(e.ctx, nil)
	require.NoError(t, err)
	run := func(a client.SDKAction, runID string) *client.RunSDKActionResponse {
		t.Helper()
		res, err := e.c.RunSDKAction(e.ctx, &client.RunSDKActionRequest{URL: "https://shop.example.com", BrowserSessionID: session.BrowserSessionID,
			WorkflowRunID: runID, Action: a})
		require.NoError(t, err, "%+v", a)
		return res
	}
	first := run(client.SDKAction{Type: client.SDKActionClick, Selector: "#buy", Intention: "Buy"}, "")
	assert.Regexp(t, `^wr_\d{18}$`, first.WorkflowRunID)
	assert.JSONEq(t, `"#buy"`, string(first.Result), "the selector given is the element clicked")
	wr := first.WorkflowRunID
	for _, tc := range []struct {
		action client.SDKAction
		want   string
	}{
		{client.SDKAction{Type: client.SDKActionClick, Intention: "Open the menu"}, `"xpath=/html/body/main//button[1]"`},
		{client.SDKAction{Type: client.SDKActionInputText, Intention: "Search box", Value: "red shoes"}, `"xpath=/html/body/main//input[1]"`},
		{client.SDKAction{Type: client.SDKActionSelectOption, Intention: "Size", Value: "42"}, `"42"`},
		{client.SDKAction{Type: client.SDKActionUploadFile, Intention: "CV", FileURL: "https://files.example.com/cv.pdf"}, `"https://files.example.com/cv.pdf"`},
		{client.SDKAction{Type: client.SDKActionAct, Intention: "Close the popup"}, `null`},
		{client.SDKAction{Type: client.SDKActionLocateElement, Prompt: "the cart icon"}, `"xpath=/html/body/main//*[1]"`},
		{client.SDKAction{Type: client.SDKActionValidate, Prompt: "The cart has 2 items"}, `true`},
		{client.SDKAction{Type: client.SDKActionValidate, Prompt: "The cart is empty [sandbox:fail]"}, `false`},
		{client.SDKAction{Type: client.SDKActionExtract, Prompt: "product names", ExtractSchema: client.RawJSON(`["name","price"]`)}, `{"name":"Sandbox Example","price":"$19.99"}`},
		{client.SDKAction{Type: client.SDKActionPrompt, Prompt: "Summarise", ResponseSchema: map[string]any{"type": "object",
			"properties": map[string]any{"ok": map[string]any{"type": "boolean"}}, "required": []any{"ok"}}}, `{"ok":true}`},
		{client.SDKAction{Type: client.SDKActionPrompt, Prompt: "Say hi"}, `"Sandbox answer to: Say hi"`},
	} {
		res := run(tc.action, wr)
		assert.Equal(t, wr, res.WorkflowRunID)
		if tc.want == "null" {
			assert.True(t, res.Result.IsNull(), "%s: %s", tc.action.Type, res.Result)
			continue
		}
		assert.JSONEq(t, tc.want, string(res.Result), "%s", tc.action.Type)
	}
	// Determinism: the same action gives the same result.
	again := run(client.SDKAction{Type: client.SDKActionExtract, Prompt: "product names", ExtractSchema: client.RawJSON(`["name","price"]`)}, wr)
	assert.JSONEq(t, `{"name":"Sandbox Example","price":"$19.99"}`, string(again.Result))

	// The workflow run is real: completed, in the session, with one block
	// per action in its timeline.
	got, err := e.c.GetRun(e.ctx, wr)
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusCompleted, got.Status)
	assert.Equal(t, client.RunTypeWorkflowRun, got.RunType)
	assert.Equal(t, session.BrowserSessionID, got.BrowserSessionID)
	tl, err := e.c.GetRunTimeline(e.ctx, wr)
	require.NoError(t, err)
	assert.Len(t, tl, 13)
	wfs, err := e.c.GetWorkflows(e.ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, wfs, "the SDK workflow is hidden, as Skyvern's auto-generated one")
}

func TestSDKActionErrors(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, true)
	for _, tc := range []struct {
		body string
		loc  []any
		typ  string
	}{
		{`{"action":{"type":"ai_act"}}`, []any{"body", "url"}, "missing"},
		{`{"url":"https://x.example"}`, []any{"body", "action"}, "missing"},
		{`{"url":"https://x.example","action":{"intention":"x"}}`, []any{"body", "action"}, "union_tag_not_found"},
		{`{"url":"https://x.example","action":{"type":"ai_hover"}}`, []any{"body", "action"}, "union_tag_invalid"},
		{`{"url":"https://x.example","action":{"type":"validate"}}`, []any{"body", "action", "validate", "prompt"}, "missing"},
		{`{"url":"https://x.example","action":{"type":"prompt","prompt":"x","response_schema":"text"}}`, []any{"body", "action", "prompt", "response_schema"}, "dict_type"},
		{`{"url":"https://x.example","action":{"type":"ai_click","timeout":"soon"}}`, []any{"body", "action", "ai_click", "timeout"}, "float_parsing"},
		{`{"url":"https://x.example","action":{"type":"ai_click","data":[1]}}`, []any{"body", "action", "ai_click", "data"}, "dict_type"},
		{`{"url":"https://x.example","action":{"type":"ai_act","intention":null}}`, []any{"body", "action", "ai_act", "intention"}, "string_type"},
	} {
		code, _, body := e.raw(t, "POST", "/v1/sdk/run_action", "application/json", tc.body)
		require.Equal(t, 422, code, "%s: %s", tc.body, body)
		assert.Equal(t, tc.typ, findLoc(t, validation(t, body), tc.loc...).Type, tc.body)
	}

	task, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x"})
	require.NoError(t, err)
	session, err := e.c.CreateBrowserSession(e.ctx, nil)
	require.NoError(t, err)
	require.NoError(t, e.c.CloseBrowserSession(e.ctx, session.BrowserSessionID))
	for _, tc := range []struct {
		req    client.RunSDKActionRequest
		status int
		detail string
	}{
		{client.RunSDKActionRequest{WorkflowRunID: task.RunID}, 404, "Workflow run " + task.RunID + " not found"},
		{client.RunSDKActionRequest{BrowserSessionID: "pbs_000000000000000001"}, 404, "Browser session pbs_000000000000000001 not found"},
		{client.RunSDKActionRequest{BrowserSessionID: session.BrowserSessionID}, 400, "Browser session " + session.BrowserSessionID + " is no longer running"},
		{client.RunSDKActionRequest{Action: client.SDKAction{Type: client.SDKActionClick, Intention: "Pay [sandbox:fail]"}}, 400, "Sandbox: the action failed as requested by [sandbox:fail]."},
	} {
		tc.req.URL = "https://x.example"
		if tc.req.Action.Type == "" {
			tc.req.Action = client.SDKAction{Type: client.SDKActionAct, Intention: "x"}
		}
		b, err := json.Marshal(tc.req)
		require.NoError(t, err)
		code, _, body := e.raw(t, "POST", "/v1/sdk/run_action", "application/json", string(b))
		assert.Equal(t, tc.status, code, "%s", body)
		assert.JSONEq(t, `{"detail":`+string(mustJSON(t, tc.detail))+`}`, string(body))
	}
	// No session and no browser address: Skyvern opens a browser itself.
	res, err := e.c.RunSDKAction(e.ctx, &client.RunSDKActionRequest{URL: "https://x.example", Action: client.SDKAction{Type: client.SDKActionAct, Intention: "x"}})
	require.NoError(t, err)
	got, err := e.c.GetRun(e.ctx, res.WorkflowRunID)
	require.NoError(t, err)
	assert.Empty(t, got.BrowserSessionID)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
