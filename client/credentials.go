package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
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
	Username       string            `json:"username" jsonschema:"required"`
	Password       string            `json:"password" jsonschema:"required"`
	TOTP           string            `json:"totp,omitempty" jsonschema_description:"TOTP secret (base32), with totp_type authenticator."`
	TOTPType       TOTPType          `json:"totp_type,omitempty" jsonschema_description:"authenticator, email/text (codes pushed via send_totp_code), passkey or none."`
	TOTPIdentifier string            `json:"totp_identifier,omitempty" jsonschema_description:"Email/phone 2FA codes are sent to."`
	Metadata       map[string]string `json:"metadata,omitempty" jsonschema_description:"Extra non-secret string fields stored with the password credential."`
}

// CreditCardCredential is a payment card (NonEmptyCreditCardCredential schema).
type CreditCardCredential struct {
	CardNumber     string                    `json:"card_number" jsonschema:"required"`
	CardCVV        string                    `json:"card_cvv" jsonschema:"required"`
	CardExpMonth   string                    `json:"card_exp_month" jsonschema:"required" jsonschema_description:"MM"`
	CardExpYear    string                    `json:"card_exp_year" jsonschema:"required" jsonschema_description:"YYYY"`
	CardBrand      string                    `json:"card_brand" jsonschema:"required"`
	CardHolderName string                    `json:"card_holder_name" jsonschema:"required"`
	BillingAddress *CreditCardBillingAddress `json:"billing_address,omitempty"`
	BillingEmail   string                    `json:"billing_email,omitempty"`
	BillingPhone   string                    `json:"billing_phone,omitempty"`
	Metadata       map[string]string         `json:"metadata,omitempty"`
}

// CreditCardBillingAddress is the CreditCardBillingAddress schema.
type CreditCardBillingAddress struct {
	Line1       string `json:"line1,omitempty"`
	Line2       string `json:"line2,omitempty"`
	City        string `json:"city,omitempty"`
	State       string `json:"state,omitempty"`
	StateCode   string `json:"state_code,omitempty"`
	PostalCode  string `json:"postal_code,omitempty"`
	Country     string `json:"country,omitempty"`
	CountryCode string `json:"country_code,omitempty" jsonschema_description:"ISO 3166-1 alpha-2"`
}

// SecretCredential is a free-form secret such as an API key (SecretCredential schema).
type SecretCredential struct {
	SecretValue string `json:"secret_value" jsonschema:"required"`
	SecretLabel string `json:"secret_label,omitempty"`
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
		if err := strictErr("password credential (username, password, totp, totp_type, totp_identifier)", strict(d.Password)); err != nil {
			return err
		}
		return requireNonEmpty(map[string]string{"username": d.Password.Username, "password": d.Password.Password})
	case keys["card_number"] != nil:
		d.CreditCard = &CreditCardCredential{}
		if err := strictErr("credit card credential (card_number, card_cvv, card_exp_month, card_exp_year, card_brand, card_holder_name, ...)", strict(d.CreditCard)); err != nil {
			return err
		}
		c := d.CreditCard
		return requireNonEmpty(map[string]string{"card_number": c.CardNumber, "card_cvv": c.CardCVV, "card_exp_month": c.CardExpMonth,
			"card_exp_year": c.CardExpYear, "card_brand": c.CardBrand, "card_holder_name": c.CardHolderName})
	case keys["secret_value"] != nil:
		d.Secret = &SecretCredential{}
		if err := strictErr("secret credential (secret_value, secret_label)", strict(d.Secret)); err != nil {
			return err
		}
		return requireNonEmpty(map[string]string{"secret_value": d.Secret.SecretValue})
	}
	return fmt.Errorf("credential: expected a password credential {username, password}, a credit card {card_number, card_cvv, card_exp_month, card_exp_year, card_brand, card_holder_name} or a secret {secret_value}")
}

