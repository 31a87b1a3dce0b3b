package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"
)

// WorkflowRunRequest is the body of POST /v1/run/agents
// (WorkflowRunRequest schema). AgentID (the workflow permanent ID, wpid_...)
// is required; WorkflowID is accepted as its alias, as the SDK does.
type WorkflowRunRequest struct {
	AgentID string `json:"agent_id" jsonschema:"-"`
	// WorkflowID is the SDK's name for AgentID; it is sent as agent_id when
	// AgentID is empty.
	WorkflowID            string            `json:"-"`
	Parameters            map[string]any    `json:"parameters,omitempty" jsonschema_description:"Input parameter values by key."`
	Title                 string            `json:"title,omitempty"`
	ProxyLocation         *ProxyLocation    `json:"proxy_location,omitempty"`
	WebhookURL            string            `json:"webhook_url,omitempty"`
	TOTPURL               string            `json:"totp_url,omitempty"`
	TOTPIdentifier        string            `json:"totp_identifier,omitempty"`
	BrowserSessionID      string            `json:"browser_session_id,omitempty"`
	BrowserProfileID      string            `json:"browser_profile_id,omitempty"`
	MaxScreenshotScrolls  *int              `json:"max_screenshot_scrolls,omitempty" jsonschema:"minimum=0"`
	MaxElapsedTimeMinutes *int              `json:"max_elapsed_time_minutes,omitempty" jsonschema:"minimum=1,maximum=480" jsonschema_description:"Run time limit in MINUTES (1-480)."`
	ExtraHTTPHeaders      map[string]string `json:"extra_http_headers,omitempty"`
	CDPConnectHeaders     map[string]string `json:"cdp_connect_headers,omitempty"`
	BrowserAddress        string            `json:"browser_address,omitempty"`
	AIFallback            *bool             `json:"ai_fallback,omitempty" jsonschema_description:"With run_with code: fall back to the agent on failure."`
	RunWith               string            `json:"run_with,omitempty" jsonschema_description:"agent or code; default: the workflow's setting."`
	RunMetadata           map[string]string `json:"run_metadata,omitempty" jsonschema_description:"String key/values attached to the run."`
	StartFreshBrowser     bool              `json:"start_fresh_browser,omitempty" jsonschema_description:"true: no saved browser memory is read or written."`
	ReuseBrowserSession   *bool             `json:"reuse_browser_session,omitempty" jsonschema_description:"Override the workflow's setting; omit to inherit."`
	// Template runs a workflow template (query parameter template=true).
	Template bool `json:"-"`
	// MaxStepsOverride is sent as the x-max-steps-override header.
	MaxStepsOverride *int `json:"-"`
	// UserAgent is sent as the x-user-agent header.
	UserAgent string `json:"-"`
}

// MarshalJSON sends WorkflowID as agent_id when AgentID is empty.
func (r WorkflowRunRequest) MarshalJSON() ([]byte, error) {
	type plain WorkflowRunRequest
	p := plain(r)
	if p.AgentID == "" {
		p.AgentID = r.WorkflowID
	}
	return json.Marshal(p)
}

// WorkflowRequest is the body of POST /v1/agents and POST
// /v1/agents/{workflow_id} (WorkflowRequest schema): exactly one of
// JSONDefinition (a WorkflowCreateYAMLRequest object: title,
// workflow_definition with parameters and blocks, ...) or YAMLDefinition (the
// same as YAML text). Skyvern validates the definition and answers 422 with
// the failing field.
type WorkflowRequest struct {
	JSONDefinition map[string]any `json:"json_definition,omitempty"`
	YAMLDefinition string         `json:"yaml_definition,omitempty"`
	// IdempotencyKey is sent as the Idempotency-Key header by
	// CreateWorkflow (1-255 visible ASCII characters; 422 otherwise). Empty,
	// CreateWorkflow makes a random one per call. UpdateWorkflow ignores it.
	IdempotencyKey string `json:"-"`
}

// WorkflowStatus is a workflow's publication status.
type WorkflowStatus string

// EnumValues lists every workflow status.
func (WorkflowStatus) EnumValues() []string {
	return []string{"published", "draft", "auto_generated", "importing", "import_failed"}
}

