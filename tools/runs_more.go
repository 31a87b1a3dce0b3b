package tools

import (
	"context"
	"fmt"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// BulkCancelRunsInput is bulk_cancel_runs' input.
type BulkCancelRunsInput struct {
	RunIDs []string `json:"run_ids" jsonschema:"required,minItems=1,maxItems=100" jsonschema_description:"tsk_... and wr_... IDs."`
}

// GetRunsV2Input is get_runs_v2's input. Statuses and run types are plain
// strings, checked by the client (whose error lists the allowed values):
// enums here would cost every conversation their bytes.
type GetRunsV2Input struct {
	Page      int      `json:"page,omitempty" jsonschema:"minimum=1"`
	PageSize  int      `json:"page_size,omitempty" jsonschema:"minimum=1,maximum=100"`
	Status    []string `json:"status,omitempty"`
	RunType   []string `json:"run_type,omitempty"`
	SearchKey string   `json:"search_key,omitempty" jsonschema:"minLength=3" jsonschema_description:"Part of a run ID or title."`
}

func (in *GetRunsV2Input) params() *client.GetRunsParams {
	return &client.GetRunsParams{Page: in.Page, PageSize: in.PageSize, Status: asEnum[client.RunStatus](in.Status),
		RunType: asEnum[client.RunType](in.RunType), SearchKey: in.SearchKey}
}

func asEnum[T ~string](vs []string) []T {
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = T(v)
	}
	return out
}

// BulkCancelResult is bulk_cancel_runs' output.
type BulkCancelResult struct {
	client.BulkCancelRunsResponse
	Message string `json:"message"`
}

// RunsResult is get_runs_v2's output.
type RunsResult struct {
	Page     int                      `json:"page"`
	PageSize int                      `json:"page_size"`
	Count    int                      `json:"count"`
	Runs     []client.TaskRunListItem `json:"runs"`
}

func moreRunTools() []Tool {
	return []Tool{
		define(spec{name: "bulk_cancel_runs", title: "Cancel runs", toolset: ToolsetRuns,
			hints:       hints{destructive: true, idempotent: true},
			description: "Cancel up to 100 runs; returns which were cancelled and which not (unknown or finished)."},
			true, func(ctx context.Context, c *call, in *BulkCancelRunsInput) (*BulkCancelResult, error) {
				res, err := c.client.BulkCancelRuns(ctx, in.RunIDs)
				if err != nil {
					return nil, err
				}
				return &BulkCancelResult{BulkCancelRunsResponse: *res,
					Message: fmt.Sprintf("%d cancelled, %d not cancelled.", len(res.Cancelled), len(res.Failed))}, nil
			}),
		define(spec{name: "get_runs_v2", title: "List runs", toolset: ToolsetRuns, hints: readHints,
			description: "List and filter your task and workflow runs, newest first, by status, run_type or search_key."},
			true, func(ctx context.Context, c *call, in *GetRunsV2Input) (*RunsResult, error) {
				runs, err := c.client.GetRunsV2(ctx, in.params())
				if err != nil {
					return nil, err
				}
				return &RunsResult{Page: orDefault(in.Page, 1), PageSize: orDefault(in.PageSize, 10), Count: len(runs), Runs: runs}, nil
			}),
	}
}
