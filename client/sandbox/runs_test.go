package sandbox_test

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func TestRunLifecycle(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "Find the price", URL: "https://example.com"})
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusCreated, run.Status)
	assert.Equal(t, client.RunTypeTaskV1, run.RunType)
	assert.Regexp(t, `^tsk_\d{18}$`, run.RunID)
	requireDateTime(t, run.CreatedAt, false)
	require.NotNil(t, run.RunRequest)
	assert.Equal(t, "Find the price", run.RunRequest.Prompt)
	assert.Equal(t, client.EngineSkyvern1, run.RunRequest.Engine, "defaults are echoed")
	assert.Equal(t, e.srv.URL+"/app/runs/"+run.RunID, run.AppURL)

	var statuses []client.RunStatus
	lastSteps := -1
	for i := 0; i <= 10; i++ {
		got, err := e.c.GetRun(e.ctx, run.RunID)
		require.NoError(t, err)
		requireDateTime(t, got.ModifiedAt, false)
		requireDateTime(t, got.QueuedAt, true)
		requireDateTime(t, got.StartedAt, true)
		requireDateTime(t, got.FinishedAt, true)
		if len(statuses) == 0 || statuses[len(statuses)-1] != got.Status {
			statuses = append(statuses, got.Status)
		}
		if got.Status == client.RunStatusRunning {
			assert.GreaterOrEqual(t, got.Steps(), lastSteps, "step_count never goes down")
			assert.Len(t, got.ScreenshotURLs, 1)
			assert.Empty(t, got.RecordingURL)
			assert.True(t, got.Output.IsNull())
			lastSteps = got.Steps()
		}
		if got.Status == client.RunStatusCompleted {
			assert.Equal(t, 5, got.Steps())
			assert.NotEmpty(t, got.FinishedAt)
			assert.NotEmpty(t, got.RecordingURL)
			assert.False(t, got.Output.IsNull())
			assert.Equal(t, got.FinishedAt, got.ModifiedAt)
		}
		e.clock.Advance(100 * time.Millisecond)
	}
	assert.Equal(t, []client.RunStatus{"created", "queued", "running", "completed"}, statuses)
	assert.Greater(t, lastSteps, 1, "step_count rises while running")
}

func TestRunWaitForRunRealClock(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: 300 * time.Millisecond}, false)
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "Real time"})
	require.NoError(t, err)
	order := map[client.RunStatus]int{"created": 0, "queued": 1, "running": 2, "completed": 3}
	last := -1
	done, err := e.c.WaitForRun(e.ctx, run.RunID, client.WaitOptions{
		PollInitial: 10 * time.Millisecond, PollMax: 20 * time.Millisecond, Timeout: 5 * time.Second,
		OnPoll: func(r *client.Run) {
			i, ok := order[r.Status]
			assert.True(t, ok, "unexpected status %s", r.Status)
			assert.GreaterOrEqual(t, i, last, "statuses go forward")
			last = i
		},
	})
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusCompleted, done.Status)
}

func TestRunTypesAndIDs(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	cases := map[client.RunEngine]struct {
		id string
		rt client.RunType
	}{
		client.EngineSkyvern1:        {`^tsk_\d{18}$`, client.RunTypeTaskV1},
		client.EngineSkyvern2:        {`^tsk_v2_\d{18}$`, client.RunTypeTaskV2},
		client.EngineOpenAICUA:       {`^tsk_\d{18}$`, client.RunTypeOpenAICUA},
		client.EngineAnthropicCUA:    {`^tsk_\d{18}$`, client.RunTypeAnthropicCUA},
		client.EngineUITars:          {`^tsk_\d{18}$`, client.RunTypeUITars},
		client.EngineYutoriNavigator: {`^tsk_\d{18}$`, client.RunTypeYutoriNavigator},
	}
	for engine, want := range cases {
		run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x", Engine: engine})
		require.NoError(t, err)
		assert.Regexp(t, want.id, run.RunID, engine)
		assert.Equal(t, want.rt, run.RunType, engine)
		assert.Equal(t, client.RunStatusCompleted, run.Status, "a negative RunDuration finishes at once")
	}
}

