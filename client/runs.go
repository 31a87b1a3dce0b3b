package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TaskRunRequest is the body of POST /v1/run/tasks (schema TaskRunRequest).
// Only Prompt is required.
type TaskRunRequest struct {
	Prompt               string            `json:"prompt" jsonschema:"required" jsonschema_description:"The task in plain language, including when it is done."`
	URL                  string            `json:"url,omitempty" jsonschema_description:"Start page; if omitted Skyvern picks one."`
	Engine               RunEngine         `json:"engine,omitempty" jsonschema_description:"skyvern-2.0 (multi-step; the only engine taking browser_profile_id and start_fresh_browser), skyvern-1.0 (simple, cheaper), skyvern-3.0 (run type task_v3) or a computer-use engine."`
	Title                string            `json:"title,omitempty"`
	ProxyLocation        *ProxyLocation    `json:"proxy_location,omitempty"`
	DataExtractionSchema RawJSON           `json:"data_extraction_schema,omitempty" jsonschema_description:"JSON Schema of the data to return (or a text description)."`
	ErrorCodeMapping     map[string]string `json:"error_code_mapping,omitempty" jsonschema_description:"Error code to situation; the run reports the matching code on failure."`
	MaxSteps             *int              `json:"max_steps,omitempty" jsonschema:"minimum=1" jsonschema_description:"Step limit; each step is billed."`
	WebhookURL           string            `json:"webhook_url,omitempty"`
	TOTPIdentifier       string            `json:"totp_identifier,omitempty"`
	TOTPURL              string            `json:"totp_url,omitempty"`
	BrowserSessionID     string            `json:"browser_session_id,omitempty"`
	Model                map[string]any    `json:"model,omitempty"`
	ExtraHTTPHeaders     map[string]string `json:"extra_http_headers,omitempty"`
	CDPConnectHeaders    map[string]string `json:"cdp_connect_headers,omitempty"`
	// PublishWorkflow is deprecated in the API; tools do not offer it.
	PublishWorkflow bool `json:"publish_workflow,omitempty" jsonschema:"-"`
	// IncludeActionHistoryInVerification defaults to false.
	IncludeActionHistoryInVerification *bool  `json:"include_action_history_in_verification,omitempty"`
	MaxScreenshotScrolls               *int   `json:"max_screenshot_scrolls,omitempty" jsonschema:"minimum=0"`
	BrowserAddress                     string `json:"browser_address,omitempty"`
	RunWith                            string `json:"run_with,omitempty" jsonschema_description:"agent or code."`
	BrowserProfileID                   string `json:"browser_profile_id,omitempty" jsonschema_description:"Profile (bp_...) to start from; skyvern-2.0 only."`
	StartFreshBrowser                  bool   `json:"start_fresh_browser,omitempty" jsonschema_description:"true: no saved browser memory; skyvern-2.0 only."`
	// UserAgent is sent as the x-user-agent header, not in the body.
	UserAgent string `json:"-"`
}