// requireNonEmpty reports the required fields (the spec's NonEmpty*
// schemas) that are missing or empty, in name order. It never shows values.
func requireNonEmpty(fields map[string]string) error {
	var missing []string
	for name, v := range fields {
		if v == "" {
			missing = append(missing, "credential."+name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	return fmt.Errorf("%s: required, must not be empty", strings.Join(missing, ", "))
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
	Name                 string              `json:"name" jsonschema:"required" jsonschema_description:"Label for the credential."`
	CredentialType       CredentialType      `json:"credential_type" jsonschema:"required" jsonschema_description:"Must match the shape of credential."`
	Credential           CredentialData      `json:"credential" jsonschema:"required"`
	VaultType            CredentialVaultType `json:"vault_type,omitempty"`
	ProxyLocation        *ProxyLocation      `json:"proxy_location,omitempty"`
	ProxySessionID       string              `json:"proxy_session_id,omitempty"`
	RotateProxySessionID bool                `json:"rotate_proxy_session_id,omitempty"`
	TestedURL            string              `json:"tested_url,omitempty"`
	BrowserProfileID     string              `json:"browser_profile_id,omitempty" jsonschema_description:"Unmanaged profile (bp_...) holding this credential's sign-in."`
	AutoProfileDisabled  bool                `json:"auto_profile_disabled,omitempty" jsonschema_description:"true: no saved browser profile."`
	PinSavedSessionIP    bool                `json:"pin_saved_session_ip,omitempty" jsonschema_description:"true: same IP when reusing the profile."`
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
	AutoProfileDisabled      *bool               `json:"auto_profile_disabled,omitempty"`
	PinSavedSessionIP        bool                `json:"pin_saved_session_ip"`
	RunSequentially          bool                `json:"run_sequentially"`
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
	Page           int                 `url:"page,omitempty" json:"page,omitempty" jsonschema:"minimum=1"`
	PageSize       int                 `url:"page_size,omitempty" json:"page_size,omitempty" jsonschema:"minimum=1"`
	VaultType      CredentialVaultType `url:"vault_type,omitempty" json:"vault_type,omitempty"`
	CredentialType CredentialType      `url:"credential_type,omitempty" json:"credential_type,omitempty" jsonschema_description:"Must match the shape of credential."`
	Search         string              `url:"search,omitempty" json:"search,omitempty" jsonschema_description:"Search name, username, label, card."`
}

// OTPType is the kind of a one-time code.
type OTPType string

// EnumValues lists every OTP type.
func (OTPType) EnumValues() []string { return []string{"totp", "magic_link"} }

// TOTPCodeCreate is the body of POST /v1/credentials/totp (TOTPCodeCreate
// schema): a 2FA message Skyvern extracts the code from.
type TOTPCodeCreate struct {
	TOTPIdentifier string `json:"totp_identifier" jsonschema:"required" jsonschema_description:"Email/phone 2FA codes are sent to."`
	Content        string `json:"content" jsonschema:"required" jsonschema_description:"The message with the code, or the code."`
	TaskID         string `json:"task_id,omitempty"`
	WorkflowID     string `json:"workflow_id,omitempty"`
	WorkflowRunID  string `json:"workflow_run_id,omitempty"`
	Source         string `json:"source,omitempty" jsonschema_description:"e.g. email or sms."`
	ExpiredAt      string `json:"expired_at,omitempty" jsonschema:"format=date-time" jsonschema_description:"ISO 8601."`
	// Type is deprecated in the API (Skyvern detects it); tools do not offer it.
	Type OTPType `json:"type,omitempty" jsonschema:"-"`
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
	return doJSON[Credential](ctx, c, &request{method: http.MethodPost, path: "/credentials", body: &body})
}

// GetCredentials lists credentials (without secrets): GET /v1/credentials.
func (c *Client) GetCredentials(ctx context.Context, params *GetCredentialsParams) ([]Credential, error) {
	return doValue(ctx, c, &request{method: http.MethodGet, path: "/credentials", query: queryOf(params)}, []Credential{})
}

// GetCredential returns a credential (without its secret): GET
// /v1/credentials/{credential_id}.
func (c *Client) GetCredential(ctx context.Context, credentialID string) (*Credential, error) {
	if credentialID == "" {
		return nil, fmt.Errorf("get_credential: credential_id is required")
	}
	return doJSON[Credential](ctx, c, &request{method: http.MethodGet, path: pathf("/credentials/%s", credentialID)})
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
	return doJSON[TOTPCode](ctx, c, &request{method: http.MethodPost, path: "/credentials/totp", body: req})
}

// UpdateCredential overwrites a stored credential's data (name, type and
// secret) while keeping its credential_id: POST
// /v1/credentials/{credential_id}/update, with the same body as
// CreateCredential. An empty CredentialType is taken from the shape of
// Credential. The answer never contains the secret. The secret values are
// registered with RedactSecrets before the request, so no error of this
// client repeats them. Never retried.
func (c *Client) UpdateCredential(ctx context.Context, credentialID string, req *CreateCredentialRequest) (*Credential, error) {
	if credentialID == "" {
		return nil, fmt.Errorf("update_credential: credential_id is required (cred_...)")
	}
	if req == nil || req.Name == "" {
		return nil, fmt.Errorf("update_credential: name is required")
	}
	if req.Credential.Type() == "" {
		return nil, fmt.Errorf("update_credential: credential is required")
	}
	c.RedactSecrets(req.Credential.secretValues()...)
	body := *req // the caller's struct is not modified
	if body.CredentialType == "" {
		body.CredentialType = req.Credential.Type()
	}
	if body.CredentialType != req.Credential.Type() {
		return nil, fmt.Errorf("update_credential: credential_type is %q but credential has the shape of %q", req.CredentialType, req.Credential.Type())
	}
	return doJSON[Credential](ctx, c, &request{method: http.MethodPost, path: pathf("/credentials/%s/update", credentialID), body: &body})
}
