package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Skyvern has three kinds of tag data:
//
//   - Applied tags (Tag) sit on one workflow (wpid_...) or one workflow run
//     (wr_...). A tag is a value (the label, e.g. "prod"), optionally grouped
//     under a key (e.g. "env"): a key holds one value per workflow or run,
//     and a tag without a key is a standalone label. Every change is an event
//     in the target's tag history (TagHistoryItem).
//   - Tag keys (TagKey) are the organization's registry of groups, with a
//     description. A key is registered the first time a tag with it is set.
//   - Tag values (TagValue) are the organization's registry of grouped
//     labels (key, value), each with a palette color. Standalone labels are
//     not registered.
//
// Deleting or renaming a key or value changes the applied tags on every
// workflow and run that carries it.

// TagColor is a palette color name of a grouped tag value.
type TagColor string

// EnumValues lists the palette, in Skyvern's order.
func (TagColor) EnumValues() []string {
	return []string{"gray", "red", "orange", "amber", "yellow", "green", "teal", "blue", "cyan", "indigo", "purple", "pink"}
}

// TagInput is one tag to set (TagInput schema). Value is the label; Key,
// when set, is its group, and replaces the value the group had. An empty
// Key sets a standalone label.
type TagInput struct {
	Key   string `json:"key,omitempty" jsonschema_description:"Group, e.g. env (letters, digits, _ . -). Omit for a standalone label."`
	Value string `json:"value" jsonschema:"required" jsonschema_description:"Label, e.g. prod: at most 256 characters, no comma."`
}

// TagDeleteInput is one tag to remove (TagDeleteInput schema): a grouped
// tag by its Key, or a standalone label by its Value, never both.
type TagDeleteInput struct {
	Key   string `json:"key,omitempty" jsonschema_description:"Key of a grouped tag to remove."`
	Value string `json:"value,omitempty" jsonschema_description:"Standalone label to remove (give key or value, not both)."`
}

// TagApplyRequest is the body of POST /v1/agents/{workflow_permanent_id}/tags
// and POST /v1/runs/{workflow_run_id}/tags (TagApplyRequest schema). Sets
// and deletes happen in one transaction; when the same tag is both set and
// deleted, the set wins. Colors maps a key being set to the palette color of
// its new value; keys it does not name keep their color or get a random one.
// Skyvern allows at most 20 tags per workflow or run.
type TagApplyRequest struct {
	Tags         []TagInput          `json:"tags,omitempty" jsonschema_description:"Tags to set. A key's new value replaces its old one; omit key for a standalone label."`
	TagsToDelete []TagDeleteInput    `json:"tags_to_delete,omitempty" jsonschema_description:"Tags to remove: {key} for a grouped tag, {value} for a standalone label."`
	Colors       map[string]TagColor `json:"colors,omitempty" jsonschema_description:"Color per key for the value being set; by default a value keeps its color."`
}

// Tag is one tag applied to a workflow or workflow run (TagResponse
// schema). Key is empty for a standalone label. SetAt is an ISO 8601
// date-time; Source is how it was set (e.g. "manual") and SetBy who set it.
type Tag struct {
	Key    string `json:"key,omitempty"`
	Value  string `json:"value"`
	Source string `json:"source"`
	SetAt  string `json:"set_at"`
	SetBy  string `json:"set_by"`
}

// RunTags are the tags applied to a workflow run (RunTagsResponse schema).
type RunTags struct {
	WorkflowRunID string `json:"workflow_run_id"`
	Tags          []Tag  `json:"tags"`
}

func (t *RunTags) validate() error {
	if t.WorkflowRunID == "" {
		return errors.New("the answer is not a run's tags: workflow_run_id is missing")
	}
	return nil
}

// WorkflowTags are the tags applied to a workflow (TagsResponse schema).
type WorkflowTags struct {
	WorkflowPermanentID string `json:"workflow_permanent_id"`
	Tags                []Tag  `json:"tags"`
}

func (t *WorkflowTags) validate() error {
	if t.WorkflowPermanentID == "" {
		return errors.New("the answer is not a workflow's tags: workflow_permanent_id is missing")
	}
	return nil
}