// Run is a task run or a workflow run: the TaskRunResponse and
// WorkflowRunResponse schemas, told apart by RunType (GET /v1/runs/{run_id}
// returns either). Workflow-only fields are empty for task runs.
// Timestamps are ISO 8601 strings as Skyvern sends them.
type Run struct {
	RunID                string           `json:"run_id"`
	Status               RunStatus        `json:"status"`
	Output               RawJSON          `json:"output,omitempty"`
	DownloadedFiles      []FileInfo       `json:"downloaded_files,omitempty"`
	RecordingURL         string           `json:"recording_url,omitempty"`
	RecordingArchived    bool             `json:"recording_archived"`
	ScreenshotURLs       []string         `json:"screenshot_urls,omitempty"`
	FailureReason        string           `json:"failure_reason,omitempty"`
	CreatedAt            string           `json:"created_at"`
	ModifiedAt           string           `json:"modified_at"`
	QueuedAt             string           `json:"queued_at,omitempty"`
	StartedAt            string           `json:"started_at,omitempty"`
	FinishedAt           string           `json:"finished_at,omitempty"`
	AppURL               string           `json:"app_url,omitempty"`
	BrowserSessionID     string           `json:"browser_session_id,omitempty"`
	BrowserProfileID     string           `json:"browser_profile_id,omitempty"`
	MaxScreenshotScrolls *int             `json:"max_screenshot_scrolls,omitempty"`
	ScriptRun            *ScriptRun       `json:"script_run,omitempty"`
	Errors               []map[string]any `json:"errors,omitempty"`
	StepCount            *int             `json:"step_count,omitempty"`
	RunType              RunType          `json:"run_type"`
	// RunWith is "agent" or "code" (workflow runs).
	RunWith string `json:"run_with,omitempty"`
	// AIFallback says whether a failed code run falls back to AI (workflow runs).
	AIFallback *bool `json:"ai_fallback,omitempty"`
	// ScriptID is the cached script used (workflow runs).
	ScriptID string `json:"script_id,omitempty"`
	// RunRequest is the request that started the run.
	RunRequest *RunRequest `json:"run_request,omitempty"`
	// BrowserSeedSource says which saved browser state seeded a workflow
	// run's browser (workflow runs).
	BrowserSeedSource BrowserSeedSource `json:"browser_seed_source,omitempty"`
}

func (r *Run) validate() error {
	if r.RunID == "" || r.Status == "" {
		return errors.New("the answer is not a run: run_id or status is missing")
	}
	return nil
}

// Steps returns the step count, 0 when unknown.
func (r *Run) Steps() int {
	if r == nil || r.StepCount == nil {
		return 0
	}
	return *r.StepCount
}

// ScriptRun is the ScriptRunResponse schema.
type ScriptRun struct {
	AIFallbackTriggered bool   `json:"ai_fallback_triggered"`
	ScriptID            string `json:"script_id,omitempty"`
	ScriptRevisionID    string `json:"script_revision_id,omitempty"`
}

// RunRequest is the original request echoed in a run: the fields of
// TaskRunRequest-Output (task runs) and WorkflowRunRequest-Output (workflow
// runs). Booleans are pointers so that an explicit false survives.
type RunRequest struct {
	// Task run fields.
	Prompt                             string            `json:"prompt,omitempty"`
	URL                                string            `json:"url,omitempty"`
	Engine                             RunEngine         `json:"engine,omitempty"`
	DataExtractionSchema               RawJSON           `json:"data_extraction_schema,omitempty"`
	ErrorCodeMapping                   map[string]string `json:"error_code_mapping,omitempty"`
	MaxSteps                           *int              `json:"max_steps,omitempty"`
	Model                              map[string]any    `json:"model,omitempty"`
	PublishWorkflow                    *bool             `json:"publish_workflow,omitempty"`
	IncludeActionHistoryInVerification *bool             `json:"include_action_history_in_verification,omitempty"`
	// Workflow run fields.
	WorkflowID            string         `json:"workflow_id,omitempty"`
	Parameters            map[string]any `json:"parameters,omitempty"`
	BrowserProfileID      string         `json:"browser_profile_id,omitempty"`
	MaxElapsedTimeMinutes *int           `json:"max_elapsed_time_minutes,omitempty"`
	AIFallback            *bool          `json:"ai_fallback,omitempty"`
	RunMetadata           map[string]any `json:"run_metadata,omitempty"`
	// Fields common to both.
	Title                string            `json:"title,omitempty"`
	ProxyLocation        *ProxyLocation    `json:"proxy_location,omitempty"`
	WebhookURL           string            `json:"webhook_url,omitempty"`
	TOTPIdentifier       string            `json:"totp_identifier,omitempty"`
	TOTPURL              string            `json:"totp_url,omitempty"`
	BrowserSessionID     string            `json:"browser_session_id,omitempty"`
	ExtraHTTPHeaders     map[string]string `json:"extra_http_headers,omitempty"`
	CDPConnectHeaders    map[string]string `json:"cdp_connect_headers,omitempty"`
	MaxScreenshotScrolls *int              `json:"max_screenshot_scrolls,omitempty"`
	BrowserAddress       string            `json:"browser_address,omitempty"`
	RunWith              string            `json:"run_with,omitempty"`
	StartFreshBrowser    *bool             `json:"start_fresh_browser,omitempty"`
	// ReuseBrowserSession is the workflow-run override (null inherits the workflow's setting).
	ReuseBrowserSession *bool `json:"reuse_browser_session,omitempty"`
}

