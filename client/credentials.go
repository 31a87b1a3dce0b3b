package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// CredentialType is the kind of a stored credential.
type CredentialType string

// Credential types.
const (
	CredentialPassword   CredentialType = "password"
	CredentialCreditCard CredentialType = "credit_card"
	CredentialSecret     CredentialType = "secret"
)

// EnumValues lists every credential type.
func (CredentialType) EnumValues() []string { return []string{"password", "credit_card", "secret"} }

// CredentialVaultType is where a credential is stored.
type CredentialVaultType string

// EnumValues lists every vault type.
func (CredentialVaultType) EnumValues() []string {
	return []string{"skyvern", "bitwarden", "azure_vault", "gcp", "custom"}
}

// TOTPType is a credential's 2FA method.
type TOTPType string

// EnumValues lists every 2FA method.
func (TOTPType) EnumValues() []string {
	return []string{"authenticator", "email", "text", "passkey", "none"}
}

// PasswordCredential is a username and password (NonEmptyPasswordCredential
// schema), optionally with a TOTP secret for 2FA codes.
type PasswordCredential struct {
	Username       string   `json:"username" jsonschema:"required" jsonschema_description:"Username or email used to log in."`
	Password       string   `json:"password" jsonschema:"required" jsonschema_description:"Password (stored in Skyvern's vault; never returned)."`
	TOTP           string   `json:"totp,omitempty" jsonschema_description:"TOTP secret (base32) from which Skyvern generates 2FA codes; set totp_type to authenticator with it."`
	TOTPType       TOTPType `json:"totp_type,omitempty" jsonschema_description:"2FA method: authenticator (codes from the totp secret), email or text (codes pushed with send_totp_code to totp_identifier), passkey, or none (default)."`
	TOTPIdentifier string   `json:"totp_identifier,omitempty" jsonschema_description:"Email or phone number 2FA codes are sent to, when they are pushed with send_totp_code."`
}

// CreditCardCredential is a payment card (NonEmptyCreditCardCredential schema).
type CreditCardCredential struct {
	CardNumber     string                    `json:"card_number" jsonschema:"required" jsonschema_description:"Full card number."`
	CardCVV        string                    `json:"card_cvv" jsonschema:"required" jsonschema_description:"Card security code."`
	CardExpMonth   string                    `json:"card_exp_month" jsonschema:"required" jsonschema_description:"Expiry month, e.g. 07."`
	CardExpYear    string                    `json:"card_exp_year" jsonschema:"required" jsonschema_description:"Expiry year, e.g. 2029."`
	CardBrand      string                    `json:"card_brand" jsonschema:"required" jsonschema_description:"Card brand, e.g. Visa."`
	CardHolderName string                    `json:"card_holder_name" jsonschema:"required" jsonschema_description:"Name on the card."`
	BillingAddress *CreditCardBillingAddress `json:"billing_address,omitempty" jsonschema_description:"Billing address."`
	BillingEmail   string                    `json:"billing_email,omitempty" jsonschema_description:"Billing email address."`
	BillingPhone   string                    `json:"billing_phone,omitempty" jsonschema_description:"Billing phone number."`
	Metadata       map[string]string         `json:"metadata,omitempty" jsonschema_description:"Extra card fields as string key/value pairs."`
}

// CreditCardBillingAddress is the CreditCardBillingAddress schema.
type CreditCardBillingAddress struct {
	Line1       string `json:"line1,omitempty" jsonschema_description:"Address line 1."`
	Line2       string `json:"line2,omitempty" jsonschema_description:"Address line 2."`
	City        string `json:"city,omitempty" jsonschema_description:"City."`
	State       string `json:"state,omitempty" jsonschema_description:"State or region."`
	StateCode   string `json:"state_code,omitempty" jsonschema_description:"State or region code."`
	PostalCode  string `json:"postal_code,omitempty" jsonschema_description:"Postal code."`
	Country     string `json:"country,omitempty" jsonschema_description:"Country."`
	CountryCode string `json:"country_code,omitempty" jsonschema_description:"ISO 3166-1 alpha-2 country code."`
}

