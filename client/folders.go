package client

import (
	"context"
	"fmt"
	"net/http"
)

// Folder is a folder that groups workflows (Folder schema), ID fld_...
// WorkflowCount counts the workflows whose latest version is in it.
// CreatedAt and ModifiedAt are ISO 8601 date-times.
type Folder struct {
	Title          string `json:"title"`
	Description    string `json:"description,omitempty"`
	FolderID       string `json:"folder_id"`
	OrganizationID string `json:"organization_id"`
	WorkflowCount  int    `json:"workflow_count"`
	CreatedAt      string `json:"created_at"`
	ModifiedAt     string `json:"modified_at"`
}

// FolderCreate is the body of POST /v1/folders (FolderCreate schema).
type FolderCreate struct {
	Title       string `json:"title" jsonschema:"required,minLength=1,maxLength=255" jsonschema_description:"Folder title."`
	Description string `json:"description,omitempty" jsonschema_description:"Folder description."`
}

// FolderUpdate is the body of PUT /v1/folders/{folder_id} (FolderUpdate
// schema). An empty Title and a nil Description leave the field unchanged;
// a pointer to "" clears the description.
type FolderUpdate struct {
	Title       string  `json:"title,omitempty" jsonschema:"minLength=1,maxLength=255" jsonschema_description:"New title; omit to keep it."`
	Description *string `json:"description,omitempty" jsonschema_description:"New description; omit to keep it, \"\" to clear it."`
}

// GetFoldersParams filters GET /v1/folders. Page starts at 1 (default 1);
// PageSize defaults to 100 and is at most 500.
type GetFoldersParams struct {
	Page     int    `url:"page,omitempty" json:"page,omitempty" jsonschema:"minimum=1" jsonschema_description:"Page number, from 1."`
	PageSize int    `url:"page_size,omitempty" json:"page_size,omitempty" jsonschema:"minimum=1,maximum=500" jsonschema_description:"Folders per page. Default 100."`
	Search   string `url:"search,omitempty" json:"search,omitempty" jsonschema_description:"Case-insensitive search in title and description."`
}

// DeleteFolderResult is the answer of DELETE /v1/folders/{folder_id}. The
// spec leaves it a free-form object; these are the fields Skyvern sends:
// status "deleted", the folder's ID, and whether its workflows were deleted
// too.
type DeleteFolderResult struct {
	Status           string `json:"status,omitempty"`
	FolderID         string `json:"folder_id,omitempty"`
	WorkflowsDeleted bool   `json:"workflows_deleted"`
}

// CreateFolder creates a folder to organize workflows: POST /v1/folders.
// Title is required (1 to 255 characters). Never retried. A 422 *APIError
// names an invalid field.
func (c *Client) CreateFolder(ctx context.Context, req *FolderCreate) (*Folder, error) {
	if req == nil || req.Title == "" {
		return nil, fmt.Errorf("create_folder: title is required")
	}
	return doJSON[Folder](ctx, c, &request{method: http.MethodPost, path: "/folders", body: req})
}

// GetFolders lists the organization's folders, most recently modified
// first, a page at a time: GET /v1/folders. params may be nil.
func (c *Client) GetFolders(ctx context.Context, params *GetFoldersParams) ([]Folder, error) {
	return doValue(ctx, c, &request{method: http.MethodGet, path: "/folders", query: queryOf(params)}, []Folder{})
}

// GetFolder returns a folder with its workflow count: GET
// /v1/folders/{folder_id}. An unknown ID is a 404 *APIError (IsNotFound).
func (c *Client) GetFolder(ctx context.Context, folderID string) (*Folder, error) {
	if folderID == "" {
		return nil, fmt.Errorf("get_folder: folder_id is required")
	}
	return doJSON[Folder](ctx, c, &request{method: http.MethodGet, path: pathf("/folders/%s", folderID)})
}

// UpdateFolder changes a folder's title and/or description: PUT
// /v1/folders/{folder_id}. Fields left empty (nil) keep their value. Not
// retried automatically. An unknown ID is a 404 *APIError.
func (c *Client) UpdateFolder(ctx context.Context, folderID string, req *FolderUpdate) (*Folder, error) {
	if folderID == "" {
		return nil, fmt.Errorf("update_folder: folder_id is required")
	}
	if req == nil {
		req = &FolderUpdate{}
	}
	return doJSON[Folder](ctx, c, &request{method: http.MethodPut, path: pathf("/folders/%s", folderID), body: req})
}

// DeleteFolder deletes a folder: DELETE /v1/folders/{folder_id}. Its
// workflows are kept and leave the folder, unless deleteWorkflows is true:
// then every workflow in it is deleted too. Never retried. An unknown ID is
// a 404 *APIError.
func (c *Client) DeleteFolder(ctx context.Context, folderID string, deleteWorkflows bool) (*DeleteFolderResult, error) {
	if folderID == "" {
		return nil, fmt.Errorf("delete_folder: folder_id is required")
	}
	q := queryOf(struct {
		DeleteWorkflows bool `url:"delete_workflows,omitempty"`
	}{deleteWorkflows})
	return doJSON[DeleteFolderResult](ctx, c, &request{method: http.MethodDelete, path: pathf("/folders/%s", folderID), query: q})
}
