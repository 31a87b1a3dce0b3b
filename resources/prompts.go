package resources

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// maxPromptScreenshot bounds the screenshot debug_run embeds: 1 MiB.
const maxPromptScreenshot = 1 << 20

// RegisterPrompts adds the prompts extract_data, debug_run and
// build_workflow to s.
func (r *Registry) RegisterPrompts(s *server.MCPServer) {
	s.AddPrompt(mcp.NewPrompt("extract_data",
		mcp.WithPromptTitle("Extract data from a website"),
		mcp.WithPromptDescription("Plan a run_task call that extracts structured data from a page: the instructions and a JSON Schema for data_extraction_schema."),
		mcp.WithArgument("url", mcp.RequiredArgument(), mcp.ArgumentDescription("Page to extract from, e.g. https://news.ycombinator.com")),
		mcp.WithArgument("what", mcp.RequiredArgument(), mcp.ArgumentDescription("What to extract, as a comma-separated list of fields, e.g. \"title, price, rating\"")),
	), r.extractDataPrompt)
	s.AddPrompt(mcp.NewPrompt("debug_run",
		mcp.WithPromptTitle("Debug a Skyvern run"),
		mcp.WithPromptDescription("Explain why a run failed or what it did: embeds the run, a summary of its timeline, its failure reason and its last screenshot."),
		mcp.WithArgument("run_id", mcp.RequiredArgument(), mcp.ArgumentDescription("The run to debug: tsk_..., tsk_v2_... or wr_...")),
	), r.debugRunPrompt)
	s.AddPrompt(mcp.NewPrompt("build_workflow",
		mcp.WithPromptTitle("Build a Skyvern workflow"),
		mcp.WithPromptDescription("Turn a goal into a reusable Skyvern workflow definition and create it with create_workflow."),
		mcp.WithArgument("goal", mcp.RequiredArgument(), mcp.ArgumentDescription("What the workflow should do, e.g. \"every month, log in to the billing portal and download the latest invoice\"")),
	), r.buildWorkflowPrompt)
}

var fieldNameRe = regexp.MustCompile(`[^a-z0-9]+`)

// extractionSchema turns "title, price, rating" into an object schema with
// one string property per field (the model refines the types).
func extractionSchema(what string) map[string]any {
	props := map[string]any{}
	var required []string
	for _, part := range strings.Split(what, ",") {
		label := strings.TrimSpace(part)
		name := strings.Trim(fieldNameRe.ReplaceAllString(strings.ToLower(label), "_"), "_")
		if name == "" || props[name] != nil {
			continue
		}
		props[name] = map[string]any{"type": "string", "description": label}
		required = append(required, name)
	}
	if len(props) == 0 {
		props["result"] = map[string]any{"type": "string", "description": what}
		required = []string{"result"}
	}
	return map[string]any{"type": "object", "properties": props, "required": required}
}

func (r *Registry) extractDataPrompt(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	url, what := req.Params.Arguments["url"], req.Params.Arguments["what"]
	if url == "" || what == "" {
		return nil, fmt.Errorf("extract_data needs the arguments url and what")
	}
	schema, _ := json.MarshalIndent(extractionSchema(what), "", "  ")
	text := fmt.Sprintf(`Extract %s from %s with Skyvern.

1. Call run_task with:
   - url: %q
   - prompt: "Extract %s from the page. If a value is missing, leave it empty; do not navigate away unless needed to find it."
   - data_extraction_schema (refine the types, e.g. number for prices, array for lists):
%s
   - engine: "skyvern-1.0" for a single page, "skyvern-2.0" when the data needs several steps.
2. Runs cost money and take minutes: start it once, then follow it with get_run (or pass wait_for_completion: true with a timeout below your client's tool-call limit).
3. When it completes, read output; if it failed, use the debug_run prompt or get_run_artifacts to see why.`, what, url, url, what, indent(string(schema), "     "))
	return mcp.NewGetPromptResult("Plan for extracting data with run_task",
		[]mcp.PromptMessage{mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text))}), nil
}

func indent(s, pad string) string {
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

func (r *Registry) debugRunPrompt(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	runID := req.Params.Arguments["run_id"]
	if !runIDRe.MatchString(runID) {
		return nil, fmt.Errorf("debug_run: run_id must look like tsk_..., tsk_v2_... or wr_..., got %q", runID)
	}
	c, err := r.o.Deps.Client(ctx)
	if err != nil {
		return nil, fmt.Errorf("debug_run: %s", r.redact(err.Error()))
	}
	run, err := c.GetRun(ctx, runID)
	if err != nil {
		return nil, describe(err, "run", runID)
	}
	r.SeeRun(run)
	runJSON, _ := json.MarshalIndent(run, "", "  ")
	msgs := []mcp.PromptMessage{
		mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(fmt.Sprintf(
			"Explain what Skyvern run %s did and, if it did not complete, why; then suggest how to fix the prompt, parameters or workflow and what to try next. Status: %s. Steps: %d. Failure reason: %s.",
			runID, run.Status, run.Steps(), orNone(run.FailureReason)))),
		mcp.NewPromptMessage(mcp.RoleUser, mcp.NewEmbeddedResource(mcp.TextResourceContents{
			URI: runURI(runID), MIMEType: "application/json", Text: string(runJSON)})),
	}
	if summary := timelineSummary(ctx, c, run); summary != "" {
		msgs = append(msgs, mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent("Timeline:\n"+summary)))
	}
	if shot := lastScreenshot(ctx, c, runID); shot != nil {
		msgs = append(msgs, mcp.NewPromptMessage(mcp.RoleUser, mcp.NewEmbeddedResource(*shot)))
	}
	return mcp.NewGetPromptResult("Debug Skyvern run "+runID, msgs), nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// timelineSummary lists the timeline's blocks and thoughts, one line each
