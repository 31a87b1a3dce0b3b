package resources

import (
	"context"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// maxCompletions is the most values one completion answer holds (the MCP
// limit is 100).
const maxCompletions = 20

var (
	_ server.ResourceCompletionProvider = (*Registry)(nil)
	_ server.PromptCompletionProvider   = (*Registry)(nil)
)

// CompletionOptions are the server options that enable completion/complete
// for resource template and prompt arguments.
func (r *Registry) CompletionOptions() []server.ServerOption {
	return []server.ServerOption{
		server.WithCompletions(),
		server.WithResourceCompletionProvider(r),
		server.WithPromptCompletionProvider(r),
	}
}

// CompleteResourceArgument completes run_id, artifact_id,
// workflow_permanent_id and browser_session_id arguments of the templates.
func (r *Registry) CompleteResourceArgument(ctx context.Context, _ string, arg mcp.CompleteArgument, _ mcp.CompleteContext) (*mcp.Completion, error) {
	return r.complete(ctx, arg.Name, arg.Value), nil
}

// CompletePromptArgument completes the prompts' run_id argument.
func (r *Registry) CompletePromptArgument(ctx context.Context, _ string, arg mcp.CompleteArgument, _ mcp.CompleteContext) (*mcp.Completion, error) {
	return r.complete(ctx, arg.Name, arg.Value), nil
}

// complete returns the known IDs for an argument that start with prefix,
// most recent first. Runs and artifacts come from what this server has seen;
// workflows and browser sessions are listed from Skyvern. A failed listing
// gives no values rather than an error: completion is a convenience.
func (r *Registry) complete(ctx context.Context, name, prefix string) *mcp.Completion {
	var values []string
	switch name {
	case "run_id":
		values = r.recent.ids()
	case "artifact_id":
		values = r.recent.artifactIDs()
	case "workflow_permanent_id":
		if c, err := r.o.Deps.Client(ctx); err == nil {
			if wfs, err := c.GetWorkflows(ctx, &client.GetWorkflowsParams{PageSize: 100, SearchKey: ""}); err == nil {
				for _, w := range wfs {
					values = append(values, w.WorkflowPermanentID)
				}
			}
		}
	case "browser_session_id":
		if c, err := r.o.Deps.Client(ctx); err == nil {
			if ss, err := c.GetBrowserSessions(ctx); err == nil {
				for _, s := range ss {
					values = append(values, s.BrowserSessionID)
				}
			}
		}
	}
	return filterCompletion(values, prefix)
}

func filterCompletion(values []string, prefix string) *mcp.Completion {
	seen := map[string]bool{}
	out := []string{}
	for _, v := range values {
		if strings.HasPrefix(v, prefix) && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	total := len(out)
	more := false
	if len(out) > maxCompletions {
		out, more = out[:maxCompletions], true
	}
	return &mcp.Completion{Values: out, Total: total, HasMore: more}
}

// ids returns the remembered run IDs, newest first.
func (rr *recentRuns) ids() []string {
	page, _ := rr.page(^uint64(0), rr.max)
	out := make([]string, len(page))
	for i, e := range page {
		out[i] = e.id
	}
	return out
}

// artifactIDs returns the remembered artifact IDs, newest first.
func (rr *recentRuns) artifactIDs() []string {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	out := make([]string, len(rr.order))
	for i, id := range rr.order {
		out[len(out)-1-i] = id
	}
	return out
}
