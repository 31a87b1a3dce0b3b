package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

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

func workflowRunTools() []Tool {
	return []Tool{
		define(spec{name: "get_workflow_runs", title: "List workflow runs", toolset: ToolsetWorkflows, hints: readHints,
			description: "List the runs of all workflows, newest first, by status, search_key or error_code."},
			true, func(ctx context.Context, c *call, in *WorkflowRunsFilter) (*WorkflowRunsResult, error) {
				p := in.params()
				runs, err := c.client.GetWorkflowRuns(ctx, &p)
				if err != nil {
					return nil, err
				}
				return workflowRunsResult(in, runs), nil
			}),
		define(spec{name: "get_workflow_runs_by_id", title: "List a workflow's runs", toolset: ToolsetWorkflows, hints: readHints,
			description: "List one workflow's runs, newest first; the filters of get_workflow_runs, plus a created_at range."},
			true, func(ctx context.Context, c *call, in *GetWorkflowRunsByIDInput) (*WorkflowRunsResult, error) {
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
			true, func(ctx context.Context, c *call, in *RetryWorkflowRunInput) (*RunResult, error) {
				run, err := c.client.RetryWorkflowRun(ctx, in.WorkflowRunID, &client.RetryWorkflowRunOptions{MaxStepsOverride: in.MaxStepsOverride})
				if err != nil {
					return nil, err
				}
				return c.seen(&RunResult{Run: run, Message: fmt.Sprintf("Run %s started (%s) as a retry of %s. Follow it with get_run.", run.RunID, run.Status, in.WorkflowRunID)}), nil
			}),
		define(spec{name: "update_workflow_folder", title: "Move a workflow to a folder", toolset: ToolsetWorkflows,
			hints:       hints{idempotent: true},
			description: "Put a workflow in a folder, or take it out with an empty folder_id."},
			true, func(ctx context.Context, c *call, in *UpdateWorkflowFolderInput) (*WorkflowSummary, error) {
				wf, err := c.client.UpdateWorkflowFolder(ctx, in.WorkflowPermanentID, in.FolderID)
				return summarize(wf, err, "moved")
			}),
		define(spec{name: "reset_workflow_browser_profile", title: "Reset a workflow's browser", toolset: ToolsetWorkflows,
			hints:       hints{destructive: true, idempotent: true},
			description: "Clear the browser state (cookies, logins) a workflow saved; its next run starts fresh."},
			true, func(ctx context.Context, c *call, in *WorkflowPermanentIDInput) (*OKResult, error) {
				if err := c.client.ResetWorkflowBrowserProfile(ctx, in.WorkflowPermanentID); err != nil {
					return nil, err
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("Saved browser state of workflow %s cleared.", in.WorkflowPermanentID)}, nil
			}),
	}
}
