package tools

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func TestUpdateCredentialToolNeverShowsSecrets(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	const pw, totp, card, cvv, secret = "tool-upd-pw-3c9d", "TOOLUPDTOTPCANARYZZZZZZZ", "4000056655665556", "8642", "tool-upd-secret-b7"
	c := h.structured(h.call("create_credential", map[string]any{"name": "site", "credential_type": "password",
		"credential": map[string]any{"username": "ann", "password": "first-pw"}}, nil))
	id := c["credential_id"]
	r1 := h.call("update_credential", map[string]any{"credential_id": id, "name": "site 2",
		"credential": map[string]any{"username": "bea", "password": pw, "totp": totp, "totp_type": "authenticator"}}, nil)
	u1 := h.structured(r1)
	assert.Equal(t, id, u1["credential_id"])
	assert.Equal(t, "site 2", u1["name"])
	assert.Equal(t, "password", u1["credential_type"])
	assert.Equal(t, "bea", u1["credential"].(map[string]any)["username"])
	r2 := h.call("update_credential", map[string]any{"credential_id": id, "name": "card",
		"credential": map[string]any{"card_number": card, "card_cvv": cvv, "card_exp_month": "02", "card_exp_year": "2032", "card_brand": "visa", "card_holder_name": "Bea"}}, nil)
	u2 := h.structured(r2)
	assert.Equal(t, "credit_card", u2["credential_type"])
	assert.Equal(t, "5556", u2["credential"].(map[string]any)["last_four"])
	r3 := h.call("update_credential", map[string]any{"credential_id": "cred_404", "name": "x", "credential": map[string]any{"secret_value": secret}}, nil)
	require.True(t, r3.IsError)
	assert.Contains(t, text(r3), "HTTP 404")
	// A 422 from Skyvern (or a proxy) that echoes the secret: it is redacted.
	h.sandbox.AddFault(sandbox.Fault{Method: "POST", Path: "/v1/credentials/{credential_id}/update", Status: 422, Times: 1,
		Body: `{"detail":[{"loc":["body","credential","password"],"msg":"rejected ` + pw + `","type":"value_error","input":"` + pw + `"}]}`})
	r4 := h.call("update_credential", map[string]any{"credential_id": id, "name": "x", "credential": map[string]any{"username": "u", "password": pw}}, nil)
	require.True(t, r4.IsError)
	assert.Contains(t, text(r4), "HTTP 422")
	assert.Contains(t, text(r4), "[REDACTED]")
	for _, res := range []any{r1, r2, r3, r4} {
		b, err := json.Marshal(res)
		require.NoError(t, err)
		for _, s := range []string{pw, totp, card, `"` + cvv + `"`, secret} {
			assert.NotContains(t, string(b), s)
		}
	}
	for _, s := range []string{pw, totp, card, secret, testKey} {
		assert.NotContains(t, h.logs.String(), s)
	}
}
