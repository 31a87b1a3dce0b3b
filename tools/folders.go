package tools

import (
	"context"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// FolderIDInput names a folder.
type FolderIDInput struct {
	FolderID string `json:"folder_id" jsonschema:"required" jsonschema_description:"ID of the folder (fld_...)."`
}

// UpdateFolderInput is update_folder's input.
type UpdateFolderInput struct {
	FolderIDInput
	client.FolderUpdate
}

// DeleteFolderInput is delete_folder's input.
type DeleteFolderInput struct {
	FolderIDInput
	DeleteWorkflows bool `json:"delete_workflows,omitempty" jsonschema_description:"Also delete the folder's workflows. Default false: they only leave the folder."`
}

// FoldersResult is get_folders' output.
type FoldersResult struct {
	Page     int             `json:"page"`
	PageSize int             `json:"page_size"`
	Count    int             `json:"count"`
	Folders  []client.Folder `json:"folders"`
}

func folderTools() []Tool {
	return []Tool{
		define(spec{name: "create_folder", title: "Create a folder", toolset: ToolsetFolders, hints: hints{},
			description: "Create a folder (fld_...) to organize workflows. Put a workflow in it with create_workflow's folder_id; list its workflows with get_workflows' folder_id."},
			func(ctx context.Context, c *call, in *client.FolderCreate) (*client.Folder, error) {
				return c.client.CreateFolder(ctx, in)
			}),
		define(spec{name: "get_folders", title: "List folders", toolset: ToolsetFolders, hints: readHints,
			description: "List workflow folders with their workflow_count, most recently changed first, a page at a time (page_size default 100), optionally searching title and description."},
			func(ctx context.Context, c *call, in *client.GetFoldersParams) (*FoldersResult, error) {
				fs, err := c.client.GetFolders(ctx, in)
				if err != nil {
					return nil, err
				}
				return &FoldersResult{Page: orDefault(in.Page, 1), PageSize: orDefault(in.PageSize, 100), Count: len(fs), Folders: fs}, nil
			}),
		define(spec{name: "get_folder", title: "Get a folder", toolset: ToolsetFolders, hints: readHints,
			description: "Get a folder (fld_...): title, description and workflow_count, the number of workflows in it."},
			func(ctx context.Context, c *call, in *FolderIDInput) (*client.Folder, error) {
				return c.client.GetFolder(ctx, in.FolderID)
			}),
		define(spec{name: "update_folder", title: "Update a folder", toolset: ToolsetFolders,
			hints:       hints{idempotent: true},
			description: "Change a folder's title and/or description; omitted fields keep their value and an empty description clears it."},
			func(ctx context.Context, c *call, in *UpdateFolderInput) (*client.Folder, error) {
				return c.client.UpdateFolder(ctx, in.FolderID, &in.FolderUpdate)
			}),
		define(spec{name: "delete_folder", title: "Delete a folder", toolset: ToolsetFolders,
			hints:       hints{destructive: true, idempotent: true},
			description: "Delete a folder (fld_...): its workflows stay but leave the folder, unless delete_workflows is true, which deletes them too."},
			func(ctx context.Context, c *call, in *DeleteFolderInput) (*client.DeleteFolderResult, error) {
				return c.client.DeleteFolder(ctx, in.FolderID, in.DeleteWorkflows)
			}),
	}
}
