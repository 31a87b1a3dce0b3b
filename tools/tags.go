package tools

import (
	"context"
	"strings"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// Three kinds of tag data, named the same way in every description:
// applied tags sit on one workflow or workflow run (a value, optionally under
// a key); tag keys are the organization's groups (env, team); tag values are
// its grouped key:value labels, each with a color.

// TagRunInput names the workflow run of a run-tag tool.
type TagRunInput struct {
	WorkflowRunID string `json:"workflow_run_id" jsonschema:"required" jsonschema_description:"Workflow run ID (wr_...); task runs (tsk_...) have no tags."`
}

// TagWorkflowInput names the workflow of a workflow-tag tool.
type TagWorkflowInput struct {
	WorkflowPermanentID string `json:"workflow_permanent_id" jsonschema:"required" jsonschema_description:"Permanent ID of the workflow (wpid_...)."`
}

// TagKeyInput names a tag key.
type TagKeyInput struct {
	Key string `json:"key" jsonschema:"required" jsonschema_description:"Tag key (group), e.g. env."`
}

// ApplyRunTagsInput is apply_run_tags' input.
type ApplyRunTagsInput struct {
	TagRunInput
	client.TagApplyRequest
}

// ApplyWorkflowTagsInput is apply_workflow_tags' input.
type ApplyWorkflowTagsInput struct {
	TagWorkflowInput
	client.TagApplyRequest
}

// DeleteRunTagInput is delete_run_tag's input.
type DeleteRunTagInput struct {
	TagRunInput
	TagKeyInput
}

// DeleteWorkflowTagInput is delete_workflow_tag's input.
type DeleteWorkflowTagInput struct {
	TagWorkflowInput
	TagKeyInput
}

// RunTagHistoryInput is get_run_tag_history's input.
type RunTagHistoryInput struct {
	TagRunInput
	client.TagHistoryParams
}

// WorkflowTagHistoryInput is get_workflow_tag_history's input.
type WorkflowTagHistoryInput struct {
	TagWorkflowInput
	client.TagHistoryParams
}

// UpdateTagKeyInput is update_tag_key's input.
type UpdateTagKeyInput struct {
	TagKeyInput
	Description string `json:"description,omitempty" jsonschema:"maxLength=500" jsonschema_description:"New description; empty or omitted clears it."`
}

// ListTagValuesInput is list_tag_values' input.
type ListTagValuesInput struct {
	Key string `json:"key,omitempty" jsonschema_description:"Only the values of this key."`
}

// UpdateTagValueInput is update_tag_value's input.
type UpdateTagValueInput struct {
	TagKeyInput
	client.TagValueUpdate
}

// DeleteTagValueInput is delete_tag_value's input.
type DeleteTagValueInput struct {
	TagKeyInput
	client.TagValueDelete
}

// RenameTagValueInput is rename_tag_value's input.
type RenameTagValueInput struct {
	TagKeyInput
	client.TagValueRename
}

// TagKeysResult is list_tag_keys' output.
type TagKeysResult struct {
	Count   int             `json:"count"`
	TagKeys []client.TagKey `json:"tag_keys"`
}

// TagValuesResult is list_tag_values' output.
type TagValuesResult struct {
	Count     int               `json:"count"`
	TagValues []client.TagValue `json:"tag_values"`
}

// tagWriteHints are the annotations of tools that overwrite or remove tags
// (the same call twice changes nothing more).
var tagWriteHints = hints{destructive: true, idempotent: true}

func tagTools() []Tool {
	return []Tool{
		define(spec{name: "apply_run_tags", title: "Tag a workflow run", toolset: ToolsetTags, hints: tagWriteHints,
			description: "Set and remove tags on a workflow run (wr_...) in one step. A tag is a value, optionally under a key (env:prod); setting a key replaces its value. Returns the run's tags."},
			func(ctx context.Context, c *call, in *ApplyRunTagsInput) (*client.RunTags, error) {
				return c.client.ApplyRunTags(ctx, in.WorkflowRunID, &in.TagApplyRequest)
			}),
		define(spec{name: "get_run_tags", title: "Get a run's tags", toolset: ToolsetTags, hints: readHints,
			description: "Get the tags applied to a workflow run (wr_...): each value with its key (none for a standalone label), who set it and when."},
			func(ctx context.Context, c *call, in *TagRunInput) (*client.RunTags, error) {
				return c.client.GetRunTags(ctx, in.WorkflowRunID)
			}),
		define(spec{name: "delete_run_tag", title: "Remove a run tag", toolset: ToolsetTags, hints: tagWriteHints,
			description: "Remove the tag with this key from one workflow run (wr_...); no-op if absent. Returns the run's tags. Standalone labels: apply_run_tags with tags_to_delete [{value}]."},
			func(ctx context.Context, c *call, in *DeleteRunTagInput) (*client.RunTags, error) {
				return c.client.DeleteRunTag(ctx, in.WorkflowRunID, in.Key)
			}),
		define(spec{name: "get_run_tag_history", title: "Run tag history", toolset: ToolsetTags, hints: readHints,
			description: "List every set and delete of a workflow run's tags (wr_...), newest first, with time and author; optionally for one key or since a date-time."},
			func(ctx context.Context, c *call, in *RunTagHistoryInput) (*client.RunTagHistory, error) {
				return c.client.GetRunTagHistory(ctx, in.WorkflowRunID, &in.TagHistoryParams)
			}),
		define(spec{name: "apply_workflow_tags", title: "Tag a workflow", toolset: ToolsetTags, hints: tagWriteHints,
			description: "Set and remove tags on a workflow (wpid_...) in one step. A tag is a value, optionally under a key (env:prod); setting a key replaces its value. Returns the workflow's tags."},
			func(ctx context.Context, c *call, in *ApplyWorkflowTagsInput) (*client.WorkflowTags, error) {
				return c.client.ApplyWorkflowTags(ctx, in.WorkflowPermanentID, &in.TagApplyRequest)
			}),
		define(spec{name: "get_workflow_tags", title: "Get a workflow's tags", toolset: ToolsetTags, hints: readHints,
			description: "Get the tags applied to a workflow (wpid_...): each value with its key (none for a standalone label), who set it and when."},
			func(ctx context.Context, c *call, in *TagWorkflowInput) (*client.WorkflowTags, error) {
				return c.client.GetWorkflowTags(ctx, in.WorkflowPermanentID)
			}),
		define(spec{name: "delete_workflow_tag", title: "Remove a workflow tag", toolset: ToolsetTags, hints: tagWriteHints,
			description: "Remove the tag with this key from one workflow (wpid_...); no-op if absent. Returns its tags. Standalone labels: apply_workflow_tags with tags_to_delete [{value}]."},
			func(ctx context.Context, c *call, in *DeleteWorkflowTagInput) (*client.WorkflowTags, error) {
				return c.client.DeleteWorkflowTag(ctx, in.WorkflowPermanentID, in.Key)
			}),
		define(spec{name: "get_workflow_tag_history", title: "Workflow tag history", toolset: ToolsetTags, hints: readHints,
			description: "List every set and delete of a workflow's tags (wpid_...), newest first, with time and author; optionally for one key or since a date-time."},
			func(ctx context.Context, c *call, in *WorkflowTagHistoryInput) (*client.WorkflowTagHistory, error) {
				return c.client.GetWorkflowTagHistory(ctx, in.WorkflowPermanentID, &in.TagHistoryParams)
			}),
		define(spec{name: "list_tag_keys", title: "List tag keys", toolset: ToolsetTags, hints: readHints,
			description: "List the organization's tag keys (groups such as env) with description and number of workflows using each. A key appears when first applied."},
			func(ctx context.Context, c *call, _ *NoInput) (*TagKeysResult, error) {
				keys, err := c.client.ListTagKeys(ctx)
				if err != nil {
					return nil, err
				}
				return &TagKeysResult{Count: len(keys), TagKeys: keys}, nil
			}),
		define(spec{name: "update_tag_key", title: "Describe a tag key", toolset: ToolsetTags, hints: tagWriteHints,
			description: "Set or clear the description of a tag key (group such as env). Applied tags do not change."},
			func(ctx context.Context, c *call, in *UpdateTagKeyInput) (*client.TagKey, error) {
				req := &client.TagKeyUpdate{}
				if in.Description != "" {
					req.Description = &in.Description
				}
				return c.client.UpdateTagKey(ctx, in.Key, req)
			}),
		define(spec{name: "delete_tag_key", title: "Delete a tag key", toolset: ToolsetTags, hints: tagWriteHints,
			description: "Delete a tag key (group such as env) with its values, and remove its tags from every workflow and workflow run. Returns how many lost it. Cannot be undone."},
			func(ctx context.Context, c *call, in *TagKeyInput) (*client.TagKeyDeleteResult, error) {
				return c.client.DeleteTagKey(ctx, in.Key)
			}),
		define(spec{name: "list_tag_values", title: "List tag values", toolset: ToolsetTags, hints: readHints,
			description: "List the organization's tag values (key:value labels such as env:prod) with color and number of workflows using each, optionally for one key. Standalone labels are not listed."},
			func(ctx context.Context, c *call, in *ListTagValuesInput) (*TagValuesResult, error) {
				vals, err := c.client.ListTagValues(ctx, in.Key)
				if err != nil {
					return nil, err
				}
				return &TagValuesResult{Count: len(vals), TagValues: vals}, nil
			}),
		define(spec{name: "update_tag_value", title: "Recolor a tag value", toolset: ToolsetTags, hints: tagWriteHints,
			description: "Change the palette color of a tag value (key:value label such as env:prod) everywhere it is shown. Applied tags do not change."},
			func(ctx context.Context, c *call, in *UpdateTagValueInput) (*client.TagValue, error) {
				return c.client.UpdateTagValue(ctx, in.Key, &in.TagValueUpdate)
			}),
		define(spec{name: "delete_tag_value", title: "Delete a tag value", toolset: ToolsetTags, hints: tagWriteHints,
			description: "Delete a tag value (key:value label such as env:staging) and remove it from every workflow and workflow run carrying it. Returns how many lost it. Cannot be undone."},
			func(ctx context.Context, c *call, in *DeleteTagValueInput) (*client.TagValueDeleteResult, error) {
				return c.client.DeleteTagValue(ctx, in.Key, &in.TagValueDelete)
			}),
		define(spec{name: "rename_tag_value", title: "Rename a tag value", toolset: ToolsetTags, hints: tagWriteHints,
			description: "Rename a tag value (env:prod to env:production) on every workflow and workflow run carrying it; the color is kept. HTTP 409 if the new value exists under the key."},
			func(ctx context.Context, c *call, in *RenameTagValueInput) (*client.TagValueRenameResult, error) {
				return c.client.RenameTagValue(ctx, in.Key, &in.TagValueRename)
			}),
		define(spec{name: "get_run_tag_suggestions", title: "Suggest run tags", toolset: ToolsetTags, hints: readHints,
			description: "Every tag ever set on the organization's workflow runs: keys with their values (skyvern.* system keys too) and plain labels. Reuse them in apply_run_tags or to filter runs."},
			func(ctx context.Context, c *call, _ *NoInput) (*client.RunTagSuggestions, error) {
				return c.client.GetRunTagSuggestions(ctx)
			}),
		define(spec{name: "create_tag_value", title: "Register a tag value", toolset: ToolsetTags,
			hints:       hints{},
			description: "Register a key:value tag (e.g. env:prod) with a palette color before any workflow uses it (list_tag_values shows workflow_count 0 until then). 409 if it exists: update_tag_value recolors."},
			func(ctx context.Context, c *call, in *CreateTagValueInput) (*client.TagValue, error) {
				return c.client.CreateTagValue(ctx, &in.TagValueCreate)
			}),
	}
}

// tagHint is the hint of a 404 from a tag endpoint, where the generic one
// (about IDs) would mislead; "" for any other error.
func tagHint(e *client.APIError) string {
	if e.StatusCode != 404 {
		return ""
	}
	switch {
	case strings.HasPrefix(e.Path, "/v1/tag-keys/"), strings.HasPrefix(e.Path, "/v1/tag-values"):
		return "list_tag_keys and list_tag_values show the existing tag keys and tag values; a key or value exists once a tag with it was applied."
	case strings.HasPrefix(e.Path, "/v1/runs/") && strings.Contains(e.Path, "/tags"):
		return "Only workflow runs (wr_...) have tags; task runs (tsk_..., tsk_v2_...) have none. Check the ID with get_run."
	}
	return ""
}

// CreateTagValueInput is create_tag_value's input.
type CreateTagValueInput struct {
	client.TagValueCreate
}
