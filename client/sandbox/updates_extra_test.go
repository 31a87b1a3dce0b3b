package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// doRaw sends a request without a body and returns the status.
func doRaw(t *testing.T, method, url string, header map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestUpdateBrowserSessionUntilItEnds(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	s, err := e.c.CreateBrowserSession(e.ctx, &client.CreateBrowserSessionRequest{Timeout: ptrInt(5), GenerateBrowserProfile: true})
	require.NoError(t, err)
	e.clock.Advance(time.Minute)
	up, err := e.c.UpdateBrowserSession(e.ctx, s.BrowserSessionID, &client.UpdateBrowserSessionRequest{GenerateBrowserProfile: false})
	require.NoError(t, err)
	assert.False(t, up.GenerateBrowserProfile)
	assert.NotEqual(t, s.ModifiedAt, up.ModifiedAt)
	assert.Equal(t, "running", up.Status)

	code, _, body := e.raw(t, "PATCH", "/v1/browser_sessions/"+s.BrowserSessionID, "application/json", `{}`)
	require.Equal(t, 422, code)
	assert.Equal(t, "missing", findLoc(t, validation(t, body), "body", "generate_browser_profile").Type)
	code, _, body = e.raw(t, "PATCH", "/v1/browser_sessions/"+s.BrowserSessionID, "application/json", `{"generate_browser_profile":"maybe"}`)
	require.Equal(t, 422, code)
	assert.Equal(t, "bool_parsing", findLoc(t, validation(t, body), "body", "generate_browser_profile").Type)

	e.clock.Advance(5 * time.Minute) // the 5-minute timeout passes
	_, err = e.c.UpdateBrowserSession(e.ctx, s.BrowserSessionID, &client.UpdateBrowserSessionRequest{GenerateBrowserProfile: true})
	assert.Equal(t, 409, client.StatusCode(err), "%v", err)
	assert.Contains(t, err.Error(), "already ended")
}

func TestUpdateBrowserProfileFields(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	p, err := e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "shop", Description: "d", ProxyLocation: client.Proxy("RESIDENTIAL"), ProxySessionID: "pxs_1"})
	require.NoError(t, err)
	e.clock.Advance(time.Second)

	// Same name: no conflict with itself. null clears description and proxy.
	code, _, body := e.raw(t, "PATCH", "/v1/browser_profiles/"+p.BrowserProfileID, "application/json",
		`{"name":"shop","description":null,"proxy_location":null,"proxy_session_id":null}`)
	require.Equal(t, 200, code, "%s", body)
	var got client.BrowserProfile
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, "shop", got.Name)
	assert.Empty(t, got.Description)
	assert.Nil(t, got.ProxyLocation)
	assert.Empty(t, got.ProxySessionID)
	assert.NotEqual(t, p.ModifiedAt, got.ModifiedAt)
	assert.Equal(t, p.CreatedAt, got.CreatedAt)

	geo := &client.ProxyLocation{Geo: &client.GeoTarget{Country: "DE", City: "Berlin"}}
	up, err := e.c.UpdateBrowserProfile(e.ctx, p.BrowserProfileID, &client.UpdateBrowserProfileRequest{ProxyLocation: geo})
	require.NoError(t, err)
	assert.Equal(t, "Berlin", up.ProxyLocation.Geo.City)

	for _, tc := range []struct{ body, typ string }{
		{`{"name":""}`, "string_too_short"},
		{`{"rotate_proxy_session_id":null}`, "bool_type"},
		{`{"proxy_location":"MARS"}`, "enum"},
	} {
		code, _, body := e.raw(t, "PATCH", "/v1/browser_profiles/"+p.BrowserProfileID, "application/json", tc.body)
		require.Equal(t, 422, code, tc.body)
		assert.Equal(t, tc.typ, validation(t, body)[0].Type, tc.body)
	}
	require.NoError(t, e.c.DeleteBrowserProfile(e.ctx, p.BrowserProfileID))
	_, err = e.c.UpdateBrowserProfile(e.ctx, p.BrowserProfileID, &client.UpdateBrowserProfileRequest{Name: "again"})
	assert.True(t, client.IsNotFound(err), "a deleted profile cannot be updated")
	// Its name is free again.
	_, err = e.c.CreateBrowserProfile(e.ctx, &client.CreateBrowserProfileRequest{Name: "shop"})
	require.NoError(t, err)
}