func TestCancelRun(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "cancel me"})
	require.NoError(t, err)
	e.clock.Advance(500 * time.Millisecond)
	got, err := e.c.GetRun(e.ctx, run.RunID)
	require.NoError(t, err)
	require.Equal(t, client.RunStatusRunning, got.Status)

	code, hdr, body := e.raw(t, "POST", "/v1/runs/"+run.RunID+"/cancel", "", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "application/json", hdr.Get("Content-Type"))
	assert.Equal(t, "null", string(body), "FastAPI's body for a handler returning None")

	e.clock.Advance(time.Hour)
	got, err = e.c.GetRun(e.ctx, run.RunID)
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusCanceled, got.Status)
	assert.NotEmpty(t, got.FinishedAt)
	assert.True(t, got.Output.IsNull())
	arts, err := e.c.GetRunArtifacts(e.ctx, run.RunID)
	require.NoError(t, err)
	assert.Len(t, arts, 4, "a final run has all four artifacts")

	code, _, body = e.raw(t, "POST", "/v1/runs/tsk_000000000000000001/cancel", "", "")
	assert.Equal(t, 404, code)
	assert.JSONEq(t, `{"detail":"Run not found tsk_000000000000000001"}`, string(body))
}

func TestTriggers(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	start := func(prompt string) string {
		run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: prompt, ErrorCodeMapping: map[string]string{"login_failed": "bad password"}})
		require.NoError(t, err)
		return run.RunID
	}
	fail := start("Log in [sandbox:fail]")
	term := start("Buy it [SANDBOX:TERMINATE]")
	timeout := start("Wait [sandbox:timeout]")
	slow := start("Take your time [sandbox:slow]")
	pause := start("Hold on [sandbox:pause]")
	get := func(id string) *client.Run {
		r, err := e.c.GetRun(e.ctx, id)
		require.NoError(t, err)
		return r
	}

	e.clock.Advance(400 * time.Millisecond) // 0.4 of the run: the middle third has begun
	assert.Equal(t, client.RunStatusPaused, get(pause).Status)
	e.clock.Advance(300 * time.Millisecond) // 0.7: going on again
	assert.Equal(t, client.RunStatusRunning, get(pause).Status)
	e.clock.Advance(300 * time.Millisecond) // 1.0
	assert.Equal(t, client.RunStatusCompleted, get(pause).Status)

	r := get(fail)
	assert.Equal(t, client.RunStatusFailed, r.Status)
	assert.Contains(t, r.FailureReason, "[sandbox:fail]")
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "login_failed", r.Errors[0]["error_code"])
	r = get(term)
	assert.Equal(t, client.RunStatusTerminated, r.Status)
	assert.NotEmpty(t, r.FailureReason)
	r = get(timeout)
	assert.Equal(t, client.RunStatusTimedOut, r.Status)
	assert.NotEmpty(t, r.FailureReason)

	assert.False(t, get(slow).Status.IsFinal(), "10× the duration")
	e.clock.Advance(9 * time.Second)
	assert.Equal(t, client.RunStatusCompleted, get(slow).Status)
}

