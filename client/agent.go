package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// ProxyPreset is a preset proxy location name only (login and download_files
// accept no geo object).
type ProxyPreset string

// EnumValues lists every preset.
func (ProxyPreset) EnumValues() []string { return ProxyPresets() }

// LoginCredentialType says where login takes the credential from.
type LoginCredentialType string

// Login credential sources.
const (
	LoginSkyvern     LoginCredentialType = "skyvern"
	LoginBitwarden   LoginCredentialType = "bitwarden"
	LoginOnePassword LoginCredentialType = "1password"
	LoginAzureVault  LoginCredentialType = "azure_vault"
)

// EnumValues lists every credential source.
func (LoginCredentialType) EnumValues() []string {
	return []string{"skyvern", "bitwarden", "1password", "azure_vault"}
}

// AgentRunOptions are the fields LoginRequest and DownloadFilesRequest share
// (embedded in both).
type AgentRunOptions struct {
	URL                         string            `json:"url,omitempty" jsonschema_description:"URL of the website."`
	WebhookURL                  string            `json:"webhook_url,omitempty" jsonschema_description:"URL that receives a POST with the run when it finishes."`
	ProxyLocation               ProxyPreset       `json:"proxy_location,omitempty" jsonschema_description:"Proxy preset for the browser's traffic (Skyvern Cloud only), e.g. RESIDENTIAL (default) or NONE."`
	TOTPIdentifier              string            `json:"totp_identifier,omitempty" jsonschema_description:"Identifier (email or phone number) of 2FA codes pushed to Skyvern with send_totp_code."`
	TOTPURL                     string            `json:"totp_url,omitempty" jsonschema_description:"URL Skyvern calls to fetch a 2FA/TOTP code."`
	BrowserSessionID            string            `json:"browser_session_id,omitempty" jsonschema_description:"Run in this persistent browser session (pbs_...)."`
	BrowserProfileID            string            `json:"browser_profile_id,omitempty" jsonschema_description:"Start from this saved browser profile (bp_...)."`
	BrowserAddress              string            `json:"browser_address,omitempty" jsonschema_description:"CDP address of your own browser to run in."`
	ExtraHTTPHeaders            map[string]string `json:"extra_http_headers,omitempty" jsonschema_description:"Extra HTTP headers the browser sends with every page request."`
	CDPConnectHeaders           map[string]string `json:"cdp_connect_headers,omitempty" jsonschema_description:"HTTP headers sent only on the CDP WebSocket handshake with browser_address."`
	MaxScreenshotScrollingTimes *int              `json:"max_screenshot_scrolling_times,omitempty" jsonschema:"minimum=0" jsonschema_description:"How many times to scroll for screenshots."`
}

// LoginRequest is the body of POST /v1/run/tasks/login (LoginRequest
// schema): log in to a site with a stored credential. CredentialType is
// required; name the credential with the fields of that source.
type LoginRequest struct {
	AgentRunOptions
	CredentialType          LoginCredentialType `json:"credential_type" jsonschema:"required" jsonschema_description:"Where the credential is stored: skyvern (give credential_id), bitwarden (bitwarden_item_id or bitwarden_collection_id), 1password (onepassword_vault_id and onepassword_item_id) or azure_vault (azure_vault_* keys)."`
	Prompt                  string              `json:"prompt,omitempty" jsonschema_description:"Extra login instructions, e.g. 'click Sign in with email first'. Skyvern has a default."`
	CredentialID            string              `json:"credential_id,omitempty" jsonschema_description:"ID of the Skyvern credential (cred_...) when credential_type is skyvern."`
	BitwardenCollectionID   string              `json:"bitwarden_collection_id,omitempty" jsonschema_description:"Bitwarden collection ID."`
	BitwardenItemID         string              `json:"bitwarden_item_id,omitempty" jsonschema_description:"Bitwarden item ID."`
	OnePasswordVaultID      string              `json:"onepassword_vault_id,omitempty" jsonschema_description:"1Password vault ID."`
	OnePasswordItemID       string              `json:"onepassword_item_id,omitempty" jsonschema_description:"1Password item ID."`
	AzureVaultName          string              `json:"azure_vault_name,omitempty" jsonschema_description:"Azure Key Vault name."`
	AzureVaultUsernameKey   string              `json:"azure_vault_username_key,omitempty" jsonschema_description:"Azure Key Vault secret name of the username."`
	AzureVaultPasswordKey   string              `json:"azure_vault_password_key,omitempty" jsonschema_description:"Azure Key Vault secret name of the password."`
	AzureVaultTOTPSecretKey string              `json:"azure_vault_totp_secret_key,omitempty" jsonschema_description:"Azure Key Vault secret name of the TOTP secret."`
	// UserAgent is sent as the x-user-agent header.
	UserAgent string `json:"-"`
}

