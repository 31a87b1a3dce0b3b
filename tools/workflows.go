package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// RunWorkflowInput is run_workflow's input, with the SDK's names.
type RunWorkflowInput struct {
	WorkflowID string `json:"workflow_id" jsonschema:"required" jsonschema_description:"wpid_..."`
	client.WorkflowRunRequest
	Template         bool   `json:"template,omitempty" jsonschema_description:"Use a global template."`
	MaxStepsOverride *int   `json:"max_steps_override,omitempty" jsonschema:"minimum=1" jsonschema_description:"Step limit per block; each step is billed."`
	UserAgent        string `json:"user_agent,omitempty"`
	WaitArgs
}

// WorkflowDefinitionInput is a workflow definition as JSON or YAML.
type WorkflowDefinitionInput struct {
	JSONDefinition map[string]any `json:"json_definition,omitempty" jsonschema_description:"{title, workflow_definition: {parameters, blocks}, ...}"`
	YAMLDefinition string         `json:"yaml_definition,omitempty" jsonschema_description:"The same as YAML text. Give one of the two."`
}

// CreateWorkflowInput is create_workflow's input.
type CreateWorkflowInput struct {
	WorkflowDefinitionInput
	FolderID string `json:"folder_id,omitempty"`
}

// GetWorkflowInput is get_workflow's input.
type GetWorkflowInput struct {
	WorkflowPermanentID string `json:"workflow_permanent_id" jsonschema:"required" jsonschema_description:"wpid_..."`
	Version             int    `json:"version,omitempty" jsonschema:"minimum=1" jsonschema_description:"Omit for the latest."`
	Template            bool   `json:"template,omitempty" jsonschema_description:"Use a global template."`
}

// GetWorkflowVersionsInput is get_workflow_versions' input.
type GetWorkflowVersionsInput struct {
	WorkflowPermanentID string `json:"workflow_permanent_id" jsonschema:"required" jsonschema_description:"wpid_..."`
	Template            bool   `json:"template,omitempty" jsonschema_description:"Use a global template."`
}