func TestOutputFollowsSchema(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	schemas := []string{
		`{"type":"object","properties":{"price":{"type":"number"},"title":{"type":"string"}},"required":["price","title"]}`,
		`{"type":"object","additionalProperties":false,"properties":{
			"items":{"type":"array","minItems":2,"uniqueItems":true,"items":{"type":"object","required":["sku","qty"],"properties":{
				"sku":{"type":"string","pattern":"^[A-Z]{3}[0-9]+$"},"qty":{"type":"integer","minimum":10,"maximum":20,"multipleOf":5}}}},
			"currency":{"enum":["EUR","USD"]},"in_stock":{"type":"boolean"},"rating":{"type":"number","exclusiveMaximum":3},
			"email":{"type":"string","format":"email"},"updated":{"type":"string","format":"date-time"},
			"code":{"type":"string","minLength":12,"maxLength":12},"note":{"type":["null","string"]}}}`,
		`{"$defs":{"addr":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
		  "type":"object","properties":{"home":{"$ref":"#/$defs/addr"},"work":{"anyOf":[{"type":"null"},{"$ref":"#/$defs/addr"}]},
		  "both":{"allOf":[{"$ref":"#/$defs/addr"},{"properties":{"zip":{"type":"string","maxLength":5}},"required":["zip"]}]},
		  "kind":{"oneOf":[{"const":"a"},{"const":"b"}]},"tuple":{"type":"array","prefixItems":[{"type":"integer"},{"type":"string"}]}},
		  "required":["home","work","both","kind"]}`,
		`{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"year":{"type":"integer","minimum":1900,"maximum":1950}}}}`,
		`{"type":"string","enum":["only"]}`,
	}
	for _, raw := range schemas {
		run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "extract", DataExtractionSchema: client.RawJSON(raw)})
		require.NoError(t, err)
		require.Equal(t, client.RunStatusCompleted, run.Status)

		c := jsonschema.NewCompiler()
		c.AssertFormat()
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(raw))
		require.NoError(t, err)
		require.NoError(t, c.AddResource("schema.json", doc))
		sch, err := c.Compile("schema.json")
		require.NoError(t, err)
		out, err := jsonschema.UnmarshalJSON(strings.NewReader(string(run.Output)))
		require.NoError(t, err)
		assert.NoError(t, sch.Validate(out), "output %s for schema %s", run.Output, raw)
	}

	decode := func(schema client.RawJSON) map[string]any {
		run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "extract", DataExtractionSchema: schema})
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, run.Output.Decode(&m), "%s", run.Output)
		return m
	}
	assert.Contains(t, decode(nil), "summary")
	text, _ := client.JSONOf("the price and the seller's name")
	assert.Contains(t, decode(text)["extracted_information"], "the price")
	names, _ := client.JSONOf([]string{"price", "seller"})
	assert.Equal(t, []string{"price", "seller"}, keys(decode(names)))
	short, _ := client.JSONOf(map[string]any{"price": "number", "tags": []any{"string"}})
	m := decode(short)
	assert.IsType(t, float64(0), m["price"])
	assert.IsType(t, []any{}, m["tags"])
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestTimeline(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	v1, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x"})
	require.NoError(t, err)
	_, err = e.c.GetRunTimeline(e.ctx, v1.RunID)
	assert.ErrorIs(t, err, client.ErrBadRequest)

	v2, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "plan it", Engine: client.EngineSkyvern2})
	require.NoError(t, err)
	tl, err := e.c.GetRunTimeline(e.ctx, v2.RunID)
	require.NoError(t, err)
	assert.Empty(t, tl, "nothing before the run starts")
	e.clock.Advance(2 * time.Second)
	tl, err = e.c.GetRunTimeline(e.ctx, v2.RunID)
	require.NoError(t, err)
	var types []string
	for _, entry := range tl {
		types = append(types, entry.Type)
		assert.Empty(t, entry.Children, "sandbox entries have no nested children")
		requireDateTime(t, entry.CreatedAt, false)
	}
	assert.Equal(t, []string{"thought", "block", "block", "thought"}, types)
	assert.Equal(t, "completed", tl[1].Block["status"])

	_, err = e.c.GetRunTimeline(e.ctx, "wr_000000000000000001")
	assert.True(t, client.IsNotFound(err))
}

func TestRetryWebhookDeliversNothing(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x", WebhookURL: "https://hooks.example.com/a"})
	require.NoError(t, err)
	replay, err := e.c.RetryRunWebhook(e.ctx, run.RunID, &client.RetryRunWebhookRequest{WebhookURL: "https://hooks.example.com/b"})
	require.NoError(t, err)
	assert.Equal(t, "https://hooks.example.com/a", replay.DefaultWebhookURL)
	assert.Equal(t, "https://hooks.example.com/b", replay.TargetWebhookURL)
	assert.Contains(t, replay.Error, "does not deliver webhooks")
	assert.Nil(t, replay.StatusCode)
	var payload client.Run
	require.NoError(t, json.Unmarshal([]byte(replay.Payload), &payload))
	assert.Equal(t, run.RunID, payload.RunID)
	replay, err = e.c.RetryRunWebhook(e.ctx, run.RunID, nil)
	require.NoError(t, err)
	assert.Equal(t, "https://hooks.example.com/a", replay.TargetWebhookURL)
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: 50 * time.Millisecond}, false)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "parallel"})
			if !assert.NoError(t, err) {
				return
			}
			done, err := e.c.WaitForRun(e.ctx, run.RunID, client.WaitOptions{PollInitial: 5 * time.Millisecond, PollMax: 10 * time.Millisecond})
			if assert.NoError(t, err) {
				assert.Equal(t, client.RunStatusCompleted, done.Status)
			}
			_, err = e.c.GetRunArtifacts(e.ctx, run.RunID)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 8, e.sb.Calls("POST", "/v1/run/tasks"))
}

