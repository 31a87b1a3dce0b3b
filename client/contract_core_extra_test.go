package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
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

// coreExtraOperations are the extra operations of the core toolsets, as
// "METHOD /path/template" exactly as the spec spells them.
var coreExtraOperations = []string{
	"POST /v1/runs/cancel", "GET /v1/runs", "GET /v1/agents/runs", "GET /v1/agents/{workflow_id}/runs",
	"POST /v1/agents/runs/{workflow_run_id}/retry", "PUT /v1/agents/{workflow_permanent_id}/folder",
	"POST /v1/agents/{workflow_permanent_id}/browser_session/reset_profile",
	"PATCH /v1/browser_sessions/{browser_session_id}", "PATCH /v1/browser_profiles/{profile_id}",
	"POST /v1/credentials/{credential_id}/update", "GET /v1/version",
}

func TestCoreExtraOperationsExistInSpec(t *testing.T) {
	ops := contracttest.Load(t).Operations()
	for _, op := range coreExtraOperations {
		assert.Contains(t, ops, op)
	}
}

func runIDs[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func listItemID(it client.TaskRunListItem) string { return it.RunID }
func workflowRunID(it client.WorkflowRun) string  { return it.WorkflowRunID }

// TestContractCoreExtra runs every extra operation against the sandbox;
// the transport validates each request and response against the spec.
// 404 is allowed where the spec does not document it (update_credential).
func TestContractCoreExtra(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(404))
	ctx := e.ctx
	seenBefore := e.spec.Seen()
	wait := func(t *testing.T, id string) *client.Run {
		t.Helper()
		r, err := e.c.WaitForRun(ctx, id, client.WaitOptions{PollInitial: 10 * time.Millisecond, Timeout: 10 * time.Second})
		require.NoError(t, err)
		return r
	}

	// Fixtures: a workflow with an error code mapping, a completed and a
	// failed run of it, and a task run.
	def := map[string]any{"title": "Extra contract WF", "workflow_definition": map[string]any{
		"parameters":         []any{map[string]any{"parameter_type": "workflow", "key": "q", "workflow_parameter_type": "string", "description": "search term"}},
		"blocks":             []any{map[string]any{"block_type": "task", "label": "search", "url": "https://example.com", "navigation_goal": "Search {{q}}"}},
		"error_code_mapping": map[string]any{"LOGIN_FAILED": "The login is rejected"},
	}}
	wf, err := e.c.CreateWorkflow(ctx, &client.WorkflowRequest{JSONDefinition: def}, "")
	require.NoError(t, err)
	okRun, err := e.c.RunWorkflow(ctx, &client.WorkflowRunRequest{WorkflowID: wf.WorkflowPermanentID, Parameters: map[string]any{"q": "shoes"},
		ExtraHTTPHeaders: map[string]string{"X-Team": "qa-blue"}})
	require.NoError(t, err)
	time.Sleep(2 * time.Millisecond) // distinct creation times for the created_at filters
	failRun, err := e.c.RunWorkflow(ctx, &client.WorkflowRunRequest{WorkflowID: wf.WorkflowPermanentID, Parameters: map[string]any{"q": "boots [sandbox:fail]"}})
	require.NoError(t, err)
	task, err := e.c.RunTask(ctx, &client.TaskRunRequest{Prompt: "Read the title", Title: "title reader", Engine: client.EngineSkyvern1})
	require.NoError(t, err)
	wait(t, okRun.RunID)
	assert.Equal(t, client.RunStatusFailed, wait(t, failRun.RunID).Status)
	wait(t, task.RunID)

	t.Run("get_runs_v2", func(t *testing.T) {
		all, err := e.c.GetRunsV2(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, []string{task.RunID, failRun.RunID, okRun.RunID}, runIDs(all, listItemID), "newest first")
		assert.True(t, strings.HasPrefix(all[0].TaskRunID, "tr_"))
		assert.Equal(t, "task_v1", all[0].TaskRunType)
		assert.Equal(t, "title reader", all[0].Title)
		assert.Empty(t, all[0].WorkflowPermanentID)
		assert.Equal(t, wf.WorkflowPermanentID, all[1].WorkflowPermanentID)
		assert.Equal(t, "Extra contract WF", all[1].Title, "a workflow run without a title is listed under its workflow's")
		assert.NotEmpty(t, all[1].FinishedAt)

		failed, err := e.c.GetRunsV2(ctx, &client.GetRunsParams{Status: []client.RunStatus{client.RunStatusFailed}})
		require.NoError(t, err)
		assert.Equal(t, []string{failRun.RunID}, runIDs(failed, listItemID))
		wfOnly, err := e.c.GetRunsV2(ctx, &client.GetRunsParams{RunType: []client.RunType{client.RunTypeWorkflowRun}, Status: []client.RunStatus{client.RunStatusCompleted, client.RunStatusFailed}})
		require.NoError(t, err)
		assert.Equal(t, []string{failRun.RunID, okRun.RunID}, runIDs(wfOnly, listItemID))
		found, err := e.c.GetRunsV2(ctx, &client.GetRunsParams{SearchKey: strings.ToUpper(okRun.RunID)})
		require.NoError(t, err)
		assert.Equal(t, []string{okRun.RunID}, runIDs(found, listItemID))
		page2, err := e.c.GetRunsV2(ctx, &client.GetRunsParams{Page: 2, PageSize: 2})
		require.NoError(t, err)
		assert.Equal(t, []string{okRun.RunID}, runIDs(page2, listItemID))

		before := e.sb.Calls("GET", "/v1/runs")
		_, err = e.c.GetRunsV2(ctx, &client.GetRunsParams{SearchKey: "wr"})
		assert.ErrorContains(t, err, "search_key needs at least 3 characters")
		_, err = e.c.GetRunsV2(ctx, &client.GetRunsParams{PageSize: 101})
		assert.ErrorContains(t, err, "page_size must be between 1 and 100")
		assert.Equal(t, before, e.sb.Calls("GET", "/v1/runs"), "bad parameters never reach Skyvern")
	})

	t.Run("get_workflow_runs", func(t *testing.T) {
		all, err := e.c.GetWorkflowRuns(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, []string{failRun.RunID, okRun.RunID}, runIDs(all, workflowRunID), "task runs are not workflow runs")
		ok := all[1]
		assert.Equal(t, wf.WorkflowID, ok.WorkflowID, "the version run")
		assert.Equal(t, wf.WorkflowPermanentID, ok.WorkflowPermanentID)
		assert.Equal(t, client.RunStatusCompleted, ok.Status)
		assert.Equal(t, "Extra contract WF", ok.WorkflowTitle)
		assert.Equal(t, map[string]string{"X-Team": "qa-blue"}, ok.ExtraHTTPHeaders)
		assert.NotEmpty(t, ok.FinishedAt)
		assert.Equal(t, client.WorkflowRunTriggerType("api"), ok.TriggerType)
		assert.NotEmpty(t, all[0].FailureReason)

		for _, tc := range []struct {
			p    client.GetWorkflowRunsParams
			want []string
		}{
			{client.GetWorkflowRunsParams{Status: []client.RunStatus{client.RunStatusFailed}}, []string{failRun.RunID}},
			{client.GetWorkflowRunsParams{ErrorCode: "LOGIN_FAILED"}, []string{failRun.RunID}},
			{client.GetWorkflowRunsParams{ErrorCode: "login_failed"}, []string{}},
			{client.GetWorkflowRunsParams{SearchKey: "SHOES"}, []string{okRun.RunID}},
			{client.GetWorkflowRunsParams{SearchKey: "qa-blue"}, []string{okRun.RunID}},
			{client.GetWorkflowRunsParams{SearchKey: "search term"}, []string{failRun.RunID, okRun.RunID}},
			{client.GetWorkflowRunsParams{Status: []client.RunStatus{client.RunStatusCompleted}, ErrorCode: "LOGIN_FAILED"}, []string{}},
			{client.GetWorkflowRunsParams{PageSize: 1, Page: 2}, []string{okRun.RunID}},
		} {
			got, err := e.c.GetWorkflowRuns(ctx, &tc.p)
			require.NoError(t, err)
			assert.Equal(t, tc.want, runIDs(got, workflowRunID), "%+v", tc.p)
		}
	})

	t.Run("get_workflow_runs_by_id", func(t *testing.T) {
		other, err := e.c.CreateWorkflow(ctx, &client.WorkflowRequest{JSONDefinition: def}, "")
		require.NoError(t, err)
		otherRun, err := e.c.RunWorkflow(ctx, &client.WorkflowRunRequest{WorkflowID: other.WorkflowPermanentID})
		require.NoError(t, err)
		mine, err := e.c.GetWorkflowRunsByID(ctx, wf.WorkflowPermanentID, nil)
		require.NoError(t, err)
		assert.Equal(t, []string{failRun.RunID, okRun.RunID}, runIDs(mine, workflowRunID))
		theirs, err := e.c.GetWorkflowRunsByID(ctx, other.WorkflowPermanentID, nil)
		require.NoError(t, err)
		assert.Equal(t, []string{otherRun.RunID}, runIDs(theirs, workflowRunID))

		created, err := time.Parse(time.RFC3339Nano, mine[0].CreatedAt)
		require.NoError(t, err)
		from := created
		onlyFail, err := e.c.GetWorkflowRunsByID(ctx, wf.WorkflowPermanentID, &client.GetWorkflowRunsByIDParams{CreatedAtStart: &from})
		require.NoError(t, err)
		assert.Equal(t, []string{failRun.RunID}, runIDs(onlyFail, workflowRunID), "created_at_start is inclusive")
		onlyOK, err := e.c.GetWorkflowRunsByID(ctx, wf.WorkflowPermanentID, &client.GetWorkflowRunsByIDParams{CreatedAtEnd: &from,
			GetWorkflowRunsParams: client.GetWorkflowRunsParams{Status: []client.RunStatus{client.RunStatusCompleted}}})
		require.NoError(t, err)
		assert.Equal(t, []string{okRun.RunID}, runIDs(onlyOK, workflowRunID), "created_at_end is exclusive")

		none, err := e.c.GetWorkflowRunsByID(ctx, "wpid_unknown", nil)
		require.NoError(t, err)
		assert.Empty(t, none)
		_, err = e.c.GetWorkflowRunsByID(ctx, wf.WorkflowPermanentID, &client.GetWorkflowRunsByIDParams{CreatedAtStart: &from, CreatedAtEnd: &from})
		assert.ErrorContains(t, err, "created_at_end")
	})

	var retried *client.Run
	t.Run("retry_workflow_run", func(t *testing.T) {
		var err error
		// x-max-steps-override is left to the sandbox tests: the validator
		// reads header values as strings and rejects the integer|null schema.
		retried, err = e.c.RetryWorkflowRun(ctx, failRun.RunID, &client.RetryWorkflowRunOptions{UserAgent: "UA/2"})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(retried.RunID, "wr_"))
		assert.NotEqual(t, failRun.RunID, retried.RunID)
		assert.Equal(t, client.RunTypeWorkflowRun, retried.RunType)
		require.NotNil(t, retried.RunRequest)
		assert.Equal(t, wf.WorkflowPermanentID, retried.RunRequest.WorkflowID)
		assert.Equal(t, map[string]any{"q": "boots [sandbox:fail]"}, retried.RunRequest.Parameters, "the original parameters")
		final := wait(t, retried.RunID)
		assert.Equal(t, client.RunStatusFailed, final.Status, "same parameters, same outcome")
		assert.NotEmpty(t, final.FailureReason)
		mine, err := e.c.GetWorkflowRunsByID(ctx, wf.WorkflowPermanentID, nil)
		require.NoError(t, err)
		assert.Equal(t, []string{retried.RunID, failRun.RunID, okRun.RunID}, runIDs(mine, workflowRunID))

		slow, err := e.c.RunWorkflow(ctx, &client.WorkflowRunRequest{WorkflowID: wf.WorkflowPermanentID, Title: "[sandbox:slow]"})
		require.NoError(t, err)
		_, err = e.c.RetryWorkflowRun(ctx, slow.RunID, nil)
		assert.Equal(t, 400, client.StatusCode(err), "a run still going cannot be retried: %v", err)
		_, err = e.c.RetryWorkflowRun(ctx, task.RunID, nil)
		assert.True(t, client.IsNotFound(err), "a task run is not a workflow run: %v", err)
		require.NoError(t, e.c.CancelRun(ctx, slow.RunID))
	})

	t.Run("bulk_cancel_runs", func(t *testing.T) {
		a, err := e.c.RunTask(ctx, &client.TaskRunRequest{Prompt: "slow [sandbox:slow]"})
		require.NoError(t, err)
		b, err := e.c.RunWorkflow(ctx, &client.WorkflowRunRequest{WorkflowID: wf.WorkflowPermanentID, Title: "[sandbox:slow]"})
		require.NoError(t, err)
		res, err := e.c.BulkCancelRuns(ctx, []string{a.RunID, b.RunID, a.RunID, okRun.RunID, "tsk_404"})
		require.NoError(t, err)
		assert.Equal(t, []string{a.RunID, b.RunID}, res.Cancelled)
		assert.Equal(t, []string{okRun.RunID, "tsk_404"}, res.Failed, "finished and unknown runs cannot be cancelled")
		for _, id := range []string{a.RunID, b.RunID} {
			got, err := e.c.GetRun(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, client.RunStatusCanceled, got.Status)
		}
		canceled, err := e.c.GetRunsV2(ctx, &client.GetRunsParams{Status: []client.RunStatus{client.RunStatusCanceled}, RunType: []client.RunType{client.RunTypeTaskV1}})
		require.NoError(t, err)
		assert.Equal(t, []string{a.RunID}, runIDs(canceled, listItemID))

		before := e.sb.Calls("POST", "/v1/runs/cancel")
		_, err = e.c.BulkCancelRuns(ctx, nil)
		assert.ErrorContains(t, err, "run_ids is required")
		_, err = e.c.BulkCancelRuns(ctx, make([]string, 101))
		assert.ErrorContains(t, err, "at most 100")
		assert.Equal(t, before, e.sb.Calls("POST", "/v1/runs/cancel"))
	})

	t.Run("update_workflow_folder", func(t *testing.T) {
		folder, err := e.c.CreateFolder(ctx, &client.FolderCreate{Title: "Billing"})
		require.NoError(t, err)
		moved, err := e.c.UpdateWorkflowFolder(ctx, wf.WorkflowPermanentID, folder.FolderID)
		require.NoError(t, err)
		assert.Equal(t, folder.FolderID, moved.FolderID)
		_, err = e.c.UpdateWorkflowFolder(ctx, wf.WorkflowPermanentID, "fld_000000000000000404")
		assert.Equal(t, 400, client.StatusCode(err), "an unknown folder")
		inFolder, err := e.c.GetWorkflows(ctx, &client.GetWorkflowsParams{FolderID: folder.FolderID})
		require.NoError(t, err)
		require.Len(t, inFolder, 1)
		assert.Equal(t, wf.WorkflowPermanentID, inFolder[0].WorkflowPermanentID)
		out, err := e.c.UpdateWorkflowFolder(ctx, wf.WorkflowPermanentID, "")
		require.NoError(t, err)
		assert.Empty(t, out.FolderID)
		got, err := e.c.GetWorkflow(ctx, wf.WorkflowPermanentID, 0, false)
		require.NoError(t, err)
		assert.Empty(t, got.FolderID)

		_, err = e.c.UpdateWorkflowFolder(ctx, wf.WorkflowPermanentID, "folder-nope")
		assert.Equal(t, 400, client.StatusCode(err))
		_, err = e.c.UpdateWorkflowFolder(ctx, "wpid_nope", "fld_123")
		assert.True(t, client.IsNotFound(err))
	})

	t.Run("reset_workflow_browser_profile", func(t *testing.T) {
		require.NoError(t, e.c.ResetWorkflowBrowserProfile(ctx, wf.WorkflowPermanentID))
		assert.True(t, client.IsNotFound(e.c.ResetWorkflowBrowserProfile(ctx, "wpid_nope")))
	})

	t.Run("update_browser_session", func(t *testing.T) {
		s, err := e.c.CreateBrowserSession(ctx, nil)
		require.NoError(t, err)
		assert.False(t, s.GenerateBrowserProfile)
		up, err := e.c.UpdateBrowserSession(ctx, s.BrowserSessionID, &client.UpdateBrowserSessionRequest{GenerateBrowserProfile: true})
		require.NoError(t, err)
		assert.True(t, up.GenerateBrowserProfile)
		got, err := e.c.GetBrowserSession(ctx, s.BrowserSessionID)
		require.NoError(t, err)
		assert.True(t, got.GenerateBrowserProfile)
		require.NoError(t, e.c.CloseBrowserSession(ctx, s.BrowserSessionID))
		_, err = e.c.UpdateBrowserSession(ctx, s.BrowserSessionID, &client.UpdateBrowserSessionRequest{})
		assert.True(t, isConflict(err), "an ended session gives 409, got %v", err)
		_, err = e.c.UpdateBrowserSession(ctx, "pbs_nope", &client.UpdateBrowserSessionRequest{})
		assert.True(t, client.IsNotFound(err))
	})

	t.Run("update_browser_profile", func(t *testing.T) {
		p, err := e.c.CreateBrowserProfile(ctx, &client.CreateBrowserProfileRequest{Name: "extra-a", Description: "old"})
		require.NoError(t, err)
		_, err = e.c.CreateBrowserProfile(ctx, &client.CreateBrowserProfileRequest{Name: "extra-b"})
		require.NoError(t, err)
		up, err := e.c.UpdateBrowserProfile(ctx, p.BrowserProfileID, &client.UpdateBrowserProfileRequest{Name: "extra-renamed", Description: ptr("new"),
			ProxyLocation: client.Proxy("RESIDENTIAL_GB")})
		require.NoError(t, err)
		assert.Equal(t, "extra-renamed", up.Name)
		assert.Equal(t, "new", up.Description)
		assert.Equal(t, "RESIDENTIAL_GB", up.ProxyLocation.Preset)
		rot, err := e.c.UpdateBrowserProfile(ctx, p.BrowserProfileID, &client.UpdateBrowserProfileRequest{RotateProxySessionID: true, Description: ptr("")})
		require.NoError(t, err)
		assert.NotEmpty(t, rot.ProxySessionID)
		assert.Empty(t, rot.Description, "an empty description clears it")
		assert.Equal(t, "extra-renamed", rot.Name)
		got, err := e.c.GetBrowserProfile(ctx, p.BrowserProfileID)
		require.NoError(t, err)
		assert.Equal(t, rot, got)

		_, err = e.c.UpdateBrowserProfile(ctx, p.BrowserProfileID, &client.UpdateBrowserProfileRequest{Name: "extra-b"})
		assert.True(t, isConflict(err), "a taken name gives 409, got %v", err)
		_, err = e.c.UpdateBrowserProfile(ctx, "bp_nope", &client.UpdateBrowserProfileRequest{Name: "x"})
		assert.True(t, client.IsNotFound(err))
		_, err = e.c.UpdateBrowserProfile(ctx, p.BrowserProfileID, &client.UpdateBrowserProfileRequest{})
		assert.ErrorContains(t, err, "nothing to update")
	})

	t.Run("update_credential", func(t *testing.T) {
		cred, err := e.c.CreateCredential(ctx, &client.CreateCredentialRequest{Name: "portal",
			Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "ann", Password: "pw-old-canary"}}})
		require.NoError(t, err)
		up, err := e.c.UpdateCredential(ctx, cred.CredentialID, &client.CreateCredentialRequest{Name: "portal v2", CredentialType: client.CredentialPassword,
			Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "bob", Password: "pw-new-canary", TOTPType: "email", TOTPIdentifier: "bob@example.com"}}})
		require.NoError(t, err)
		assert.Equal(t, cred.CredentialID, up.CredentialID, "the ID is kept")
		assert.Equal(t, "portal v2", up.Name)
		assert.Equal(t, client.CredentialSummary{Username: "bob", TOTPType: "email", TOTPIdentifier: "bob@example.com"}, up.Credential)
		got, err := e.c.GetCredential(ctx, cred.CredentialID)
		require.NoError(t, err)
		assert.Equal(t, up, got)
		card, err := e.c.UpdateCredential(ctx, cred.CredentialID, &client.CreateCredentialRequest{Name: "now a card",
			Credential: client.CredentialData{CreditCard: &client.CreditCardCredential{CardNumber: "4000 0000 0000 0077", CardCVV: "1234",
				CardExpMonth: "01", CardExpYear: "2031", CardBrand: "visa", CardHolderName: "Bob"}}})
		require.NoError(t, err)
		assert.Equal(t, client.CredentialCreditCard, card.CredentialType)
		assert.Equal(t, "0077", card.Credential.LastFour)

		_, err = e.c.UpdateCredential(ctx, "cred_nope", &client.CreateCredentialRequest{Name: "x",
			Credential: client.CredentialData{Secret: &client.SecretCredential{SecretValue: "sv-canary-1"}}})
		assert.True(t, client.IsNotFound(err))
		_, err = e.c.UpdateCredential(ctx, cred.CredentialID, &client.CreateCredentialRequest{Name: "x", CredentialType: client.CredentialSecret,
			Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "u", Password: "p"}}})
		assert.ErrorContains(t, err, `credential_type is "secret" but credential has the shape of "password"`)
	})

	t.Run("get_version", func(t *testing.T) {
		v, err := e.c.GetVersion(ctx)
		require.NoError(t, err)
		assert.Equal(t, "sandbox-"+client.Version, v.Version())
	})

	e.assertExercised(t, seenBefore, coreExtraOperations)
}

