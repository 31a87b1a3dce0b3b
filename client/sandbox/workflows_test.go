package sandbox_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

const invoiceYAML = `
title: Invoices
description: Download the latest invoice
workflow_definition:
  parameters:
    - parameter_type: workflow
      key: account
      workflow_parameter_type: string
      description: Account number
  blocks:
    - block_type: navigation
      label: open_billing
      url: https://example.com
      navigation_goal: Open the billing page for {{ account }}
      parameter_keys: [account]
    - block_type: extraction
      label: read_total
      data_extraction_goal: Read the total
      data_schema:
        type: object
        properties:
          total: {type: number}
        required: [total]
`

func jsonDef(title string, labels ...string) map[string]any {
	blocks := []any{}
	for _, l := range labels {
		blocks = append(blocks, map[string]any{"block_type": "task", "label": l, "navigation_goal": "do " + l})
	}
	return map[string]any{"title": title, "workflow_definition": map[string]any{"parameters": []any{}, "blocks": blocks}}
}

func TestWorkflowVersions(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	v1, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{YAMLDefinition: invoiceYAML}, "fld_123")
	require.NoError(t, err)
	assert.Regexp(t, `^wpid_[0-9a-f]{64}$`, v1.WorkflowPermanentID, "CreateWorkflow sends an Idempotency-Key: the server derives the ID from it")
	assert.Regexp(t, `^w_\d{18}$`, v1.WorkflowID)
	assert.Equal(t, v1.WorkflowPermanentID, v1.AgentID)
	assert.Equal(t, 1, v1.Version)
	assert.Equal(t, "Invoices", v1.Title)
	assert.Equal(t, "fld_123", v1.FolderID)
	assert.Equal(t, client.WorkflowStatus("published"), v1.Status)
	requireDateTime(t, v1.CreatedAt, false)
	blocks := v1.WorkflowDefinition["blocks"].([]any)
	require.Len(t, blocks, 2)
	first := blocks[0].(map[string]any)
	assert.Equal(t, "open_billing_output", first["output_parameter"].(map[string]any)["key"])
	assert.Len(t, first["parameters"], 1, "parameter_keys are resolved")

	wpid := v1.WorkflowPermanentID
	v2, err := e.c.UpdateWorkflow(e.ctx, wpid, &client.WorkflowRequest{JSONDefinition: jsonDef("Invoices v2", "a")})
	require.NoError(t, err)
	v3, err := e.c.UpdateWorkflow(e.ctx, wpid, &client.WorkflowRequest{JSONDefinition: jsonDef("Invoices v3", "a", "b")})
	require.NoError(t, err)
	assert.Equal(t, 2, v2.Version)
	assert.Equal(t, 3, v3.Version)
	assert.Equal(t, wpid, v3.WorkflowPermanentID)
	assert.NotEqual(t, v1.WorkflowID, v3.WorkflowID)
	assert.Equal(t, "fld_123", v3.FolderID, "the folder is kept")

	versions, err := e.c.GetWorkflowVersions(e.ctx, wpid, false)
	require.NoError(t, err)
	require.Len(t, versions, 3)
	for i, v := range versions {
		assert.Equal(t, i+1, v.Version)
	}
	old, err := e.c.GetWorkflow(e.ctx, wpid, 1, false)
	require.NoError(t, err)
	assert.Equal(t, "Invoices", old.Title)
	latest, err := e.c.GetWorkflow(e.ctx, wpid, 0, false)
	require.NoError(t, err)
	assert.Equal(t, 3, latest.Version)
	_, err = e.c.GetWorkflow(e.ctx, wpid, 9, false)
	assert.True(t, client.IsNotFound(err))

	other, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: jsonDef("Shipping", "x")}, "")
	require.NoError(t, err)
	list, err := e.c.GetWorkflows(e.ctx, nil)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, other.WorkflowPermanentID, list[0].WorkflowPermanentID, "newest first")
	assert.Equal(t, 3, list[1].Version, "the latest version is listed")
	list, err = e.c.GetWorkflows(e.ctx, &client.GetWorkflowsParams{SearchKey: "INVOICES"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	list, err = e.c.GetWorkflows(e.ctx, &client.GetWorkflowsParams{FolderID: "fld_123"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	list, err = e.c.GetWorkflows(e.ctx, &client.GetWorkflowsParams{Page: 2, PageSize: 1})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, wpid, list[0].WorkflowPermanentID)

	require.NoError(t, e.c.DeleteWorkflow(e.ctx, wpid))
	_, err = e.c.GetWorkflow(e.ctx, wpid, 0, false)
	assert.True(t, client.IsNotFound(err))
	list, err = e.c.GetWorkflows(e.ctx, nil)
	require.NoError(t, err)
	assert.Len(t, list, 1)
	assert.NoError(t, e.c.DeleteWorkflow(e.ctx, wpid), "deleting a deleted workflow is 200 too")
}

func TestRunWorkflow(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: time.Second}, true)
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{YAMLDefinition: invoiceYAML}, "")
	require.NoError(t, err)
	run, err := e.c.RunWorkflow(e.ctx, &client.WorkflowRunRequest{WorkflowID: wf.WorkflowPermanentID,
		Parameters: map[string]any{"account": "42"}, RunMetadata: map[string]string{"team": "billing"}})
	require.NoError(t, err)
	assert.Regexp(t, `^wr_\d{18}$`, run.RunID)
	assert.Equal(t, client.RunTypeWorkflowRun, run.RunType)
	assert.Equal(t, "agent", run.RunWith)
	require.NotNil(t, run.RunRequest)
	assert.Equal(t, wf.WorkflowPermanentID, run.RunRequest.WorkflowID)
	assert.Equal(t, "42", run.RunRequest.Parameters["account"])

	e.clock.Advance(650 * time.Millisecond)
	tl, err := e.c.GetRunTimeline(e.ctx, run.RunID)
	require.NoError(t, err)
	require.Len(t, tl, 2, "both blocks have started")
	assert.Equal(t, "completed", tl[0].Block["status"])
	assert.Equal(t, "running", tl[1].Block["status"])
	assert.Equal(t, "read_total", tl[1].Block["label"])

	e.clock.Advance(time.Second)
	done, err := e.c.GetRun(e.ctx, run.RunID)
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusCompleted, done.Status)
	var out map[string]map[string]any
	require.NoError(t, done.Output.Decode(&out))
	assert.Contains(t, out, "open_billing")
	assert.IsType(t, float64(0), out["read_total"]["total"], "the block's data_schema is followed")

	// Triggers in parameters, and unknown workflows.
	failing, err := e.c.RunWorkflow(e.ctx, &client.WorkflowRunRequest{AgentID: wf.WorkflowPermanentID,
		Parameters: map[string]any{"account": "[sandbox:fail]"}})
	require.NoError(t, err)
	e.clock.Advance(2 * time.Second)
	failed, err := e.c.GetRun(e.ctx, failing.RunID)
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusFailed, failed.Status)
	tl, err = e.c.GetRunTimeline(e.ctx, failing.RunID)
	require.NoError(t, err)
	assert.Equal(t, "failed", tl[len(tl)-1].Block["status"])

	_, err = e.c.RunWorkflow(e.ctx, &client.WorkflowRunRequest{WorkflowID: "wpid_000000000000000001"})
	assert.True(t, client.IsNotFound(err))
}