// Listings follow the runs' live status: a filter on status or error_code
// changes as the clock moves, and every list agrees with get_run.
func TestRunListingsFollowTheClock(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	wf := newExtraWorkflow(t, e, "Weather")
	a, err := e.c.RunWorkflow(e.ctx, &client.WorkflowRunRequest{WorkflowID: wf.WorkflowPermanentID, Parameters: map[string]any{"city": "Oslo [sandbox:fail]"}})
	require.NoError(t, err)
	e.clock.Advance(10 * time.Millisecond)
	task, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x", Engine: client.EngineSkyvern2})
	require.NoError(t, err)
	e.clock.Advance(10 * time.Millisecond)
	login, err := e.c.Login(e.ctx, &client.LoginRequest{CredentialType: client.LoginSkyvern, CredentialID: mustCred(t, e)})
	require.NoError(t, err)

	all, err := e.c.GetRunsV2(e.ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{login.RunID, task.RunID, a.RunID}, ids(all, itemID))
	assert.Equal(t, "task_v2", all[1].TaskRunType)
	assert.Equal(t, "created", all[1].Status)
	assert.Empty(t, all[1].StartedAt)

	// error_code only matches once the run has failed.
	early, err := e.c.GetWorkflowRuns(e.ctx, &client.GetWorkflowRunsParams{ErrorCode: "BLOCKED"})
	require.NoError(t, err)
	assert.Empty(t, early)
	e.clock.Advance(2 * time.Second)
	failed, err := e.c.GetWorkflowRuns(e.ctx, &client.GetWorkflowRunsParams{ErrorCode: "BLOCKED"})
	require.NoError(t, err)
	assert.Equal(t, []string{a.RunID}, ids(failed, wrID), "the first code of the block's error_code_mapping")
	run, err := e.c.GetRun(e.ctx, a.RunID)
	require.NoError(t, err)
	assert.Equal(t, "BLOCKED", run.Errors[0]["error_code"])

	// The login run is a workflow run of Skyvern's hidden login workflow.
	wrs, err := e.c.GetWorkflowRuns(e.ctx, nil)
	require.NoError(t, err)
	require.Equal(t, []string{login.RunID, a.RunID}, ids(wrs, wrID))
	assert.Equal(t, "Login", wrs[0].WorkflowTitle)
	assert.Regexp(t, `^w_\d{18}$`, wrs[0].WorkflowID)
	assert.Equal(t, login.RunRequest.WorkflowID, wrs[0].WorkflowPermanentID)
	assert.Equal(t, client.RunStatusCompleted, wrs[0].Status)
	assert.Equal(t, wf.WorkflowID, wrs[1].WorkflowID)
	requireDateTime(t, wrs[1].FinishedAt, false)
	assert.Equal(t, wrs[1].FinishedAt, wrs[1].ModifiedAt)

	completed, err := e.c.GetRunsV2(e.ctx, &client.GetRunsParams{Status: []client.RunStatus{"completed"}})
	require.NoError(t, err)
	assert.Equal(t, []string{login.RunID, task.RunID}, ids(completed, itemID))
	byCity, err := e.c.GetRunsV2(e.ctx, &client.GetRunsParams{SearchKey: "oslo"})
	require.NoError(t, err)
	assert.Equal(t, []string{a.RunID}, ids(byCity, itemID), "parameter values are searched")

	// The workflow deleted: its runs stay listed, flagged.
	require.NoError(t, e.c.DeleteWorkflow(e.ctx, wf.WorkflowPermanentID))
	wfRuns, err := e.c.GetRunsV2(e.ctx, &client.GetRunsParams{RunType: []client.RunType{"workflow_run"}})
	require.NoError(t, err)
	require.Len(t, wfRuns, 2)
	assert.True(t, wfRuns[1].WorkflowDeleted)
	assert.False(t, wfRuns[0].WorkflowDeleted)
	_, err = e.c.RetryWorkflowRun(e.ctx, a.RunID, nil)
	assert.True(t, client.IsNotFound(err), "the run of a deleted workflow cannot be retried: %v", err)
}