// Workflow is a workflow (agent) definition at one version (Workflow schema).
// WorkflowPermanentID (wpid_...) is stable across versions; WorkflowID (w_...)
// names one version. MaxElapsedTimeMinutes is in minutes.
type Workflow struct {
	WorkflowID               string            `json:"workflow_id"`
	OrganizationID           string            `json:"organization_id"`
	Title                    string            `json:"title"`
	WorkflowPermanentID      string            `json:"workflow_permanent_id"`
	Version                  int               `json:"version"`
	IsSavedTask              bool              `json:"is_saved_task"`
	IsTemplate               bool              `json:"is_template"`
	Description              string            `json:"description,omitempty"`
	WorkflowDefinition       map[string]any    `json:"workflow_definition"`
	ProxyLocation            *ProxyLocation    `json:"proxy_location,omitempty"`
	WebhookCallbackURL       string            `json:"webhook_callback_url,omitempty"`
	TOTPVerificationURL      string            `json:"totp_verification_url,omitempty"`
	TOTPIdentifier           string            `json:"totp_identifier,omitempty"`
	PersistBrowserSession    bool              `json:"persist_browser_session"`
	PinSavedSessionIP        bool              `json:"pin_saved_session_ip"`
	BrowserProfileID         string            `json:"browser_profile_id,omitempty"`
	BrowserProfileKey        string            `json:"browser_profile_key,omitempty"`
	Model                    map[string]any    `json:"model,omitempty"`
	Status                   WorkflowStatus    `json:"status,omitempty"`
	MaxScreenshotScrolls     *int              `json:"max_screenshot_scrolls,omitempty"`
	MaxElapsedTimeMinutes    *int              `json:"max_elapsed_time_minutes,omitempty"`
	ExtraHTTPHeaders         map[string]string `json:"extra_http_headers,omitempty"`
	CDPConnectHeaders        map[string]string `json:"cdp_connect_headers,omitempty"`
	RunWith                  string            `json:"run_with,omitempty"`
	AIFallback               *bool             `json:"ai_fallback,omitempty"`
	CacheKey                 string            `json:"cache_key,omitempty"`
	AdaptiveCaching          bool              `json:"adaptive_caching"`
	EnableSelfHealing        bool              `json:"enable_self_healing"`
	CodeVersion              *int              `json:"code_version,omitempty"`
	GenerateScriptOnTerminal bool              `json:"generate_script_on_terminal"`
	RunSequentially          *bool             `json:"run_sequentially,omitempty"`
	SequentialKey            string            `json:"sequential_key,omitempty"`
	FolderID                 string            `json:"folder_id,omitempty"`
	ImportError              string            `json:"import_error,omitempty"`
	CreatedBy                string            `json:"created_by,omitempty"`
	EditedBy                 string            `json:"edited_by,omitempty"`
	CopilotAuthored          bool              `json:"copilot_authored"`
	ReuseBrowserSession      bool              `json:"reuse_browser_session"`
	MaskSecrets              bool              `json:"mask_secrets"`
	CreatedAt                string            `json:"created_at"`
	ModifiedAt               string            `json:"modified_at"`
	DeletedAt                string            `json:"deleted_at,omitempty"`
	// AgentID is an alias of WorkflowPermanentID.
	AgentID string `json:"agent_id"`
}

// GetWorkflowsParams filters GET /v1/agents. Page starts at 1 (default 1);
// PageSize defaults to 10.
type GetWorkflowsParams struct {
	Page           int    `url:"page,omitempty" json:"page,omitempty" jsonschema:"minimum=1"`
	PageSize       int    `url:"page_size,omitempty" json:"page_size,omitempty" jsonschema:"minimum=1"`
	OnlySavedTasks bool   `url:"only_saved_tasks,omitempty" json:"only_saved_tasks,omitempty"`
	OnlyWorkflows  bool   `url:"only_workflows,omitempty" json:"only_workflows,omitempty"`
	OnlyTemplates  bool   `url:"only_templates,omitempty" json:"only_templates,omitempty"`
	SearchKey      string `url:"search_key,omitempty" json:"search_key,omitempty" jsonschema_description:"Search title, folder and parameters."`
	// Title is deprecated in the API (use SearchKey); tools do not offer it.
	Title    string           `url:"title,omitempty" json:"title,omitempty" jsonschema:"-"`
	FolderID string           `url:"folder_id,omitempty" json:"folder_id,omitempty"`
	Status   []WorkflowStatus `url:"status,omitempty" json:"status,omitempty"`
	Tags     []string         `url:"tags,omitempty" json:"tags,omitempty" jsonschema_description:"Tag filters: label, group:* or group:value."`
	Template bool             `url:"template,omitempty" json:"template,omitempty" jsonschema_description:"List global templates."`
}