func TestUpdateCredentialNeverEchoesSecrets(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	const newPassword, newTOTP, secret = "CANARY-UPDATED-PW-77aa", "CANARYNEWTOTPSECRET", "CANARY-UPDATED-SECRET-9b"
	c, err := e.c.CreateCredential(e.ctx, &client.CreateCredentialRequest{Name: "Acme", VaultType: "skyvern",
		Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "ada", Password: "old-pw"}}})
	require.NoError(t, err)
	up, err := e.c.UpdateCredential(e.ctx, c.CredentialID, &client.CreateCredentialRequest{Name: "Acme 2", VaultType: "bitwarden",
		Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "ada2", Password: newPassword, TOTP: newTOTP, TOTPType: "authenticator"}}})
	require.NoError(t, err)
	assert.Equal(t, c.CredentialID, up.CredentialID)
	assert.Equal(t, client.CredentialVaultType("skyvern"), up.VaultType, "the vault it lives in is kept")
	assert.Equal(t, client.CredentialSummary{Username: "ada2", TOTPType: "authenticator"}, up.Credential)
	list, err := e.c.GetCredentials(e.ctx, nil)
	require.NoError(t, err)
	require.Len(t, list, 1, "updated in place")
	assert.Equal(t, "Acme 2", list[0].Name)

	sec, err := e.c.UpdateCredential(e.ctx, c.CredentialID, &client.CreateCredentialRequest{Name: "token",
		Credential: client.CredentialData{Secret: &client.SecretCredential{SecretValue: secret, SecretLabel: "api"}}})
	require.NoError(t, err)
	assert.Equal(t, client.CredentialSummary{SecretLabel: "api"}, sec.Credential)

	code, _, body := e.raw(t, "POST", "/v1/credentials/"+c.CredentialID+"/update", "application/json",
		`{"name":"x","credential_type":"password","credential":{"username":"","password":"`+newPassword+`"}}`)
	require.Equal(t, 422, code)
	assert.Equal(t, "string_too_short", findLoc(t, validation(t, body), "body", "credential", "username").Type)
	assert.NotContains(t, string(body), newPassword)
	code, _, body = e.raw(t, "POST", "/v1/credentials/cred_000000000000000404/update", "application/json",
		`{"name":"x","credential_type":"secret","credential":{"secret_value":"`+secret+`"}}`)
	require.Equal(t, 404, code)
	assert.NotContains(t, string(body), secret)

	for _, s := range []string{newPassword, newTOTP, secret} {
		assert.NotContains(t, e.bodies.String(), s, "no answer ever carries a secret")
	}
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

// GET /v1/version needs no key (the spec lists no x-api-key for it); every
// new route does.
func TestVersionIsPublicAndNewRoutesNeedTheKey(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, true)
	assert.Equal(t, 200, doRaw(t, "GET", e.srv.URL+"/v1/version", nil))
	for _, r := range []struct{ method, path string }{
		{"POST", "/v1/runs/cancel"}, {"GET", "/v1/runs"}, {"GET", "/v1/agents/runs"}, {"GET", "/v1/agents/wpid_1/runs"},
		{"POST", "/v1/agents/runs/wr_1/retry"}, {"PUT", "/v1/agents/wpid_1/folder"},
		{"POST", "/v1/agents/wpid_1/browser_session/reset_profile"}, {"PATCH", "/v1/browser_sessions/pbs_1"},
		{"PATCH", "/v1/browser_profiles/bp_1"}, {"POST", "/v1/credentials/cred_1/update"},
	} {
		assert.Equal(t, 403, doRaw(t, r.method, e.srv.URL+r.path, map[string]string{"x-api-key": "wrong"}), "%s %s", r.method, r.path)
	}
	// /v1/agents/runs is not mistaken for a workflow ID.
	code, _, body := e.raw(t, "GET", "/v1/agents/runs", "", "")
	assert.Equal(t, 200, code)
	assert.True(t, strings.HasPrefix(string(body), "["))
}
