package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
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
	CreatedAt                string            `json:"created_at"`
	ModifiedAt               string            `json:"modified_at"`
	DeletedAt                string            `json:"deleted_at,omitempty"`
	// AgentID is an alias of WorkflowPermanentID.
	AgentID string `json:"agent_id"`
}

// GetWorkflowsParams filters GET /v1/agents. Page starts at 1 (default 1);
// PageSize defaults to 10.
type GetWorkflowsParams struct {
	Page           int    `json:"page,omitempty" jsonschema:"minimum=1"`
	PageSize       int    `json:"page_size,omitempty" jsonschema:"minimum=1"`
	OnlySavedTasks bool   `json:"only_saved_tasks,omitempty"`
	OnlyWorkflows  bool   `json:"only_workflows,omitempty"`
	OnlyTemplates  bool   `json:"only_templates,omitempty"`
	SearchKey      string `json:"search_key,omitempty" jsonschema_description:"Search title, folder and parameters."`
	// Title is deprecated in the API (use SearchKey); tools do not offer it.
	Title    string           `json:"title,omitempty" jsonschema:"-"`
	FolderID string           `json:"folder_id,omitempty"`
	Status   []WorkflowStatus `json:"status,omitempty"`
	Tags     []string         `json:"tags,omitempty" jsonschema_description:"Tag filters: label, group:* or group:value."`
	Template bool             `json:"template,omitempty" jsonschema_description:"List global templates."`
}

func (p *GetWorkflowsParams) values() url.Values {
	q := url.Values{}
	if p == nil {
		return q
	}
	setInt(q, "page", p.Page)
	setInt(q, "page_size", p.PageSize)
	setBool(q, "only_saved_tasks", p.OnlySavedTasks)
	setBool(q, "only_workflows", p.OnlyWorkflows)
	setBool(q, "only_templates", p.OnlyTemplates)
	setString(q, "search_key", p.SearchKey)
	setString(q, "title", p.Title)
	setString(q, "folder_id", p.FolderID)
	for _, s := range p.Status {
		q.Add("status", string(s))
	}
	for _, t := range p.Tags {
		q.Add("tags", t)
	}
	setBool(q, "template", p.Template)
	return q
}

func setInt(q url.Values, k string, v int) {
	if v != 0 {
		q.Set(k, strconv.Itoa(v))
	}
}

func setBool(q url.Values, k string, v bool) {
	if v {
		q.Set(k, "true")
	}
}

func setString(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
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
	var out Run
	if _, err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
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
func (c *Client) CreateWorkflow(ctx context.Context, req *WorkflowRequest, folderID string) (*Workflow, error) {
	if err := validateWorkflowRequest("create_workflow", req); err != nil {
		return nil, err
	}
	r := &request{method: http.MethodPost, path: "/agents", body: req}
	if folderID != "" {
		r.query = url.Values{"folder_id": {folderID}}
	}
	var out Workflow
	if _, err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetWorkflows lists workflows, a page at a time: GET /v1/agents.
func (c *Client) GetWorkflows(ctx context.Context, params *GetWorkflowsParams) ([]Workflow, error) {
	out := []Workflow{}
	if _, err := c.do(ctx, &request{method: http.MethodGet, path: "/agents", query: params.values()}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetWorkflow returns a workflow by permanent ID: GET
// /v1/agents/{workflow_permanent_id}; version 0 means the latest version.
func (c *Client) GetWorkflow(ctx context.Context, workflowPermanentID string, version int, template bool) (*Workflow, error) {
	if workflowPermanentID == "" {
		return nil, fmt.Errorf("get_workflow: workflow_permanent_id is required")
	}
	q := url.Values{}
	setInt(q, "version", version)
	setBool(q, "template", template)
	var out Workflow
	if _, err := c.do(ctx, &request{method: http.MethodGet, path: pathf("/agents/%s", workflowPermanentID), query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetWorkflowVersions lists every version of a workflow: GET
// /v1/agents/{workflow_permanent_id}/versions.
func (c *Client) GetWorkflowVersions(ctx context.Context, workflowPermanentID string, template bool) ([]Workflow, error) {
	if workflowPermanentID == "" {
		return nil, fmt.Errorf("get_workflow_versions: workflow_permanent_id is required")
	}
	q := url.Values{}
	setBool(q, "template", template)
	out := []Workflow{}
	if _, err := c.do(ctx, &request{method: http.MethodGet, path: pathf("/agents/%s/versions", workflowPermanentID), query: q}, &out); err != nil {
		return nil, err
	}
	return out, nil
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
	var out Workflow
	if _, err := c.do(ctx, &request{method: http.MethodPost, path: pathf("/agents/%s", workflowID), body: req}, &out); err != nil {
		return nil, err
	}
	return &out, nil
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