// RunWorkflow starts a workflow run: POST /v1/run/agents. It returns at once
// with the run queued (run_type workflow_run, run ID wr_...); use WaitForRun
// to follow it. Never retried automatically.
func (c *Client) RunWorkflow(ctx context.Context, req *WorkflowRunRequest) (*Run, error) {
	if req == nil || (req.AgentID == "" && req.WorkflowID == "") {
		return nil, fmt.Errorf("run_workflow: workflow_id is required (the workflow permanent ID, wpid_...)")
	}
	r := &request{method: http.MethodPost, path: "/run/agents", body: req, header: http.Header{}}
	if req.Template {
		r.query = url.Values{"template": {"true"}}
	}
	if req.MaxStepsOverride != nil {
		r.header.Set("X-Max-Steps-Override", strconv.Itoa(*req.MaxStepsOverride))
	}
	if req.UserAgent != "" {
		r.header.Set("X-User-Agent", req.UserAgent)
	}
	return doJSON[Run](ctx, c, r)
}

func validateWorkflowRequest(op string, req *WorkflowRequest) error {
	if req == nil || (req.JSONDefinition == nil && req.YAMLDefinition == "") {
		return fmt.Errorf("%s: one of json_definition or yaml_definition is required", op)
	}
	if req.JSONDefinition != nil && req.YAMLDefinition != "" {
		return fmt.Errorf("%s: give json_definition or yaml_definition, not both", op)
	}
	return nil
}

// CreateWorkflow creates a workflow: POST /v1/agents, optionally in a folder
// (query folder_id). Skyvern's 422 names the invalid part of the definition.
//
// It sends an Idempotency-Key header (req.IdempotencyKey, or a random key
// made for this call). Skyvern derives the workflow_permanent_id from the key
// and the organization, so a request repeated with the same key never
// creates a second workflow: it returns version 1 of the workflow the key
// first created (even if that workflow was later updated or deleted; the key
// never expires and the body of the repeat is ignored), or 409 while that
// first creation is still in progress. CreateWorkflow therefore retries,
// with the same key, when the response is lost (connection reset, truncated
// answer, timeout) or the server answers 409, 429, 502, 503 or 504.
func (c *Client) CreateWorkflow(ctx context.Context, req *WorkflowRequest, folderID string) (*Workflow, error) {
	if err := validateWorkflowRequest("create_workflow", req); err != nil {
		return nil, err
	}
	key := req.IdempotencyKey
	if key == "" {
		key = NewIdempotencyKey()
	} else if err := CheckIdempotencyKey(key); err != nil {
		return nil, fmt.Errorf("create_workflow: %w", err)
	}
	r := &request{method: http.MethodPost, path: "/agents", body: req, idempotent: true,
		header: http.Header{IdempotencyKeyHeader: {key}}}
	if folderID != "" {
		r.query = url.Values{"folder_id": {folderID}}
	}
	return doJSON[Workflow](ctx, c, r)
}

// GetWorkflows lists workflows, a page at a time: GET /v1/agents.
func (c *Client) GetWorkflows(ctx context.Context, params *GetWorkflowsParams) ([]Workflow, error) {
	return doValue(ctx, c, &request{method: http.MethodGet, path: "/agents", query: queryOf(params)}, []Workflow{})
}

// GetWorkflow returns a workflow by permanent ID: GET
// /v1/agents/{workflow_permanent_id}; version 0 means the latest version.
func (c *Client) GetWorkflow(ctx context.Context, workflowPermanentID string, version int, template bool) (*Workflow, error) {
	if workflowPermanentID == "" {
		return nil, fmt.Errorf("get_workflow: workflow_permanent_id is required")
	}
	q := queryOf(struct {
		Version  int  `url:"version,omitempty"`
		Template bool `url:"template,omitempty"`
	}{version, template})
	return doJSON[Workflow](ctx, c, &request{method: http.MethodGet, path: pathf("/agents/%s", workflowPermanentID), query: q})
}

// GetWorkflowVersions lists every version of a workflow: GET
// /v1/agents/{workflow_permanent_id}/versions.
func (c *Client) GetWorkflowVersions(ctx context.Context, workflowPermanentID string, template bool) ([]Workflow, error) {
	if workflowPermanentID == "" {
		return nil, fmt.Errorf("get_workflow_versions: workflow_permanent_id is required")
	}
	q := queryOf(struct {
		Template bool `url:"template,omitempty"`
	}{template})
	return doValue(ctx, c, &request{method: http.MethodGet, path: pathf("/agents/%s/versions", workflowPermanentID), query: q}, []Workflow{})
}

