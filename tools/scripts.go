package tools

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// ScriptIDInput names a script.
type ScriptIDInput struct {
	ScriptID string `json:"script_id" jsonschema:"required" jsonschema_description:"Script ID (s_...)."`
}

// DeployScriptInput is deploy_script's input.
type DeployScriptInput struct {
	ScriptIDInput
	client.DeployScriptRequest
}

// ScriptsResult is get_scripts' output.
type ScriptsResult struct {
	Page     int             `json:"page"`
	PageSize int             `json:"page_size"`
	Count    int             `json:"count"`
	Scripts  []client.Script `json:"scripts"`
}

// RunScriptResult is run_script's output.
type RunScriptResult struct {
	OK       bool   `json:"ok"`
	ScriptID string `json:"script_id"`
	// Result is Skyvern's answer, when it sends more than null.
	Result  any    `json:"result,omitempty" jsonschema_description:"Skyvern's answer, when not null."`
	Message string `json:"message"`
}

// base64Files returns files with every utf-8 content encoded as base64:
// Skyvern base64-decodes every file whatever its encoding says, so plain
// text would be garbled or refused.
func base64Files(files []client.ScriptFileCreate) []client.ScriptFileCreate {
	out := make([]client.ScriptFileCreate, len(files))
	for i, f := range files {
		if f.Encoding == client.FileEncodingUTF8 {
			f.Content = base64.StdEncoding.EncodeToString([]byte(f.Content))
			f.Encoding = client.FileEncodingBase64
		}
		out[i] = f
	}
	return out
}

// decodeAny turns a JSON value into a plain Go value (numbers kept exact).
func decodeAny(raw client.RawJSON) (any, error) {
	if raw.IsNull() {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("Skyvern's result is not JSON: %w", err)
	}
	return v, nil
}

func scriptTools() []Tool {
	return []Tool{
		define(spec{name: "create_script", title: "Create a script", toolset: ToolsetScripts, hints: hints{},
			description: "Create a code script (s_..., version 1) from files, each a path and content (base64, or plain text with encoding utf-8). Returns the script_id and the file tree with sizes and hashes."},
			func(ctx context.Context, c *call, in *client.CreateScriptRequest) (*client.CreateScriptResponse, error) {
				req := *in
				req.Files = base64Files(in.Files)
				return c.client.CreateScript(ctx, &req)
			}),
		define(spec{name: "get_scripts", title: "List scripts", toolset: ToolsetScripts, hints: readHints,
			description: "List scripts (the latest version of each), newest first, a page at a time (page from 1, page_size default 10)."},
			func(ctx context.Context, c *call, in *client.GetScriptsParams) (*ScriptsResult, error) {
				ss, err := c.client.GetScripts(ctx, in)
				if err != nil {
					return nil, err
				}
				return &ScriptsResult{Page: orDefault(in.Page, 1), PageSize: orDefault(in.PageSize, 10), Count: len(ss), Scripts: ss}, nil
			}),
		define(spec{name: "get_script", title: "Get a script", toolset: ToolsetScripts, hints: readHints,
			description: "Get a script (s_...) at its latest version: version number, revision ID (sr_...), the run it came from and when it was made."},
			func(ctx context.Context, c *call, in *ScriptIDInput) (*client.Script, error) {
				return c.client.GetScript(ctx, in.ScriptID)
			}),
		define(spec{name: "deploy_script", title: "Deploy a script version", toolset: ToolsetScripts, hints: hints{},
			description: "Deploy files as a script's next version (s_...): give every file of the new version. Returns the new version number and its file tree."},
			func(ctx context.Context, c *call, in *DeployScriptInput) (*client.CreateScriptResponse, error) {
				return c.client.DeployScript(ctx, in.ScriptID, &client.DeployScriptRequest{Files: base64Files(in.Files)})
			}),
		define(spec{name: "run_script", title: "Run a script", toolset: ToolsetScripts,
			hints:       hints{destructive: true, openWorld: true},
			description: "Run a script's latest version (s_...) in the background; this COSTS MONEY and is sent once, never retried: do not repeat it. Skyvern returns no run ID to follow."},
			func(ctx context.Context, c *call, in *ScriptIDInput) (*RunScriptResult, error) {
				raw, err := c.client.RunScript(ctx, in.ScriptID)
				if err != nil {
					return nil, err
				}
				v, err := decodeAny(raw)
				if err != nil {
					return nil, err
				}
				return &RunScriptResult{OK: true, ScriptID: in.ScriptID, Result: v,
					Message: fmt.Sprintf("Script %s started in the background; Skyvern gives no run ID to follow.", in.ScriptID)}, nil
			}),
	}
}
