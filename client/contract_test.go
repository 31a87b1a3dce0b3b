package client_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/contracttest"
)

const contractKey = "sk-contract-canary-4b7a"

// contractEnv is a sandbox behind a client whose every request and response
// is validated against Skyvern's OpenAPI spec.
type contractEnv struct {
	spec *contracttest.Spec
	sb   *sandbox.Server
	c    *client.Client
	ctx  context.Context
}

func newContractEnv(t *testing.T, opts ...contracttest.Option) *contractEnv {
	t.Helper()
	spec := contracttest.Load(t)
	sb := sandbox.New(sandbox.Options{APIKey: contractKey, RunDuration: 100 * time.Millisecond})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL+"/v1/"), client.WithAPIKey(contractKey),
		client.WithRetries(2, 5*time.Millisecond),
		client.WithHTTPClient(&http.Client{Transport: spec.Transport(t, nil, opts...)}))
	require.NoError(t, err)
	return &contractEnv{spec: spec, sb: sb, c: c, ctx: context.Background()}
}

func ptr[T any](v T) *T { return &v }

// TestContract runs every one of the 30 SDK operations against the sandbox;
// the transport validates each request and response against the spec.
func TestContract(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(404))
	ctx := e.ctx
	seenBefore := e.spec.Seen()

	var task *client.Run
	t.Run("run_task", func(t *testing.T) {
		schema, err := client.JSONOf(map[string]any{"type": "object", "properties": map[string]any{"title": map[string]any{"type": "string"}}})
		require.NoError(t, err)
		task, err = e.c.RunTask(ctx, &client.TaskRunRequest{
			Prompt: "Get the title", URL: "https://example.com", Engine: client.EngineSkyvern1, Title: "contract",
			ProxyLocation: &client.ProxyLocation{Geo: &client.GeoTarget{Country: "US", Subdivision: "NY"}}, DataExtractionSchema: schema,
			ErrorCodeMapping: map[string]string{"blocked": "captcha"}, MaxSteps: ptr(5), WebhookURL: "https://example.com/hook",
			TOTPIdentifier: "a@example.com", ExtraHTTPHeaders: map[string]string{"X-A": "1"}, IncludeActionHistoryInVerification: ptr(true),
			MaxScreenshotScrolls: ptr(2), UserAgent: "UA/1",
		})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(task.RunID, "tsk_"))
		assert.Equal(t, client.RunTypeTaskV1, task.RunType)
	})
	t.Run("get_run", func(t *testing.T) {
		final, err := e.c.WaitForRun(ctx, task.RunID, client.WaitOptions{PollInitial: 10 * time.Millisecond, Timeout: 10 * time.Second})
		require.NoError(t, err)
		assert.Equal(t, client.RunStatusCompleted, final.Status)
		require.NotNil(t, final.RunRequest)
		// Every field sent comes back in run_request: none was dropped or misnamed.
		rr := final.RunRequest
		assert.Equal(t, "Get the title", rr.Prompt)
		assert.Equal(t, "https://example.com/hook", rr.WebhookURL)
		assert.Equal(t, "a@example.com", rr.TOTPIdentifier)
		assert.Equal(t, 5, *rr.MaxSteps)
		assert.Equal(t, map[string]string{"blocked": "captcha"}, rr.ErrorCodeMapping)
		assert.Equal(t, "NY", rr.ProxyLocation.Geo.Subdivision)
		assert.Equal(t, 2, *rr.MaxScreenshotScrolls)
		assert.True(t, *rr.IncludeActionHistoryInVerification)
		assert.Contains(t, string(final.Output), "title")
	})
	t.Run("get_run_artifacts", func(t *testing.T) {
		arts, err := e.c.GetRunArtifacts(ctx, task.RunID)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(arts), 4)
		only, err := e.c.GetRunArtifacts(ctx, task.RunID, client.ArtifactRecording, client.ArtifactScreenshotFinal)
		require.NoError(t, err)
		require.Len(t, only, 2)
		for _, a := range only {
			assert.Contains(t, []client.ArtifactType{client.ArtifactRecording, client.ArtifactScreenshotFinal}, a.ArtifactType)
		}
	})
	t.Run("get_artifact", func(t *testing.T) {
		shots, err := e.c.GetRunArtifacts(ctx, task.RunID, client.ArtifactScreenshotFinal)
		require.NoError(t, err)
		content, err := e.c.GetArtifact(ctx, shots[0].ArtifactID, nil)
		require.NoError(t, err)
		b, _ := io.ReadAll(content.Body)
		content.Body.Close()
		assert.Equal(t, "image/png", content.ContentType)
		assert.True(t, strings.HasPrefix(string(b), "\x89PNG"))

		part, err := e.c.GetArtifact(ctx, shots[0].ArtifactID, &client.ByteRange{Start: 1, End: 3})
		require.NoError(t, err)
		pb, _ := io.ReadAll(part.Body)
		part.Body.Close()
		assert.Equal(t, http.StatusPartialContent, part.StatusCode)
		assert.Equal(t, "PNG", string(pb))
		assert.True(t, strings.HasPrefix(part.ContentRange, "bytes 1-3/"))

		_, err = e.c.GetArtifact(ctx, shots[0].ArtifactID, &client.ByteRange{Start: 1 << 30, End: -1})
		assert.Equal(t, 416, client.StatusCode(err))
	})
	t.Run("get_run_timeline", func(t *testing.T) {
		_, err := e.c.GetRunTimeline(ctx, task.RunID)
		assert.Equal(t, 400, client.StatusCode(err), "skyvern-1.0 task runs have no timeline")
	})
	t.Run("retry_run_webhook", func(t *testing.T) {
		replay, err := e.c.RetryRunWebhook(ctx, task.RunID, &client.RetryRunWebhookRequest{WebhookURL: "https://example.com/other"})
		require.NoError(t, err)
		assert.Equal(t, task.RunID, replay.RunID)
		assert.Equal(t, "https://example.com/other", replay.TargetWebhookURL)
	})
	t.Run("cancel_run", func(t *testing.T) {
		run, err := e.c.RunTask(ctx, &client.TaskRunRequest{Prompt: "slow [sandbox:slow]"})
		require.NoError(t, err)
		require.NoError(t, e.c.CancelRun(ctx, run.RunID))
		got, err := e.c.GetRun(ctx, run.RunID)
		require.NoError(t, err)
		assert.Equal(t, client.RunStatusCanceled, got.Status)
	})

	var wf *client.Workflow
	def := map[string]any{"title": "Contract WF", "workflow_definition": map[string]any{
		"parameters": []any{map[string]any{"parameter_type": "workflow", "key": "q", "workflow_parameter_type": "string"}},
		"blocks":     []any{map[string]any{"block_type": "task", "label": "search", "url": "https://example.com", "navigation_goal": "Search {{q}}"}},
	}}
	t.Run("create_workflow", func(t *testing.T) {
		var err error
		wf, err = e.c.CreateWorkflow(ctx, &client.WorkflowRequest{JSONDefinition: def}, "")
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(wf.WorkflowPermanentID, "wpid_"))
		assert.True(t, strings.HasPrefix(wf.WorkflowID, "w_"))
		assert.Equal(t, 1, wf.Version)
		yamlWF, err := e.c.CreateWorkflow(ctx, &client.WorkflowRequest{YAMLDefinition: "title: From YAML\nworkflow_definition:\n  parameters: []\n  blocks: []\n"}, "")
		require.NoError(t, err)
		assert.Equal(t, "From YAML", yamlWF.Title)
	})
	t.Run("update_workflow", func(t *testing.T) {
		up, err := e.c.UpdateWorkflow(ctx, wf.WorkflowPermanentID, &client.WorkflowRequest{JSONDefinition: def})
		require.NoError(t, err)
		assert.Equal(t, 2, up.Version)
		assert.Equal(t, wf.WorkflowPermanentID, up.WorkflowPermanentID)
	})
	t.Run("get_workflows", func(t *testing.T) {
		list, err := e.c.GetWorkflows(ctx, &client.GetWorkflowsParams{Page: 1, PageSize: 10, SearchKey: "contract", Status: []client.WorkflowStatus{"published"}})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, 2, list[0].Version)
	})
	t.Run("get_workflow", func(t *testing.T) {
		got, err := e.c.GetWorkflow(ctx, wf.WorkflowPermanentID, 1, false)
		require.NoError(t, err)
		assert.Equal(t, 1, got.Version)
	})
	t.Run("get_workflow_versions", func(t *testing.T) {
		vs, err := e.c.GetWorkflowVersions(ctx, wf.WorkflowPermanentID, false)
		require.NoError(t, err)
		assert.Len(t, vs, 2)
	})
	var wr *client.Run
	t.Run("run_workflow", func(t *testing.T) {
		var err error
		wr, err = e.c.RunWorkflow(ctx, &client.WorkflowRunRequest{WorkflowID: wf.WorkflowPermanentID, Parameters: map[string]any{"q": "shoes"},
			MaxElapsedTimeMinutes: ptr(30), RunMetadata: map[string]string{"team": "qa"}})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(wr.RunID, "wr_"))
		final, err := e.c.WaitForRun(ctx, wr.RunID, client.WaitOptions{PollInitial: 10 * time.Millisecond, Timeout: 10 * time.Second})
		require.NoError(t, err)
		assert.Equal(t, client.RunStatusCompleted, final.Status)
		require.NotNil(t, final.RunRequest)
		assert.Equal(t, wf.WorkflowPermanentID, final.RunRequest.WorkflowID)
		assert.Equal(t, 30, *final.RunRequest.MaxElapsedTimeMinutes)
		tl, err := e.c.GetRunTimeline(ctx, wr.RunID)
		require.NoError(t, err)
		assert.NotEmpty(t, tl)
	})
	t.Run("delete_workflow", func(t *testing.T) {
		require.NoError(t, e.c.DeleteWorkflow(ctx, wf.WorkflowPermanentID))
		_, err := e.c.GetWorkflow(ctx, wf.WorkflowPermanentID, 0, false)
		assert.True(t, client.IsNotFound(err))
	})

	var session *client.BrowserSession
	t.Run("create_browser_session", func(t *testing.T) {
		var err error
		session, err = e.c.CreateBrowserSession(ctx, &client.CreateBrowserSessionRequest{Timeout: ptr(15), Extensions: []client.BrowserExtension{"ad-blocker"}, BrowserType: "chrome"})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(session.BrowserSessionID, "pbs_"))
		assert.Equal(t, 15, *session.Timeout)
	})
	t.Run("get_browser_session", func(t *testing.T) {
		got, err := e.c.GetBrowserSession(ctx, session.BrowserSessionID)
		require.NoError(t, err)
		assert.Equal(t, session.BrowserSessionID, got.BrowserSessionID)
	})
	t.Run("get_browser_sessions", func(t *testing.T) {
		list, err := e.c.GetBrowserSessions(ctx)
		require.NoError(t, err)
		assert.Len(t, list, 1)
	})
	t.Run("close_browser_session", func(t *testing.T) {
		require.NoError(t, e.c.CloseBrowserSession(ctx, session.BrowserSessionID))
		got, err := e.c.GetBrowserSession(ctx, session.BrowserSessionID)
		require.NoError(t, err)
		assert.NotEmpty(t, got.CompletedAt)
	})

	var profile *client.BrowserProfile
	t.Run("create_browser_profile", func(t *testing.T) {
		var err error
		profile, err = e.c.CreateBrowserProfile(ctx, &client.CreateBrowserProfileRequest{Name: "shop", Description: "logged in", BrowserSessionID: session.BrowserSessionID})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(profile.BrowserProfileID, "bp_"))
		_, err = e.c.CreateBrowserProfile(ctx, &client.CreateBrowserProfileRequest{Name: "shop"})
		assert.True(t, isConflict(err), "a duplicate name gives 409, got %v", err)
	})
	t.Run("list_browser_profiles", func(t *testing.T) {
		list, err := e.c.ListBrowserProfiles(ctx, &client.ListBrowserProfilesParams{SearchKey: "shop", Managed: ptr(false)})
		require.NoError(t, err)
		assert.Len(t, list, 1)
	})
	t.Run("get_browser_profile", func(t *testing.T) {
		got, err := e.c.GetBrowserProfile(ctx, profile.BrowserProfileID)
		require.NoError(t, err)
		assert.Equal(t, "shop", got.Name)
	})
	t.Run("delete_browser_profile", func(t *testing.T) {
		require.NoError(t, e.c.DeleteBrowserProfile(ctx, profile.BrowserProfileID))
		_, err := e.c.GetBrowserProfile(ctx, profile.BrowserProfileID)
		assert.True(t, client.IsNotFound(err))
	})

	var cred *client.Credential
	t.Run("create_credential", func(t *testing.T) {
		var err error
		cred, err = e.c.CreateCredential(ctx, &client.CreateCredentialRequest{Name: "site", CredentialType: client.CredentialPassword,
			Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "ann", Password: "pw-canary", TOTP: "JBSWY3DP", TOTPType: "authenticator"}}})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(cred.CredentialID, "cred_"))
		assert.Equal(t, "ann", cred.Credential.Username)
		card, err := e.c.CreateCredential(ctx, &client.CreateCredentialRequest{Name: "card",
			Credential: client.CredentialData{CreditCard: &client.CreditCardCredential{CardNumber: "4111111111111111", CardCVV: "123",
				CardExpMonth: "01", CardExpYear: "2030", CardBrand: "visa", CardHolderName: "Ann"}}})
		require.NoError(t, err)
		assert.Equal(t, "1111", card.Credential.LastFour)
		secret, err := e.c.CreateCredential(ctx, &client.CreateCredentialRequest{Name: "token",
			Credential: client.CredentialData{Secret: &client.SecretCredential{SecretValue: "s3cr3t", SecretLabel: "api"}}})
		require.NoError(t, err)
		assert.Equal(t, "api", secret.Credential.SecretLabel)
	})
	t.Run("get_credentials", func(t *testing.T) {
		list, err := e.c.GetCredentials(ctx, &client.GetCredentialsParams{CredentialType: client.CredentialPassword})
		require.NoError(t, err)
		assert.Len(t, list, 1)
	})
	t.Run("get_credential", func(t *testing.T) {
		got, err := e.c.GetCredential(ctx, cred.CredentialID)
		require.NoError(t, err)
		assert.Equal(t, "site", got.Name)
	})
	t.Run("send_totp_code", func(t *testing.T) {
		code, err := e.c.SendTOTPCode(ctx, &client.TOTPCodeCreate{TOTPIdentifier: "ann@example.com", Content: "Your verification code is 482913."})
		require.NoError(t, err)
		assert.Equal(t, "482913", code.Code)
		assert.True(t, strings.HasPrefix(code.TOTPCodeID, "totp_"))
	})
	t.Run("login", func(t *testing.T) {
		run, err := e.c.Login(ctx, &client.LoginRequest{CredentialType: client.LoginSkyvern, CredentialID: cred.CredentialID,
			AgentRunOptions: client.AgentRunOptions{URL: "https://example.com/login", ProxyLocation: "RESIDENTIAL"}})
		require.NoError(t, err)
		assert.True(t, run.RunType.IsWorkflow())
	})
	t.Run("download_files", func(t *testing.T) {
		run, err := e.c.DownloadFiles(ctx, &client.DownloadFilesRequest{NavigationGoal: "Download the invoice", DownloadTimeout: ptr(30.0),
			AgentRunOptions: client.AgentRunOptions{URL: "https://example.com"}})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(run.RunID, "wr_"))
	})
	t.Run("upload_file", func(t *testing.T) {
		res, err := e.c.UploadFile(ctx, "notes.txt", "text/plain", strings.NewReader("hello"))
		require.NoError(t, err)
		assert.NotEmpty(t, res.S3URI)
		assert.NotEmpty(t, res.PresignedURL)
	})
	t.Run("delete_credential", func(t *testing.T) {
		require.NoError(t, e.c.DeleteCredential(ctx, cred.CredentialID))
		_, err := e.c.GetCredential(ctx, cred.CredentialID)
		assert.True(t, client.IsNotFound(err))
	})

	e.assertExercised(t, seenBefore, sdkOperations)
}