// UpdateWorkflow replaces a workflow's definition, creating a new version:
// POST /v1/agents/{workflow_id} (workflow_id is the permanent ID, wpid_...).
func (c *Client) UpdateWorkflow(ctx context.Context, workflowID string, req *WorkflowRequest) (*Workflow, error) {
	if workflowID == "" {
		return nil, fmt.Errorf("update_workflow: workflow_id is required")
	}
	if err := validateWorkflowRequest("update_workflow", req); err != nil {
		return nil, err
	}
	return doJSON[Workflow](ctx, c, &request{method: http.MethodPost, path: pathf("/agents/%s", workflowID), body: req})
}

// DeleteWorkflow deletes a workflow and all its versions: POST
// /v1/agents/{workflow_id}/delete (200, empty body).
func (c *Client) DeleteWorkflow(ctx context.Context, workflowID string) error {
	if workflowID == "" {
		return fmt.Errorf("delete_workflow: workflow_id is required")
	}
	_, err := c.do(ctx, &request{method: http.MethodPost, path: pathf("/agents/%s/delete", workflowID)}, nil)
	return err
}

// MaxWorkflowRunsFilter is the longest search_key or error_code the
// workflow run listings accept.
const MaxWorkflowRunsFilter = 500

// WorkflowRunTriggerType says how a workflow run was started.
type WorkflowRunTriggerType string

// EnumValues lists every trigger type (WorkflowRunTriggerType schema).
func (WorkflowRunTriggerType) EnumValues() []string {
	return []string{"manual", "mcp", "api", "scheduled", "webhook"}
}

// WorkflowRun is a workflow run as the run listings return it (WorkflowRun
// schema): WorkflowRunID (wr_...), the workflow version it ran (WorkflowID,
// w_...) and the workflow (WorkflowPermanentID, wpid_...). Its Status takes
// the RunStatus values (WorkflowRunStatus schema). MaxElapsedTimeMinutes is
// in minutes; credits are Skyvern credits. Timestamps are ISO 8601. For the
// run's output use GetRun.
type WorkflowRun struct {
	WorkflowRunID                       string                 `json:"workflow_run_id"`
	WorkflowID                          string                 `json:"workflow_id"`
	WorkflowPermanentID                 string                 `json:"workflow_permanent_id"`
	OrganizationID                      string                 `json:"organization_id"`
	BrowserSessionID                    string                 `json:"browser_session_id,omitempty"`
	BrowserProfileID                    string                 `json:"browser_profile_id,omitempty"`
	DebugSessionID                      string                 `json:"debug_session_id,omitempty"`
	Status                              RunStatus              `json:"status"`
	ExtraHTTPHeaders                    map[string]string      `json:"extra_http_headers,omitempty"`
	CDPConnectHeaders                   map[string]string      `json:"cdp_connect_headers,omitempty"`
	ProxyLocation                       *ProxyLocation         `json:"proxy_location,omitempty"`
	WebhookCallbackURL                  string                 `json:"webhook_callback_url,omitempty"`
	WebhookFailureReason                string                 `json:"webhook_failure_reason,omitempty"`
	TOTPVerificationURL                 string                 `json:"totp_verification_url,omitempty"`
	TOTPIdentifier                      string                 `json:"totp_identifier,omitempty"`
	FailureReason                       string                 `json:"failure_reason,omitempty"`
	FailureCategory                     []map[string]any       `json:"failure_category,omitempty"`
	ParentWorkflowRunID                 string                 `json:"parent_workflow_run_id,omitempty"`
	WorkflowTitle                       string                 `json:"workflow_title,omitempty"`
	MaxScreenshotScrolls                *int                   `json:"max_screenshot_scrolls,omitempty"`
	MaxElapsedTimeMinutes               *int                   `json:"max_elapsed_time_minutes,omitempty"`
	BrowserAddress                      string                 `json:"browser_address,omitempty"`
	RunWith                             string                 `json:"run_with,omitempty"`
	ScriptRun                           *ScriptRun             `json:"script_run,omitempty"`
	JobID                               string                 `json:"job_id,omitempty"`
	DependsOnWorkflowRunID              string                 `json:"depends_on_workflow_run_id,omitempty"`
	SequentialKey                       string                 `json:"sequential_key,omitempty"`
	AIFallback                          *bool                  `json:"ai_fallback,omitempty"`
	CodeGen                             *bool                  `json:"code_gen,omitempty"`
	TriggerType                         WorkflowRunTriggerType `json:"trigger_type,omitempty"`
	WorkflowScheduleID                  string                 `json:"workflow_schedule_id,omitempty"`
	IgnoreInheritedWorkflowSystemPrompt bool                   `json:"ignore_inherited_workflow_system_prompt"`
	CopilotSessionID                    string                 `json:"copilot_session_id,omitempty"`
	CreditsUsed                         int                    `json:"credits_used"`
	CachedCreditsUsed                   int                    `json:"cached_credits_used"`
	StartFreshBrowser                   bool                   `json:"start_fresh_browser"`
	ReuseBrowserSession                 *bool                  `json:"reuse_browser_session,omitempty"`
	BrowserSeedSource                   BrowserSeedSource      `json:"browser_seed_source,omitempty"`
	BrowserSinkProfileID                string                 `json:"browser_sink_profile_id,omitempty"`
	SequentialCredentialID              string                 `json:"sequential_credential_id,omitempty"`
	FallbackAttempt                     *int                   `json:"fallback_attempt,omitempty"`
	RetriedFromWorkflowRunID            string                 `json:"retried_from_workflow_run_id,omitempty"`
	QueuedAt                            string                 `json:"queued_at,omitempty"`
	StartedAt                           string                 `json:"started_at,omitempty"`
	FinishedAt                          string                 `json:"finished_at,omitempty"`
	CreatedAt                           string                 `json:"created_at"`
	ModifiedAt                          string                 `json:"modified_at"`
}