func TestWorkflowValidation(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	_, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: map[string]any{
		"workflow_definition": map[string]any{"parameters": []any{}, "blocks": []any{}}}}, "")
	require.True(t, client.IsValidation(err), "%v", err)
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	findLoc(t, apiErr.ValidationErrors, "body", "json_definition", "title")

	_, err = e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{YAMLDefinition: `
title: Bad
workflow_definition:
  parameters: []
  blocks:
    - block_type: navigation
      label: go
    - block_type: teleport
      label: beam
`}, "")
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "missing", findLoc(t, apiErr.ValidationErrors, "body", "yaml_definition", "workflow_definition", "blocks", 0, "navigation", "navigation_goal").Type)
	assert.Equal(t, "union_tag_invalid", findLoc(t, apiErr.ValidationErrors, "body", "yaml_definition", "workflow_definition", "blocks", 1).Type)

	_, err = e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{YAMLDefinition: "title: [unclosed"}, "")
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "value_error", findLoc(t, apiErr.ValidationErrors, "body", "yaml_definition").Type)

	_, err = e.c.UpdateWorkflow(e.ctx, "wpid_000000000000000001", &client.WorkflowRequest{JSONDefinition: jsonDef("x", "a")})
	assert.True(t, client.IsNotFound(err))
}

