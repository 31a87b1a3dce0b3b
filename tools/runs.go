package tools

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// MaxInlineImageBytes is the largest screenshot get_artifact returns as
// image content: 768 KiB (1 MiB as base64), less when the result cap
// (Deps.MaxResultBytes) needs it.
const MaxInlineImageBytes = 768 << 10

// RunTaskInput is run_task's input: the TaskRunRequest plus the SDK's
// wait_for_completion, timeout and user_agent.
type RunTaskInput struct {
	client.TaskRunRequest
	// Engine overrides the embedded field's schema with the SDK's default.
	Engine    client.RunEngine `json:"engine,omitempty" jsonschema_description:"skyvern-2.0 (default; multi-step), skyvern-1.0 (simple, cheaper) or a computer-use engine."`
	UserAgent string           `json:"user_agent,omitempty"`
	WaitArgs
}

// RunIDInput names a run.
type RunIDInput struct {
	RunID string `json:"run_id" jsonschema:"required" jsonschema_description:"tsk_..., tsk_v2_... or wr_..."`
}

// GetRunArtifactsInput is get_run_artifacts' input.
type GetRunArtifactsInput struct {
	RunIDInput
	ArtifactType []string `json:"artifact_type,omitempty" jsonschema_description:"Only these types, e.g. screenshot_final, recording; omit for all."`
}

// GetArtifactInput is get_artifact's input.
type GetArtifactInput struct {
	ArtifactID string `json:"artifact_id" jsonschema:"required" jsonschema_description:"a_..., from get_run_artifacts."`
}

// RetryRunWebhookInput is retry_run_webhook's input.
type RetryRunWebhookInput struct {
	RunIDInput
	client.RetryRunWebhookRequest
}

// OKResult confirms an operation that returns no body.
type OKResult struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// TimelineResult is get_run_timeline's output.
type TimelineResult struct {
	RunID    string                 `json:"run_id"`
	Timeline []client.TimelineEntry `json:"timeline"`
}

// ArtifactsResult is get_run_artifacts' output.
type ArtifactsResult struct {
	RunID     string            `json:"run_id"`
	Count     int               `json:"count"`
	Artifacts []client.Artifact `json:"artifacts"`
	// links adds resource_link content items (Deps.ResourceLinks).
	links bool
}

// extraContent links each artifact as skyvern://artifacts/{artifact_id}.
func (r *ArtifactsResult) extraContent() []mcp.Content {
	if !r.links {
		return nil
	}
	out := make([]mcp.Content, 0, len(r.Artifacts))
	for i := range r.Artifacts {
		a := &r.Artifacts[i]
		if a.ArtifactID == "" {
			continue
		}
		out = append(out, mcp.NewResourceLink("skyvern://artifacts/"+a.ArtifactID, a.ArtifactID,
			fmt.Sprintf("%s artifact of run %s", a.ArtifactType, r.RunID), a.MIMEType()))
	}
	return out
}

// ArtifactResult is get_artifact's output, as the Skyvern SDK defines it:
// the artifact's metadata (GET /v1/artifacts/{artifact_id}) with a freshly
// signed signed_url to its content. The content itself is the artifact
// resource (ResourceURI); a screenshot of at most MaxInlineImageBytes also
// comes as an image content item (InlineImage true).
type ArtifactResult struct {
	client.Artifact
	// ResourceURI is skyvern://artifacts/{artifact_id}: the content through
	// resources/read, typed by its bytes.
	ResourceURI string `json:"resource_uri"`
	// InlineImage is true when the result carries the screenshot as image
	// content.
	InlineImage bool   `json:"inline_image"`
	Message     string `json:"message,omitempty"`
	extra       []mcp.Content
}

// textNote names the artifacts' resource URI form in text.
func (r *ArtifactsResult) textNote() string {
	if !r.links || len(r.Artifacts) == 0 {
		return ""
	}
	return "Resources: each artifact's content is skyvern://artifacts/{artifact_id}, e.g. skyvern://artifacts/" + r.Artifacts[0].ArtifactID
}

// restOf points at the run's artifact list resource.
func (r *ArtifactsResult) restOf(string) string {
	if !r.links {
		return "filter with artifact_type"
	}
	return "filter with artifact_type, or read the resource skyvern://runs/" + r.RunID + "/artifacts"
}

func (r *ArtifactResult) extraContent() []mcp.Content { return r.extra }