// GetWorkflowRunsParams filters GET /v1/agents/runs and GET
// /v1/agents/{workflow_id}/runs; all filters must match. Page starts at 1
// (default 1); PageSize defaults to 10. SearchKey and ErrorCode are at most
// 500 characters.
type GetWorkflowRunsParams struct {
	Page      int         `url:"page,omitempty"`
	PageSize  int         `url:"page_size,omitempty"`
	Status    []RunStatus `url:"status,omitempty"`
	SearchKey string      `url:"search_key,omitempty"`
	ErrorCode string      `url:"error_code,omitempty"`
}

// GetWorkflowRunsByIDParams filters GET /v1/agents/{workflow_id}/runs: the
// filters of GetWorkflowRunsParams plus a creation time range, start
// included, end excluded.
type GetWorkflowRunsByIDParams struct {
	GetWorkflowRunsParams
	CreatedAtStart *time.Time `url:"-"`
	CreatedAtEnd   *time.Time `url:"-"`
}

func (p *GetWorkflowRunsParams) check(op string) error {
	if p == nil {
		return nil
	}
	if p.Page < 0 || p.PageSize < 0 {
		return fmt.Errorf("%s: page and page_size start at 1", op)
	}
	if err := checkEnum(op, "status", p.Status); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"search_key", p.SearchKey}, {"error_code", p.ErrorCode}} {
		if n := utf8.RuneCountInString(f.v); n > MaxWorkflowRunsFilter {
			return fmt.Errorf("%s: %s is %d characters long; at most %d", op, f.name, n, MaxWorkflowRunsFilter)
		}
	}
	return nil
}

// GetWorkflowRuns lists workflow runs across all workflows, newest first, a
// page at a time: GET /v1/agents/runs.
func (c *Client) GetWorkflowRuns(ctx context.Context, params *GetWorkflowRunsParams) ([]WorkflowRun, error) {
	if err := params.check("get_workflow_runs"); err != nil {
		return nil, err
	}
	return doValue(ctx, c, &request{method: http.MethodGet, path: "/agents/runs", query: queryOf(params)}, []WorkflowRun{})
}

