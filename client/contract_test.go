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
		session, err = e.c.CreateBrowserSession(ctx, &client.CreateBrowserSessionRequest{Timeout: ptr(15), Extensions: []client.BrowserExtension{"ad-blocker"}, BrowserType: "chrome",
			GenerateBrowserProfile: true}) // create_browser_profile below captures it
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
	wfOnly := []string{"run_with", "ai_fallback", "script_id", "browser_seed_source"}
	taskReqOnly := []string{"prompt", "url", "engine", "data_extraction_schema", "error_code_mapping", "max_steps", "model", "publish_workflow", "include_action_history_in_verification"}
	wfReqOnly := []string{"workflow_id", "parameters", "max_elapsed_time_minutes", "ai_fallback", "run_metadata", "reuse_browser_session"}
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

func workflowRunID(it client.WorkflowRun) string { return it.WorkflowRunID }

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
		// run_service.cancel_run leaves a finished workflow run as it is
		// without raising: bulk_cancel_runs counts it as cancelled.
		assert.Equal(t, []string{a.RunID, b.RunID, okRun.RunID}, res.Cancelled)
		assert.Equal(t, []string{"tsk_404"}, res.Failed, "unknown runs cannot be cancelled")
		done, err := e.c.GetRun(ctx, okRun.RunID)
		require.NoError(t, err)
		assert.Equal(t, client.RunStatusCompleted, done.Status)
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

func TestContractServerOnly(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(404))
	ctx := e.ctx
	before := e.spec.Seen()

	t.Run("upload_file with retention, delete_file", func(t *testing.T) {
		days := 7
		up, err := e.c.UploadFileWith(ctx, "notes.txt", "text/plain", strings.NewReader("hello"), client.UploadOptions{RetentionDays: &days})
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(up.FileID, "file_"), up.FileID)
		exp, err := time.Parse(time.RFC3339Nano, up.ExpiresAt)
		require.NoError(t, err, "expires_at %q", up.ExpiresAt)
		assert.WithinDuration(t, time.Now().AddDate(0, 0, 7), exp, time.Hour)

		plain, err := e.c.UploadFile(ctx, "a.txt", "text/plain", strings.NewReader("x"))
		require.NoError(t, err)
		assert.Empty(t, plain.ExpiresAt, "no retention asked: the organization's policy applies")

		require.NoError(t, e.c.DeleteFile(ctx, up.FileID))
		err = e.c.DeleteFile(ctx, up.FileID)
		assert.Equal(t, 404, client.StatusCode(err), "deleting twice is 404 like an unknown file")
	})

	t.Run("get_browser_profile_usage", func(t *testing.T) {
		p, err := e.c.CreateBrowserProfile(ctx, &client.CreateBrowserProfileRequest{Name: "usage"})
		require.NoError(t, err)
		_, err = e.c.CreateCredential(ctx, &client.CreateCredentialRequest{Name: "linked", CredentialType: client.CredentialPassword,
			BrowserProfileID: p.BrowserProfileID, TestedURL: "https://example.com/login",
			Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "u", Password: "p"}}})
		require.NoError(t, err)
		run, err := e.c.RunTask(ctx, &client.TaskRunRequest{Prompt: "p", Engine: client.EngineSkyvern2, BrowserProfileID: p.BrowserProfileID})
		require.NoError(t, err)
		require.NotEmpty(t, run.RunID)

		u, err := e.c.GetBrowserProfileUsage(ctx, p.BrowserProfileID)
		require.NoError(t, err)
		require.Len(t, u.Credentials, 1)
		assert.Equal(t, "linked", u.Credentials[0].Name)
		assert.Equal(t, 1, u.RecentSeededRunCount)
		assert.Empty(t, u.Workflows)

		_, err = e.c.GetBrowserProfileUsage(ctx, "bp_missing")
		assert.True(t, client.IsNotFound(err))
	})

	t.Run("create_tag_value, get_run_tag_suggestions", func(t *testing.T) {
		tv, err := e.c.CreateTagValue(ctx, &client.TagValueCreate{Key: "env", Value: "prod", Color: "green"})
		require.NoError(t, err)
		assert.Equal(t, client.TagValue{Key: "env", Value: "prod", Color: "green"}, *tv)
		_, err = e.c.CreateTagValue(ctx, &client.TagValueCreate{Key: "env", Value: "prod"})
		assert.Equal(t, 409, client.StatusCode(err))
		_, err = e.c.CreateTagValue(ctx, &client.TagValueCreate{Key: "env", Value: "qa", Color: "mauve"})
		assert.Equal(t, 422, client.StatusCode(err))

		wf, err := e.c.CreateWorkflow(ctx, &client.WorkflowRequest{JSONDefinition: map[string]any{"title": "T",
			"workflow_definition": map[string]any{"parameters": []any{}, "blocks": []any{}}}}, "")
		require.NoError(t, err)
		wr, err := e.c.RunWorkflow(ctx, &client.WorkflowRunRequest{WorkflowID: wf.WorkflowPermanentID})
		require.NoError(t, err)
		_, err = e.c.ApplyRunTags(ctx, wr.RunID, &client.TagApplyRequest{Tags: []client.TagInput{{Key: "env", Value: "staging"}, {Value: "nightly"}}})
		require.NoError(t, err)
		sug, err := e.c.GetRunTagSuggestions(ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{"env"}, sug.Keys)
		assert.Equal(t, map[string][]string{"env": {"staging"}}, sug.ValuesByKey, "only values set on runs; prod was only registered")
		assert.Equal(t, []string{"nightly"}, sug.Labels)
	})

	e.assertExercised(t, before, serverOnlyOperations)
}

// GetArtifactMetadata is the hidden route, validated against the Artifact
// schema by the contract transport.
func TestContractGetArtifactMetadata(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(404))
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "p"})
	require.NoError(t, err)
	_, err = e.c.WaitForRun(e.ctx, run.RunID, client.WaitOptions{PollInitial: 10 * time.Millisecond, Timeout: 10 * time.Second})
	require.NoError(t, err)
	shots, err := e.c.GetRunArtifacts(e.ctx, run.RunID, client.ArtifactScreenshotFinal)
	require.NoError(t, err)
	require.Len(t, shots, 1)
	before := e.spec.Seen()["GET /v1/artifacts/{artifact_id}"]
	a, err := e.c.GetArtifactMetadata(e.ctx, shots[0].ArtifactID)
	require.NoError(t, err)
	assert.Equal(t, shots[0].ArtifactID, a.ArtifactID)
	assert.Equal(t, client.ArtifactScreenshotFinal, a.ArtifactType)
	assert.Contains(t, a.SignedURL, "/v1/artifacts/"+a.ArtifactID+"/content")
	assert.Equal(t, before+1, e.spec.Seen()["GET /v1/artifacts/{artifact_id}"])
	_, err = e.c.GetArtifactMetadata(e.ctx, "a_missing")
	assert.True(t, client.IsNotFound(err))
}
