package client

import (
	"strings"

	"github.com/skyvern-mcp/skyvern-mcp/internal/redact"
)

// Redaction limits.
const (
	// maxSecrets bounds the secrets remembered; the oldest are forgotten.
	maxSecrets = 256
)

// RedactSecrets registers values that this client sends to Skyvern but that
// must never appear in what it returns: from now on they are replaced by
// [REDACTED] in every error (APIError.Detail, .Body, .ValidationErrors,
// DecodeError.Body, transport errors), as the API key always is, in clear
// and in their escaped and encoded forms (see package internal/redact).
// Skyvern (or a proxy in front of it) may echo a request's body in an
// error, for example a 422 validation error's "input". The MCP server also
// removes them from successful answers (Redactor). Values shorter than 4
// characters are ignored; the 256 most recent values are kept, in memory
// only.
//
// CreateCredential registers its request's secrets itself.
func (c *Client) RedactSecrets(values ...string) {
	c.secrets.Add(values...)
}

// Redactor returns what removes this client's secrets (its API key and the
// values given to RedactSecrets) from a text, a JSON value or a blob.
func (c *Client) Redactor() redact.Redactor {
	return redact.Join(c.keySet, c.secrets)
}

// secretValues lists the secret fields of a new credential.
func (d CredentialData) secretValues() []string {
	var v []string
	switch {
	case d.Password != nil:
		v = append(v, d.Password.Password, d.Password.TOTP)
	case d.CreditCard != nil:
		cc := d.CreditCard
		v = append(v, cc.CardNumber, cc.CardCVV)
		if digits := strings.Map(keepDigit, cc.CardNumber); digits != cc.CardNumber {
			v = append(v, digits) // "4242 4242 ..." echoed without its spaces
		}
	case d.Secret != nil:
		v = append(v, d.Secret.SecretValue)
	}
	return v
}

func keepDigit(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}