// TagHistoryItem is one event of a tag history (TagHistoryItem schema).
// EventType is "set" or "delete". Key is empty for a standalone label;
// Value is empty when a grouped tag was deleted. SupersededAt is set on a
// "set" event once a later event replaced or removed that tag. Times are
// ISO 8601 date-times.
type TagHistoryItem struct {
	TagEventID   string `json:"tag_event_id"`
	Key          string `json:"key,omitempty"`
	Value        string `json:"value,omitempty"`
	EventType    string `json:"event_type"`
	Source       string `json:"source"`
	SetAt        string `json:"set_at"`
	SetBy        string `json:"set_by"`
	SupersededAt string `json:"superseded_at,omitempty"`
}

// RunTagHistory is a workflow run's tag events, newest first
// (RunTagHistoryResponse schema).
type RunTagHistory struct {
	WorkflowRunID string           `json:"workflow_run_id"`
	Events        []TagHistoryItem `json:"events"`
}

func (h *RunTagHistory) validate() error {
	if h.WorkflowRunID == "" {
		return errors.New("the answer is not a run's tag history: workflow_run_id is missing")
	}
	return nil
}

// WorkflowTagHistory is a workflow's tag events, newest first
// (TagHistoryResponse schema).
type WorkflowTagHistory struct {
	WorkflowPermanentID string           `json:"workflow_permanent_id"`
	Events              []TagHistoryItem `json:"events"`
}

func (h *WorkflowTagHistory) validate() error {
	if h.WorkflowPermanentID == "" {
		return errors.New("the answer is not a workflow's tag history: workflow_permanent_id is missing")
	}
	return nil
}

// TagHistoryParams filters a tag history. Limit is 1-500 (0: Skyvern's
// default, 100); Since is an ISO 8601 date-time (events at or after it);
// Key keeps the events of one key.
type TagHistoryParams struct {
	Limit int    `url:"limit,omitempty" json:"limit,omitempty" jsonschema:"minimum=1,maximum=500" jsonschema_description:"Most events to return (1-500, default 100)."`
	Since string `url:"since,omitempty" json:"since,omitempty" jsonschema:"format=date-time" jsonschema_description:"Only events at or after this ISO 8601 date-time."`
	Key   string `url:"key,omitempty" json:"key,omitempty" jsonschema_description:"Only events of this key."`
}

func (p *TagHistoryParams) values(op string) (url.Values, error) {
	if p != nil && p.Limit != 0 && (p.Limit < 1 || p.Limit > 500) {
		return nil, fmt.Errorf("%s: limit must be between 1 and 500, got %d", op, p.Limit)
	}
	return queryOf(p), nil
}

// TagKey is a tag key (group) of the organization (TagKey schema).
// WorkflowCount is how many workflows currently carry a tag with this key.
type TagKey struct {
	Key           string `json:"key"`
	Description   string `json:"description,omitempty"`
	WorkflowCount int    `json:"workflow_count"`
}

// TagKeyUpdate is the body of PATCH /v1/tag-keys/{key} (TagKeyUpdate
// schema). A nil Description (sent as null) or a blank one clears it; at
// most 500 characters.
type TagKeyUpdate struct {
	Description *string `json:"description"`
}

// TagKeyDeleteResult is the answer of DELETE /v1/tag-keys/{key}
// (TagKeyDeleteResponse schema): how many workflows and workflow runs lost
// their tag with this key, and the sum.
type TagKeyDeleteResult struct {
	Key                      string `json:"key"`
	RemovedFromWorkflowCount int    `json:"removed_from_workflow_count"`
	RemovedFromRunCount      int    `json:"removed_from_run_count"`
	RemovedCount             int    `json:"removed_count"`
}

// TagValue is a grouped tag value (key, value) of the organization with its
// palette color (TagValue schema). WorkflowCount is how many workflows
// currently carry it.
type TagValue struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	Color         string `json:"color"`
	WorkflowCount int    `json:"workflow_count"`
}

// TagValueUpdate is the body of PATCH /v1/tag-values/{key} (TagValueUpdate
// schema): the value to recolor and its new palette color.
type TagValueUpdate struct {
	Value string   `json:"value" jsonschema:"required" jsonschema_description:"Value (label) under the key, e.g. prod."`
	Color TagColor `json:"color" jsonschema:"required" jsonschema_description:"New palette color."`
}

