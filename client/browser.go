package client

import (
	"context"
	"fmt"
	"net/http"
)

// BrowserExtension is an extension Skyvern can install in a browser session.
type BrowserExtension string

// EnumValues lists every extension.
func (BrowserExtension) EnumValues() []string { return []string{"ad-blocker", "captcha-solver"} }

// BrowserType is the browser of a persistent session.
type BrowserType string

// EnumValues lists every browser type.
func (BrowserType) EnumValues() []string { return []string{"msedge", "chrome", "stealth-chromium"} }

// CreateBrowserSessionRequest is the body of POST /v1/browser_sessions
// (CreateBrowserSessionRequest schema). Timeout is in MINUTES (at least 5,
// default 60), unlike a task's timeout in seconds. Skyvern does not refuse a
// longer timeout: it caps it at its maximum (240 minutes) and says so in the
// response's warning.
type CreateBrowserSessionRequest struct {
	URL                    string             `json:"url,omitempty"`
	Timeout                *int               `json:"timeout,omitempty" jsonschema:"minimum=5,default=60" jsonschema_description:"Lifetime in MINUTES (min 5, default 60; over 240 is capped, with a warning). Billed while open."`
	ProxyLocation          *ProxyLocation     `json:"proxy_location,omitempty"`
	ProxySessionID         string             `json:"proxy_session_id,omitempty" jsonschema_description:"Sticky proxy session ID."`
	Extensions             []BrowserExtension `json:"extensions,omitempty"`
	BrowserType            BrowserType        `json:"browser_type,omitempty"`
	BrowserProfileID       string             `json:"browser_profile_id,omitempty"`
	GenerateBrowserProfile bool               `json:"generate_browser_profile,omitempty" jsonschema_description:"Save cookies/storage on close, for create_browser_profile."`
	NeedsLiveView          bool               `json:"needs_live_view,omitempty" jsonschema_description:"true if a person watches it live."`
}

// BrowserSession is a persistent browser session (BrowserSessionResponse
// schema), ID pbs_... Timeout is in minutes.
type BrowserSession struct {
	BrowserSessionID       string             `json:"browser_session_id"`
	OrganizationID         string             `json:"organization_id"`
	Status                 string             `json:"status,omitempty"`
	RunnableType           string             `json:"runnable_type,omitempty"`
	RunnableID             string             `json:"runnable_id,omitempty"`
	Timeout                *int               `json:"timeout,omitempty"`
	BrowserAddress         string             `json:"browser_address,omitempty"`
	AppURL                 string             `json:"app_url,omitempty"`
	Extensions             []BrowserExtension `json:"extensions,omitempty"`
	BrowserType            BrowserType        `json:"browser_type,omitempty"`
	BrowserProfileID       string             `json:"browser_profile_id,omitempty"`
	GenerateBrowserProfile bool               `json:"generate_browser_profile"`
	VNCStreamingSupported  bool               `json:"vnc_streaming_supported"`
	DownloadPath           string             `json:"download_path,omitempty"`
	DownloadedFiles        []FileInfo         `json:"downloaded_files,omitempty"`
	Recordings             []FileInfo         `json:"recordings,omitempty"`
	StartedAt              string             `json:"started_at,omitempty"`
	CompletedAt            string             `json:"completed_at,omitempty"`
	CreatedAt              string             `json:"created_at"`
	ModifiedAt             string             `json:"modified_at"`
	DeletedAt              string             `json:"deleted_at,omitempty"`
	// StreamTransport is the live-view transport, "vnc" or "cdp"; set by
	// GetBrowserSession only.
	StreamTransport string `json:"stream_transport,omitempty"`
	// Warning says how Skyvern adjusted the request, e.g. a timeout above
	// its maximum that it capped; empty otherwise.
	Warning string `json:"warning,omitempty"`
}

// ServerWarning is what Skyvern warned about in its answer (Warning).
func (s *BrowserSession) ServerWarning() string { return s.Warning }