func runTools() []Tool {
	return []Tool{
		define(spec{name: "run_task", title: "Run a browser task", toolset: ToolsetRuns,
			hints:       hints{destructive: true, openWorld: true},
			description: "Start a browser run that does a plain-language task on the web (navigate, fill forms, extract data). Billed per step: never start the same run twice. Returns run_id, or the final run with wait_for_completion."},
			func(ctx context.Context, c *call, in *RunTaskInput) (*RunResult, error) {
				req := in.TaskRunRequest
				req.Engine = in.Engine
				if req.Engine == "" {
					req.Engine = client.EngineSkyvern2
				}
				req.UserAgent = in.UserAgent
				return startRun(ctx, c, in.WaitArgs, func(ctx context.Context) (*client.Run, error) { return c.client.RunTask(ctx, &req) })
			}),
		define(spec{name: "get_run", title: "Get a run", toolset: ToolsetRuns, hints: readHints,
			description: "Get a task or workflow run: status, output, failure_reason, step_count, screenshots, recording, app_url."},
			func(ctx context.Context, c *call, in *RunIDInput) (*RunResult, error) {
				run, err := c.client.GetRun(ctx, in.RunID)
				if err != nil {
					return nil, err
				}
				res := &RunResult{Run: run}
				if run.Status.IsFinal() {
					res.Message = finalMessage(run)
				}
				return c.seen(res), nil
			}),
		define(spec{name: "cancel_run", title: "Cancel a run", toolset: ToolsetRuns,
			hints:       hints{destructive: true, idempotent: true},
			description: "Cancel a run that is still going. An ended run: tsk_ is refused, tsk_v2_ becomes canceled, wr_ stays as it is."},
			func(ctx context.Context, c *call, in *RunIDInput) (*OKResult, error) {
				if err := c.client.CancelRun(ctx, in.RunID); err != nil {
					return nil, cancelRefused(ctx, c, in.RunID, err)
				}
				run, err := c.client.GetRun(ctx, in.RunID)
				switch {
				case err != nil:
					return &OKResult{OK: true, Message: fmt.Sprintf("Cancellation of run %s requested; check with get_run.", in.RunID)}, nil
				case run.Status == client.RunStatusCanceled:
					return &OKResult{OK: true, Message: fmt.Sprintf("Run %s is canceled.", in.RunID)}, nil
				case run.Status.IsFinal():
					return &OKResult{OK: true, Message: fmt.Sprintf("Run %s had already ended (%s); Skyvern leaves a finished workflow run as it is, so nothing was canceled.", in.RunID, run.Status)}, nil
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("Cancellation of run %s requested; it is %s now, check with get_run.", in.RunID, run.Status)}, nil
			}),
		define(spec{name: "get_run_timeline", title: "Get a run's timeline", toolset: ToolsetRuns, hints: readHints,
			description: "Get the blocks and agent thoughts of a workflow run (wr_) or skyvern-2.0 task run (tsk_v2_)."},
			func(ctx context.Context, c *call, in *RunIDInput) (*TimelineResult, error) {
				tl, err := c.client.GetRunTimeline(ctx, in.RunID)
				if err != nil {
					return nil, err
				}
				return &TimelineResult{RunID: in.RunID, Timeline: tl}, nil
			}),
		define(spec{name: "get_run_artifacts", title: "List a run's artifacts", toolset: ToolsetRuns, hints: readHints,
			description: "List a run's artifacts (screenshots, HTML, LLM calls, recordings, downloads) with IDs and signed URLs."},
			func(ctx context.Context, c *call, in *GetRunArtifactsInput) (*ArtifactsResult, error) {
				types := make([]client.ArtifactType, len(in.ArtifactType))
				for i, t := range in.ArtifactType {
					types[i] = client.ArtifactType(t)
				}
				arts, err := c.client.GetRunArtifacts(ctx, in.RunID, types...)
				if err != nil {
					return nil, err
				}
				if len(arts) == 0 {
					// Skyvern answers [] for an unknown run too: say which it is.
					if _, err := c.client.GetRun(ctx, in.RunID); err != nil {
						return nil, err
					}
				}
				return &ArtifactsResult{RunID: in.RunID, Count: len(arts), Artifacts: arts, links: c.deps.ResourceLinks}, nil
			}),
		define(spec{name: "get_artifact", title: "Get an artifact", toolset: ToolsetRuns, hints: readHints,
			description: "Get an artifact's metadata with a fresh signed_url to its content (a screenshot up to 768 KiB also as an image); the content itself is the resource skyvern://artifacts/{artifact_id}."},
			getArtifact),
		define(spec{name: "retry_run_webhook", title: "Resend a run's webhook", toolset: ToolsetRuns,
			hints:       hints{openWorld: true},
			description: "Resend a finished run's webhook, to its own or another URL; returns the receiver's answer."},
			func(ctx context.Context, c *call, in *RetryRunWebhookInput) (*client.RunWebhookReplay, error) {
				return c.client.RetryRunWebhook(ctx, in.RunID, &in.RetryRunWebhookRequest)
			}),
	}
}