func TestStructsMatchSpecCoreExtra(t *testing.T) {
	spec := contracttest.Load(t)
	for _, tc := range []struct {
		v      any
		schema string
	}{
		{client.BulkCancelRunsRequest{}, "BulkCancelRunsRequest"},
		{client.BulkCancelRunsResponse{}, "BulkCancelRunsResponse"},
		{client.TaskRunListItem{}, "TaskRunListItem"},
		{client.WorkflowRun{}, "WorkflowRun"},
		{client.UpdateWorkflowFolderRequest{}, "UpdateWorkflowFolderRequest"},
		{client.UpdateBrowserSessionRequest{}, "UpdateBrowserSessionRequest"},
		{client.UpdateBrowserProfileRequest{}, "UpdateBrowserProfileRequest"},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			spec.CheckStruct(t, reflect.TypeOf(tc.v), tc.schema)
		})
	}
	assert.ElementsMatch(t, []string{"manual", "mcp", "api", "scheduled", "webhook"}, client.WorkflowRunTriggerType("").EnumValues())
}

// The version endpoint needs no API key, as the spec says.
func TestGetVersionWithoutKey(t *testing.T) {
	spec := contracttest.Load(t)
	srv := httptest.NewServer(sandbox.New(sandbox.Options{APIKey: contractKey}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithHTTPClient(&http.Client{Transport: spec.Transport(t, nil)}))
	require.NoError(t, err)
	v, err := c.GetVersion(context.Background())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(v.Version(), "sandbox-"))
}