// TagValueDelete is the body of DELETE /v1/tag-values/{key}
// (TagValueDelete schema).
type TagValueDelete struct {
	Value string `json:"value" jsonschema:"required" jsonschema_description:"Value (label) under the key to delete, e.g. staging."`
}

// TagValueDeleteResult is the answer of DELETE /v1/tag-values/{key}
// (TagValueDeleteResponse schema): how many workflows and workflow runs
// lost the tag, and the sum.
type TagValueDeleteResult struct {
	Key                      string `json:"key"`
	Value                    string `json:"value"`
	RemovedFromWorkflowCount int    `json:"removed_from_workflow_count"`
	RemovedFromRunCount      int    `json:"removed_from_run_count"`
	RemovedCount             int    `json:"removed_count"`
}

// TagValueRename is the body of PATCH /v1/tag-values/{key}/rename
// (TagValueRename schema).
type TagValueRename struct {
	Value    string `json:"value" jsonschema:"required" jsonschema_description:"Current value (label) under the key."`
	NewValue string `json:"new_value" jsonschema:"required" jsonschema_description:"New value; must not exist yet under the key."`
}

// TagValueRenameResult is the answer of PATCH /v1/tag-values/{key}/rename
// (TagValueRenameResponse schema): the new value with the color it kept,
// and how many workflows were re-tagged.
type TagValueRenameResult struct {
	Key                  string `json:"key"`
	Value                string `json:"value"`
	Color                string `json:"color"`
	RenamedWorkflowCount int    `json:"renamed_workflow_count"`
}

func requireTagArg(op, name, v, what string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("%s: %s is required (%s)", op, name, what)
	}
	return nil
}

const (
	tagRunIDWhat = "the ID of a workflow run, wr_..."
	tagWPIDWhat  = "the workflow_permanent_id, wpid_..."
	tagKeyWhat   = "a tag key such as env"
)

func tagApplyBody(req *TagApplyRequest) *TagApplyRequest {
	if req == nil {
		return &TagApplyRequest{}
	}
	return req
}

// ApplyRunTags sets and removes tags on a workflow run in one transaction:
// POST /v1/runs/{workflow_run_id}/tags. It returns the run's tags after the
// change. A run that is not a workflow run, or does not exist, gives an
// *APIError with status 404; an invalid key or value, or more than 20 tags,
// 422. Never retried.
func (c *Client) ApplyRunTags(ctx context.Context, workflowRunID string, req *TagApplyRequest) (*RunTags, error) {
	if err := requireTagArg("apply_run_tags", "workflow_run_id", workflowRunID, tagRunIDWhat); err != nil {
		return nil, err
	}
	return doJSON[RunTags](ctx, c, &request{method: http.MethodPost, path: pathf("/runs/%s/tags", workflowRunID), body: tagApplyBody(req)})
}

// GetRunTags returns the tags applied to a workflow run: GET
// /v1/runs/{workflow_run_id}/tags (404 for an unknown workflow run).
func (c *Client) GetRunTags(ctx context.Context, workflowRunID string) (*RunTags, error) {
	if err := requireTagArg("get_run_tags", "workflow_run_id", workflowRunID, tagRunIDWhat); err != nil {
		return nil, err
	}
	return doJSON[RunTags](ctx, c, &request{method: http.MethodGet, path: pathf("/runs/%s/tags", workflowRunID)})
}

// DeleteRunTag removes the grouped tag with this key from a workflow run
// (a no-op when the run has none) and returns the run's tags: DELETE
// /v1/runs/{workflow_run_id}/tags/{key}. 404 for an unknown workflow run.
// Standalone labels are removed with ApplyRunTags.
func (c *Client) DeleteRunTag(ctx context.Context, workflowRunID, key string) (*RunTags, error) {
	if err := requireTagArg("delete_run_tag", "workflow_run_id", workflowRunID, tagRunIDWhat); err != nil {
		return nil, err
	}
	if err := requireTagArg("delete_run_tag", "key", key, tagKeyWhat); err != nil {
		return nil, err
	}
	return doJSON[RunTags](ctx, c, &request{method: http.MethodDelete, path: pathf("/runs/%s/tags/%s", workflowRunID, key)})
}

