package client

import (
	"context"
	"fmt"
	"net/http"
)

// This file holds the operations Skyvern's server publishes
// (server-openapi.json) beyond the SDK's document: deleting an uploaded
// file, a browser profile's usage, run tag suggestions and registering a
// tag value.

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

// RunTagSuggestions are the distinct tags ever set on the organization's
// runs (RunTagSuggestionsResponse schema): grouped keys with their values,
// and standalone labels. Reserved skyvern.* system keys are included.
type RunTagSuggestions struct {
	Keys        []string            `json:"keys"`
	ValuesByKey map[string][]string `json:"values_by_key"`
	Labels      []string            `json:"labels"`
}

// GetRunTagSuggestions lists the tags ever set on runs: GET
// /v1/run-tag-suggestions.
func (c *Client) GetRunTagSuggestions(ctx context.Context) (*RunTagSuggestions, error) {
	out := RunTagSuggestions{Keys: []string{}, ValuesByKey: map[string][]string{}, Labels: []string{}}
	if _, err := c.do(ctx, &request{method: http.MethodGet, path: "/run-tag-suggestions"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// TagValueCreate is the body of POST /v1/tag-values (TagValueCreate
// schema): a grouped label to register before any workflow uses it.
type TagValueCreate struct {
	Key   string   `json:"key" jsonschema:"required" jsonschema_description:"Tag key (group), e.g. env."`
	Value string   `json:"value" jsonschema:"required" jsonschema_description:"Tag value (label) to register under the key, e.g. prod."`
	Color TagColor `json:"color,omitempty" jsonschema_description:"Palette color; a random palette color when omitted."`
}

// CreateTagValue registers a grouped tag value with a color: POST
// /v1/tag-values. It returns the value with workflow_count 0. 409 if the
// value exists; 422 for an invalid key, value or color. Never retried.
func (c *Client) CreateTagValue(ctx context.Context, req *TagValueCreate) (*TagValue, error) {
	if req == nil {
		return nil, fmt.Errorf("create_tag_value: key and value are required")
	}
	if err := requireTagArg("create_tag_value", "key", req.Key, tagKeyWhat); err != nil {
		return nil, err
	}
	if err := requireTagArg("create_tag_value", "value", req.Value, "a tag value such as prod"); err != nil {
		return nil, err
	}
	var out TagValue
	if _, err := c.do(ctx, &request{method: http.MethodPost, path: "/tag-values", body: req}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetArtifactMetadata returns an artifact's metadata with a freshly signed
// SignedURL to its content: GET /v1/artifacts/{artifact_id}, the server
// route (kept out of its OpenAPI document) behind the SDK's get_artifact.
// GetArtifact reads the content itself. 404 for an unknown artifact.
func (c *Client) GetArtifactMetadata(ctx context.Context, artifactID string) (*Artifact, error) {
	if artifactID == "" {
		return nil, fmt.Errorf("get_artifact: artifact_id is required (a_..., from get_run_artifacts)")
	}
	var out Artifact
	if _, err := c.do(ctx, &request{method: http.MethodGet, path: pathf("/artifacts/%s", artifactID)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
