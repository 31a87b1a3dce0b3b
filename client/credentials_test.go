package client_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

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
