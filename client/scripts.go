package client

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
)

// FileEncoding is how a script file's content is encoded.
type FileEncoding string

// File encodings, from the FileEncoding schema.
const (
	FileEncodingBase64 FileEncoding = "base64"
	FileEncodingUTF8   FileEncoding = "utf-8"
)

// EnumValues lists every file encoding.
func (FileEncoding) EnumValues() []string { return []string{"base64", "utf-8"} }

// ScriptFileCreate is one file of a script (ScriptFileCreate schema). Path
// is relative to the script's root ("main.py", "src/util.py"). Content is
// base64 unless Encoding is utf-8 (the API's default is base64).
type ScriptFileCreate struct {
	Path     string       `json:"path" jsonschema:"required" jsonschema_description:"Path relative to the script root, e.g. main.py."`
	Content  string       `json:"content" jsonschema:"required" jsonschema_description:"File content: base64, or plain text when encoding is utf-8."`
	Encoding FileEncoding `json:"encoding,omitempty" jsonschema_description:"Encoding of content. Default base64."`
	MimeType string       `json:"mime_type,omitempty" jsonschema_description:"MIME type, e.g. text/x-python. Detected when omitted."`
}

// CreateScriptRequest is the body of POST /v1/scripts (CreateScriptRequest
// schema); every field is optional.
type CreateScriptRequest struct {
	WorkflowID string             `json:"workflow_id,omitempty" jsonschema_description:"Workflow the script belongs to."`
	RunID      string             `json:"run_id,omitempty" jsonschema_description:"Run (tsk_... or wr_...) the script was generated from."`
	Files      []ScriptFileCreate `json:"files,omitempty" jsonschema_description:"Files of the script."`
}

// DeployScriptRequest is the body of POST /v1/scripts/{script_id}/deploy
// (DeployScriptRequest schema): the files of the new version.
type DeployScriptRequest struct {
	Files []ScriptFileCreate `json:"files" jsonschema:"required" jsonschema_description:"Every file of the new version."`
}

// FileNode is a file or a directory of a script's file tree (FileNode
// schema). Type is "file" or "directory"; a directory has Children keyed
// by name. Size is in bytes; ContentHash is "sha256:<hex>".
type FileNode struct {
	Type        string              `json:"type"`
	Size        *int64              `json:"size,omitempty"`
	MimeType    string              `json:"mime_type,omitempty"`
	ContentHash string              `json:"content_hash,omitempty"`
	CreatedAt   string              `json:"created_at"`
	Children    map[string]FileNode `json:"children,omitempty"`
}

// CreateScriptResponse is the answer of create_script and deploy_script
// (CreateScriptResponse schema): the script's ID (s_...), the version just
// made (1 for a new script) and its file tree keyed by top-level name.
type CreateScriptResponse struct {
	ScriptID  string              `json:"script_id"`
	Version   int                 `json:"version"`
	RunID     string              `json:"run_id,omitempty"`
	FileCount int                 `json:"file_count"`
	FileTree  map[string]FileNode `json:"file_tree"`
	CreatedAt string              `json:"created_at"`
}

func (r *CreateScriptResponse) validate() error {
	if r.ScriptID == "" {
		return errors.New("the answer is not a script: script_id is missing")
	}
	return nil
}

// Script is one version of a script (Script schema). ScriptID (s_...)
// stays the same across versions; ScriptRevisionID (sr_...) names this
// version.
type Script struct {
	ScriptRevisionID string `json:"script_revision_id"`
	ScriptID         string `json:"script_id"`
	OrganizationID   string `json:"organization_id"`
	RunID            string `json:"run_id,omitempty"`
	Version          int    `json:"version"`
	CreatedAt        string `json:"created_at"`
	ModifiedAt       string `json:"modified_at"`
	DeletedAt        string `json:"deleted_at,omitempty"`
}

func (s *Script) validate() error {
	if s.ScriptID == "" {
		return errors.New("the answer is not a script: script_id is missing")
	}
	return nil
}

