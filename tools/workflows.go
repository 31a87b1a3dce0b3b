package tools

import (
	"context"
	"fmt"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// RunWorkflowInput is run_workflow's input, with the SDK's names.
type RunWorkflowInput struct {
	WorkflowID string `json:"workflow_id" jsonschema:"required" jsonschema_description:"The workflow's workflow_permanent_id (wpid_...), from get_workflows; not the per-version workflow_id (w_...) of a workflow object."`
	client.WorkflowRunRequest
	Template         bool   `json:"template,omitempty" jsonschema_description:"Run a global workflow template instead of one of your workflows."`
	MaxStepsOverride *int   `json:"max_steps_override,omitempty" jsonschema:"minimum=1" jsonschema_description:"Override the maximum number of steps of each block. Each step is billed."`
	UserAgent        string `json:"user_agent,omitempty" jsonschema_description:"User-Agent the browser should use (sent as the x-user-agent header)."`
	WaitArgs
}

// WorkflowDefinitionInput is a workflow definition as JSON or YAML.
type WorkflowDefinitionInput struct {
	JSONDefinition map[string]any `json:"json_definition,omitempty" jsonschema_description:"The workflow as a JSON object: {title, description?, workflow_definition: {parameters: [...], blocks: [...]}, proxy_location?, webhook_callback_url?, ...}. Block types include task, navigation, extraction, action, login, for_loop, code, text_prompt, file_download, send_email, wait and http_request. Give this or yaml_definition."`
	YAMLDefinition string         `json:"yaml_definition,omitempty" jsonschema_description:"The same workflow as YAML text (Skyvern's export format). Give this or json_definition."`
}

// CreateWorkflowInput is create_workflow's input.
type CreateWorkflowInput struct {
	WorkflowDefinitionInput
	FolderID string `json:"folder_id,omitempty" jsonschema_description:"Folder to put the workflow in."`
}

// GetWorkflowInput is get_workflow's input.
type GetWorkflowInput struct {
	WorkflowPermanentID string `json:"workflow_permanent_id" jsonschema:"required" jsonschema_description:"Permanent ID of the workflow (wpid_...)."`
	Version             int    `json:"version,omitempty" jsonschema:"minimum=1" jsonschema_description:"Version number to get; omit for the latest."`
	Template            bool   `json:"template,omitempty" jsonschema_description:"Get a global workflow template."`
}

// GetWorkflowVersionsInput is get_workflow_versions' input.
type GetWorkflowVersionsInput struct {
	WorkflowPermanentID string `json:"workflow_permanent_id" jsonschema:"required" jsonschema_description:"Permanent ID of the workflow (wpid_...)."`
	Template            bool   `json:"template,omitempty" jsonschema_description:"List versions of a global workflow template."`
}

// WorkflowIDInput names a workflow by permanent ID, as update and delete do.
type WorkflowIDInput struct {
	WorkflowID string `json:"workflow_id" jsonschema:"required" jsonschema_description:"The workflow's workflow_permanent_id (wpid_...); not the per-version workflow_id (w_...) of a workflow object."`
}

// UpdateWorkflowInput is update_workflow's input.
type UpdateWorkflowInput struct {
	WorkflowIDInput
	WorkflowDefinitionInput
}

// WorkflowsResult is get_workflows' output.
type WorkflowsResult struct {
	Page      int               `json:"page"`
	PageSize  int               `json:"page_size"`
	Count     int               `json:"count"`
	Workflows []client.Workflow `json:"workflows"`
}

// WorkflowVersionsResult is get_workflow_versions' output.
type WorkflowVersionsResult struct {
	WorkflowPermanentID string            `json:"workflow_permanent_id"`
	Count               int               `json:"count"`
	Versions            []client.Workflow `json:"versions"`
}

func (w WorkflowDefinitionInput) request() *client.WorkflowRequest {
	return &client.WorkflowRequest{JSONDefinition: w.JSONDefinition, YAMLDefinition: w.YAMLDefinition}
}

func workflowTools() []Tool {
	return []Tool{
		define(spec{name: "run_workflow", title: "Run a workflow", toolset: ToolsetWorkflows,
			hints: hints{destructive: true, openWorld: true},
			description: "Start a run of a saved Skyvern workflow (wpid_...) with its parameters. COSTS MONEY: each run uses a cloud browser and is billed per step; do not start the same run twice. " +
				"Returns at once with run_id (wr_...), status and app_url unless wait_for_completion is true, in which case it waits (up to timeout seconds) and returns the final run. Find workflows and their parameters with get_workflows / get_workflow."},
			true, func(ctx context.Context, c *call, in *RunWorkflowInput) (*RunResult, error) {
				req := in.WorkflowRunRequest
				req.AgentID = in.WorkflowID
				req.Template = in.Template
				req.MaxStepsOverride = in.MaxStepsOverride
				req.UserAgent = in.UserAgent
				return startRun(ctx, c, in.WaitArgs, func(ctx context.Context) (*client.Run, error) { return c.client.RunWorkflow(ctx, &req) })
			}),
		define(spec{name: "create_workflow", title: "Create a workflow", toolset: ToolsetWorkflows,
			hints:       hints{},
			description: "Create a workflow from a definition given as json_definition (object) or yaml_definition (text). Skyvern validates it; a 422 error names the invalid part. Returns the workflow with its workflow_permanent_id (wpid_...) and version 1."},
			true, func(ctx context.Context, c *call, in *CreateWorkflowInput) (*client.Workflow, error) {
				return c.client.CreateWorkflow(ctx, in.request(), in.FolderID)
			}),
		define(spec{name: "get_workflows", title: "List workflows", toolset: ToolsetWorkflows, hints: readHints,
			description: "List your workflows a page at a time (page from 1, page_size default 10), optionally filtered by search_key, folder, status or tags. Returns each workflow's workflow_permanent_id, title, version and definition (with its parameters)."},
			true, func(ctx context.Context, c *call, in *client.GetWorkflowsParams) (*WorkflowsResult, error) {
				wfs, err := c.client.GetWorkflows(ctx, in)
				if err != nil {
					return nil, err
				}
				return &WorkflowsResult{Page: orDefault(in.Page, 1), PageSize: orDefault(in.PageSize, 10), Count: len(wfs), Workflows: wfs}, nil
			}),
		define(spec{name: "get_workflow", title: "Get a workflow", toolset: ToolsetWorkflows, hints: readHints,
			description: "Get one workflow by workflow_permanent_id (wpid_...): its definition, parameters and settings, at the latest version or the version given."},
			true, func(ctx context.Context, c *call, in *GetWorkflowInput) (*client.Workflow, error) {
				return c.client.GetWorkflow(ctx, in.WorkflowPermanentID, in.Version, in.Template)
			}),
		define(spec{name: "get_workflow_versions", title: "List a workflow's versions", toolset: ToolsetWorkflows, hints: readHints,
			description: "List every version of a workflow (wpid_...), each with its version number and definition."},
			true, func(ctx context.Context, c *call, in *GetWorkflowVersionsInput) (*WorkflowVersionsResult, error) {
				vs, err := c.client.GetWorkflowVersions(ctx, in.WorkflowPermanentID, in.Template)
				if err != nil {
					return nil, err
				}
				return &WorkflowVersionsResult{WorkflowPermanentID: in.WorkflowPermanentID, Count: len(vs), Versions: vs}, nil
			}),
		define(spec{name: "update_workflow", title: "Update a workflow", toolset: ToolsetWorkflows,
			hints:       hints{},
			description: "Replace a workflow's definition (json_definition or yaml_definition). This creates a new version; earlier versions stay available through get_workflow_versions."},
			true, func(ctx context.Context, c *call, in *UpdateWorkflowInput) (*client.Workflow, error) {
				return c.client.UpdateWorkflow(ctx, in.WorkflowID, in.request())
			}),
		define(spec{name: "delete_workflow", title: "Delete a workflow", toolset: ToolsetWorkflows,
			hints:       hints{destructive: true, idempotent: true},
			description: "Delete a workflow (wpid_...) and all its versions. Past runs stay readable."},
			true, func(ctx context.Context, c *call, in *WorkflowIDInput) (*OKResult, error) {
				if err := c.client.DeleteWorkflow(ctx, in.WorkflowID); err != nil {
					return nil, err
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("Workflow %s deleted.", in.WorkflowID)}, nil
			}),
	}
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}