// DownloadFilesRequest is the body of POST /v1/run/tasks/download_files
// (DownloadFilesRequest schema). DownloadTimeout is in SECONDS.
type DownloadFilesRequest struct {
	AgentRunOptions
	NavigationGoal  string   `json:"navigation_goal" jsonschema:"required" jsonschema_description:"How to find and download the file(s), e.g. 'Open Billing, download the latest invoice PDF'."`
	DownloadSuffix  string   `json:"download_suffix,omitempty" jsonschema_description:"Suffix or full file name for the downloaded file."`
	DownloadTimeout *float64 `json:"download_timeout,omitempty" jsonschema:"minimum=0" jsonschema_description:"How long to wait for a download to finish, in SECONDS."`
	MaxStepsPerRun  *int     `json:"max_steps_per_run,omitempty" jsonschema:"minimum=1" jsonschema_description:"Maximum number of steps; each step is billed."`
	// UserAgent is sent as the x-user-agent header.
	UserAgent string `json:"-"`
}

// UploadFileResponse is the UploadFileResponse schema.
type UploadFileResponse struct {
	// S3URI is the storage URI of the file, usable in workflow parameters.
	S3URI string `json:"s3_uri"`
	// PresignedURL is a time-limited URL to the file.
	PresignedURL string `json:"presigned_url"`
}

// Login logs in to a website with a stored credential, as a workflow run:
// POST /v1/run/tasks/login. Returns at once; use WaitForRun. Never retried.
func (c *Client) Login(ctx context.Context, req *LoginRequest) (*Run, error) {
	if req == nil || req.CredentialType == "" {
		return nil, fmt.Errorf("login: credential_type is required (skyvern, bitwarden, 1password or azure_vault)")
	}
	if req.CredentialType == LoginSkyvern && req.CredentialID == "" {
		return nil, fmt.Errorf("login: credential_id is required when credential_type is skyvern")
	}
	return c.startAgentRun(ctx, "/run/tasks/login", req, req.UserAgent)
}

// DownloadFiles navigates a website and downloads files, as a workflow run:
// POST /v1/run/tasks/download_files. Returns at once; use WaitForRun. Never
// retried.
func (c *Client) DownloadFiles(ctx context.Context, req *DownloadFilesRequest) (*Run, error) {
	if req == nil || req.NavigationGoal == "" {
		return nil, fmt.Errorf("download_files: navigation_goal is required")
	}
	return c.startAgentRun(ctx, "/run/tasks/download_files", req, req.UserAgent)
}

func (c *Client) startAgentRun(ctx context.Context, path string, body any, userAgent string) (*Run, error) {
	r := &request{method: http.MethodPost, path: path, body: body}
	if userAgent != "" {
		r.header = http.Header{"X-User-Agent": {userAgent}}
	}
	var out Run
	if _, err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UploadFile uploads a file for use in runs and workflows: POST
// /v1/upload_file as multipart/form-data with one file part named "file".
// contentType may be empty (application/octet-stream). Never retried.
func (c *Client) UploadFile(ctx context.Context, filename, contentType string, content io.Reader) (*UploadFileResponse, error) {
	if filename == "" {
		return nil, fmt.Errorf("upload_file: filename is required")
	}
	if content == nil {
		return nil, fmt.Errorf("upload_file: content is required")
	}
	var out UploadFileResponse
	r := &request{method: http.MethodPost, path: "/upload_file",
		form: &multipartFile{field: "file", filename: filename, contentType: contentType, content: content}}
	if _, err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