// GetScriptsParams pages GET /v1/scripts. Page starts at 1; PageSize
// defaults to 10.
type GetScriptsParams struct {
	Page     int `url:"page,omitempty" json:"page,omitempty" jsonschema:"minimum=1" jsonschema_description:"Page number, from 1. Default 1."`
	PageSize int `url:"page_size,omitempty" json:"page_size,omitempty" jsonschema:"minimum=1" jsonschema_description:"Scripts per page. Default 10."`
}

// validateScriptFiles checks what Skyvern would otherwise reject with a
// bare 500: a file without a path, or base64 content that does not decode.
func validateScriptFiles(op string, files []ScriptFileCreate) error {
	for i, f := range files {
		if f.Path == "" {
			return fmt.Errorf("%s: files[%d].path is required (relative to the script root, e.g. main.py)", op, i)
		}
		switch f.Encoding {
		case "", FileEncodingBase64:
			if _, err := base64.StdEncoding.DecodeString(f.Content); err != nil {
				return fmt.Errorf("%s: files[%d].content (%s) is not valid base64; encode it, or set encoding to utf-8 for plain text", op, i, f.Path)
			}
		case FileEncodingUTF8:
		default:
			return fmt.Errorf("%s: files[%d].encoding must be base64 or utf-8, got %q", op, i, f.Encoding)
		}
	}
	return nil
}

// CreateScript creates a script (version 1) from files: POST /v1/scripts.
// File contents are checked before sending (base64 unless the file's
// encoding is utf-8). Never retried.
func (c *Client) CreateScript(ctx context.Context, req *CreateScriptRequest) (*CreateScriptResponse, error) {
	if req == nil {
		req = &CreateScriptRequest{}
	}
	if err := validateScriptFiles("create_script", req.Files); err != nil {
		return nil, err
	}
	return doJSON[CreateScriptResponse](ctx, c, &request{method: http.MethodPost, path: "/scripts", body: req})
}

// GetScripts lists scripts (the latest version of each), a page at a time:
// GET /v1/scripts.
func (c *Client) GetScripts(ctx context.Context, params *GetScriptsParams) ([]Script, error) {
	return doValue(ctx, c, &request{method: http.MethodGet, path: "/scripts", query: queryOf(params)}, []Script{})
}

// GetScript returns the latest version of a script: GET
// /v1/scripts/{script_id} (404 for an unknown script).
func (c *Client) GetScript(ctx context.Context, scriptID string) (*Script, error) {
	if scriptID == "" {
		return nil, fmt.Errorf("get_script: script_id is required (s_...)")
	}
	return doJSON[Script](ctx, c, &request{method: http.MethodGet, path: pathf("/scripts/%s", scriptID)})
}

// DeployScript makes a new version of a script from files: POST
// /v1/scripts/{script_id}/deploy. The answer carries the new version
// number. Never retried.
func (c *Client) DeployScript(ctx context.Context, scriptID string, req *DeployScriptRequest) (*CreateScriptResponse, error) {
	if scriptID == "" {
		return nil, fmt.Errorf("deploy_script: script_id is required (s_...)")
	}
	if req == nil || len(req.Files) == 0 {
		return nil, fmt.Errorf("deploy_script: files is required: every file of the new version")
	}
	if err := validateScriptFiles("deploy_script", req.Files); err != nil {
		return nil, err
	}
	return doJSON[CreateScriptResponse](ctx, c, &request{method: http.MethodPost, path: pathf("/scripts/%s/deploy", scriptID), body: req})
}

// RunScript starts a run of a script's latest version: POST
// /v1/scripts/{script_id}/run, with no body. The spec leaves the answer
// open; Skyvern answers JSON null (returned as an empty RawJSON) because the
// script runs in the background. A run may cost money, so this request is
// never retried.
func (c *Client) RunScript(ctx context.Context, scriptID string) (RawJSON, error) {
	if scriptID == "" {
		return nil, fmt.Errorf("run_script: script_id is required (s_...)")
	}
	var out RawJSON
	if _, err := c.do(ctx, &request{method: http.MethodPost, path: pathf("/scripts/%s/run", scriptID)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}