// GetRunTagHistory lists a workflow run's tag events, newest first: GET
// /v1/runs/{workflow_run_id}/tags/history (params may be nil). 404 for an
// unknown workflow run.
func (c *Client) GetRunTagHistory(ctx context.Context, workflowRunID string, params *TagHistoryParams) (*RunTagHistory, error) {
	if err := requireTagArg("get_run_tag_history", "workflow_run_id", workflowRunID, tagRunIDWhat); err != nil {
		return nil, err
	}
	q, err := params.values("get_run_tag_history")
	if err != nil {
		return nil, err
	}
	return doJSON[RunTagHistory](ctx, c, &request{method: http.MethodGet, path: pathf("/runs/%s/tags/history", workflowRunID), query: q})
}

// ApplyWorkflowTags sets and removes tags on a workflow in one transaction:
// POST /v1/agents/{workflow_permanent_id}/tags. It returns the workflow's
// tags after the change. 404 for an unknown workflow; 422 for an invalid
// key or value, or more than 20 tags. Never retried.
func (c *Client) ApplyWorkflowTags(ctx context.Context, workflowPermanentID string, req *TagApplyRequest) (*WorkflowTags, error) {
	if err := requireTagArg("apply_workflow_tags", "workflow_permanent_id", workflowPermanentID, tagWPIDWhat); err != nil {
		return nil, err
	}
	return doJSON[WorkflowTags](ctx, c, &request{method: http.MethodPost, path: pathf("/agents/%s/tags", workflowPermanentID), body: tagApplyBody(req)})
}

// GetWorkflowTags returns the tags applied to a workflow: GET
// /v1/agents/{workflow_permanent_id}/tags (404 for an unknown workflow).
func (c *Client) GetWorkflowTags(ctx context.Context, workflowPermanentID string) (*WorkflowTags, error) {
	if err := requireTagArg("get_workflow_tags", "workflow_permanent_id", workflowPermanentID, tagWPIDWhat); err != nil {
		return nil, err
	}
	return doJSON[WorkflowTags](ctx, c, &request{method: http.MethodGet, path: pathf("/agents/%s/tags", workflowPermanentID)})
}

// DeleteWorkflowTag removes the grouped tag with this key from a workflow
// (a no-op when it has none) and returns the workflow's tags: DELETE
// /v1/agents/{workflow_permanent_id}/tags/{key}. 404 for an unknown
// workflow. Standalone labels are removed with ApplyWorkflowTags.
func (c *Client) DeleteWorkflowTag(ctx context.Context, workflowPermanentID, key string) (*WorkflowTags, error) {
	if err := requireTagArg("delete_workflow_tag", "workflow_permanent_id", workflowPermanentID, tagWPIDWhat); err != nil {
		return nil, err
	}
	if err := requireTagArg("delete_workflow_tag", "key", key, tagKeyWhat); err != nil {
		return nil, err
	}
	return doJSON[WorkflowTags](ctx, c, &request{method: http.MethodDelete, path: pathf("/agents/%s/tags/%s", workflowPermanentID, key)})
}

// GetWorkflowTagHistory lists a workflow's tag events, newest first: GET
// /v1/agents/{workflow_permanent_id}/tags/history (params may be nil). 404
// for an unknown workflow.
func (c *Client) GetWorkflowTagHistory(ctx context.Context, workflowPermanentID string, params *TagHistoryParams) (*WorkflowTagHistory, error) {
	if err := requireTagArg("get_workflow_tag_history", "workflow_permanent_id", workflowPermanentID, tagWPIDWhat); err != nil {
		return nil, err
	}
	q, err := params.values("get_workflow_tag_history")
	if err != nil {
		return nil, err
	}
	return doJSON[WorkflowTagHistory](ctx, c, &request{method: http.MethodGet, path: pathf("/agents/%s/tags/history", workflowPermanentID), query: q})
}

// ListTagKeys lists the organization's tag keys with their descriptions
// and workflow counts, ordered by key: GET /v1/tag-keys.
func (c *Client) ListTagKeys(ctx context.Context) ([]TagKey, error) {
	return doValue(ctx, c, &request{method: http.MethodGet, path: "/tag-keys"}, []TagKey{})
}

