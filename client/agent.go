package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
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
	URL                         string            `json:"url,omitempty"`
	WebhookURL                  string            `json:"webhook_url,omitempty"`
	ProxyLocation               ProxyPreset       `json:"proxy_location,omitempty"`
	TOTPIdentifier              string            `json:"totp_identifier,omitempty"`
	TOTPURL                     string            `json:"totp_url,omitempty"`
	BrowserSessionID            string            `json:"browser_session_id,omitempty"`
	BrowserProfileID            string            `json:"browser_profile_id,omitempty"`
	BrowserAddress              string            `json:"browser_address,omitempty"`
	ExtraHTTPHeaders            map[string]string `json:"extra_http_headers,omitempty"`
	CDPConnectHeaders           map[string]string `json:"cdp_connect_headers,omitempty"`
	MaxScreenshotScrollingTimes *int              `json:"max_screenshot_scrolling_times,omitempty" jsonschema:"minimum=0"`
	StartFreshBrowser           bool              `json:"start_fresh_browser,omitempty" jsonschema_description:"true: no saved browser memory is read or written."`
}

// LoginRequest is the body of POST /v1/run/tasks/login (LoginRequest
// schema): log in to a site with a stored credential. CredentialType is
// required; name the credential with the fields of that source.
type LoginRequest struct {
	AgentRunOptions
	CredentialType          LoginCredentialType `json:"credential_type" jsonschema:"required" jsonschema_description:"skyvern (needs credential_id), bitwarden, 1password or azure_vault."`
	Prompt                  string              `json:"prompt,omitempty" jsonschema_description:"Extra login instructions."`
	CredentialID            string              `json:"credential_id,omitempty" jsonschema_description:"Skyvern credential (cred_...)."`
	BitwardenCollectionID   string              `json:"bitwarden_collection_id,omitempty"`
	BitwardenItemID         string              `json:"bitwarden_item_id,omitempty"`
	OnePasswordVaultID      string              `json:"onepassword_vault_id,omitempty"`
	OnePasswordItemID       string              `json:"onepassword_item_id,omitempty"`
	AzureVaultName          string              `json:"azure_vault_name,omitempty"`
	AzureVaultUsernameKey   string              `json:"azure_vault_username_key,omitempty"`
	AzureVaultPasswordKey   string              `json:"azure_vault_password_key,omitempty"`
	AzureVaultTOTPSecretKey string              `json:"azure_vault_totp_secret_key,omitempty"`
	// UserAgent is sent as the x-user-agent header.
	UserAgent string `json:"-"`
}

// DownloadFilesRequest is the body of POST /v1/run/tasks/download_files
// (DownloadFilesRequest schema). DownloadTimeout is in SECONDS.
type DownloadFilesRequest struct {
	AgentRunOptions
	NavigationGoal  string   `json:"navigation_goal" jsonschema:"required" jsonschema_description:"How to find and download the file(s)."`
	DownloadSuffix  string   `json:"download_suffix,omitempty" jsonschema_description:"File name or suffix for the download."`
	DownloadTimeout *float64 `json:"download_timeout,omitempty" jsonschema:"minimum=0" jsonschema_description:"SECONDS to wait for the download."`
	MaxStepsPerRun  *int     `json:"max_steps_per_run,omitempty" jsonschema:"minimum=1" jsonschema_description:"Step limit; each step is billed."`
	// UserAgent is sent as the x-user-agent header.
	UserAgent string `json:"-"`
}

// UploadFileResponse is the UploadFileResponse schema.
type UploadFileResponse struct {
	// S3URI is the storage URI of the file, usable in workflow parameters.
	S3URI string `json:"s3_uri"`
	// PresignedURL is a time-limited URL to the file.
	PresignedURL string `json:"presigned_url"`
	// FileID names the upload for DeleteFile (DELETE /v1/files/{file_id}).
	FileID string `json:"file_id,omitempty"`
	// ExpiresAt is when Skyvern deletes the file (ISO 8601), set when a
	// retention was asked for; empty: the organization's retention policy.
	ExpiresAt string `json:"expires_at,omitempty"`
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
	return doJSON[Run](ctx, c, r)
}

// UploadFile uploads a file for use in runs and workflows: POST
// /v1/upload_file as multipart/form-data with one file part named "file".
// contentType may be empty (application/octet-stream). Never retried.
func (c *Client) UploadFile(ctx context.Context, filename, contentType string, content io.Reader) (*UploadFileResponse, error) {
	return c.UploadFileWith(ctx, filename, contentType, content, UploadOptions{})
}

// UploadOptions are the optional form fields of POST /v1/upload_file.
type UploadOptions struct {
	// RetentionDays, when set, makes Skyvern delete the file after this
	// many days (1-365; 422 otherwise); the answer's ExpiresAt says when.
	// Unset, the organization's data retention policy applies.
	RetentionDays *int
}

// UploadFileWith is UploadFile with UploadOptions.
func (c *Client) UploadFileWith(ctx context.Context, filename, contentType string, content io.Reader, opts UploadOptions) (*UploadFileResponse, error) {
	if filename == "" {
		return nil, fmt.Errorf("upload_file: filename is required")
	}
	if content == nil {
		return nil, fmt.Errorf("upload_file: content is required")
	}
	var out UploadFileResponse
	r := &request{method: http.MethodPost, path: "/upload_file",
		form: &multipartFile{field: "file", filename: filename, contentType: contentType, content: content}}
	if opts.RetentionDays != nil {
		r.form.fields = map[string]string{"retention_days": strconv.Itoa(*opts.RetentionDays)}
	}
	if _, err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteFile deletes a file uploaded with UploadFile: DELETE
// /v1/files/{file_id} (204). fileID is UploadFileResponse.FileID. Skyvern
// answers 404 alike for an unknown file, one already deleted and one of
// another organization. Never retried.
func (c *Client) DeleteFile(ctx context.Context, fileID string) error {
	if fileID == "" {
		return fmt.Errorf("delete_file: file_id is required (the file_id upload_file returned)")
	}
	_, err := c.do(ctx, &request{method: http.MethodDelete, path: pathf("/files/%s", fileID)}, nil)
	return err
}