// ArtifactType names what an artifact holds (ArtifactType schema).
type ArtifactType string

// Artifact types used most; see EnumValues for all.
const (
	ArtifactRecording        ArtifactType = "recording"
	ArtifactScreenshot       ArtifactType = "screenshot"
	ArtifactScreenshotAction ArtifactType = "screenshot_action"
	ArtifactScreenshotFinal  ArtifactType = "screenshot_final"
	ArtifactScreenshotLLM    ArtifactType = "screenshot_llm"
	ArtifactHTML             ArtifactType = "html"
	ArtifactHTMLScrape       ArtifactType = "html_scrape"
	ArtifactLLMResponse      ArtifactType = "llm_response"
	ArtifactLLMPrompt        ArtifactType = "llm_prompt"
	ArtifactHAR              ArtifactType = "har"
	ArtifactTrace            ArtifactType = "trace"
	ArtifactDownload         ArtifactType = "download"
	ArtifactPDF              ArtifactType = "pdf"
)

// EnumValues lists every artifact type.
func (ArtifactType) EnumValues() []string {
	return []string{"recording", "audio", "session_replay", "browser_console_log", "skyvern_log", "skyvern_log_raw",
		"screenshot", "screenshot_llm", "screenshot_action", "screenshot_final", "llm_prompt", "llm_request",
		"llm_response", "llm_response_parsed", "llm_response_rendered", "visible_elements_id_css_map",
		"visible_elements_id_frame_map", "visible_elements_tree", "visible_elements_tree_trimmed",
		"visible_elements_tree_in_prompt", "hashed_href_map", "visible_elements_id_xpath_map", "html", "html_scrape",
		"html_action", "trace", "har", "script_file", "pdf", "step_archive", "task_archive", "download",
		"eval_score", "eval_trajectory", "eval_rubrics", "screenshot_proxy", "browser_session_action_log"}
}

// Artifact is a file a run produced (Artifact schema): screenshots, HTML,
// LLM prompts and responses, recordings. FileSize is in bytes.
type Artifact struct {
	CreatedAt          string       `json:"created_at"`
	ModifiedAt         string       `json:"modified_at"`
	ArtifactID         string       `json:"artifact_id"`
	ArtifactType       ArtifactType `json:"artifact_type"`
	URI                string       `json:"uri"`
	BundleKey          string       `json:"bundle_key,omitempty"`
	Checksum           string       `json:"checksum,omitempty"`
	FileSize           *int64       `json:"file_size,omitempty"`
	TaskID             string       `json:"task_id,omitempty"`
	StepID             string       `json:"step_id,omitempty"`
	WorkflowRunID      string       `json:"workflow_run_id,omitempty"`
	WorkflowRunBlockID string       `json:"workflow_run_block_id,omitempty"`
	RunID              string       `json:"run_id,omitempty"`
	BrowserSessionID   string       `json:"browser_session_id,omitempty"`
	ObserverCruiseID   string       `json:"observer_cruise_id,omitempty"`
	ObserverThoughtID  string       `json:"observer_thought_id,omitempty"`
	AISuggestionID     string       `json:"ai_suggestion_id,omitempty"`
	// SignedURL is a time-limited URL to the content, when Skyvern gives one.
	SignedURL      string `json:"signed_url,omitempty"`
	Archived       bool   `json:"archived"`
	OrganizationID string `json:"organization_id"`
}