// SecretCredential is a free-form secret such as an API key (SecretCredential schema).
type SecretCredential struct {
	SecretValue string `json:"secret_value" jsonschema:"required" jsonschema_description:"The secret value."`
	SecretLabel string `json:"secret_label,omitempty" jsonschema_description:"Label describing the secret."`
}

// CredentialData is the secret part of a new credential: exactly one of
// Password, CreditCard or Secret. It encodes as that object alone. Its
// String method never shows the secret.
type CredentialData struct {
	Password   *PasswordCredential
	CreditCard *CreditCardCredential
	Secret     *SecretCredential
}

// MarshalJSON writes the one shape that is set.
func (d CredentialData) MarshalJSON() ([]byte, error) {
	switch {
	case d.Password != nil:
		return json.Marshal(d.Password)
	case d.CreditCard != nil:
		return json.Marshal(d.CreditCard)
	case d.Secret != nil:
		return json.Marshal(d.Secret)
	}
	return []byte("null"), nil
}

// UnmarshalJSON tells the shape by its keys: password/username, card_number,
// or secret_value. Unknown keys are an error, so a typo is not silently dropped.
func (d *CredentialData) UnmarshalJSON(b []byte) error {
	*d = CredentialData{}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return fmt.Errorf("credential: expected an object: %w", err)
	}
	strict := func(v any) error {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
	switch {
	case keys["password"] != nil || keys["username"] != nil:
		d.Password = &PasswordCredential{}
		return strictErr("password credential (username, password, totp, totp_type, totp_identifier)", strict(d.Password))
	case keys["card_number"] != nil:
		d.CreditCard = &CreditCardCredential{}
		return strictErr("credit card credential (card_number, card_cvv, card_exp_month, card_exp_year, card_brand, card_holder_name, ...)", strict(d.CreditCard))
	case keys["secret_value"] != nil:
		d.Secret = &SecretCredential{}
		return strictErr("secret credential (secret_value, secret_label)", strict(d.Secret))
	}
	return fmt.Errorf("credential: expected a password credential {username, password}, a credit card {card_number, card_cvv, card_exp_month, card_exp_year, card_brand, card_holder_name} or a secret {secret_value}")
}

func strictErr(shape string, err error) error {
	if err != nil {
		return fmt.Errorf("credential: not a valid %s: %v", shape, err)
	}
	return nil
}

// Type returns the credential type matching the shape that is set.
func (d CredentialData) Type() CredentialType {
	switch {
	case d.Password != nil:
		return CredentialPassword
	case d.CreditCard != nil:
		return CredentialCreditCard
	case d.Secret != nil:
		return CredentialSecret
	}
	return ""
}

// String hides the secret.
func (d CredentialData) String() string { return "CredentialData{" + string(d.Type()) + " [REDACTED]}" }

// GoString hides the secret from %#v.
func (d CredentialData) GoString() string { return d.String() }

// CreateCredentialRequest is the body of POST /v1/credentials
// (CreateCredentialRequest schema).
type CreateCredentialRequest struct {
	Name                 string              `json:"name" jsonschema:"required" jsonschema_description:"Name of the credential, e.g. 'Acme portal login'."`
	CredentialType       CredentialType      `json:"credential_type" jsonschema:"required" jsonschema_description:"password, credit_card or secret; must match the shape of credential."`
	Credential           CredentialData      `json:"credential" jsonschema:"required" jsonschema_description:"The secret data: {username, password, totp?} for password; {card_number, card_cvv, card_exp_month, card_exp_year, card_brand, card_holder_name} for credit_card; {secret_value, secret_label?} for secret. Stored in the vault and never returned."`
	VaultType            CredentialVaultType `json:"vault_type,omitempty" jsonschema_description:"Vault to store it in; omit for the default."`
	ProxyLocation        *ProxyLocation      `json:"proxy_location,omitempty" jsonschema_description:"Proxy identity pinned to this credential: a preset such as RESIDENTIAL or an object {country, subdivision, city}."`
	ProxySessionID       string              `json:"proxy_session_id,omitempty" jsonschema_description:"Advanced: reuse key of the pinned proxy identity."`
	RotateProxySessionID bool                `json:"rotate_proxy_session_id,omitempty" jsonschema_description:"Rotate the Skyvern-managed sticky proxy session ID."`
}

