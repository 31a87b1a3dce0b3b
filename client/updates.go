package client

import (
	"context"
	"fmt"
	"net/http"
)

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
	var out BrowserSession
	if _, err := c.do(ctx, &request{method: http.MethodPatch, path: pathf("/browser_sessions/%s", browserSessionID), body: req}, &out); err != nil {
		return nil, err
	}
	return &out, nil
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
	var out BrowserProfile
	if _, err := c.do(ctx, &request{method: http.MethodPatch, path: pathf("/browser_profiles/%s", profileID), body: req}, &out); err != nil {
		return nil, err
	}
	return &out, nil
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
	var out Credential
	if _, err := c.do(ctx, &request{method: http.MethodPost, path: pathf("/credentials/%s/update", credentialID), body: &body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
