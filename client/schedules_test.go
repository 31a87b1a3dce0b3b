package client_test

import (
	"encoding/base64"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/contracttest"
)

// scheduleOperations are the schedule operations (Python SDK: client.schedules.*).
var scheduleOperations = []string{
	"GET /v1/schedules",
	"POST /v1/agents/{workflow_permanent_id}/schedules",
	"GET /v1/agents/{workflow_permanent_id}/schedules",
	"GET /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}",
	"PUT /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}",
	"DELETE /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}",
	"POST /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}/enable",
	"POST /v1/agents/{workflow_permanent_id}/schedules/{workflow_schedule_id}/disable",
}

// scriptOperations are the script operations.
var scriptOperations = []string{
	"POST /v1/scripts", "GET /v1/scripts", "GET /v1/scripts/{script_id}",
	"POST /v1/scripts/{script_id}/deploy", "POST /v1/scripts/{script_id}/run",
}

// sdkActionOperations is run_sdk_action.
var sdkActionOperations = []string{"POST /v1/sdk/run_action"}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestContractSchedulesScripts runs every schedule, script and SDK action
// operation against the sandbox through the spec-validating transport,
// with their error answers.
func TestContractSchedulesScripts(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(400, 404))
	ctx := e.ctx
	seenBefore := e.spec.Seen()

	wf, err := e.c.CreateWorkflow(ctx, &client.WorkflowRequest{JSONDefinition: map[string]any{
		"title": "Nightly report", "workflow_definition": map[string]any{
			"parameters": []any{
				map[string]any{"parameter_type": "workflow", "key": "region", "workflow_parameter_type": "string"},
				map[string]any{"parameter_type": "workflow", "key": "limit", "workflow_parameter_type": "integer", "default_value": 10},
			},
			"blocks": []any{map[string]any{"block_type": "task", "label": "open", "url": "https://example.com", "navigation_goal": "Open {{region}}"}},
		}}}, "")
	require.NoError(t, err)
	wpid := wf.WorkflowPermanentID

	var sched *client.WorkflowScheduleResponse
	t.Run("schedules_create", func(t *testing.T) {
		sched, err = e.c.CreateSchedule(ctx, wpid, &client.WorkflowScheduleUpsertRequest{
			CronExpression: "30 9 * * 1-5", Timezone: "America/New_York", Name: "Weekday morning",
			Description: "EU numbers", Parameters: map[string]any{"region": "eu", "limit": nil},
		})
		require.NoError(t, err)
		s := sched.Schedule
		assert.True(t, strings.HasPrefix(s.WorkflowScheduleID, "wfs_"), s.WorkflowScheduleID)
		assert.Equal(t, wpid, s.WorkflowPermanentID)
		assert.Equal(t, "30 9 * * 1-5", s.CronExpression)
		assert.Equal(t, "America/New_York", s.Timezone)
		assert.True(t, s.Enabled, "enabled defaults to true")
		assert.Equal(t, map[string]any{"region": "eu"}, s.Parameters, "null parameter values are dropped")
		assert.Equal(t, "Weekday morning", s.Name)
		require.Len(t, sched.NextRuns, 5)
		ny, _ := time.LoadLocation("America/New_York")
		prev := time.Time{}
		for _, r := range sched.NextRuns {
			at, err := time.Parse(time.RFC3339Nano, r)
			require.NoError(t, err)
			assert.True(t, at.After(time.Now()), r)
			assert.True(t, at.After(prev), "next_runs ascend")
			prev = at
			local := at.In(ny)
			assert.Equal(t, 9, local.Hour(), r)
			assert.Equal(t, 30, local.Minute(), r)
			assert.NotContains(t, []time.Weekday{time.Saturday, time.Sunday}, local.Weekday(), r)
		}

		// Errors: an unknown workflow, a bad cron, a bad time zone, a cron
		// firing every minute, a missing or unknown parameter.
		_, err = e.c.CreateSchedule(ctx, "wpid_missing", &client.WorkflowScheduleUpsertRequest{CronExpression: "0 9 * * *", Timezone: "UTC", Parameters: map[string]any{"region": "x"}})
		assert.True(t, client.IsNotFound(err), "%v", err)
		for _, tc := range []struct {
			req   client.WorkflowScheduleUpsertRequest
			field string
			msg   string
		}{
			{client.WorkflowScheduleUpsertRequest{CronExpression: "61 9 * * *", Timezone: "UTC"}, "cron_expression", "Invalid cron expression"},
			{client.WorkflowScheduleUpsertRequest{CronExpression: "0 9 * *", Timezone: "UTC"}, "cron_expression", "5 fields"},
			{client.WorkflowScheduleUpsertRequest{CronExpression: "* * * * *", Timezone: "UTC"}, "cron_expression", "at least 5 minutes"},
			{client.WorkflowScheduleUpsertRequest{CronExpression: "0 9 * * *", Timezone: "Mars/Olympus"}, "timezone", "Invalid timezone 'Mars/Olympus'"},
		} {
			_, err := e.c.CreateSchedule(ctx, wpid, &tc.req)
			var apiErr *client.APIError
			require.ErrorAs(t, err, &apiErr, "%+v", tc.req)
			assert.Equal(t, 422, apiErr.StatusCode)
			require.Len(t, apiErr.ValidationErrors, 1, "%+v", apiErr.ValidationErrors)
			assert.Equal(t, tc.field, apiErr.ValidationErrors[0].Field())
			assert.Contains(t, apiErr.Detail, tc.msg)
		}
		_, err = e.c.CreateSchedule(ctx, wpid, &client.WorkflowScheduleUpsertRequest{CronExpression: "0 9 * * *", Timezone: "UTC"})
		assert.Equal(t, 400, client.StatusCode(err))
		assert.ErrorContains(t, err, "Missing schedule parameters for workflow "+wpid+": region")
		_, err = e.c.CreateSchedule(ctx, wpid, &client.WorkflowScheduleUpsertRequest{CronExpression: "0 9 * * *", Timezone: "UTC",
			Parameters: map[string]any{"region": "us", "colour": "red"}})
		assert.Equal(t, 400, client.StatusCode(err))
		assert.ErrorContains(t, err, "Unknown schedule parameters for workflow "+wpid+": colour")
		_, err = e.c.CreateSchedule(ctx, wpid, &client.WorkflowScheduleUpsertRequest{Timezone: "UTC"})
		assert.ErrorContains(t, err, "cron_expression is required")
	})
	id := sched.Schedule.WorkflowScheduleID

	t.Run("schedules_list", func(t *testing.T) {
		off := false
		_, err := e.c.CreateSchedule(ctx, wpid, &client.WorkflowScheduleUpsertRequest{CronExpression: "@daily", Timezone: "UTC",
			Enabled: &off, Parameters: map[string]any{"region": "us"}, Name: "Daily US"})
		require.NoError(t, err)
		list, err := e.c.ListSchedules(ctx, wpid)
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, "Daily US", list[0].Name, "newest first")
		assert.False(t, list[0].Enabled)
		assert.Equal(t, id, list[1].WorkflowScheduleID)
		_, err = e.c.ListSchedules(ctx, "wpid_missing")
		assert.True(t, client.IsNotFound(err))
	})
	t.Run("schedules_get", func(t *testing.T) {
		got, err := e.c.GetSchedule(ctx, wpid, id)
		require.NoError(t, err)
		assert.Equal(t, "Weekday morning", got.Schedule.Name)
		assert.Len(t, got.NextRuns, 5)
		_, err = e.c.GetSchedule(ctx, wpid, "wfs_missing")
		assert.True(t, client.IsNotFound(err))
		var apiErr *client.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "Schedule wfs_missing not found", apiErr.Detail)
	})
	t.Run("schedules_update", func(t *testing.T) {
		up, err := e.c.UpdateSchedule(ctx, wpid, id, &client.WorkflowScheduleUpsertRequest{CronExpression: "0 */6 * * *", Timezone: "UTC",
			Parameters: map[string]any{"region": "apac"}})
		require.NoError(t, err)
		assert.Equal(t, "0 */6 * * *", up.Schedule.CronExpression)
		assert.Equal(t, "UTC", up.Schedule.Timezone)
		assert.Empty(t, up.Schedule.Name, "PUT replaces every field")
		assert.Equal(t, map[string]any{"region": "apac"}, up.Schedule.Parameters)
		for _, r := range up.NextRuns {
			at, err := time.Parse(time.RFC3339Nano, r)
			require.NoError(t, err)
			assert.Zero(t, at.UTC().Hour()%6, r)
			assert.Zero(t, at.Minute(), r)
		}
		_, err = e.c.UpdateSchedule(ctx, wpid, id, &client.WorkflowScheduleUpsertRequest{CronExpression: "0 9 * * *", Timezone: "Nowhere/Land"})
		assert.True(t, client.IsValidation(err))
	})
	t.Run("schedules_disable", func(t *testing.T) {
		off, err := e.c.DisableSchedule(ctx, wpid, id)
		require.NoError(t, err)
		assert.False(t, off.Schedule.Enabled)
	})
	t.Run("schedules_list_all", func(t *testing.T) {
		all, err := e.c.ListAllSchedules(ctx, &client.ListAllSchedulesParams{Page: 1, PageSize: 50})
		require.NoError(t, err)
		assert.Equal(t, 2, all.TotalCount)
		assert.Equal(t, 50, all.PageSize)
		require.Len(t, all.Schedules, 2)
		assert.Equal(t, "Nightly report", all.Schedules[0].WorkflowTitle)
		paused, err := e.c.ListAllSchedules(ctx, &client.ListAllSchedulesParams{Status: "paused"})
		require.NoError(t, err)
		assert.Equal(t, 2, paused.TotalCount, "both are disabled now")
		assert.Empty(t, paused.Schedules[0].NextRun, "no next_run while disabled")
		found, err := e.c.ListAllSchedules(ctx, &client.ListAllSchedulesParams{Search: "daily us"})
		require.NoError(t, err)
		require.Equal(t, 1, found.TotalCount)
		assert.Equal(t, "Daily US", found.Schedules[0].Name)
		_, err = e.c.ListAllSchedules(ctx, &client.ListAllSchedulesParams{PageSize: 101})
		assert.ErrorContains(t, err, "page_size")
	})
	t.Run("schedules_enable", func(t *testing.T) {
		on, err := e.c.EnableSchedule(ctx, wpid, id)
		require.NoError(t, err)
		assert.True(t, on.Schedule.Enabled)
		active, err := e.c.ListAllSchedules(ctx, &client.ListAllSchedulesParams{Status: "active"})
		require.NoError(t, err)
		require.Equal(t, 1, active.TotalCount)
		assert.Equal(t, id, active.Schedules[0].WorkflowScheduleID)
		assert.NotEmpty(t, active.Schedules[0].NextRun)
		_, err = e.c.EnableSchedule(ctx, "wpid_missing", id)
		assert.True(t, client.IsNotFound(err))
	})
	t.Run("schedules_delete", func(t *testing.T) {
		res, err := e.c.DeleteSchedule(ctx, wpid, id)
		require.NoError(t, err)
		assert.True(t, res.OK)
		_, err = e.c.GetSchedule(ctx, wpid, id)
		assert.True(t, client.IsNotFound(err))
		_, err = e.c.DeleteSchedule(ctx, wpid, id)
		assert.True(t, client.IsNotFound(err), "a second delete is a 404")
		require.NoError(t, e.c.DeleteWorkflow(ctx, wpid))
		all, err := e.c.ListAllSchedules(ctx, nil)
		require.NoError(t, err)
		assert.Zero(t, all.TotalCount, "a deleted workflow's schedules go with it")
	})

	var created *client.CreateScriptResponse
	t.Run("create_script", func(t *testing.T) {
		run, err := e.c.RunTask(ctx, &client.TaskRunRequest{Prompt: "x"})
		require.NoError(t, err)
		created, err = e.c.CreateScript(ctx, &client.CreateScriptRequest{RunID: run.RunID, Files: []client.ScriptFileCreate{
			{Path: "main.py", Content: b64("print('hi')\n")},
			{Path: "lib/util.py", Content: "X = 1\n", Encoding: client.FileEncodingUTF8},
			{Path: "requirements.txt", Content: b64("requests==2.32.3\n"), MimeType: "text/plain"},
		}})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(created.ScriptID, "s_"), created.ScriptID)
		assert.Equal(t, 1, created.Version)
		assert.Equal(t, run.RunID, created.RunID)
		assert.Equal(t, 3, created.FileCount)
		main := created.FileTree["main.py"]
		assert.Equal(t, "file", main.Type)
		assert.EqualValues(t, 12, *main.Size)
		assert.Equal(t, "text/x-python", main.MimeType)
		assert.Equal(t, "sha256:", main.ContentHash[:7])
		lib := created.FileTree["lib"]
		assert.Equal(t, "directory", lib.Type)
		assert.EqualValues(t, 6, *lib.Children["util.py"].Size)

		_, err = e.c.CreateScript(ctx, &client.CreateScriptRequest{RunID: "tsk_missing"})
		assert.True(t, client.IsNotFound(err))
		_, err = e.c.CreateScript(ctx, &client.CreateScriptRequest{Files: []client.ScriptFileCreate{{Path: "a.py", Content: "not base64!"}}})
		assert.ErrorContains(t, err, "files[0].content")
		empty, err := e.c.CreateScript(ctx, nil)
		require.NoError(t, err)
		assert.Zero(t, empty.FileCount)
		assert.Empty(t, empty.FileTree)
	})
	t.Run("deploy_script", func(t *testing.T) {
		v2, err := e.c.DeployScript(ctx, created.ScriptID, &client.DeployScriptRequest{Files: []client.ScriptFileCreate{{Path: "src/main.py", Content: b64("print(2)")}}})
		require.NoError(t, err)
		assert.Equal(t, 2, v2.Version)
		assert.Equal(t, created.ScriptID, v2.ScriptID)
		assert.Equal(t, created.RunID, v2.RunID, "the run ID carries over")
		assert.Equal(t, 1, v2.FileCount)
		assert.Contains(t, v2.FileTree, "src")
		_, err = e.c.DeployScript(ctx, "s_missing", &client.DeployScriptRequest{Files: []client.ScriptFileCreate{{Path: "a.py", Content: ""}}})
		assert.True(t, client.IsNotFound(err))
	})
	t.Run("get_script", func(t *testing.T) {
		got, err := e.c.GetScript(ctx, created.ScriptID)
		require.NoError(t, err)
		assert.Equal(t, 2, got.Version, "the latest version")
		assert.True(t, strings.HasPrefix(got.ScriptRevisionID, "sr_"))
		_, err = e.c.GetScript(ctx, "s_missing")
		var apiErr *client.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 404, apiErr.StatusCode)
		assert.Equal(t, "Script not found", apiErr.Detail)
	})
	t.Run("get_scripts", func(t *testing.T) {
		list, err := e.c.GetScripts(ctx, &client.GetScriptsParams{Page: 1, PageSize: 10})
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, created.ScriptID, list[1].ScriptID, "newest first")
		assert.Equal(t, 2, list[1].Version)
		page2, err := e.c.GetScripts(ctx, &client.GetScriptsParams{Page: 2, PageSize: 1})
		require.NoError(t, err)
		require.Len(t, page2, 1)
		assert.Equal(t, created.ScriptID, page2[0].ScriptID)
	})
	t.Run("run_script", func(t *testing.T) {
		e.sb.ResetCalls()
		res, err := e.c.RunScript(ctx, created.ScriptID)
		require.NoError(t, err)
		assert.True(t, res.IsNull(), "Skyvern answers null")
		_, err = e.c.RunScript(ctx, "s_missing")
		assert.True(t, client.IsNotFound(err))
		assert.Equal(t, 2, e.sb.Calls("POST", "/v1/scripts/{script_id}/run"))
	})

	t.Run("run_sdk_action", func(t *testing.T) {
		session, err := e.c.CreateBrowserSession(ctx, nil)
		require.NoError(t, err)
		res, err := e.c.RunSDKAction(ctx, &client.RunSDKActionRequest{URL: "https://example.com", BrowserSessionID: session.BrowserSessionID,
			Action: client.SDKAction{Type: client.SDKActionClick, Intention: "Click Sign in", Timeout: ptr(5000.0)}})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(res.WorkflowRunID, "wr_"), res.WorkflowRunID)
		assert.Equal(t, `"xpath=/html/body/main//button[1]"`, string(res.Result))
		run, err := e.c.GetRun(ctx, res.WorkflowRunID)
		require.NoError(t, err)
		assert.Equal(t, client.RunStatusCompleted, run.Status)
		assert.Equal(t, session.BrowserSessionID, run.BrowserSessionID)

		ex, err := e.c.RunSDKAction(ctx, &client.RunSDKActionRequest{URL: "https://example.com", BrowserSessionID: session.BrowserSessionID,
			WorkflowRunID: res.WorkflowRunID, Action: client.SDKAction{Type: client.SDKActionExtract, Prompt: "the price",
				ExtractSchema: client.RawJSON(`{"type":"object","properties":{"price":{"type":"number"}},"required":["price"]}`)}})
		require.NoError(t, err)
		assert.Equal(t, res.WorkflowRunID, ex.WorkflowRunID, "recorded in the given workflow run")
		var out map[string]any
		require.NoError(t, ex.Result.Decode(&out))
		assert.IsType(t, 0.0, out["price"])

		ok, err := e.c.RunSDKAction(ctx, &client.RunSDKActionRequest{URL: "https://example.com", Action: client.SDKAction{Type: client.SDKActionValidate, Prompt: "The cart is empty"}})
		require.NoError(t, err)
		assert.Equal(t, "true", string(ok.Result))
		act, err := e.c.RunSDKAction(ctx, &client.RunSDKActionRequest{URL: "https://example.com", Action: client.SDKAction{Type: client.SDKActionAct, Intention: "Accept cookies"}})
		require.NoError(t, err)
		assert.True(t, act.Result.IsNull())

		// Errors: unknown session, run and action type, a field of another type.
		_, err = e.c.RunSDKAction(ctx, &client.RunSDKActionRequest{URL: "https://example.com", BrowserSessionID: "pbs_missing", Action: client.SDKAction{Type: client.SDKActionAct}})
		assert.True(t, client.IsNotFound(err))
		_, err = e.c.RunSDKAction(ctx, &client.RunSDKActionRequest{URL: "https://example.com", WorkflowRunID: "wr_missing", Action: client.SDKAction{Type: client.SDKActionAct}})
		assert.True(t, client.IsNotFound(err))
		require.NoError(t, e.c.CloseBrowserSession(ctx, session.BrowserSessionID))
		_, err = e.c.RunSDKAction(ctx, &client.RunSDKActionRequest{URL: "https://example.com", BrowserSessionID: session.BrowserSessionID, Action: client.SDKAction{Type: client.SDKActionAct}})
		assert.Equal(t, 400, client.StatusCode(err))
		_, err = e.c.RunSDKAction(ctx, &client.RunSDKActionRequest{URL: "https://example.com", Action: client.SDKAction{Type: client.SDKActionAct, Prompt: "x"}})
		assert.ErrorContains(t, err, "action.prompt not accepted by ai_act actions")
		_, err = e.c.RunSDKAction(ctx, &client.RunSDKActionRequest{URL: "https://example.com", Action: client.SDKAction{Type: client.SDKActionPrompt}})
		assert.ErrorContains(t, err, "action.prompt is required")
		_, err = e.c.RunSDKAction(ctx, &client.RunSDKActionRequest{URL: "https://example.com", Action: client.SDKAction{Type: "ai_hover"}})
		assert.ErrorContains(t, err, `action.type "ai_hover"`)
	})

	e.assertExercised(t, seenBefore, slices.Concat(scheduleOperations, scriptOperations, sdkActionOperations))
}