// Credential is a stored credential without its secret (CredentialResponse
// schema), ID cred_...
type Credential struct {
	CredentialID             string              `json:"credential_id"`
	Credential               CredentialSummary   `json:"credential"`
	CredentialType           CredentialType      `json:"credential_type"`
	Name                     string              `json:"name"`
	VaultType                CredentialVaultType `json:"vault_type,omitempty"`
	BrowserProfileID         string              `json:"browser_profile_id,omitempty"`
	TestedURL                string              `json:"tested_url,omitempty"`
	UserContext              string              `json:"user_context,omitempty"`
	SaveBrowserSessionIntent *bool               `json:"save_browser_session_intent,omitempty"`
	FolderID                 string              `json:"folder_id,omitempty"`
	ProxyLocation            *ProxyLocation      `json:"proxy_location,omitempty"`
	ProxySessionID           string              `json:"proxy_session_id,omitempty"`
}

// CredentialSummary is the non-secret part of a stored credential: the
// fields of PasswordCredentialResponse (username, totp_type,
// totp_identifier), CreditCardCredentialResponse (last_four, brand) or
// SecretCredentialResponse (secret_label), whichever applies.
type CredentialSummary struct {
	Username       string   `json:"username,omitempty"`
	TOTPType       TOTPType `json:"totp_type,omitempty"`
	TOTPIdentifier string   `json:"totp_identifier,omitempty"`
	LastFour       string   `json:"last_four,omitempty"`
	Brand          string   `json:"brand,omitempty"`
	SecretLabel    string   `json:"secret_label,omitempty"`
}

// GetCredentialsParams filters GET /v1/credentials. Page starts at 1;
// PageSize defaults to 10.
type GetCredentialsParams struct {
	Page           int                 `json:"page,omitempty" jsonschema:"minimum=1" jsonschema_description:"Page number, starting at 1. Default 1."`
	PageSize       int                 `json:"page_size,omitempty" jsonschema:"minimum=1" jsonschema_description:"Credentials per page. Default 10."`
	VaultType      CredentialVaultType `json:"vault_type,omitempty" jsonschema_description:"Only credentials in this vault."`
	CredentialType CredentialType      `json:"credential_type,omitempty" jsonschema_description:"Only credentials of this type."`
	Search         string              `json:"search,omitempty" jsonschema_description:"Case-insensitive search across name, username, secret label and card details."`
}

func (p *GetCredentialsParams) values() url.Values {
	q := url.Values{}
	if p == nil {
		return q
	}
	setInt(q, "page", p.Page)
	setInt(q, "page_size", p.PageSize)
	setString(q, "vault_type", string(p.VaultType))
	setString(q, "credential_type", string(p.CredentialType))
	setString(q, "search", p.Search)
	return q
}

// OTPType is the kind of a one-time code.
type OTPType string

// EnumValues lists every OTP type.
func (OTPType) EnumValues() []string { return []string{"totp", "magic_link"} }

// TOTPCodeCreate is the body of POST /v1/credentials/totp (TOTPCodeCreate
// schema): a 2FA message Skyvern extracts the code from.
type TOTPCodeCreate struct {
	TOTPIdentifier string  `json:"totp_identifier" jsonschema:"required" jsonschema_description:"Who the code is for: the email address or phone number the site sent it to (the totp_identifier given to the run)."`
	Content        string  `json:"content" jsonschema:"required" jsonschema_description:"The message that contains the code (an email body, an SMS text) or the code itself. Skyvern extracts the code."`
	TaskID         string  `json:"task_id,omitempty" jsonschema_description:"Task run the code is for."`
	WorkflowID     string  `json:"workflow_id,omitempty" jsonschema_description:"Workflow the code is for."`
	WorkflowRunID  string  `json:"workflow_run_id,omitempty" jsonschema_description:"Workflow run the code is for."`
	Source         string  `json:"source,omitempty" jsonschema_description:"Where the code came from, e.g. email or sms."`
	ExpiredAt      string  `json:"expired_at,omitempty" jsonschema:"format=date-time" jsonschema_description:"When the code expires, ISO 8601."`
	Type           OTPType `json:"type,omitempty" jsonschema_description:"Deprecated: Skyvern detects the code type itself."`
}