// CreateBrowserSession starts a persistent browser session: POST
// /v1/browser_sessions (req may be nil for the defaults). A timeout under 5
// minutes is refused before sending; one above Skyvern's maximum is capped
// by the server, which then answers with a warning. Never retried.
func (c *Client) CreateBrowserSession(ctx context.Context, req *CreateBrowserSessionRequest) (*BrowserSession, error) {
	if req == nil {
		req = &CreateBrowserSessionRequest{}
	}
	if req.Timeout != nil && *req.Timeout < 5 {
		return nil, fmt.Errorf("create_browser_session: timeout is in minutes and must be at least 5, got %d", *req.Timeout)
	}
	return doJSON[BrowserSession](ctx, c, &request{method: http.MethodPost, path: "/browser_sessions", body: req})
}

// GetBrowserSession returns a browser session: GET
// /v1/browser_sessions/{browser_session_id}.
func (c *Client) GetBrowserSession(ctx context.Context, browserSessionID string) (*BrowserSession, error) {
	if browserSessionID == "" {
		return nil, fmt.Errorf("get_browser_session: browser_session_id is required")
	}
	return doJSON[BrowserSession](ctx, c, &request{method: http.MethodGet, path: pathf("/browser_sessions/%s", browserSessionID)})
}

// GetBrowserSessions lists the active browser sessions: GET /v1/browser_sessions.
func (c *Client) GetBrowserSessions(ctx context.Context) ([]BrowserSession, error) {
	return doValue(ctx, c, &request{method: http.MethodGet, path: "/browser_sessions"}, []BrowserSession{})
}

// CloseBrowserSession closes a browser session: POST
// /v1/browser_sessions/{browser_session_id}/close. Skyvern answers 200
// {"message": "Browser session closed"} (also for a session already ended)
// and 404 for an unknown one.
func (c *Client) CloseBrowserSession(ctx context.Context, browserSessionID string) error {
	if browserSessionID == "" {
		return fmt.Errorf("close_browser_session: browser_session_id is required")
	}
	_, err := c.do(ctx, &request{method: http.MethodPost, path: pathf("/browser_sessions/%s/close", browserSessionID)}, nil)
	return err
}

// CreateBrowserProfileRequest is the body of POST /v1/browser_profiles
// (CreateBrowserProfileRequest schema). Give BrowserSessionID or
// WorkflowRunID to capture that browser's state, neither for a blank profile.
type CreateBrowserProfileRequest struct {
	Name             string         `json:"name" jsonschema:"required" jsonschema_description:"Unique name (409 if taken)."`
	Description      string         `json:"description,omitempty"`
	BrowserSessionID string         `json:"browser_session_id,omitempty" jsonschema_description:"Capture this session."`
	WorkflowRunID    string         `json:"workflow_run_id,omitempty" jsonschema_description:"Capture this workflow run's browser."`
	ProxyLocation    *ProxyLocation `json:"proxy_location,omitempty"`
	ProxySessionID   string         `json:"proxy_session_id,omitempty" jsonschema_description:"Sticky proxy session ID."`
}

// BrowserProfile is a saved browser state (BrowserProfile schema), ID bp_...
type BrowserProfile struct {
	BrowserProfileID        string         `json:"browser_profile_id"`
	OrganizationID          string         `json:"organization_id"`
	Name                    string         `json:"name"`
	Description             string         `json:"description,omitempty"`
	SourceBrowserType       string         `json:"source_browser_type,omitempty"`
	ProxyLocation           *ProxyLocation `json:"proxy_location,omitempty"`
	ProxySessionID          string         `json:"proxy_session_id,omitempty"`
	IsManaged               bool           `json:"is_managed"`
	WorkflowPermanentID     string         `json:"workflow_permanent_id,omitempty"`
	BrowserProfileKeyDigest string         `json:"browser_profile_key_digest,omitempty"`
	LinkedCredentialName    string         `json:"linked_credential_name,omitempty"`
	LastVerifiedLoginAt     string         `json:"last_verified_login_at,omitempty"`
	CreatedAt               string         `json:"created_at"`
	ModifiedAt              string         `json:"modified_at"`
	DeletedAt               string         `json:"deleted_at,omitempty"`
}