// Requests that start or change work are sent once, even after a 5xx.
func TestCoreExtraWritesAreNeverRetried(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(503))
	for _, tc := range []struct {
		method, path string
		call         func() error
	}{
		{"POST", "/v1/agents/runs/{workflow_run_id}/retry", func() error {
			_, err := e.c.RetryWorkflowRun(e.ctx, "wr_1", nil)
			return err
		}},
		{"POST", "/v1/runs/cancel", func() error { _, err := e.c.BulkCancelRuns(e.ctx, []string{"tsk_1"}); return err }},
		{"POST", "/v1/credentials/{credential_id}/update", func() error {
			_, err := e.c.UpdateCredential(e.ctx, "cred_1", &client.CreateCredentialRequest{Name: "n",
				Credential: client.CredentialData{Secret: &client.SecretCredential{SecretValue: "never-twice"}}})
			return err
		}},
		{"PUT", "/v1/agents/{workflow_permanent_id}/folder", func() error {
			_, err := e.c.UpdateWorkflowFolder(e.ctx, "wpid_1", "fld_1")
			return err
		}},
	} {
		e.sb.ResetCalls()
		e.sb.AddFault(sandbox.Fault{Method: tc.method, Path: tc.path, Status: 503, RetryAfter: "0", Times: 1})
		err := tc.call()
		assert.Equal(t, 503, client.StatusCode(err), tc.path)
		assert.Equal(t, 1, e.sb.Calls(tc.method, tc.path), tc.path)
		e.sb.ClearFaults()
	}
	// A GET is retried.
	e.sb.ResetCalls()
	e.sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/agents/runs", Status: 503, RetryAfter: "0", Times: 1})
	_, err := e.c.GetWorkflowRuns(e.ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, e.sb.Calls("GET", "/v1/agents/runs"))
}

