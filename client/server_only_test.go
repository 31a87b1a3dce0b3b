package client_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/contracttest"
	"github.com/skyvern-mcp/skyvern-mcp/internal/testenv"
)

// serverOnlyOperations are the operations of the server's document that the
// SDK's lacks.
var serverOnlyOperations = []string{
	"DELETE /v1/files/{file_id}", "GET /v1/browser_profiles/{profile_id}/usage",
	"GET /v1/run-tag-suggestions", "POST /v1/tag-values",
}

// The server's document has the SDK's 83 operations and these 4.
func TestServerOnlyOperationsAreTheDifference(t *testing.T) {
	server, sdk := contracttest.Load(t), contracttest.LoadSDK(t)
	var extra []string
	for _, op := range server.Operations() {
		if !contains(sdk.Operations(), op) {
			extra = append(extra, op)
		}
	}
	assert.ElementsMatch(t, serverOnlyOperations, extra)
	for _, op := range sdk.Operations() {
		assert.Contains(t, server.Operations(), op, "the server's document is a superset of the SDK's")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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

// retention_days outside 1-365 is a 422 with a string detail
// (uploaded_file_service.resolve_expires_at via HTTPException), which the
// server's document does not describe: checked without the spec.
func TestUploadRetentionOutOfRange(t *testing.T) {
	_, c := testenv.SandboxUnchecked(t, sandbox.Options{APIKey: contractKey}, contractKey)
	for _, days := range []int{0, 366} {
		_, err := c.UploadFileWith(context.Background(), "b.txt", "", strings.NewReader("x"), client.UploadOptions{RetentionDays: &days})
		assert.Equal(t, 422, client.StatusCode(err), "retention_days %d", days)
		assert.ErrorContains(t, err, "retention_days must be between 1 and 365")
	}
}

// Task runs take browser_profile_id and start_fresh_browser with
// skyvern-2.0 only (agent_protocol.py run_task: 400 for other engines);
// skyvern-3.0 runs are task_v3.
func TestRunTaskServerFields(t *testing.T) {
	e := newContractEnv(t, contracttest.AllowStatus(400))
	_, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "p", StartFreshBrowser: true})
	assert.Equal(t, 400, client.StatusCode(err))
	assert.Contains(t, err.Error(), "start_fresh_browser is not supported")
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "p", Engine: client.EngineSkyvern2, StartFreshBrowser: true})
	require.NoError(t, err)
	require.NotNil(t, run.RunRequest)
	assert.True(t, *run.RunRequest.StartFreshBrowser)
	v3, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "p", Engine: client.EngineSkyvern3})
	require.NoError(t, err)
	assert.Equal(t, client.RunTypeTaskV3, v3.RunType)
}

// A lost response to create_workflow (the sandbox creates the workflow, then
// the connection dies mid-answer) is retried with the same Idempotency-Key,
// and the retry returns the same workflow: there is exactly one.
func TestCreateWorkflowLostResponseNoDuplicate(t *testing.T) {
	e := newContractEnv(t)
	var seen []string
	e.sb.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/agents", Truncate: true, Times: 1})
	def := map[string]any{"title": "Once", "workflow_definition": map[string]any{"parameters": []any{}, "blocks": []any{}}}
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: def}, "")
	require.NoError(t, err)
	assert.Equal(t, 2, e.sb.Calls("POST", "/v1/agents"), "the lost response was retried")
	list, err := e.c.GetWorkflows(e.ctx, &client.GetWorkflowsParams{PageSize: 100})
	require.NoError(t, err)
	for _, w := range list {
		seen = append(seen, w.WorkflowPermanentID)
	}
	assert.Equal(t, []string{wf.WorkflowPermanentID}, seen, "one workflow, not two")
}

// The same key returns the first workflow's version 1, whatever the body and
// even after an update; a bad key is refused before sending.
func TestCreateWorkflowIdempotencyKey(t *testing.T) {
	e := newContractEnv(t)
	def := func(title string) map[string]any {
		return map[string]any{"title": title, "workflow_definition": map[string]any{"parameters": []any{}, "blocks": []any{}}}
	}
	first, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: def("First"), IdempotencyKey: "order-42"}, "")
	require.NoError(t, err)
	_, err = e.c.UpdateWorkflow(e.ctx, first.WorkflowPermanentID, &client.WorkflowRequest{JSONDefinition: def("Edited")})
	require.NoError(t, err)
	again, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: def("Second"), IdempotencyKey: "order-42"}, "")
	require.NoError(t, err)
	assert.Equal(t, first.WorkflowPermanentID, again.WorkflowPermanentID)
	assert.Equal(t, 1, again.Version)
	assert.Equal(t, "First", again.Title)

	other, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: def("Other")}, "")
	require.NoError(t, err)
	assert.NotEqual(t, first.WorkflowPermanentID, other.WorkflowPermanentID, "no key given: a fresh random one")

	calls := e.sb.Calls("POST", "/v1/agents")
	_, err = e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: def("X"), IdempotencyKey: "has space"}, "")
	assert.ErrorContains(t, err, "visible ASCII")
	assert.Equal(t, calls, e.sb.Calls("POST", "/v1/agents"), "a bad key is not sent")
}

// While the first creation with a key is in progress Skyvern answers 409;
// the client retries with the same key.
func TestCreateWorkflowRetries409InProgress(t *testing.T) {
	e := newContractEnv(t)
	e.sb.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/agents", Status: http.StatusConflict,
		Body: `{"detail":"Workflow creation with this idempotency key is still in progress."}`, Times: 1})
	wf, err := e.c.CreateWorkflow(e.ctx, &client.WorkflowRequest{JSONDefinition: map[string]any{"title": "T",
		"workflow_definition": map[string]any{"parameters": []any{}, "blocks": []any{}}}}, "")
	require.NoError(t, err)
	assert.NotEmpty(t, wf.WorkflowPermanentID)
	assert.Equal(t, 2, e.sb.Calls("POST", "/v1/agents"))
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
