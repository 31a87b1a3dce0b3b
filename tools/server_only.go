package tools

import (
	"context"
	"fmt"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// The tools of the operations Skyvern's server publishes beyond the SDK's
// document, named as the server's x-fern-sdk-method-name says.

// DeleteFileInput is delete_file's input.
type DeleteFileInput struct {
	FileID string `json:"file_id" jsonschema:"required" jsonschema_description:"The file_id upload_file returned (file_...)."`
}

// BrowserProfileUsageResult is get_browser_profile_usage's output.
type BrowserProfileUsageResult struct {
	ProfileID string `json:"profile_id"`
	client.BrowserProfileUsage
}

// CreateTagValueInput is create_tag_value's input.
type CreateTagValueInput struct {
	client.TagValueCreate
}

func serverOnlyTools() []Tool {
	return []Tool{
		define(spec{name: "delete_file", title: "Delete an uploaded file", toolset: ToolsetAgent,
			hints:       hints{destructive: true, idempotent: true},
			description: "Delete a file uploaded with upload_file, by the file_id it returned; runs can no longer use its s3_uri or presigned_url. An unknown or already deleted file_id is a 404."},
			true, func(ctx context.Context, c *call, in *DeleteFileInput) (*OKResult, error) {
				if err := c.client.DeleteFile(ctx, in.FileID); err != nil {
					return nil, err
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("File %s deleted.", in.FileID)}, nil
			}),
		define(spec{name: "get_browser_profile_usage", title: "Show what uses a browser profile", toolset: ToolsetBrowserProfiles, hints: readHints,
			description: "List what depends on a browser profile (bp_...): the workflows set to start from it, the credentials whose saved sign-in it holds, and how many runs it seeded in the last 30 days. Check it before delete_browser_profile."},
			true, func(ctx context.Context, c *call, in *ProfileIDInput) (*BrowserProfileUsageResult, error) {
				u, err := c.client.GetBrowserProfileUsage(ctx, in.ProfileID)
				if err != nil {
					return nil, err
				}
				return &BrowserProfileUsageResult{ProfileID: in.ProfileID, BrowserProfileUsage: *u}, nil
			}),
		define(spec{name: "get_run_tag_suggestions", title: "Suggest run tags", toolset: ToolsetTags, hints: readHints,
			description: "List every tag ever set on a workflow run of the organization: grouped keys with their values (reserved skyvern.* system keys included) and standalone labels. Use it to reuse existing tags in apply_run_tags or to filter runs by tag."},
			true, func(ctx context.Context, c *call, _ *NoInput) (*client.RunTagSuggestions, error) {
				return c.client.GetRunTagSuggestions(ctx)
			}),
		define(spec{name: "create_tag_value", title: "Register a tag value", toolset: ToolsetTags,
			hints:       hints{},
			description: "Register a key:value tag label (e.g. env:prod) with a palette color before any workflow uses it; it is listed by list_tag_values with workflow_count 0 until applied. 409 if it already exists (use update_tag_value to recolor)."},
			true, func(ctx context.Context, c *call, in *CreateTagValueInput) (*client.TagValue, error) {
				return c.client.CreateTagValue(ctx, &in.TagValueCreate)
			}),
	}
}