func getArtifact(ctx context.Context, c *call, in *GetArtifactInput) (*ArtifactResult, error) {
	meta, err := c.client.GetArtifactMetadata(ctx, in.ArtifactID)
	if err != nil {
		return nil, err
	}
	uri := "skyvern://artifacts/" + in.ArtifactID
	res := &ArtifactResult{Artifact: *meta, ResourceURI: uri}
	if c.deps.ResourceLinks {
		res.extra = []mcp.Content{mcp.NewResourceLink(uri, in.ArtifactID, fmt.Sprintf("%s artifact", meta.ArtifactType), meta.MIMEType())}
	}
	if !strings.HasPrefix(string(meta.ArtifactType), "screenshot") {
		res.Message = "Metadata only: read the resource " + uri + " for the content, or open signed_url while it is valid."
		return res, nil
	}
	// A screenshot small enough for the result cap (base64 adds a third)
	// comes as an image too.
	limit := min(int64(MaxInlineImageBytes), int64(c.deps.maxResultBytes()-16<<10)/4*3)
	if meta.FileSize != nil && *meta.FileSize > limit {
		res.Message = fmt.Sprintf("The screenshot (%d bytes) is larger than this tool returns inline (%d KiB): read the resource %s.", *meta.FileSize, limit>>10, uri)
		return res, nil
	}
	content, err := c.client.GetArtifact(ctx, in.ArtifactID, nil)
	if err != nil {
		return nil, err
	}
	defer content.Body.Close()
	data, err := io.ReadAll(io.LimitReader(content.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading artifact %s: %w", in.ArtifactID, err)
	}
	// The bytes decide the type: Skyvern labels some screenshots
	// application/json.
	mediaType := client.DetectMIME(data, "", "")
	switch {
	case int64(len(data)) > limit:
		res.Message = fmt.Sprintf("The screenshot is larger than this tool returns inline (%d KiB): read the resource %s.", limit>>10, uri)
	case !strings.HasPrefix(mediaType, "image/") || isTextual(mediaType):
		res.Message = fmt.Sprintf("The content is %s, not an image: read the resource %s.", mediaType, uri)
	default:
		res.InlineImage = true
		res.extra = append([]mcp.Content{mcp.NewImageContent(base64.StdEncoding.EncodeToString(data), mediaType)}, res.extra...)
	}
	return res, nil
}

func isTextual(mediaType string) bool { return client.IsTextualMIME(mediaType) }

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

// cancelRefused explains a cancel_run error. Skyvern refuses to cancel a
// task run (tsk_) that has ended (400, or 500 for one that timed out): when
// the run is final, say so with Skyvern's status and words, rather than
// leave the model to read a bare 400 as bad input. Any other error is
// returned as it is.
func cancelRefused(ctx context.Context, c *call, runID string, err error) error {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || (apiErr.StatusCode != http.StatusBadRequest && apiErr.StatusCode != http.StatusInternalServerError) {
		return err
	}
	run, gerr := c.client.GetRun(ctx, runID)
	if gerr != nil || !run.Status.IsFinal() {
		return err
	}
	return fmt.Errorf("run %s had already ended (%s), so there was nothing to cancel: Skyvern refused with HTTP %d (%s): %s",
		runID, run.Status, apiErr.StatusCode, http.StatusText(apiErr.StatusCode), apiErr.Detail)
}

// runListTools are bulk_cancel_runs and get_runs_v2.
func runListTools() []Tool {
	return []Tool{
		define(spec{name: "bulk_cancel_runs", title: "Cancel runs", toolset: ToolsetRuns,
			hints:       hints{destructive: true, idempotent: true},
			description: "Cancel up to 100 runs; returns which were cancelled and which failed (unknown, or an ended tsk_ run)."},
			func(ctx context.Context, c *call, in *BulkCancelRunsInput) (*BulkCancelResult, error) {
				res, err := c.client.BulkCancelRuns(ctx, in.RunIDs)
				if err != nil {
					return nil, err
				}
				return &BulkCancelResult{BulkCancelRunsResponse: *res,
					Message: fmt.Sprintf("%d cancelled, %d not cancelled.", len(res.Cancelled), len(res.Failed))}, nil
			}),
		define(spec{name: "get_runs_v2", title: "List runs", toolset: ToolsetRuns, hints: readHints,
			description: "List and filter your task and workflow runs, newest first, by status, run_type or search_key."},
			func(ctx context.Context, c *call, in *GetRunsV2Input) (*RunsResult, error) {
				runs, err := c.client.GetRunsV2(ctx, in.params())
				if err != nil {
					return nil, err
				}
				return &RunsResult{Page: orDefault(in.Page, 1), PageSize: orDefault(in.PageSize, 10), Count: len(runs), Runs: runs}, nil
			}),
	}
}
