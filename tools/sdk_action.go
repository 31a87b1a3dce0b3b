package tools

import (
	"context"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// SDKActionResult is run_sdk_action's output.
type SDKActionResult struct {
	WorkflowRunID string `json:"workflow_run_id" jsonschema_description:"Workflow run (wr_...) the action was recorded in; readable with get_run."`
	// Result depends on the action type; absent for ai_act.
	Result any `json:"result,omitempty" jsonschema_description:"Selector, extracted data, true/false (validate) or answer (prompt)."`
}

func sdkActionTools() []Tool {
	return []Tool{
		define(spec{name: "run_sdk_action", title: "Run one AI browser action", toolset: ToolsetSDK,
			hints:       hints{destructive: true, openWorld: true},
			description: "Do one AI action on a page, which COSTS MONEY, best in a browser session (pbs_...): click, type, select, upload, act, extract, locate, validate or prompt. Sent once, never retried: do not repeat it."},
			func(ctx context.Context, c *call, in *client.RunSDKActionRequest) (*SDKActionResult, error) {
				res, err := c.client.RunSDKAction(ctx, in)
				if err != nil {
					return nil, err
				}
				v, err := decodeAny(res.Result)
				if err != nil {
					return nil, err
				}
				return &SDKActionResult{WorkflowRunID: res.WorkflowRunID, Result: v}, nil
			}),
	}
}