func TestSchedulesScriptsOperationsExistInSpec(t *testing.T) {
	ops := contracttest.Load(t).Operations()
	for _, op := range append(append(append([]string{}, scheduleOperations...), scriptOperations...), sdkActionOperations...) {
		assert.Contains(t, ops, op)
	}
}

// The billed POSTs (run_script, run_sdk_action) and the creates are sent
// exactly once, even when Skyvern answers 503.
func TestSchedulesScriptsPOSTsAreNeverRetried(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(503))
	for _, tc := range []struct {
		path string
		call func() error
	}{
		{"/v1/scripts/{script_id}/run", func() error { _, err := e.c.RunScript(e.ctx, "s_1"); return err }},
		{"/v1/sdk/run_action", func() error {
			_, err := e.c.RunSDKAction(e.ctx, &client.RunSDKActionRequest{URL: "https://example.com", Action: client.SDKAction{Type: client.SDKActionAct}})
			return err
		}},
		{"/v1/scripts", func() error { _, err := e.c.CreateScript(e.ctx, nil); return err }},
		{"/v1/agents/{workflow_permanent_id}/schedules", func() error {
			_, err := e.c.CreateSchedule(e.ctx, "wpid_1", &client.WorkflowScheduleUpsertRequest{CronExpression: "@daily", Timezone: "UTC"})
			return err
		}},
	} {
		e.sb.ResetCalls()
		e.sb.AddFault(sandbox503(tc.path))
		err := tc.call()
		assert.Equal(t, 503, client.StatusCode(err), tc.path)
		assert.Equal(t, 1, e.sb.Calls("POST", tc.path), tc.path)
		e.sb.ClearFaults()
	}
}