// ListBrowserProfilesParams filters GET /v1/browser_profiles. Page starts
// at 1; PageSize defaults to 10.
type ListBrowserProfilesParams struct {
	Page           int    `url:"page,omitempty" json:"page,omitempty" jsonschema:"minimum=1"`
	PageSize       int    `url:"page_size,omitempty" json:"page_size,omitempty" jsonschema:"minimum=1"`
	IncludeDeleted bool   `url:"include_deleted,omitempty" json:"include_deleted,omitempty"`
	SearchKey      string `url:"search_key,omitempty" json:"search_key,omitempty" jsonschema_description:"Search name and description."`
	// Managed nil lists all; false only user-created; true only managed.
	Managed *bool `url:"managed,omitempty" json:"managed,omitempty" jsonschema_description:"true: only Skyvern-managed; false: only yours."`
}

// CreateBrowserProfile saves a browser profile: POST /v1/browser_profiles.
// A duplicate name gives an *APIError with status 409. Never retried.
func (c *Client) CreateBrowserProfile(ctx context.Context, req *CreateBrowserProfileRequest) (*BrowserProfile, error) {
	if req == nil || req.Name == "" {
		return nil, fmt.Errorf("create_browser_profile: name is required")
	}
	return doJSON[BrowserProfile](ctx, c, &request{method: http.MethodPost, path: "/browser_profiles", body: req})
}

// ListBrowserProfiles lists browser profiles: GET /v1/browser_profiles.
func (c *Client) ListBrowserProfiles(ctx context.Context, params *ListBrowserProfilesParams) ([]BrowserProfile, error) {
	return doValue(ctx, c, &request{method: http.MethodGet, path: "/browser_profiles", query: queryOf(params)}, []BrowserProfile{})
}

// GetBrowserProfile returns a browser profile: GET
// /v1/browser_profiles/{profile_id}.
func (c *Client) GetBrowserProfile(ctx context.Context, profileID string) (*BrowserProfile, error) {
	if profileID == "" {
		return nil, fmt.Errorf("get_browser_profile: profile_id is required")
	}
	return doJSON[BrowserProfile](ctx, c, &request{method: http.MethodGet, path: pathf("/browser_profiles/%s", profileID)})
}

// DeleteBrowserProfile deletes a browser profile: DELETE
// /v1/browser_profiles/{profile_id} (204).
func (c *Client) DeleteBrowserProfile(ctx context.Context, profileID string) error {
	if profileID == "" {
		return fmt.Errorf("delete_browser_profile: profile_id is required")
	}
	_, err := c.do(ctx, &request{method: http.MethodDelete, path: pathf("/browser_profiles/%s", profileID)}, nil)
	return err
}

// UpdateBrowserSessionRequest is the body of PATCH
// /v1/browser_sessions/{browser_session_id} (UpdateBrowserSessionRequest
// schema).
type UpdateBrowserSessionRequest struct {
	// GenerateBrowserProfile says whether the session's browser profile is
	// saved when the session ends (read at teardown, so it may be toggled
	// while the session is alive).
	GenerateBrowserProfile bool `json:"generate_browser_profile"`
}

// UpdateBrowserSession changes a live browser session: PATCH
// /v1/browser_sessions/{browser_session_id}. It returns the session.
// Skyvern answers 404 for an unknown session and 409 for one that has
// already ended. Not retried automatically.
func (c *Client) UpdateBrowserSession(ctx context.Context, browserSessionID string, req *UpdateBrowserSessionRequest) (*BrowserSession, error) {
	if browserSessionID == "" {
		return nil, fmt.Errorf("update_browser_session: browser_session_id is required (pbs_...)")
	}
	if req == nil {
		return nil, fmt.Errorf("update_browser_session: generate_browser_profile is required")
	}
	return doJSON[BrowserSession](ctx, c, &request{method: http.MethodPatch, path: pathf("/browser_sessions/%s", browserSessionID), body: req})
}

