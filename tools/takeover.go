package tools

import (
	"context"
	"errors"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// FollowTaskRun follows the Skyvern run runID (already started by the run
// tool named tool in a task-augmented call, on a server replica that went
// away) until it is final, and returns what that call's task would have
// ended with: the tool's result for a completed run; an error for a run
// that failed, timed out or was terminated (its message says why), or one
// wrapping context.Canceled for a canceled run or when ctx ends. observe,
// when set, receives each new status message. It never starts or cancels a
// run. It polls GET /v1/runs/{run_id} with c (through Deps.Watcher when set).
func (d *Deps) FollowTaskRun(ctx context.Context, c *client.Client, tool, runID string, observe func(ctx context.Context, runID, message string)) (*mcp.CallToolResult, error) {
	if !SupportsTasks(tool) {
		return nil, fmt.Errorf("%s: not a run tool", tool)
	}
	run, err := c.GetRun(ctx, runID)
	if err != nil {
		return nil, errors.New(d.redact(describeError(err, c.BaseURL())))
	}
	// The same Deps but for the task bookkeeping, which is this call's own.
	dd := &Deps{Client: d.Client, Log: d.Log, Watcher: d.Watcher, PollInitial: d.PollInitial, PollMax: d.PollMax,
		Secrets: d.Secrets, OnRun: d.OnRun, ResourceLinks: d.ResourceLinks, NoResourceLinkItems: d.NoResourceLinkItems,
		MaxResultBytes: d.MaxResultBytes, Tasks: NewTasks(TaskOptions{Observe: observe})}
	cl := &call{deps: dd, client: c, task: &taskState{}}
	out, err := followTask(ctx, cl, run)
	var end *taskEndError
	if errors.As(err, &end) {
		if errors.Is(end.err, context.Canceled) {
			return nil, end.err
		}
		return nil, errors.New(d.redact(end.err.Error()))
	}
	if err != nil {
		return nil, errors.New(d.redact(describeError(err, c.BaseURL())))
	}
	_, schema, _ := embeddedSchemas(tool)
	return (&resultShaper{raw: schema}).result(dd, cl.seen(out))
}