// The text typed by ai_input_text never comes back: not in an error that
// echoes the request, not in a result that echoes it.
func TestRunSDKActionRedactsTypedText(t *testing.T) {
	const typed = "hunter2-canary-5150"
	e := newContractEnv(t, contracttest.AllowStatus(400))
	e.sb.AddFault(sandboxFault("/v1/sdk/run_action", 400, `{"detail":"could not type `+typed+` into the field"}`))
	_, err := e.c.RunSDKAction(e.ctx, &client.RunSDKActionRequest{URL: "https://example.com/login",
		Action: client.SDKAction{Type: client.SDKActionInputText, Intention: "Password", Value: typed}})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), typed)
	assert.Contains(t, err.Error(), "[REDACTED]")
	e.sb.ClearFaults()

	e.sb.AddFault(sandboxFault("/v1/sdk/run_action", 200, `{"workflow_run_id":"wr_1","result":{"typed":"`+typed+`"}}`))
	res, err := e.c.RunSDKAction(e.ctx, &client.RunSDKActionRequest{URL: "https://example.com/login",
		Action: client.SDKAction{Type: client.SDKActionInputText, Intention: "Password", Value: typed}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"typed":"[REDACTED]"}`, string(res.Result))
	e.sb.ClearFaults()

	// A later action that reads the field back does not show it either.
	e.sb.AddFault(sandboxFault("/v1/sdk/run_action", 200, `{"workflow_run_id":"wr_1","result":{"password":"`+typed+`","user":"ann"}}`))
	res, err = e.c.RunSDKAction(e.ctx, &client.RunSDKActionRequest{URL: "https://example.com/login",
		Action: client.SDKAction{Type: client.SDKActionExtract, Prompt: "the form's values"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"password":"[REDACTED]","user":"ann"}`, string(res.Result))
	e.sb.ClearFaults()

	// Typed digits echoed inside a number: the result stays valid JSON.
	e.sb.AddFault(sandboxFault("/v1/sdk/run_action", 200, `{"workflow_run_id":"wr_1","result":4242424242}`))
	res, err = e.c.RunSDKAction(e.ctx, &client.RunSDKActionRequest{URL: "https://example.com/pay",
		Action: client.SDKAction{Type: client.SDKActionInputText, Intention: "Card", Value: "42424242"}})
	require.NoError(t, err)
	assert.Equal(t, `"[REDACTED]42"`, string(res.Result))
	e.sb.ClearFaults()

	// The sandbox itself answers with the field's selector, not the text.
	res, err = e.c.RunSDKAction(e.ctx, &client.RunSDKActionRequest{URL: "https://example.com/login",
		Action: client.SDKAction{Type: client.SDKActionInputText, Intention: "Password", Value: typed}})
	require.NoError(t, err)
	assert.NotContains(t, string(res.Result), typed)
	assert.Contains(t, string(res.Result), "xpath=")
}