// TOTPCode is the stored code (TOTPCode schema), ID totp_...
type TOTPCode struct {
	TOTPIdentifier string  `json:"totp_identifier"`
	TaskID         string  `json:"task_id,omitempty"`
	WorkflowID     string  `json:"workflow_id,omitempty"`
	WorkflowRunID  string  `json:"workflow_run_id,omitempty"`
	Source         string  `json:"source,omitempty"`
	Content        string  `json:"content"`
	ExpiredAt      string  `json:"expired_at,omitempty"`
	Type           OTPType `json:"type,omitempty"`
	TOTPCodeID     string  `json:"totp_code_id"`
	Code           string  `json:"code"`
	OrganizationID string  `json:"organization_id"`
	CreatedAt      string  `json:"created_at"`
	ModifiedAt     string  `json:"modified_at"`
	OTPType        OTPType `json:"otp_type,omitempty"`
}

// CreateCredential stores a credential: POST /v1/credentials (201). An
// empty CredentialType is taken from the shape of Credential. The answer
// never contains the secret. Never retried. The secret values are
// registered with RedactSecrets first, so no error of this client (now or
// later) repeats them.
func (c *Client) CreateCredential(ctx context.Context, req *CreateCredentialRequest) (*Credential, error) {
	if req == nil || req.Name == "" {
		return nil, fmt.Errorf("create_credential: name is required")
	}
	if req.Credential.Type() == "" {
		return nil, fmt.Errorf("create_credential: credential is required")
	}
	// Skyvern (or a proxy) may echo the secrets in an error: never repeat them.
	c.RedactSecrets(req.Credential.secretValues()...)
	body := *req // the caller's struct is not modified
	if body.CredentialType == "" {
		body.CredentialType = req.Credential.Type()
	}
	if body.CredentialType != req.Credential.Type() {
		return nil, fmt.Errorf("create_credential: credential_type is %q but credential has the shape of %q", req.CredentialType, req.Credential.Type())
	}
	var out Credential
	if _, err := c.do(ctx, &request{method: http.MethodPost, path: "/credentials", body: &body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetCredentials lists credentials (without secrets): GET /v1/credentials.
func (c *Client) GetCredentials(ctx context.Context, params *GetCredentialsParams) ([]Credential, error) {
	out := []Credential{}
	if _, err := c.do(ctx, &request{method: http.MethodGet, path: "/credentials", query: params.values()}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetCredential returns a credential (without its secret): GET
// /v1/credentials/{credential_id}.
func (c *Client) GetCredential(ctx context.Context, credentialID string) (*Credential, error) {
	if credentialID == "" {
		return nil, fmt.Errorf("get_credential: credential_id is required")
	}
	var out Credential
	if _, err := c.do(ctx, &request{method: http.MethodGet, path: pathf("/credentials/%s", credentialID)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteCredential deletes a credential: POST
// /v1/credentials/{credential_id}/delete (204).
func (c *Client) DeleteCredential(ctx context.Context, credentialID string) error {
	if credentialID == "" {
		return fmt.Errorf("delete_credential: credential_id is required")
	}
	_, err := c.do(ctx, &request{method: http.MethodPost, path: pathf("/credentials/%s/delete", credentialID)}, nil)
	return err
}

// SendTOTPCode hands Skyvern a 2FA code (or the message containing it) for a
// run that waits for one: POST /v1/credentials/totp.
func (c *Client) SendTOTPCode(ctx context.Context, req *TOTPCodeCreate) (*TOTPCode, error) {
	if req == nil || req.TOTPIdentifier == "" || req.Content == "" {
		return nil, fmt.Errorf("send_totp_code: totp_identifier and content are required")
	}
	var out TOTPCode
	if _, err := c.do(ctx, &request{method: http.MethodPost, path: "/credentials/totp", body: req}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