// assertExercised fails for each of ops the validator saw no more often
// than it had by before (a contract test's start): every listed operation
// went through the spec's checks on request and response.
func (e *contractEnv) assertExercised(t *testing.T, before map[string]int, ops []string) {
	t.Helper()
	seen := e.spec.Seen()
	var missing []string
	for _, op := range ops {
		if seen[op] <= before[op] {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "operations never exercised against the spec")
}

func isConflict(err error) bool { return client.StatusCode(err) == 409 }

// sdkOperations are the 30 operations of the SDK reference, as "METHOD /path/template".
var sdkOperations = []string{
	"POST /v1/run/tasks", "GET /v1/runs/{run_id}", "POST /v1/runs/{run_id}/cancel", "GET /v1/runs/{run_id}/timeline",
	"GET /v1/runs/{run_id}/artifacts", "GET /v1/artifacts/{artifact_id}/content", "POST /v1/runs/{run_id}/retry_webhook",
	"POST /v1/run/agents", "POST /v1/agents", "GET /v1/agents", "GET /v1/agents/{workflow_permanent_id}",
	"GET /v1/agents/{workflow_permanent_id}/versions", "POST /v1/agents/{workflow_id}", "POST /v1/agents/{workflow_id}/delete",
	"POST /v1/browser_sessions", "GET /v1/browser_sessions/{browser_session_id}", "GET /v1/browser_sessions",
	"POST /v1/browser_sessions/{browser_session_id}/close", "POST /v1/browser_profiles", "GET /v1/browser_profiles",
	"GET /v1/browser_profiles/{profile_id}", "DELETE /v1/browser_profiles/{profile_id}", "POST /v1/credentials",
	"GET /v1/credentials", "GET /v1/credentials/{credential_id}", "POST /v1/credentials/{credential_id}/delete",
	"POST /v1/credentials/totp", "POST /v1/run/tasks/login", "POST /v1/run/tasks/download_files", "POST /v1/upload_file",
}

func TestSDKOperationsExistInSpec(t *testing.T) {
	spec := contracttest.Load(t)
	ops := spec.Operations()
	for _, op := range sdkOperations {
		assert.Contains(t, ops, op)
	}
	assert.Len(t, sdkOperations, 30)
}

// TestStructsMatchSpec proves that every request and response struct names
// exactly the properties of its schema: a renamed or missing JSON field fails
// here even where body validation would let it pass (the spec has no
// additionalProperties: false).
func TestStructsMatchSpec(t *testing.T) {
	spec := contracttest.Load(t)
	wfOnly := []string{"run_with", "ai_fallback", "script_id"}
	taskReqOnly := []string{"prompt", "url", "engine", "data_extraction_schema", "error_code_mapping", "max_steps", "model", "publish_workflow", "include_action_history_in_verification"}
	wfReqOnly := []string{"workflow_id", "parameters", "browser_profile_id", "max_elapsed_time_minutes", "ai_fallback", "run_metadata"}
	ignoreGo := func(names []string, why string) []contracttest.StructOption {
		var o []contracttest.StructOption
		for _, n := range names {
			o = append(o, contracttest.IgnoreGoField(n, why))
		}
		return o
	}
	for _, tc := range []struct {
		v      any
		schema string
		opts   []contracttest.StructOption
	}{
		{client.TaskRunRequest{}, "TaskRunRequest-Input", nil},
		{client.WorkflowRunRequest{}, "WorkflowRunRequest-Input", nil},
		{client.Run{}, "TaskRunResponse", ignoreGo(wfOnly, "workflow-run fields of the shared Run type")},
		{client.Run{}, "WorkflowRunResponse", nil},
		{client.RunRequest{}, "TaskRunRequest-Output", ignoreGo(wfReqOnly, "workflow-run fields of the shared RunRequest type")},
		{client.RunRequest{}, "WorkflowRunRequest-Output", ignoreGo(taskReqOnly, "task-run fields of the shared RunRequest type")},
		{client.ScriptRun{}, "ScriptRunResponse", nil},
		{client.FileInfo{}, "FileInfo", nil},
		{client.Artifact{}, "Artifact", nil},
		{client.TimelineEntry{}, "WorkflowRunTimeline", nil},
		{client.RetryRunWebhookRequest{}, "RetryRunWebhookRequest", nil},
		{client.RunWebhookReplay{}, "RunWebhookReplayResponse", nil},
		{client.WorkflowRequest{}, "WorkflowRequest", nil},
		{client.Workflow{}, "Workflow", nil},
		{client.CreateBrowserSessionRequest{}, "CreateBrowserSessionRequest", nil},
		{client.BrowserSession{}, "BrowserSessionResponse", nil},
		{client.CreateBrowserProfileRequest{}, "CreateBrowserProfileRequest", nil},
		{client.BrowserProfile{}, "BrowserProfile", nil},
		{client.CreateCredentialRequest{}, "CreateCredentialRequest", nil},
		{client.PasswordCredential{}, "NonEmptyPasswordCredential", nil},
		{client.CreditCardCredential{}, "NonEmptyCreditCardCredential", nil},
		{client.CreditCardBillingAddress{}, "CreditCardBillingAddress", nil},
		{client.SecretCredential{}, "SecretCredential", nil},
		{client.Credential{}, "CredentialResponse", nil},
		{client.CredentialSummary{}, "PasswordCredentialResponse", ignoreGo([]string{"last_four", "brand", "secret_label"}, "other credential shapes")},
		{client.CredentialSummary{}, "CreditCardCredentialResponse", ignoreGo([]string{"username", "totp_type", "totp_identifier", "secret_label"}, "other credential shapes")},
		{client.CredentialSummary{}, "SecretCredentialResponse", ignoreGo([]string{"username", "totp_type", "totp_identifier", "last_four", "brand"}, "other credential shapes")},
		{client.TOTPCodeCreate{}, "TOTPCodeCreate", nil},
		{client.TOTPCode{}, "TOTPCode", nil},
		{client.LoginRequest{}, "LoginRequest", nil},
		{client.DownloadFilesRequest{}, "DownloadFilesRequest", nil},
		{client.UploadFileResponse{}, "UploadFileResponse", nil},
		{client.GeoTarget{}, "GeoTarget", nil},
		{client.ValidationError{}, "ValidationError", nil},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			spec.CheckStruct(t, reflect.TypeOf(tc.v), tc.schema, tc.opts...)
		})
	}
}