func TestRunListingValidation(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	for _, tc := range []struct {
		path string
		loc  []any
		typ  string
	}{
		{"/v1/runs?search_key=ab", []any{"query", "search_key"}, "string_too_short"},
		{"/v1/runs?page_size=101", []any{"query", "page_size"}, "less_than_equal"},
		{"/v1/runs?page=0", []any{"query", "page"}, "greater_than_equal"},
		{"/v1/runs?status=done", []any{"query", "status", 0}, "enum"},
		{"/v1/runs?run_type=task_v4", []any{"query", "run_type", 0}, "enum"},
		{"/v1/agents/runs?search_key=" + strings.Repeat("x", 501), []any{"query", "search_key"}, "string_too_long"},
		{"/v1/agents/runs?error_code=" + strings.Repeat("x", 501), []any{"query", "error_code"}, "string_too_long"},
		{"/v1/agents/runs?status=paused&status=nope", []any{"query", "status", 1}, "enum"},
		{"/v1/agents/wpid_1/runs?created_at_start=" + url.QueryEscape("last week"), []any{"query", "created_at_start"}, "datetime_from_date_parsing"},
	} {
		code, _, body := e.raw(t, "GET", tc.path, "", "")
		require.Equal(t, 422, code, tc.path)
		assert.Equal(t, tc.typ, findLoc(t, validation(t, body), tc.loc...).Type, tc.path)
	}
	code, _, body := e.raw(t, "GET", "/v1/runs?search_key=abc&page=100&page_size=100", "", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "[]", string(body))
}

func TestBulkCancel(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	other, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x"})
	require.NoError(t, err)
	quick, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "y"})
	require.NoError(t, err)
	e.clock.Advance(600 * time.Millisecond)
	paused, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "z [sandbox:pause]"})
	require.NoError(t, err)
	e.clock.Advance(450 * time.Millisecond) // quick and other are done; paused is in its paused middle third
	got, err := e.c.GetRun(e.ctx, paused.RunID)
	require.NoError(t, err)
	require.Equal(t, client.RunStatusPaused, got.Status)

	res, err := e.c.BulkCancelRuns(e.ctx, []string{paused.RunID, quick.RunID, paused.RunID, "wr_000000000000000001"})
	require.NoError(t, err)
	assert.Equal(t, []string{paused.RunID}, res.Cancelled, "a paused run is not final: it is cancelled; duplicates count once")
	assert.Equal(t, []string{quick.RunID, "wr_000000000000000001"}, res.Failed)
	got, err = e.c.GetRun(e.ctx, paused.RunID)
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusCanceled, got.Status)
	got, err = e.c.GetRun(e.ctx, other.RunID)
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusCompleted, got.Status, "runs not named are untouched")

	again, err := e.c.BulkCancelRuns(e.ctx, []string{paused.RunID})
	require.NoError(t, err)
	assert.Equal(t, []string{}, again.Cancelled)
	assert.Equal(t, []string{paused.RunID}, again.Failed, "an already canceled run is final")

	many := `{"run_ids":[` + strings.TrimSuffix(strings.Repeat(`"tsk_1",`, 101), ",") + `]}`
	code, _, body := e.raw(t, "POST", "/v1/runs/cancel", "application/json", many)
	require.Equal(t, 422, code)
	assert.Equal(t, "too_long", findLoc(t, validation(t, body), "body", "run_ids").Type)
	code, _, body = e.raw(t, "POST", "/v1/runs/cancel", "application/json", `{"run_ids":[1]}`)
	require.Equal(t, 422, code)
	findLoc(t, validation(t, body), "body", "run_ids", 0)
	code, _, body = e.raw(t, "POST", "/v1/runs/cancel", "application/json", `{}`)
	require.Equal(t, 422, code)
	assert.Equal(t, "missing", findLoc(t, validation(t, body), "body", "run_ids").Type)
}