// TestStructsMatchSpecSchedulesScripts checks every schedule, script and
// SDK action struct against its spec schema.
func TestStructsMatchSpecSchedulesScripts(t *testing.T) {
	spec := contracttest.Load(t)
	actionFields := []string{"selector", "intention", "value", "file_url", "data", "timeout", "totp_identifier", "totp_url",
		"prompt", "extract_schema", "error_code_mapping", "response_schema", "model"}
	// SDKAction is one struct for the nine action schemas: each schema has
	// only some of its fields.
	actionOpts := func(tp client.SDKActionType) []contracttest.StructOption {
		var o []contracttest.StructOption
		for _, f := range actionFields {
			if !slices.Contains(tp.Fields(), f) {
				o = append(o, contracttest.IgnoreGoField(f, "a field of another action type"))
			}
		}
		return o
	}
	for _, tc := range []struct {
		v      any
		schema string
		opts   []contracttest.StructOption
	}{
		{client.WorkflowScheduleUpsertRequest{}, "WorkflowScheduleUpsertRequest", nil},
		{client.WorkflowSchedule{}, "WorkflowSchedule", nil},
		{client.WorkflowScheduleResponse{}, "WorkflowScheduleResponse", nil},
		{client.WorkflowScheduleListResponse{}, "WorkflowScheduleListResponse", nil},
		{client.OrganizationScheduleItem{}, "OrganizationScheduleItem", nil},
		{client.OrganizationScheduleListResponse{}, "OrganizationScheduleListResponse", nil},
		{client.DeleteScheduleResponse{}, "DeleteScheduleResponse", nil},
		{client.CreateScriptRequest{}, "CreateScriptRequest", nil},
		{client.ScriptFileCreate{}, "ScriptFileCreate", nil},
		{client.DeployScriptRequest{}, "DeployScriptRequest", nil},
		{client.CreateScriptResponse{}, "CreateScriptResponse", nil},
		{client.FileNode{}, "FileNode", nil},
		{client.Script{}, "Script", nil},
		{client.RunSDKActionRequest{}, "RunSdkActionRequest", nil},
		{client.RunSDKActionResponse{}, "RunSdkActionResponse", nil},
		{client.SDKAction{}, "ClickAction", actionOpts(client.SDKActionClick)},
		{client.SDKAction{}, "InputTextAction", actionOpts(client.SDKActionInputText)},
		{client.SDKAction{}, "SelectOptionAction", actionOpts(client.SDKActionSelectOption)},
		{client.SDKAction{}, "UploadFileAction", actionOpts(client.SDKActionUploadFile)},
		{client.SDKAction{}, "ActAction", actionOpts(client.SDKActionAct)},
		{client.SDKAction{}, "ExtractAction", actionOpts(client.SDKActionExtract)},
		{client.SDKAction{}, "LocateElementAction", actionOpts(client.SDKActionLocateElement)},
		{client.SDKAction{}, "ValidateAction", actionOpts(client.SDKActionValidate)},
		{client.SDKAction{}, "PromptAction", actionOpts(client.SDKActionPrompt)},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			spec.CheckStruct(t, reflect.TypeOf(tc.v), tc.schema, tc.opts...)
		})
	}
	// The enums list exactly the spec's values.
	assert.ElementsMatch(t, []string{"base64", "utf-8"}, client.FileEncoding("").EnumValues())
	assert.Len(t, client.SDKActionType("").EnumValues(), 9)
}

// sandboxFault answers path with status and body.
func sandboxFault(path string, status int, body string) sandbox.Fault {
	return sandbox.Fault{Method: "POST", Path: path, Status: status, Body: body}
}

func sandbox503(path string) sandbox.Fault {
	return sandbox.Fault{Method: "POST", Path: path, Status: 503, RetryAfter: "0"}
}