// (workflow and skyvern-2.0 runs only).
func timelineSummary(ctx context.Context, c *client.Client, run *client.Run) string {
	if !run.RunType.IsWorkflow() && run.RunType != client.RunTypeTaskV2 {
		return ""
	}
	tl, err := c.GetRunTimeline(ctx, run.RunID)
	if err != nil {
		return ""
	}
	var b strings.Builder
	var walk func(entries []client.TimelineEntry, depth int)
	walk = func(entries []client.TimelineEntry, depth int) {
		for _, e := range entries {
			if b.Len() > 8<<10 {
				return
			}
			pad := strings.Repeat("  ", depth)
			switch {
			case e.Block != nil:
				fmt.Fprintf(&b, "%s- block %v (%v): %v", pad, e.Block["label"], e.Block["block_type"], e.Block["status"])
				if fr, _ := e.Block["failure_reason"].(string); fr != "" {
					fmt.Fprintf(&b, " — %s", fr)
				}
				b.WriteString("\n")
			case e.Thought != nil:
				fmt.Fprintf(&b, "%s- thought: %v\n", pad, firstNonEmpty(e.Thought["thought"], e.Thought["answer"], e.Thought["observation"]))
			}
			walk(e.Children, depth+1)
		}
	}
	walk(tl, 0)
	return b.String()
}

func firstNonEmpty(vals ...any) any {
	for _, v := range vals {
		if s, ok := v.(string); ok && s != "" {
			return s
		}
	}
	return "(empty)"
}

// lastScreenshot returns the run's latest screenshot as a blob, or nil.
func lastScreenshot(ctx context.Context, c *client.Client, runID string) *mcp.BlobResourceContents {
	arts, err := c.GetRunArtifacts(ctx, runID, client.ArtifactScreenshotFinal, client.ArtifactScreenshotAction, client.ArtifactScreenshot)
	if err != nil || len(arts) == 0 {
		return nil
	}
	latest := arts[0]
	for _, a := range arts[1:] {
		if a.CreatedAt > latest.CreatedAt {
			latest = a
		}
	}
	content, err := c.GetArtifact(ctx, latest.ArtifactID, nil)
	if err != nil {
		return nil
	}
	defer content.Body.Close()
	if content.ContentLength > maxPromptScreenshot {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(content.Body, maxPromptScreenshot+1))
	if err != nil || len(data) > maxPromptScreenshot {
		return nil
	}
	mimeType := content.MediaType(latest.ArtifactType)
	if !strings.HasPrefix(mimeType, "image/") {
		return nil
	}
	return &mcp.BlobResourceContents{URI: artifactURI(latest.ArtifactID), MIMEType: mimeType, Blob: base64.StdEncoding.EncodeToString(data)}
}

func (r *Registry) buildWorkflowPrompt(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	goal := req.Params.Arguments["goal"]
	if goal == "" {
		return nil, fmt.Errorf("build_workflow needs the argument goal")
	}
	text := fmt.Sprintf(`Design a reusable Skyvern workflow for this goal: %s

1. Split the goal into blocks, each one clear browser step. Common block types: navigation (go somewhere and do something: url, navigation_goal), extraction (data_extraction_goal, data_schema), login (uses a stored credential parameter), action (one action), file_download, for_loop (loop_over a list parameter), text_prompt (LLM step without a browser), send_email, wait (wait_sec), http_request, code.
2. Turn whatever changes between runs (URLs, search terms, dates, credentials) into workflow parameters: {"parameter_type": "workflow", "key": "...", "workflow_parameter_type": "string" | "integer" | "json" | "credential_id" | ...}, and use them in blocks as {{key}}.
3. Write the definition as json_definition:
   {"title": "...", "description": "...",
    "workflow_definition": {"parameters": [...], "blocks": [{"block_type": "navigation", "label": "open_portal", "url": "https://...", "navigation_goal": "..."}, ...]}}
   Labels must be unique; each block's output is available to later blocks as {{label_output}}.
4. If the site needs a login, store the secret once with create_credential and pass its ID as a credential parameter; never put passwords in the definition.
5. Call create_workflow with the json_definition. If Skyvern answers 422, fix the field it names and call again.
6. Try it with run_workflow (workflow_id = the wpid_... returned) on one example; runs cost money, so start one and follow it with get_run.`, goal)
	return mcp.NewGetPromptResult("Plan for building a Skyvern workflow",
		[]mcp.PromptMessage{mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text))}), nil
}