// finishedRun starts a run of engine (a workflow run when engine is empty)
// with prompt and advances the clock past its end.
func finishedRun(t *testing.T, e *env, engine client.RunEngine, prompt string) string {
	t.Helper()
	var id string
	if engine == "" {
		wf := newExtraWorkflow(t, e, prompt)
		run, err := e.c.RunWorkflow(e.ctx, &client.WorkflowRunRequest{WorkflowID: wf.WorkflowPermanentID, Parameters: map[string]any{"city": "Oslo"}})
		require.NoError(t, err)
		id = run.RunID
	} else {
		run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: prompt, Engine: engine})
		require.NoError(t, err)
		id = run.RunID
	}
	e.clock.Advance(2 * time.Second)
	return id
}

// Skyvern's run_service.cancel_run → cancel_task_v1 → update_task: a task
// whose status is final cannot move to canceled (Task.validate_update).
func TestCancelFinishedTaskRunIsRefused(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	for _, engine := range []client.RunEngine{client.EngineSkyvern1, client.EngineOpenAICUA} {
		done := finishedRun(t, e, engine, "done already")
		code, _, body := e.raw(t, "POST", "/v1/runs/"+done+"/cancel", "", "")
		assert.Equal(t, 400, code, engine)
		assert.JSONEq(t, `{"detail":"Invalid task status transition from completed to canceled for `+done+`"}`, string(body), engine)
		got, err := e.c.GetRun(e.ctx, done)
		require.NoError(t, err)
		assert.Equal(t, client.RunStatusCompleted, got.Status, "the refused cancel changes nothing")
	}

	failed := finishedRun(t, e, client.EngineSkyvern1, "[sandbox:fail]")
	code, _, body := e.raw(t, "POST", "/v1/runs/"+failed+"/cancel", "", "")
	assert.Equal(t, 400, code)
	assert.JSONEq(t, `{"detail":"Invalid task status transition from failed to canceled for `+failed+`"}`, string(body))

	running, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "cancel twice"})
	require.NoError(t, err)
	require.NoError(t, e.c.CancelRun(e.ctx, running.RunID))
	code, _, body = e.raw(t, "POST", "/v1/runs/"+running.RunID+"/cancel", "", "")
	assert.Equal(t, 400, code)
	assert.JSONEq(t, `{"detail":"Invalid task status transition to canceled for `+running.RunID+` because task is already canceled"}`, string(body))

	// TaskAlreadyTimeout is no HTTP exception: the server's catch-all 500.
	timedOut := finishedRun(t, e, client.EngineSkyvern1, "[sandbox:timeout]")
	code, hdr, body := e.raw(t, "POST", "/v1/runs/"+timedOut+"/cancel", "", "")
	assert.Equal(t, 500, code)
	assert.Equal(t, "application/json", hdr.Get("Content-Type"))
	assert.JSONEq(t, `{"error":"Unexpected error: TaskAlreadyTimeout"}`, string(body))
	err = e.c.CancelRun(e.ctx, timedOut)
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Unexpected error: TaskAlreadyTimeout", apiErr.Detail)
}

// cancel_task_v2 → mark_task_v2_as_canceled → update_task_v2 writes the
// status without a final-state check: a finished skyvern-2.0 task becomes
// canceled.
func TestCancelFinishedTaskV2RunMarksItCanceled(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	done := finishedRun(t, e, client.EngineSkyvern2, "done already")
	before, err := e.c.GetRun(e.ctx, done)
	require.NoError(t, err)
	require.Equal(t, client.RunStatusCompleted, before.Status)

	code, _, body := e.raw(t, "POST", "/v1/runs/"+done+"/cancel", "", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "null", string(body))
	got, err := e.c.GetRun(e.ctx, done)
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusCanceled, got.Status)
	assert.Equal(t, before.FinishedAt, got.FinishedAt, "finished_at is kept")
	assert.NotEqual(t, before.ModifiedAt, got.ModifiedAt)
	require.NoError(t, e.c.CancelRun(e.ctx, done), "cancelling it again is 200 too")
}