func TestRunWorkflowRawAliasAndDelete(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1, BaseURL: "https://sandbox.example.com/prefix/"}, false)
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: jsonDef("Alias", "a")}, "")
	require.NoError(t, err)
	code, _, body := e.raw(t, "POST", "/v1/run/agents", "application/json", `{"workflow_id": "`+wf.WorkflowPermanentID+`"}`)
	require.Equal(t, 200, code, "%s", body)
	var run client.Run
	require.NoError(t, json.Unmarshal(body, &run))
	assert.Equal(t, wf.WorkflowPermanentID, run.RunRequest.WorkflowID, "workflow_id is accepted as agent_id")
	assert.Equal(t, "https://sandbox.example.com/prefix/app/runs/"+run.RunID, run.AppURL, "Options.BaseURL wins")
	assert.True(t, strings.HasPrefix(run.RecordingURL, "https://sandbox.example.com/prefix/v1/artifacts/"))

	code, hdr, body := e.raw(t, "POST", "/v1/agents/"+wf.WorkflowPermanentID+"/delete", "", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "application/json", hdr.Get("Content-Type"))
	assert.Equal(t, "null", string(body))
}

const everyBlockYAML = `
title: Many blocks
workflow_definition:
  parameters:
    - {parameter_type: workflow, key: q, workflow_parameter_type: string, default_value: shoes}
    - {parameter_type: context, key: ctx, source_parameter_key: q}
    - {parameter_type: credential, key: cred, credential_id: cred_1}
  blocks:
    - block_type: for_loop
      label: loop
      loop_over_parameter_key: q
      loop_blocks:
        - {block_type: task, label: inner, navigation_goal: x}
    - block_type: while_loop
      label: again
      condition: {expression: "{{ true }}"}
      loop_blocks:
        - {block_type: wait, label: nap}
    - block_type: conditional
      label: choose
      branch_conditions:
        - {criteria: {expression: "{{ q }}"}, next_block_label: loop}
        - {is_default: true}
    - {block_type: send_email, label: mail, sender: a@example.com, recipients: [b@example.com], subject: s, body: b}
`

func TestWorkflowDefinitionExpanded(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{YAMLDefinition: everyBlockYAML}, "")
	require.NoError(t, err)
	def := wf.WorkflowDefinition
	params := def["parameters"].([]any)
	require.Len(t, params, 3+6, "declared parameters plus an output parameter per block, nested ones included")
	q := params[0].(map[string]any)
	assert.Regexp(t, `^wp_`, q["workflow_parameter_id"])
	assert.Equal(t, wf.WorkflowID, q["workflow_id"])
	assert.Equal(t, "q", params[1].(map[string]any)["source"].(map[string]any)["key"], "a context parameter embeds its source")

	blocks := def["blocks"].([]any)
	loop := blocks[0].(map[string]any)
	assert.Equal(t, "q", loop["loop_over"].(map[string]any)["key"])
	inner := loop["loop_blocks"].([]any)[0].(map[string]any)
	assert.Equal(t, "inner_output", inner["output_parameter"].(map[string]any)["key"])
	again := blocks[1].(map[string]any)
	assert.Equal(t, "jinja2_template", again["condition"].(map[string]any)["criteria_type"])
	assert.EqualValues(t, 0, again["loop_blocks"].([]any)[0].(map[string]any)["wait_sec"])
	branches := blocks[2].(map[string]any)["branch_conditions"].([]any)
	assert.NotEmpty(t, branches[0].(map[string]any)["id"])
	assert.Equal(t, "jinja2_template", branches[0].(map[string]any)["criteria"].(map[string]any)["criteria_type"])
	mail := blocks[3].(map[string]any)
	assert.Equal(t, "aws_secret", mail["smtp_host"].(map[string]any)["parameter_type"])

	run, err := e.c.RunWorkflow(e.ctx, &client.WorkflowRunRequest{WorkflowID: wf.WorkflowPermanentID})
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, run.Output.Decode(&out))
	assert.Equal(t, []string{"again", "choose", "loop", "mail"}, keys(out))
}

func TestHTMLPagesAndVersion(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	bs, err := e.c.CreateBrowserSession(e.ctx, nil)
	require.NoError(t, err)
	for _, u := range []string{bs.AppURL, e.srv.URL + "/"} {
		resp, err := http.Get(u)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode, u)
		assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	}
	code, _, body := e.raw(t, "GET", "/v1/version", "", "")
	assert.Equal(t, 200, code)
	assert.Contains(t, string(body), `"version"`)
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