// UpdateTagKey sets or clears (nil or blank Description) a tag key's
// description: PATCH /v1/tag-keys/{key}. 404 for a key that was never
// applied; 422 for a description over 500 characters. Never retried.
func (c *Client) UpdateTagKey(ctx context.Context, key string, req *TagKeyUpdate) (*TagKey, error) {
	if err := requireTagArg("update_tag_key", "key", key, tagKeyWhat); err != nil {
		return nil, err
	}
	if req == nil {
		req = &TagKeyUpdate{}
	}
	return doJSON[TagKey](ctx, c, &request{method: http.MethodPatch, path: pathf("/tag-keys/%s", key), body: req})
}

// DeleteTagKey deletes a tag key and removes every tag with it from all
// workflows and workflow runs: DELETE /v1/tag-keys/{key}. 404 for an unknown
// key. Never retried.
func (c *Client) DeleteTagKey(ctx context.Context, key string) (*TagKeyDeleteResult, error) {
	if err := requireTagArg("delete_tag_key", "key", key, tagKeyWhat); err != nil {
		return nil, err
	}
	return doJSON[TagKeyDeleteResult](ctx, c, &request{method: http.MethodDelete, path: pathf("/tag-keys/%s", key)})
}

// ListTagValues lists the organization's grouped tag values with their
// colors and workflow counts, ordered by key then value, optionally of one
// key (empty for all): GET /v1/tag-values.
func (c *Client) ListTagValues(ctx context.Context, key string) ([]TagValue, error) {
	q := queryOf(struct {
		Key string `url:"key,omitempty"`
	}{key})
	return doValue(ctx, c, &request{method: http.MethodGet, path: "/tag-values", query: q}, []TagValue{})
}

// UpdateTagValue recolors a grouped tag value: PATCH /v1/tag-values/{key}
// (the value rides in the body). 404 for an unknown value; 422 for a color
// outside the palette. Never retried.
func (c *Client) UpdateTagValue(ctx context.Context, key string, req *TagValueUpdate) (*TagValue, error) {
	if err := requireTagArg("update_tag_value", "key", key, tagKeyWhat); err != nil {
		return nil, err
	}
	if req == nil || req.Value == "" || req.Color == "" {
		return nil, fmt.Errorf("update_tag_value: value and color are required (color: one of %s)", strings.Join(TagColor("").EnumValues(), ", "))
	}
	return doJSON[TagValue](ctx, c, &request{method: http.MethodPatch, path: pathf("/tag-values/%s", key), body: req})
}

// DeleteTagValue deletes a grouped tag value and removes it from all
// workflows and workflow runs that carry it: DELETE /v1/tag-values/{key}
// with the value in the body. 404 for an unknown value. Never retried.
func (c *Client) DeleteTagValue(ctx context.Context, key string, req *TagValueDelete) (*TagValueDeleteResult, error) {
	if err := requireTagArg("delete_tag_value", "key", key, tagKeyWhat); err != nil {
		return nil, err
	}
	if req == nil || req.Value == "" {
		return nil, errors.New("delete_tag_value: value is required (the label under the key, e.g. staging)")
	}
	return doJSON[TagValueDeleteResult](ctx, c, &request{method: http.MethodDelete, path: pathf("/tag-values/%s", key), body: req})
}

// RenameTagValue renames a grouped tag value on every workflow and workflow
// run that carries it; the new value keeps the color: PATCH
// /v1/tag-values/{key}/rename. 404 for an unknown value; 409 (ErrConflict)
// when the new value already exists under the key. Never retried.
func (c *Client) RenameTagValue(ctx context.Context, key string, req *TagValueRename) (*TagValueRenameResult, error) {
	if err := requireTagArg("rename_tag_value", "key", key, tagKeyWhat); err != nil {
		return nil, err
	}
	if req == nil || req.Value == "" || req.NewValue == "" {
		return nil, errors.New("rename_tag_value: value and new_value are required")
	}
	return doJSON[TagValueRenameResult](ctx, c, &request{method: http.MethodPatch, path: pathf("/tag-values/%s/rename", key), body: req})
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