// TimelineEntry is one entry of a run's timeline (WorkflowRunTimeline
// schema): a block or a thought, with nested children. Block and Thought are
// kept as objects (WorkflowRunBlock and Thought schemas) so that no field is
// lost.
type TimelineEntry struct {
	// Type is "block" or "thought".
	Type       string          `json:"type"`
	Block      map[string]any  `json:"block,omitempty"`
	Thought    map[string]any  `json:"thought,omitempty"`
	Children   []TimelineEntry `json:"children,omitempty"`
	CreatedAt  string          `json:"created_at"`
	ModifiedAt string          `json:"modified_at"`
}

// RetryRunWebhookRequest is the optional body of
// POST /v1/runs/{run_id}/retry_webhook.
type RetryRunWebhookRequest struct {
	WebhookURL string `json:"webhook_url,omitempty"`
}

// RunWebhookReplay is the RunWebhookReplayResponse schema. LatencyMS is in
// milliseconds.
type RunWebhookReplay struct {
	RunID             string            `json:"run_id"`
	RunType           string            `json:"run_type"`
	DefaultWebhookURL string            `json:"default_webhook_url,omitempty"`
	TargetWebhookURL  string            `json:"target_webhook_url,omitempty"`
	Payload           string            `json:"payload"`
	Headers           map[string]string `json:"headers,omitempty"`
	StatusCode        *int              `json:"status_code,omitempty"`
	LatencyMS         *int              `json:"latency_ms,omitempty"`
	ResponseBody      string            `json:"response_body,omitempty"`
	Error             string            `json:"error,omitempty"`
}