func TestWorkflowFolderAndProfileReset(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	wf := newExtraWorkflow(t, e, "Foldered")
	folder, err := e.c.CreateFolder(e.ctx, &client.FolderCreate{Title: "Foldered"})
	require.NoError(t, err)
	code, _, body := e.raw(t, "PUT", "/v1/agents/"+wf.WorkflowPermanentID+"/folder", "application/json", `{"folder_id":"`+folder.FolderID+`"}`)
	require.Equal(t, 200, code, "%s", body)
	var got client.Workflow
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, folder.FolderID, got.FolderID)
	assert.Equal(t, wf.Version, got.Version, "no new version")

	// A new version keeps the folder; null or {} takes the workflow out.
	v2, err := e.c.UpdateWorkflow(e.ctx, wf.WorkflowPermanentID, &client.WorkflowRequest{YAMLDefinition: "title: Foldered\nworkflow_definition:\n  parameters: []\n  blocks: []\n"})
	require.NoError(t, err)
	assert.Equal(t, folder.FolderID, v2.FolderID)
	for _, b := range []string{`{"folder_id":null}`, `{}`} {
		code, _, body = e.raw(t, "PUT", "/v1/agents/"+wf.WorkflowPermanentID+"/folder", "application/json", b)
		require.Equal(t, 200, code, "%s", body)
		assert.NotContains(t, string(body), "fld_42", b)
	}
	code, _, body = e.raw(t, "PUT", "/v1/agents/"+wf.WorkflowPermanentID+"/folder", "application/json", `{"folder_id":7}`)
	require.Equal(t, 422, code)
	assert.Equal(t, "string_type", findLoc(t, validation(t, body), "body", "folder_id").Type)
	code, _, _ = e.raw(t, "PUT", "/v1/agents/"+wf.WorkflowPermanentID+"/folder", "application/json", ``)
	assert.Equal(t, 422, code, "the body is required")
	code, _, body = e.raw(t, "PUT", "/v1/agents/"+wf.WorkflowPermanentID+"/folder", "application/json", `{"folder_id":"nope"}`)
	assert.Equal(t, 400, code)
	assert.Contains(t, string(body), "Folder nope not found")

	code, _, body = e.raw(t, "POST", "/v1/agents/"+wf.WorkflowPermanentID+"/browser_session/reset_profile", "", "")
	assert.Equal(t, 204, code)
	assert.Empty(t, body)
	code, _, _ = e.raw(t, "POST", "/v1/agents/wpid_000000000000000404/browser_session/reset_profile", "", "")
	assert.Equal(t, 404, code)
}

// get_workflow_versions → get_workflow_versions_by_permanent_id returns []
// when nothing matches, deleted versions filtered out.
func TestWorkflowVersionsOfUnknownWorkflowAreEmpty(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	code, _, body := e.raw(t, "GET", "/v1/agents/wpid_000000000000000001/versions", "", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "[]", string(body))
	wf := newExtraWorkflow(t, e, "gone soon")
	vs, err := e.c.GetWorkflowVersions(e.ctx, wf.WorkflowPermanentID, false)
	require.NoError(t, err)
	require.Len(t, vs, 1)
	require.NoError(t, e.c.DeleteWorkflow(e.ctx, wf.WorkflowPermanentID))
	vs, err = e.c.GetWorkflowVersions(e.ctx, wf.WorkflowPermanentID, false)
	require.NoError(t, err)
	assert.Empty(t, vs, "a deleted workflow's versions are filtered out")
}

// delete_workflow → delete_workflow_by_permanent_id soft-deletes whatever
// matches, without looking the workflow up first.
func TestDeleteUnknownWorkflowIs200(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	code, hdr, body := e.raw(t, "POST", "/v1/agents/wpid_000000000000000001/delete", "", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "application/json", hdr.Get("Content-Type"))
	assert.Equal(t, "null", string(body))
	assert.NoError(t, e.c.DeleteWorkflow(e.ctx, "wpid_000000000000000002"))
}

// get_workflow and get_workflow_versions with template=true raise
// InvalidTemplateWorkflowPermanentId (400) for an ID that is not a global
// template; the sandbox has none.
func TestWorkflowTemplateUnknownIs400(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	wf := newExtraWorkflow(t, e, "not a template")
	for _, path := range []string{"/v1/agents/" + wf.WorkflowPermanentID, "/v1/agents/" + wf.WorkflowPermanentID + "/versions"} {
		code, _, body := e.raw(t, "GET", path+"?template=true", "", "")
		assert.Equal(t, 400, code, path)
		assert.JSONEq(t, `{"detail":"Invalid template workflow permanent id: `+wf.WorkflowPermanentID+
			`. Please make sure the workflow is a valid template."}`, string(body), path)
	}
}
