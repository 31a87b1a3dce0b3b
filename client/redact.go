package client

import (
	"encoding/json"
	"slices"
	"strings"
)

// Redaction limits.
const (
	// minSecretLen is the shortest secret redacted: shorter values (a
	// 3-digit CVV) would also blank out unrelated text such as IDs and
	// numbers.
	minSecretLen = 4
	// maxSecrets bounds the secrets remembered; the oldest are forgotten.
	maxSecrets = 256
)

// RedactSecrets registers values that this client sends to Skyvern but that
// must never appear in what it returns: from now on they are replaced by
// [REDACTED] in every error (APIError.Detail, .Body, .ValidationErrors,
// DecodeError.Body, transport errors), as the API key always is. Skyvern (or
// a proxy in front of it) may echo a request's body in an error, for example
// a 422 validation error's "input". Values shorter than 4 characters are
// ignored; the 256 most recent values are kept, in memory only.
//
// CreateCredential registers its request's secrets itself.
func (c *Client) RedactSecrets(values ...string) {
	c.secretsMu.Lock()
	defer c.secretsMu.Unlock()
	for _, v := range values {
		for _, form := range secretForms(v) {
			if len(form) < minSecretLen || slices.Contains(c.secrets, form) {
				continue
			}
			c.secrets = append(c.secrets, form)
		}
	}
	if n := len(c.secrets); n > maxSecrets {
		c.secrets = append(c.secrets[:0:0], c.secrets[n-maxSecrets:]...)
	}
}

// secretForms is v as sent and as it appears inside a JSON string.
func secretForms(v string) []string {
	forms := []string{v}
	if b, err := json.Marshal(v); err == nil {
		if esc := string(b[1 : len(b)-1]); esc != v {
			forms = append(forms, esc)
		}
	}
	return forms
}

// secretList is the API key followed by the registered secrets, longest
// first so that a secret containing another is replaced whole.
func (c *Client) secretList() []string {
	c.secretsMu.Lock()
	defer c.secretsMu.Unlock()
	if len(c.secrets) == 0 {
		if c.apiKey == "" {
			return nil
		}
		return []string{c.apiKey}
	}
	list := make([]string, 0, len(c.secrets)+1)
	if c.apiKey != "" {
		list = append(list, c.apiKey)
	}
	list = append(list, c.secrets...)
	slices.SortStableFunc(list, func(a, b string) int { return len(b) - len(a) })
	return list
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