// GetWorkflowRunsByID lists the runs of one workflow, newest first, a page
// at a time: GET /v1/agents/{workflow_id}/runs, where workflow_id is the
// workflow's permanent ID (wpid_...). An unknown workflow gives an empty
// list, not an error.
func (c *Client) GetWorkflowRunsByID(ctx context.Context, workflowID string, params *GetWorkflowRunsByIDParams) ([]WorkflowRun, error) {
	if workflowID == "" {
		return nil, fmt.Errorf("get_workflow_runs_by_id: workflow_id is required (the workflow permanent ID, wpid_...)")
	}
	q := url.Values{}
	if params != nil {
		if err := params.check("get_workflow_runs_by_id"); err != nil {
			return nil, err
		}
		if params.CreatedAtStart != nil && params.CreatedAtEnd != nil && !params.CreatedAtEnd.After(*params.CreatedAtStart) {
			return nil, fmt.Errorf("get_workflow_runs_by_id: created_at_end (%s) must be after created_at_start (%s)",
				params.CreatedAtEnd.Format(time.RFC3339), params.CreatedAtStart.Format(time.RFC3339))
		}
		q = queryOf(params)
		for name, t := range map[string]*time.Time{"created_at_start": params.CreatedAtStart, "created_at_end": params.CreatedAtEnd} {
			if t != nil {
				q.Set(name, t.UTC().Format(time.RFC3339Nano))
			}
		}
	}
	return doValue(ctx, c, &request{method: http.MethodGet, path: pathf("/agents/%s/runs", workflowID), query: q}, []WorkflowRun{})
}

// RetryWorkflowRunOptions are the optional headers of a retry.
type RetryWorkflowRunOptions struct {
	// MaxStepsOverride is sent as the x-max-steps-override header.
	MaxStepsOverride *int
	// UserAgent is sent as the x-user-agent header.
	UserAgent string
}

// RetryWorkflowRun starts a NEW run of a workflow run's workflow with the
// original run's parameters: POST /v1/agents/runs/{workflow_run_id}/retry.
// It returns the new run (wr_..., a WorkflowRunResponse) at once; use
// WaitForRun to follow it. The new run is billed. Skyvern answers 400 for a
// run that cannot be retried and 404 for an unknown one. Never retried
// automatically.
func (c *Client) RetryWorkflowRun(ctx context.Context, workflowRunID string, opts *RetryWorkflowRunOptions) (*Run, error) {
	if workflowRunID == "" {
		return nil, fmt.Errorf("retry_workflow_run: workflow_run_id is required (wr_...)")
	}
	r := &request{method: http.MethodPost, path: pathf("/agents/runs/%s/retry", workflowRunID), header: http.Header{}}
	if opts != nil {
		if opts.MaxStepsOverride != nil {
			r.header.Set("X-Max-Steps-Override", strconv.Itoa(*opts.MaxStepsOverride))
		}
		if opts.UserAgent != "" {
			r.header.Set("X-User-Agent", opts.UserAgent)
		}
	}
	return doJSON[Run](ctx, c, r)
}

// UpdateWorkflowFolderRequest is the body of PUT
// /v1/agents/{workflow_permanent_id}/folder (UpdateWorkflowFolderRequest
// schema). A nil FolderID is sent as null: the workflow leaves its folder.
type UpdateWorkflowFolderRequest struct {
	FolderID *string `json:"folder_id"`
}

// UpdateWorkflowFolder moves the latest version of a workflow into a
// folder, or out of any folder when folderID is empty: PUT
// /v1/agents/{workflow_permanent_id}/folder. It returns the updated
// workflow. Skyvern answers 400 for an unknown folder and 404 for an
// unknown workflow. Not retried automatically.
func (c *Client) UpdateWorkflowFolder(ctx context.Context, workflowPermanentID, folderID string) (*Workflow, error) {
	if workflowPermanentID == "" {
		return nil, fmt.Errorf("update_workflow_folder: workflow_permanent_id is required (wpid_...)")
	}
	body := &UpdateWorkflowFolderRequest{}
	if folderID != "" {
		body.FolderID = &folderID
	}
	return doJSON[Workflow](ctx, c, &request{method: http.MethodPut, path: pathf("/agents/%s/folder", workflowPermanentID), body: body})
}

// ResetWorkflowBrowserProfile clears the browser profile a workflow saved
// with "Save & Reuse Session", so that its next run starts from a fresh
// browser: POST /v1/agents/{workflow_permanent_id}/browser_session/reset_profile
// (204; hidden in Skyvern's API reference). Skyvern answers 404 for an
// unknown workflow and 500 when deleting the stored profile failed (safe to
// call again). Not retried automatically.
func (c *Client) ResetWorkflowBrowserProfile(ctx context.Context, workflowPermanentID string) error {
	if workflowPermanentID == "" {
		return fmt.Errorf("reset_workflow_browser_profile: workflow_permanent_id is required (wpid_...)")
	}
	_, err := c.do(ctx, &request{method: http.MethodPost, path: pathf("/agents/%s/browser_session/reset_profile", workflowPermanentID)}, nil)
	return err
}