// update_credential's secrets never come back in an error, even when
// Skyvern (or a proxy) echoes the request body.
func TestUpdateCredentialSecretsRedacted(t *testing.T) {
	sb := sandbox.New(sandbox.Options{APIKey: "redact-key-2"})
	ts := httptest.NewServer(sb)
	defer ts.Close()
	c, err := client.New(client.WithBaseURL(ts.URL), client.WithAPIKey("redact-key-2"))
	require.NoError(t, err)
	const pw, card, cvv = "upd-pw-canary-5e1", "5555 4444 3333 1111", "4321"
	echo := `{"detail":"rejected: ` + pw + ` ` + "5555444433331111" + ` cvv ` + cvv + `"}`
	sb.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/credentials/{credential_id}/update", Status: 400, Body: echo, Times: 2})
	_, err = c.UpdateCredential(context.Background(), "cred_1", &client.CreateCredentialRequest{Name: "n",
		Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "u", Password: pw}}})
	require.Error(t, err)
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	for _, s := range []string{err.Error(), string(apiErr.Body), apiErr.Detail} {
		assert.NotContains(t, s, pw)
		assert.Contains(t, s, "[REDACTED]")
	}
	_, err = c.UpdateCredential(context.Background(), "cred_1", &client.CreateCredentialRequest{Name: "n",
		Credential: client.CredentialData{CreditCard: &client.CreditCardCredential{CardNumber: card, CardCVV: cvv,
			CardExpMonth: "01", CardExpYear: "2030", CardBrand: "mc", CardHolderName: "A"}}})
	require.ErrorAs(t, err, &apiErr)
	for _, s := range []string{err.Error(), string(apiErr.Body)} {
		for _, secret := range []string{pw, "5555444433331111", card, cvv} {
			assert.NotContains(t, s, secret)
		}
	}
	assert.True(t, slices.Contains([]int{400}, apiErr.StatusCode))
}
