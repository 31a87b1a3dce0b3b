package sandbox_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func TestAPIKey(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	for _, key := range []string{"wrong-key", ""} {
		c, err := client.New(client.WithBaseURL(e.srv.URL), client.WithAPIKey(key), client.WithRetries(0, 0))
		require.NoError(t, err)
		_, err = c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x"})
		assert.True(t, client.IsForbidden(err), "key %q: %v", key, err)
		var apiErr *client.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "Invalid credentials", apiErr.Detail)
		_, err = c.GetWorkflows(e.ctx, nil)
		assert.True(t, client.IsForbidden(err))
	}
	_, err := e.c.GetWorkflows(e.ctx, nil)
	assert.NoError(t, err)

}

func TestNoKeyConfiguredAcceptsAnything(t *testing.T) {
	sb := sandbox.New(sandbox.Options{RunDuration: -1})
	base, shutdown, err := sb.Listen("127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = shutdown(context.Background()) }()
	assert.True(t, strings.HasPrefix(base, "http://127.0.0.1:"))
	for _, key := range []string{"", "anything"} {
		c, err := client.New(client.WithBaseURL(base), client.WithAPIKey(key))
		require.NoError(t, err)
		run, err := c.RunTask(context.Background(), &client.TaskRunRequest{Prompt: "hello"})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(run.AppURL, base+"/app/runs/"))
	}
}

func TestNotFound(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	errs := []error{}
	_, err := e.c.GetRun(e.ctx, "tsk_000000000000000001")
	errs = append(errs, err)
	_, err = e.c.GetWorkflow(e.ctx, "wpid_000000000000000001", 0, false)
	errs = append(errs, err)
	_, err = e.c.GetBrowserSession(e.ctx, "pbs_000000000000000001")
	errs = append(errs, err)
	errs = append(errs, e.c.CloseBrowserSession(e.ctx, "pbs_000000000000000001"))
	_, err = e.c.GetBrowserProfile(e.ctx, "bp_000000000000000001")
	errs = append(errs, err)
	_, err = e.c.GetCredential(e.ctx, "cred_000000000000000001")
	errs = append(errs, err)
	errs = append(errs, e.c.DeleteCredential(e.ctx, "cred_000000000000000001"))
	_, err = e.c.RetryRunWebhook(e.ctx, "tsk_000000000000000001", nil)
	errs = append(errs, err)
	for i, err := range errs {
		require.True(t, client.IsNotFound(err), "%d: %v", i, err)
		var apiErr *client.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, apiErr.Detail, "not found")
	}
	code, _, body := e.raw(t, "GET", "/v1/no/such/route", "", "")
	assert.Equal(t, 404, code)
	assert.JSONEq(t, `{"detail":"Not Found"}`, string(body))
	code, hdr, _ := e.raw(t, "DELETE", "/v1/run/tasks", "", "")
	assert.Equal(t, 405, code)
	assert.Equal(t, "POST", hdr.Get("Allow"))
}

func TestValidationErrors(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	post := func(path, body string) []client.ValidationError {
		t.Helper()
		code, hdr, b := e.raw(t, "POST", path, "application/json", body)
		require.Equal(t, http.StatusUnprocessableEntity, code, "%s", b)
		assert.Equal(t, "application/json", hdr.Get("Content-Type"))
		return validation(t, b)
	}

	errs := post("/v1/run/tasks", `{"prompt": "x",`)
	assert.Equal(t, "json_invalid", errs[0].Type)
	assert.Equal(t, "body", errs[0].Loc[0])
	assert.Equal(t, "JSON decode error", errs[0].Msg)

	errs = post("/v1/run/tasks", `{"max_steps": "five", "engine": "skyvern-9", "url": 5, "proxy_location": "MOON"}`)
	assert.Equal(t, "missing", findLoc(t, errs, "body", "prompt").Type)
	assert.Equal(t, "Field required", findLoc(t, errs, "body", "prompt").Msg)
	ms := findLoc(t, errs, "body", "max_steps")
	assert.Equal(t, "int_parsing", ms.Type)
	assert.Equal(t, "five", ms.Input)
	assert.Equal(t, "enum", findLoc(t, errs, "body", "engine").Type)
	assert.Equal(t, "string_type", findLoc(t, errs, "body", "url").Type)
	assert.Equal(t, "enum", findLoc(t, errs, "body", "proxy_location").Type)

	errs = post("/v1/run/tasks", ``)
	findLoc(t, errs, "body")
	errs = post("/v1/run/tasks", `["prompt"]`)
	assert.Equal(t, "model_attributes_type", findLoc(t, errs, "body").Type)

	// Lax coercion, as pydantic: "7" is an integer.
	code, _, b := e.raw(t, "POST", "/v1/run/tasks", "application/json", `{"prompt": "x", "max_steps": "7"}`)
	require.Equal(t, 200, code, "%s", b)
	assert.Contains(t, string(b), `"max_steps":7`)

	errs = post("/v1/run/agents", `{"parameters": []}`)
	findLoc(t, errs, "body", "agent_id")
	findLoc(t, errs, "body", "parameters")
	errs = post("/v1/run/agents", `{"workflow_id": "wpid_1", "max_elapsed_time_minutes": 0}`)
	assert.Equal(t, "greater_than_equal", findLoc(t, errs, "body", "max_elapsed_time_minutes").Type)
	errs = post("/v1/browser_profiles", `{"name": ""}`)
	assert.Equal(t, "string_too_short", findLoc(t, errs, "body", "name").Type)
	errs = post("/v1/run/tasks/download_files", `{}`)
	findLoc(t, errs, "body", "navigation_goal")
	errs = post("/v1/run/tasks/login", `{"credential_type": "lastpass"}`)
	assert.Equal(t, "enum", findLoc(t, errs, "body", "credential_type").Type)

	code, _, b = e.raw(t, "GET", "/v1/agents?page=0&only_workflows=perhaps", "", "")
	require.Equal(t, 422, code)
	errs = validation(t, b)
	assert.Equal(t, "greater_than_equal", findLoc(t, errs, "query", "page").Type)
	assert.Equal(t, "bool_parsing", findLoc(t, errs, "query", "only_workflows").Type)

	// Through the client: the 422 becomes an *APIError with the loc paths.
	_, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x", Engine: "skyvern-9"})
	require.True(t, client.IsValidation(err))
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Len(t, apiErr.ValidationErrors, 1)
	assert.Equal(t, "engine", apiErr.ValidationErrors[0].Field())
}
