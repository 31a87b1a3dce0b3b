package sandbox_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func itemID(it client.TaskRunListItem) string { return it.RunID }
func wrID(it client.WorkflowRun) string       { return it.WorkflowRunID }

func newExtraWorkflow(t *testing.T, e *env, title string) *client.Workflow {
	t.Helper()
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: map[string]any{"title": title, "workflow_definition": map[string]any{
		"parameters": []any{map[string]any{"parameter_type": "workflow", "key": "city", "workflow_parameter_type": "string"}},
		"blocks": []any{map[string]any{"block_type": "navigation", "label": "go", "navigation_goal": "Open {{city}}",
			"error_code_mapping": map[string]any{"NO_RESULTS": "nothing found", "BLOCKED": "blocked by the site"}}},
	}}}, "")
	require.NoError(t, err)
	return wf
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

func mustCred(t *testing.T, e *env) string {
	t.Helper()
	c, err := e.c.CreateCredential(e.ctx, &client.CreateCredentialRequest{Name: "n",
		Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "u", Password: "p-extra"}}})
	require.NoError(t, err)
	return c.CredentialID
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
		{"/v1/runs?run_type=task_v3", []any{"query", "run_type", 0}, "enum"},
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

func TestRetryWorkflowRun(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	wf := newExtraWorkflow(t, e, "Retry me")
	orig, err := e.c.RunWorkflow(e.ctx, &client.WorkflowRunRequest{WorkflowID: wf.WorkflowPermanentID, Parameters: map[string]any{"city": "Rome"},
		WebhookURL: "https://example.com/hook", MaxElapsedTimeMinutes: ptrInt(20)})
	require.NoError(t, err)

	code, _, body := e.raw(t, "POST", "/v1/agents/runs/"+orig.RunID+"/retry", "", "")
	assert.Equal(t, 400, code, "a run still going is not retryable")
	assert.Contains(t, string(body), "cannot be retried")

	e.clock.Advance(2 * time.Second)
	// A new version of the workflow does not change what a retry runs.
	_, err = e.c.UpdateWorkflow(e.ctx, wf.WorkflowPermanentID, &client.WorkflowRequest{YAMLDefinition: "title: Retry me v2\nworkflow_definition:\n  parameters: []\n  blocks: []\n"})
	require.NoError(t, err)
	steps := 1
	re, err := e.c.RetryWorkflowRun(e.ctx, orig.RunID, &client.RetryWorkflowRunOptions{MaxStepsOverride: &steps})
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusCreated, re.Status)
	assert.Equal(t, orig.RunRequest.Parameters, re.RunRequest.Parameters)
	assert.Equal(t, "https://example.com/hook", re.RunRequest.WebhookURL)
	assert.Equal(t, 20, *re.RunRequest.MaxElapsedTimeMinutes)
	e.clock.Advance(2 * time.Second)
	final, err := e.c.GetRun(e.ctx, re.RunID)
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusCompleted, final.Status)
	assert.Equal(t, 1, final.Steps(), "x-max-steps-override caps the steps")
	var out map[string]any
	require.NoError(t, final.Output.Decode(&out))
	assert.Contains(t, out, "go", "the original blocks ran")

	list, err := e.c.GetWorkflowRunsByID(e.ctx, wf.WorkflowPermanentID, nil)
	require.NoError(t, err)
	require.Equal(t, []string{re.RunID, orig.RunID}, ids(list, wrID))
	assert.Equal(t, list[1].WorkflowID, list[0].WorkflowID, "the same workflow version")
	assert.Equal(t, "Retry me", list[0].WorkflowTitle)

	// download_files runs keep their download when retried.
	dl, err := e.c.DownloadFiles(e.ctx, &client.DownloadFilesRequest{NavigationGoal: "get it", DownloadSuffix: "a.pdf"})
	require.NoError(t, err)
	e.clock.Advance(2 * time.Second)
	redl, err := e.c.RetryWorkflowRun(e.ctx, dl.RunID, nil)
	require.NoError(t, err)
	e.clock.Advance(2 * time.Second)
	got, err := e.c.GetRun(e.ctx, redl.RunID)
	require.NoError(t, err)
	require.Len(t, got.DownloadedFiles, 1)
	assert.Equal(t, "a.pdf", got.DownloadedFiles[0].Filename)

	code, _, body = e.raw(t, "POST", "/v1/agents/runs/wr_404/retry", "", "")
	assert.Equal(t, 404, code)
	assert.Contains(t, string(body), "wr_404")
	req := e.srv.URL + "/v1/agents/runs/" + orig.RunID + "/retry"
	resp := doRaw(t, "POST", req, map[string]string{"x-api-key": testKey, "x-max-steps-override": "many"})
	assert.Equal(t, 422, resp)
}

func ptrInt(v int) *int { return &v }