// UpdateBrowserProfileRequest is the body of PATCH
// /v1/browser_profiles/{profile_id} (UpdateBrowserProfileRequest schema).
// Only the fields set are changed. Description is a pointer so that "" can
// clear it.
type UpdateBrowserProfileRequest struct {
	Name                 string         `json:"name,omitempty"`
	Description          *string        `json:"description,omitempty"`
	ProxyLocation        *ProxyLocation `json:"proxy_location,omitempty"`
	ProxySessionID       string         `json:"proxy_session_id,omitempty"`
	RotateProxySessionID bool           `json:"rotate_proxy_session_id,omitempty"`
}

func (r *UpdateBrowserProfileRequest) empty() bool {
	return r == nil || (r.Name == "" && r.Description == nil && r.ProxyLocation == nil && r.ProxySessionID == "" && !r.RotateProxySessionID)
}

// UpdateBrowserProfile renames a browser profile, changes its description
// or its pinned proxy identity: PATCH /v1/browser_profiles/{profile_id}. It
// returns the profile. Skyvern answers 404 for an unknown profile and 409
// when another profile has the new name. An update that sets nothing gives
// an error without calling Skyvern. Not retried automatically.
func (c *Client) UpdateBrowserProfile(ctx context.Context, profileID string, req *UpdateBrowserProfileRequest) (*BrowserProfile, error) {
	if profileID == "" {
		return nil, fmt.Errorf("update_browser_profile: profile_id is required (bp_...)")
	}
	if req.empty() {
		return nil, fmt.Errorf("update_browser_profile: nothing to update: give name, description, proxy_location, proxy_session_id or rotate_proxy_session_id")
	}
	return doJSON[BrowserProfile](ctx, c, &request{method: http.MethodPatch, path: pathf("/browser_profiles/%s", profileID), body: req})
}

// BrowserProfileUsage is what depends on a browser profile
// (BrowserProfileUsage schema): the workflows that use it, the credentials
// linked to it, and how many runs it seeded recently (Skyvern counts the
// last 30 days).
type BrowserProfileUsage struct {
	Workflows            []BrowserProfileUsageWorkflow   `json:"workflows"`
	Credentials          []BrowserProfileUsageCredential `json:"credentials"`
	RecentSeededRunCount int                             `json:"recent_seeded_run_count"`
}

// BrowserProfileUsageWorkflow is a workflow that uses a profile
// (BrowserProfileUsageWorkflow schema). Via names the workflow field that
// points at the profile, e.g. "browser_profile_id".
type BrowserProfileUsageWorkflow struct {
	WorkflowPermanentID string `json:"workflow_permanent_id"`
	Title               string `json:"title"`
	Via                 string `json:"via"`
}

// BrowserProfileUsageCredential is a credential linked to a profile
// (BrowserProfileUsageCredential schema).
type BrowserProfileUsageCredential struct {
	CredentialID string `json:"credential_id"`
	Name         string `json:"name"`
}

// GetBrowserProfileUsage lists what depends on a browser profile (bp_...):
// GET /v1/browser_profiles/{profile_id}/usage. 404 for an unknown profile.
func (c *Client) GetBrowserProfileUsage(ctx context.Context, profileID string) (*BrowserProfileUsage, error) {
	if profileID == "" {
		return nil, fmt.Errorf("get_browser_profile_usage: profile_id is required (bp_...)")
	}
	out := BrowserProfileUsage{Workflows: []BrowserProfileUsageWorkflow{}, Credentials: []BrowserProfileUsageCredential{}}
	if _, err := c.do(ctx, &request{method: http.MethodGet, path: pathf("/browser_profiles/%s/usage", profileID)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