// WorkflowIDInput names a workflow by permanent ID, as update and delete do.
type WorkflowIDInput struct {
	WorkflowID string `json:"workflow_id" jsonschema:"required" jsonschema_description:"wpid_..."`
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

// WorkflowSummary is what create_workflow, update_workflow and
// update_workflow_folder return: the workflow's identity and state, without
// echoing the definition the caller just sent (get_workflow has it all).
type WorkflowSummary struct {
	WorkflowPermanentID string                `json:"workflow_permanent_id"`
	WorkflowID          string                `json:"workflow_id"`
	Version             int                   `json:"version"`
	Title               string                `json:"title"`
	Status              client.WorkflowStatus `json:"status,omitempty"`
	FolderID            string                `json:"folder_id,omitempty"`
	// Parameters are the keys of the workflow's input parameters, for
	// run_workflow.
	Parameters []string `json:"parameters"`
	ModifiedAt string   `json:"modified_at"`
	Message    string   `json:"message"`
}

// summarize turns a workflow Skyvern returned into a WorkflowSummary.
func summarize(wf *client.Workflow, err error, what string) (*WorkflowSummary, error) {
	if err != nil {
		return nil, err
	}
	out := &WorkflowSummary{WorkflowPermanentID: wf.WorkflowPermanentID, WorkflowID: wf.WorkflowID, Version: wf.Version,
		Title: wf.Title, Status: wf.Status, FolderID: wf.FolderID, ModifiedAt: wf.ModifiedAt, Parameters: []string{}}
	if params, ok := wf.WorkflowDefinition["parameters"].([]any); ok {
		for _, p := range params {
			if m, ok := p.(map[string]any); ok {
				if key, ok := m["key"].(string); ok && m["parameter_type"] != "output" {
					out.Parameters = append(out.Parameters, key)
				}
			}
		}
	}
	out.Message = fmt.Sprintf("Workflow %s %s (version %d). get_workflow shows its definition; run_workflow runs it.", wf.WorkflowPermanentID, what, wf.Version)
	return out, nil
}

func workflowTools() []Tool {
	return []Tool{
		define(spec{name: "run_workflow", title: "Run a workflow", toolset: ToolsetWorkflows,
			hints:       hints{destructive: true, openWorld: true},
			description: "Run a saved workflow with its parameters. Billed per step: never start the same run twice. Returns run_id, or the final run with wait_for_completion."},
			func(ctx context.Context, c *call, in *RunWorkflowInput) (*RunResult, error) {
				req := in.WorkflowRunRequest
				req.AgentID = in.WorkflowID
				req.Template = in.Template
				req.MaxStepsOverride = in.MaxStepsOverride
				req.UserAgent = in.UserAgent
				return startRun(ctx, c, in.WaitArgs, func(ctx context.Context) (*client.Run, error) { return c.client.RunWorkflow(ctx, &req) })
			}),
		define(spec{name: "create_workflow", title: "Create a workflow", toolset: ToolsetWorkflows,
			hints:       hints{},
			description: "Create a workflow from json_definition or yaml_definition; Skyvern's 422 names any invalid part. Sent with an idempotency key: a retry after a lost answer never creates it twice."},
			func(ctx context.Context, c *call, in *CreateWorkflowInput) (*WorkflowSummary, error) {
				wf, err := c.client.CreateWorkflow(ctx, in.request(), in.FolderID)
				return summarize(wf, err, "created")
			}),
		define(spec{name: "get_workflows", title: "List workflows", toolset: ToolsetWorkflows, hints: readHints,
			description: "List workflows a page at a time, with their parameters; filter by search, folder, status or tags."},
			func(ctx context.Context, c *call, in *client.GetWorkflowsParams) (*WorkflowsResult, error) {
				wfs, err := c.client.GetWorkflows(ctx, in)
				if err != nil {
					return nil, err
				}
				return &WorkflowsResult{Page: orDefault(in.Page, 1), PageSize: orDefault(in.PageSize, 10), Count: len(wfs), Workflows: wfs}, nil
			}),
		define(spec{name: "get_workflow", title: "Get a workflow", toolset: ToolsetWorkflows, hints: readHints,
			description: "Get a workflow's definition, parameters and settings: the latest version or the one given."},
			func(ctx context.Context, c *call, in *GetWorkflowInput) (*client.Workflow, error) {
				return c.client.GetWorkflow(ctx, in.WorkflowPermanentID, in.Version, in.Template)
			}),
		define(spec{name: "get_workflow_versions", title: "List a workflow's versions", toolset: ToolsetWorkflows, hints: readHints,
			description: "List every version of a workflow (wpid_...), each with its version number and definition."},
			func(ctx context.Context, c *call, in *GetWorkflowVersionsInput) (*WorkflowVersionsResult, error) {
				vs, err := c.client.GetWorkflowVersions(ctx, in.WorkflowPermanentID, in.Template)
				if err != nil {
					return nil, err
				}
				return &WorkflowVersionsResult{WorkflowPermanentID: in.WorkflowPermanentID, Count: len(vs), Versions: vs}, nil
			}),
		define(spec{name: "update_workflow", title: "Update a workflow", toolset: ToolsetWorkflows,
			hints:       hints{},
			description: "Replace a workflow's definition (json_definition or yaml_definition), creating a new version."},
			func(ctx context.Context, c *call, in *UpdateWorkflowInput) (*WorkflowSummary, error) {
				wf, err := c.client.UpdateWorkflow(ctx, in.WorkflowID, in.request())
				return summarize(wf, err, "updated")
			}),
		define(spec{name: "delete_workflow", title: "Delete a workflow", toolset: ToolsetWorkflows,
			hints:       hints{destructive: true, idempotent: true},
			description: "Delete a workflow and all its versions; its past runs stay readable."},
			func(ctx context.Context, c *call, in *WorkflowIDInput) (*OKResult, error) {
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

// WorkflowPermanentIDInput names a workflow by its permanent ID.
type WorkflowPermanentIDInput struct {
	WorkflowPermanentID string `json:"workflow_permanent_id" jsonschema:"required" jsonschema_description:"wpid_..."`
}

// WorkflowRunsFilter is get_workflow_runs' input, shared by
// get_workflow_runs_by_id. Statuses are plain strings checked by the client.
type WorkflowRunsFilter struct {
	Page      int      `json:"page,omitempty" jsonschema:"minimum=1"`
	PageSize  int      `json:"page_size,omitempty" jsonschema:"minimum=1"`
	Status    []string `json:"status,omitempty"`
	SearchKey string   `json:"search_key,omitempty" jsonschema_description:"Text in run ID, parameters or headers."`
	ErrorCode string   `json:"error_code,omitempty" jsonschema_description:"Exact, e.g. LOGIN_FAILED."`
}

func (f *WorkflowRunsFilter) params() client.GetWorkflowRunsParams {
	return client.GetWorkflowRunsParams{Page: f.Page, PageSize: f.PageSize, Status: asEnum[client.RunStatus](f.Status),
		SearchKey: f.SearchKey, ErrorCode: f.ErrorCode}
}

// GetWorkflowRunsByIDInput is get_workflow_runs_by_id's input.
type GetWorkflowRunsByIDInput struct {
	WorkflowID string `json:"workflow_id" jsonschema:"required" jsonschema_description:"wpid_..."`
	WorkflowRunsFilter
	CreatedAtStart *time.Time `json:"created_at_start,omitempty" jsonschema_description:"Included."`
	CreatedAtEnd   *time.Time `json:"created_at_end,omitempty" jsonschema_description:"Excluded."`
}

// RetryWorkflowRunInput is retry_workflow_run's input.
type RetryWorkflowRunInput struct {
	WorkflowRunID    string `json:"workflow_run_id" jsonschema:"required" jsonschema_description:"wr_... of a finished run."`
	MaxStepsOverride *int   `json:"max_steps_override,omitempty" jsonschema:"minimum=1" jsonschema_description:"Max steps per block."`
}

// UpdateWorkflowFolderInput is update_workflow_folder's input.
type UpdateWorkflowFolderInput struct {
	WorkflowPermanentIDInput
	FolderID string `json:"folder_id,omitempty" jsonschema_description:"Omit to take it out of its folder."`
}

// WorkflowRunsResult is the output of the workflow run listings.
type WorkflowRunsResult struct {
	Page         int                  `json:"page"`
	PageSize     int                  `json:"page_size"`
	Count        int                  `json:"count"`
	WorkflowRuns []client.WorkflowRun `json:"workflow_runs"`
	Message      string               `json:"message,omitempty"`
}

func workflowRunsResult(f *WorkflowRunsFilter, runs []client.WorkflowRun) *WorkflowRunsResult {
	return &WorkflowRunsResult{Page: orDefault(f.Page, 1), PageSize: orDefault(f.PageSize, 10), Count: len(runs), WorkflowRuns: runs}
}

// workflowRunTools are the workflow run listing, retry and folder tools.
func workflowRunTools() []Tool {
	return []Tool{
		define(spec{name: "get_workflow_runs", title: "List workflow runs", toolset: ToolsetWorkflows, hints: readHints,
			description: "List the runs of all workflows, newest first, by status, search_key or error_code."},
			func(ctx context.Context, c *call, in *WorkflowRunsFilter) (*WorkflowRunsResult, error) {
				p := in.params()
				runs, err := c.client.GetWorkflowRuns(ctx, &p)
				if err != nil {
					return nil, err
				}
				return workflowRunsResult(in, runs), nil
			}),
		define(spec{name: "get_workflow_runs_by_id", title: "List a workflow's runs", toolset: ToolsetWorkflows, hints: readHints,
			description: "List one workflow's runs, newest first; the filters of get_workflow_runs, plus a created_at range."},
			func(ctx context.Context, c *call, in *GetWorkflowRunsByIDInput) (*WorkflowRunsResult, error) {
				runs, err := c.client.GetWorkflowRunsByID(ctx, in.WorkflowID, &client.GetWorkflowRunsByIDParams{
					GetWorkflowRunsParams: in.params(), CreatedAtStart: in.CreatedAtStart, CreatedAtEnd: in.CreatedAtEnd})
				if err != nil {
					return nil, err
				}
				res := workflowRunsResult(&in.WorkflowRunsFilter, runs)
				if len(runs) == 0 && orDefault(in.Page, 1) == 1 {
					res.Message = fmt.Sprintf("No runs match. Skyvern answers an empty list for an unknown workflow too: check that %s is a workflow_permanent_id (wpid_...) from get_workflows.", in.WorkflowID)
				}
				return res, nil
			}),
		define(spec{name: "retry_workflow_run", title: "Retry a workflow run", toolset: ToolsetWorkflows,
			hints:       hints{destructive: true, openWorld: true},
			description: "Start a NEW run of a finished workflow run with its original parameters. COSTS MONEY: never repeat a call."},
			func(ctx context.Context, c *call, in *RetryWorkflowRunInput) (*RunResult, error) {
				run, err := c.client.RetryWorkflowRun(ctx, in.WorkflowRunID, &client.RetryWorkflowRunOptions{MaxStepsOverride: in.MaxStepsOverride})
				if err != nil {
					return nil, err
				}
				return c.seen(&RunResult{Run: run, Message: fmt.Sprintf("Run %s started (%s) as a retry of %s. Follow it with get_run.", run.RunID, run.Status, in.WorkflowRunID)}), nil
			}),
		define(spec{name: "update_workflow_folder", title: "Move a workflow to a folder", toolset: ToolsetWorkflows,
			hints:       hints{idempotent: true},
			description: "Put a workflow in a folder, or take it out with an empty folder_id."},
			func(ctx context.Context, c *call, in *UpdateWorkflowFolderInput) (*WorkflowSummary, error) {
				wf, err := c.client.UpdateWorkflowFolder(ctx, in.WorkflowPermanentID, in.FolderID)
				return summarize(wf, err, "moved")
			}),
		define(spec{name: "reset_workflow_browser_profile", title: "Reset a workflow's browser", toolset: ToolsetWorkflows,
			hints:       hints{destructive: true, idempotent: true},
			description: "Clear the browser state (cookies, logins) a workflow saved; its next run starts fresh."},
			func(ctx context.Context, c *call, in *WorkflowPermanentIDInput) (*OKResult, error) {
				if err := c.client.ResetWorkflowBrowserProfile(ctx, in.WorkflowPermanentID); err != nil {
					return nil, err
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("Saved browser state of workflow %s cleared.", in.WorkflowPermanentID)}, nil
			}),
	}
}