// cancel_workflow_run → mark_workflow_run_as_canceled leaves a run in a
// final state alone and answers 200.
func TestCancelFinishedWorkflowRunLeavesItAsItIs(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	for _, prompt := range []string{"done already", "[sandbox:fail] failed already"} {
		done := finishedRun(t, e, "", prompt)
		before, err := e.c.GetRun(e.ctx, done)
		require.NoError(t, err)
		require.True(t, before.Status.IsFinal())
		code, _, body := e.raw(t, "POST", "/v1/runs/"+done+"/cancel", "", "")
		assert.Equal(t, 200, code)
		assert.Equal(t, "null", string(body))
		got, err := e.c.GetRun(e.ctx, done)
		require.NoError(t, err)
		assert.Equal(t, before.Status, got.Status, prompt)
		assert.Equal(t, before.ModifiedAt, got.ModifiedAt, prompt)
	}
}

// bulk_cancel_runs calls cancel_run for each ID: what raises is failed,
// everything else cancelled, whatever it did to the run.
func TestBulkCancelFinishedRunsByRunType(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	task := finishedRun(t, e, client.EngineSkyvern1, "done")
	v2 := finishedRun(t, e, client.EngineSkyvern2, "done")
	wr := finishedRun(t, e, "", "done")
	res, err := e.c.BulkCancelRuns(e.ctx, []string{task, v2, wr, "tsk_000000000000000001"})
	require.NoError(t, err)
	assert.Equal(t, []string{v2, wr}, res.Cancelled)
	assert.Equal(t, []string{task, "tsk_000000000000000001"}, res.Failed)
	for id, want := range map[string]client.RunStatus{task: client.RunStatusCompleted, v2: client.RunStatusCanceled, wr: client.RunStatusCompleted} {
		got, err := e.c.GetRun(e.ctx, id)
		require.NoError(t, err)
		assert.Equal(t, want, got.Status, id)
	}
}

// get_run_artifacts queries artifacts by run ID without looking the run up.
func TestRunArtifactsOfUnknownRunAreEmpty(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	code, _, body := e.raw(t, "GET", "/v1/runs/wr_000000000000000001/artifacts", "", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "[]", string(body))
	arts, err := e.c.GetRunArtifacts(e.ctx, "tsk_000000000000000001")
	require.NoError(t, err)
	assert.Empty(t, arts)
}

// webhook_service.replay_run_webhook raises MissingWebhookTarget (400) when
// neither the run nor the request has a webhook URL.
func TestRetryWebhookWithoutWebhookURLIs400(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "no hook"})
	require.NoError(t, err)
	code, _, body := e.raw(t, "POST", "/v1/runs/"+run.RunID+"/retry_webhook", "", "")
	assert.Equal(t, 400, code)
	assert.JSONEq(t, `{"detail":"No webhook URL configured for the run."}`, string(body))
	replay, err := e.c.RetryRunWebhook(e.ctx, run.RunID, &client.RetryRunWebhookRequest{WebhookURL: "https://hooks.example.com/c"})
	require.NoError(t, err, "a webhook_url in the request is enough")
	assert.Equal(t, "https://hooks.example.com/c", replay.TargetWebhookURL)
	assert.Empty(t, replay.DefaultWebhookURL)
}

// Each route's own 404 and 400 words (get_run, get_run_timeline).
func TestRunRoutesAnswerInTheServersWords(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	const unknown = "tsk_000000000000000001"
	code, _, body := e.raw(t, "GET", "/v1/runs/"+unknown, "", "")
	assert.Equal(t, 404, code)
	assert.JSONEq(t, `{"detail":"Task run not found `+unknown+`"}`, string(body))
	code, _, body = e.raw(t, "GET", "/v1/runs/"+unknown+"/timeline", "", "")
	assert.Equal(t, 404, code)
	assert.JSONEq(t, `{"detail":"Run not found `+unknown+`"}`, string(body))
	task, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x", Engine: client.EngineAnthropicCUA})
	require.NoError(t, err)
	code, _, body = e.raw(t, "GET", "/v1/runs/"+task.RunID+"/timeline", "", "")
	assert.Equal(t, 400, code)
	assert.JSONEq(t, `{"detail":"Timeline not available for run type anthropic_cua"}`, string(body))
}