// Under injected 5xx on run_task the sandbox sees exactly one POST: a
// request that starts a billed run is never retried.
func TestRunTaskIsNeverRetried(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(500, 502, 503, 429))
	for _, f := range []sandbox.Fault{
		{Method: "POST", Path: "/v1/run/tasks", Status: 503, RetryAfter: "0", Times: 1},
		{Method: "POST", Path: "/v1/run/tasks", Status: 500, Times: 1},
		{Method: "POST", Path: "/v1/run/tasks", Status: 429, RetryAfter: "0", Times: 1},
	} {
		e.sb.ResetCalls()
		e.sb.AddFault(f)
		_, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "buy one item"})
		assert.Equal(t, f.Status, client.StatusCode(err))
		assert.Equal(t, 1, e.sb.Calls("POST", "/v1/run/tasks"), "fault %+v", f)
		e.sb.ClearFaults()
	}
}

// GETs under injected 503 + Retry-After succeed after the retry.
func TestGETRetriedAfter503(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(503))
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x"})
	require.NoError(t, err)
	e.sb.ResetCalls()
	e.sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/runs/{run_id}", Status: 503, RetryAfter: "1", Times: 1})
	start := time.Now()
	got, err := e.c.GetRun(e.ctx, run.RunID)
	require.NoError(t, err)
	assert.Equal(t, run.RunID, got.RunID)
	assert.Equal(t, 2, e.sb.Calls("GET", "/v1/runs/{run_id}"))
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "Retry-After: 1 honoured")
}

func TestWaitForRunSurvivesTransientFaults(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(502, 503))
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x"})
	require.NoError(t, err)
	e.sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/runs/{run_id}", Status: 502, Times: 4})
	e.sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/runs/{run_id}", Drop: true, Times: 2})
	final, err := e.c.WaitForRun(e.ctx, run.RunID, client.WaitOptions{PollInitial: 5 * time.Millisecond, PollMax: 20 * time.Millisecond, Timeout: 10 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusCompleted, final.Status)
}

func TestWrongKeyIs403(t *testing.T) {
	spec := contracttest.Load(t)
	sb := sandbox.New(sandbox.Options{APIKey: contractKey})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithAPIKey("sk-wrong"),
		client.WithHTTPClient(&http.Client{Transport: spec.Transport(t, nil, contracttest.AllowStatus(403))}))
	require.NoError(t, err)
	_, err = c.GetBrowserSessions(context.Background())
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 403, apiErr.StatusCode)
	assert.Equal(t, "Invalid credentials", apiErr.Detail)
}