// RunTask starts a task run: POST /v1/run/tasks. It returns at once with the
// run queued; use WaitForRun to follow it. It is never retried automatically
// (a second POST would start a second, billed run).
func (c *Client) RunTask(ctx context.Context, req *TaskRunRequest) (*Run, error) {
	if req == nil || req.Prompt == "" {
		return nil, fmt.Errorf("run_task: prompt is required")
	}
	var out Run
	r := &request{method: http.MethodPost, path: "/run/tasks", body: req}
	if req.UserAgent != "" {
		r.header = http.Header{"X-User-Agent": {req.UserAgent}}
	}
	_, err := c.do(ctx, r, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetRun returns a task run or a workflow run: GET /v1/runs/{run_id}.
// RunType tells which. A missing run gives an *APIError with status 404.
func (c *Client) GetRun(ctx context.Context, runID string) (*Run, error) {
	if runID == "" {
		return nil, fmt.Errorf("get_run: run_id is required")
	}
	return doJSON[Run](ctx, c, &request{method: http.MethodGet, path: pathf("/runs/%s", runID)})
}

// CancelRun cancels a task or workflow run: POST /v1/runs/{run_id}/cancel.
// Skyvern answers 200 (body null) for a run still going. For a finished run
// it depends on the run type: a workflow run (wr_) stays as it is (200); a
// skyvern-2.0 task (tsk_v2_) is marked canceled anyway (200); any other task
// run (tsk_) is refused with 400 (500 {"error": ...} for one that timed
// out). Unknown runs get 404.
func (c *Client) CancelRun(ctx context.Context, runID string) error {
	if runID == "" {
		return fmt.Errorf("cancel_run: run_id is required")
	}
	_, err := c.do(ctx, &request{method: http.MethodPost, path: pathf("/runs/%s/cancel", runID)}, nil)
	return err
}

// GetRunTimeline returns the timeline of a workflow run or a skyvern-2.0 task
// run: GET /v1/runs/{run_id}/timeline. Skyvern answers 400 for engine 1.0 task runs.
func (c *Client) GetRunTimeline(ctx context.Context, runID string) ([]TimelineEntry, error) {
	if runID == "" {
		return nil, fmt.Errorf("get_run_timeline: run_id is required")
	}
	return doValue(ctx, c, &request{method: http.MethodGet, path: pathf("/runs/%s/timeline", runID)}, []TimelineEntry{})
}

// GetRunArtifacts lists a run's artifacts: GET /v1/runs/{run_id}/artifacts,
// optionally only those of the given types (sent as repeated artifact_type
// query parameters).
func (c *Client) GetRunArtifacts(ctx context.Context, runID string, types ...ArtifactType) ([]Artifact, error) {
	if runID == "" {
		return nil, fmt.Errorf("get_run_artifacts: run_id is required")
	}
	q := url.Values{}
	for _, t := range types {
		q.Add("artifact_type", string(t))
	}
	return doValue(ctx, c, &request{method: http.MethodGet, path: pathf("/runs/%s/artifacts", runID), query: q}, []Artifact{})
}

// ArtifactContent is an artifact's bytes as a stream. The caller must close
// Body.
type ArtifactContent struct {
	Body io.ReadCloser
	// ContentType is the Content-Type header Skyvern sent, e.g.
	// "application/json" for a PDF: Skyvern's labels are often wrong, so use
	// MIMEType or MediaType instead.
	ContentType string
	// MIMEType is the media type decided from the content's first bytes
	// (DetectMIME, with ContentType as the fallback), e.g. "application/pdf".
	// For a range that does not start at byte 0 it is ContentType's type.
	MIMEType string
	// head is the start of the content (up to 4 KiB), still in Body.
	head []byte
	// ContentLength is the size of Body in bytes, -1 when unknown.
	ContentLength int64
	// ContentRange is the Content-Range header of a 206 answer.
	ContentRange string
	// StatusCode is 200, or 206 for a range.
	StatusCode int
}

// ByteRange asks for part of an artifact: bytes Start..End inclusive; End
// < 0 means to the end.
type ByteRange struct{ Start, End int64 }

func (b ByteRange) header() string {
	if b.End < 0 {
		return "bytes=" + strconv.FormatInt(b.Start, 10) + "-"
	}
	return "bytes=" + strconv.FormatInt(b.Start, 10) + "-" + strconv.FormatInt(b.End, 10)
}

// GetArtifact streams an artifact's content: GET
// /v1/artifacts/{artifact_id}/content, optionally one byte range (answer
// 206; an unsatisfiable range gives an *APIError with status 416). The body
// stays open until the caller closes it; its lifetime is bounded by ctx, not
// by the client's per-request timeout.
func (c *Client) GetArtifact(ctx context.Context, artifactID string, rng *ByteRange) (*ArtifactContent, error) {
	if artifactID == "" {
		return nil, fmt.Errorf("get_artifact: artifact_id is required")
	}
	r := &request{method: http.MethodGet, path: pathf("/artifacts/%s/content", artifactID), stream: true}
	if rng != nil {
		r.header = http.Header{"Range": {rng.header()}}
	}
	resp, err := c.do(ctx, r, nil)
	if err != nil {
		return nil, err
	}
	out := &ArtifactContent{
		Body:          resp.Body,
		ContentType:   resp.Header.Get("Content-Type"),
		ContentLength: resp.ContentLength,
		ContentRange:  resp.Header.Get("Content-Range"),
		StatusCode:    resp.StatusCode,
	}
	if rng != nil && rng.Start > 0 {
		// The middle of a file says nothing about its type.
		out.MIMEType = DetectMIME(nil, "", out.ContentType)
		return out, nil
	}
	head, body, err := sniffBody(resp.Body)
	if err != nil {
		resp.Body.Close()
		return nil, fmt.Errorf("skyvern: GET /v1/artifacts/%s/content: reading response: %w", artifactID, err)
	}
	out.head = head
	out.Body = struct {
		io.Reader
		io.Closer
	}{body, resp.Body}
	out.MIMEType = DetectMIME(head, "", out.ContentType)
	return out, nil
}

// MediaType is the content's media type decided from its first bytes, with
// the type implied by the artifact's type (when the caller knows it, e.g.
// ArtifactRecording; may be empty) and then Skyvern's Content-Type as
// fallbacks. See DetectMIME.
func (a *ArtifactContent) MediaType(artifactType ArtifactType) string {
	if a.head == nil && a.MIMEType != "" && artifactType == "" {
		return a.MIMEType
	}
	return DetectMIME(a.head, artifactType, a.ContentType)
}

// RetryRunWebhook sends a finished run's webhook again: POST
// /v1/runs/{run_id}/retry_webhook, optionally to another URL (req may be nil).
func (c *Client) RetryRunWebhook(ctx context.Context, runID string, req *RetryRunWebhookRequest) (*RunWebhookReplay, error) {
	if runID == "" {
		return nil, fmt.Errorf("retry_run_webhook: run_id is required")
	}
	r := &request{method: http.MethodPost, path: pathf("/runs/%s/retry_webhook", runID)}
	if req != nil {
		r.body = req
	}
	return doJSON[RunWebhookReplay](ctx, c, r)
}

// Bounds of the run operations, from the spec.
const (
	// MaxBulkCancelRuns is the most run IDs one bulk cancel accepts
	// (BulkCancelRunsRequest.run_ids maxItems).
	MaxBulkCancelRuns = 100
	// MaxRunsPage bounds page and page_size of GET /v1/runs.
	MaxRunsPage = 100
	// MinRunsSearchKey is the shortest search_key GET /v1/runs accepts.
	MinRunsSearchKey = 3
)

// BulkCancelRunsRequest is the body of POST /v1/runs/cancel
// (BulkCancelRunsRequest schema).
type BulkCancelRunsRequest struct {
	RunIDs []string `json:"run_ids"`
}

// BulkCancelRunsResponse is the answer of POST /v1/runs/cancel
// (BulkCancelRunsResponse schema): the run IDs Skyvern cancelled, and those
// it could not cancel (unknown, or already finished).
type BulkCancelRunsResponse struct {
	Cancelled []string `json:"cancelled"`
	Failed    []string `json:"failed"`
}

// TaskRunListItem is one run of GET /v1/runs (TaskRunListItem schema): a
// lightweight history entry for a task run or a workflow run. TaskRunID
// names the history row; RunID is the run (tsk_..., tsk_v2_..., wr_...).
// TaskRunType is a RunType value and Status a RunStatus value, kept as
// strings as the spec types them. Timestamps are ISO 8601.
type TaskRunListItem struct {
	TaskRunID           string `json:"task_run_id"`
	RunID               string `json:"run_id"`
	TaskRunType         string `json:"task_run_type"`
	Status              string `json:"status"`
	Title               string `json:"title,omitempty"`
	StartedAt           string `json:"started_at,omitempty"`
	FinishedAt          string `json:"finished_at,omitempty"`
	CreatedAt           string `json:"created_at"`
	WorkflowPermanentID string `json:"workflow_permanent_id,omitempty"`
	WorkflowDeleted     bool   `json:"workflow_deleted"`
	ScriptRun           bool   `json:"script_run"`
	// TriggerType is how a workflow run was started (manual, mcp, api,
	// scheduled, webhook).
	TriggerType WorkflowRunTriggerType `json:"trigger_type,omitempty"`
}

// GetRunsParams filters GET /v1/runs. Page starts at 1 (default 1) and
// PageSize defaults to 10; both are at most 100. SearchKey needs at least 3
// characters.
type GetRunsParams struct {
	Page      int         `url:"page,omitempty"`
	PageSize  int         `url:"page_size,omitempty"`
	Status    []RunStatus `url:"status,omitempty"`
	RunType   []RunType   `url:"run_type,omitempty"`
	SearchKey string      `url:"search_key,omitempty"`
}

func (p *GetRunsParams) validate() error {
	if p == nil {
		return nil
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"page", p.Page}, {"page_size", p.PageSize}} {
		if f.v < 0 || f.v > MaxRunsPage {
			return fmt.Errorf("get_runs_v2: %s must be between 1 and %d, got %d", f.name, MaxRunsPage, f.v)
		}
	}
	if err := checkEnum("get_runs_v2", "status", p.Status); err != nil {
		return err
	}
	if err := checkEnum("get_runs_v2", "run_type", p.RunType); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(p.SearchKey); n > 0 && n < MinRunsSearchKey {
		return fmt.Errorf("get_runs_v2: search_key needs at least %d characters, got %q", MinRunsSearchKey, p.SearchKey)
	}
	return nil
}

// BulkCancelRuns cancels up to 100 task or workflow runs in one request:
// POST /v1/runs/cancel. Duplicate IDs count once. The answer lists the runs
// cancelled and those that could not be (an unknown ID does not fail the
// request). It returns an error without calling Skyvern when runIDs is
// empty, longer than 100 or holds an empty ID. Never retried.
func (c *Client) BulkCancelRuns(ctx context.Context, runIDs []string) (*BulkCancelRunsResponse, error) {
	if len(runIDs) == 0 {
		return nil, fmt.Errorf("bulk_cancel_runs: run_ids is required: give 1 to %d run IDs", MaxBulkCancelRuns)
	}
	if len(runIDs) > MaxBulkCancelRuns {
		return nil, fmt.Errorf("bulk_cancel_runs: run_ids holds %d IDs; at most %d per call", len(runIDs), MaxBulkCancelRuns)
	}
	for i, id := range runIDs {
		if id == "" {
			return nil, fmt.Errorf("bulk_cancel_runs: run_ids[%d] is empty", i)
		}
	}
	out := BulkCancelRunsResponse{Cancelled: []string{}, Failed: []string{}}
	body := &BulkCancelRunsRequest{RunIDs: runIDs}
	if _, err := c.do(ctx, &request{method: http.MethodPost, path: "/runs/cancel", body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetRunsV2 lists task and workflow runs, newest first, a page at a time,
// optionally filtered by status, run type and a search key: GET /v1/runs
// (hidden in Skyvern's API reference, exposed by the Python SDK as
// get_runs_v2). Out-of-range page or page_size and a search key shorter
// than 3 characters give an error without calling Skyvern.
func (c *Client) GetRunsV2(ctx context.Context, params *GetRunsParams) ([]TaskRunListItem, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	return doValue(ctx, c, &request{method: http.MethodGet, path: "/runs", query: queryOf(params)}, []TaskRunListItem{})
}

// checkEnum reports the first value of vals that is not one of its type's
// EnumValues.
func checkEnum[T interface {
	~string
	EnumValues() []string
}](op, field string, vals []T) error {
	for i, v := range vals {
		allowed := v.EnumValues()
		if !slices.Contains(allowed, string(v)) {
			return fmt.Errorf("%s: %s[%d] is %q; expected one of %s", op, field, i, string(v), strings.Join(allowed, ", "))
		}
	}
	return nil
}

// GetArtifactMetadata returns an artifact's metadata with a freshly signed
// SignedURL to its content: GET /v1/artifacts/{artifact_id}, the server
// route (kept out of its OpenAPI document) behind the SDK's get_artifact.
// GetArtifact reads the content itself. 404 for an unknown artifact.
func (c *Client) GetArtifactMetadata(ctx context.Context, artifactID string) (*Artifact, error) {
	if artifactID == "" {
		return nil, fmt.Errorf("get_artifact: artifact_id is required (a_..., from get_run_artifacts)")
	}
	var out Artifact
	if _, err := c.do(ctx, &request{method: http.MethodGet, path: pathf("/artifacts/%s", artifactID)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
