package client_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

// TestCredentialSecretsRedactedFromErrors: Skyvern echoing a credential's
// secrets in an error (this request's, or a later one's) never shows them.
func TestCredentialSecretsRedactedFromErrors(t *testing.T) {
	sb := sandbox.New(sandbox.Options{APIKey: "redact-key"})
	ts := httptest.NewServer(sb)
	defer ts.Close()
	c, err := client.New(client.WithBaseURL(ts.URL), client.WithAPIKey("redact-key"))
	require.NoError(t, err)
	echo := `{"detail":[{"type":"value_error","loc":["body","credential","password"],"msg":"pw p\"w-canary-1 totp TOTPCANARY card 4242424242424242 key redact-key","input":"p\"w-canary-1"}]}`
	sb.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/credentials", Status: 422, Body: echo, Times: 1})
	_, err = c.CreateCredential(context.Background(), &client.CreateCredentialRequest{Name: "n",
		Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "u", Password: `p"w-canary-1`, TOTP: "TOTPCANARY"}}})
	require.Error(t, err)
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	for _, s := range []string{err.Error(), string(apiErr.Body), apiErr.Detail} {
		assert.NotContains(t, s, `p"w-canary-1`)
		assert.NotContains(t, s, `p\"w-canary-1`)
		assert.NotContains(t, s, "TOTPCANARY")
		assert.NotContains(t, s, "redact-key")
		assert.Contains(t, s, "[REDACTED]")
	}
	assert.Contains(t, apiErr.Detail, "4242424242424242", "only values this client sent are redacted")

	// A later, unrelated error echoing the password is redacted too.
	sb.AddFault(sandbox.Fault{Method: "GET", Path: "/v1/runs/{run_id}", Status: 400, Body: `{"detail":"p\"w-canary-1 and TOTPCANARY"}`, Times: 1})
	_, err = c.GetRun(context.Background(), "tsk_1")
	require.Error(t, err)
	assert.Equal(t, "skyvern: GET /v1/runs/tsk_1: 400 Bad Request: [REDACTED] and [REDACTED]", err.Error())
}
